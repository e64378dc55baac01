#!/usr/bin/env python3
"""A test HTTP/1.1 server for gatehouse's mode http tests.

It records every byte it receives (one file, a "=== conn N" line before
each connection's bytes) and answers by path:
  /headers        200, the body is the request header block as received
  /echo           200, the body is the request body (de-chunked)
  /continue       answers Expect: 100-continue with a 100, then as /echo
  /hints          a 103 interim response, then 200
  /chunked        a chunked body with a trailer
  /big/N          N bytes of body
  /close          a body delimited by closing the connection
  /status/NNN     that status, empty body
  /slow/S         waits S seconds, then 200
  /ws             101 to an Upgrade request, then echoes raw bytes
  /hop            a response with hop-by-hop fields, X-Powered-By and HSTS
  /bad/KIND       a broken response: cl-te, status, silent, reset
  anything else   200 "hello from NAME", after DELAY seconds if given
Usage: http_backend.py NAME RECORD [DELAY | drop]; with "drop", every
request is read whole and its connection closed without an answer.
Keep-alive unless the request says otherwise. Prints "ready PORT".
With GH_TLS_CERT (a PEM with certificate and key) it speaks TLS, and
with GH_TLS_CA too it requires a client certificate from that CA; each
connection's record then starts with "tls sni=NAME reused=BOOL".
GH_PORT: the port to listen on (default: any free one).
"""
import hashlib, base64, os, socket, ssl, sys, threading, time

name = sys.argv[1]
record = sys.argv[2]
drop = len(sys.argv) > 3 and sys.argv[3] == "drop"
delay = float(sys.argv[3]) if len(sys.argv) > 3 and not drop else 0
lock = threading.Lock()
nconn = [0]


def log_bytes(cid, data):
    with lock, open(record, "ab") as f:
        f.write(data)


def read_head(conn, buf, cid):
    while b"\r\n\r\n" not in buf:
        d = conn.recv(65536)
        if not d:
            return None, buf
        log_bytes(cid, d)
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head, rest


def recv_more(conn, cid):
    d = conn.recv(65536)
    if d:
        log_bytes(cid, d)
    return d


def read_body(conn, hdrs, buf, cid):
    if "transfer-encoding" in hdrs:
        body = b""
        while True:
            while b"\r\n" not in buf:
                buf += recv_more(conn, cid)
            line, buf = buf.split(b"\r\n", 1)
            size = int(line.split(b";")[0], 16)
            if size == 0:
                while b"\r\n\r\n" not in b"\r\n" + buf:
                    buf += recv_more(conn, cid)
                _, buf = (b"\r\n" + buf).split(b"\r\n\r\n", 1)
                return body, buf
            while len(buf) < size + 2:
                buf += recv_more(conn, cid)
            body += buf[:size]
            buf = buf[size + 2:]
    n = int(hdrs.get("content-length", "0"))
    while len(buf) < n:
        d = recv_more(conn, cid)
        if not d:
            break
        buf += d
    return buf[:n], buf[n:]


def reply(conn, status, body=b"", extra="", head=False):
    conn.sendall(("HTTP/1.1 %d X\r\nContent-Length: %d\r\n%s\r\n" %
                  (status, len(body), extra)).encode() + (b"" if head else body))


def serve(conn, cid):
    buf = b""
    while True:
        head, buf = read_head(conn, buf, cid)
        if head is None:
            return
        lines = head.split(b"\r\n")
        method, path, version = lines[0].decode().split(" ")
        hdrs = {}
        for l in lines[1:]:
            k, v = l.decode().split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        close = hdrs.get("connection", "").lower() == "close" or (
            version == "HTTP/1.0" and
            hdrs.get("connection", "").lower() != "keep-alive")
        extra = "Connection: close\r\n" if close else ""
        if path == "/continue" and hdrs.get("expect", "").lower() == "100-continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body, buf = read_body(conn, hdrs, buf, cid)
        if drop:
            return
        if path == "/headers":
            reply(conn, 200, head + b"\r\n\r\n", extra)
        elif path in ("/echo", "/continue"):
            reply(conn, 200, body, extra)
        elif path == "/hints":
            conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n")
            reply(conn, 200, b"hinted\n", extra)
        elif path == "/chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         + extra.encode() + b"\r\n"
                         b"6\r\nchunk1\r\n6;x=y\r\nchunk2\r\n0\r\nX-Sum: 12\r\n\r\n")
        elif path.startswith("/big/"):
            n = int(path[5:])
            conn.sendall(("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" %
                          (n, extra)).encode())
            block = b"0123456789abcdef" * 4096
            while n > 0:
                k = min(n, len(block))
                conn.sendall(block[:k])
                n -= k
        elif path == "/close":
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close\n")
            return
        elif path.startswith("/status/"):
            st = int(path[8:])
            if st in (204, 304):
                conn.sendall(("HTTP/1.1 %d X\r\n%s\r\n" % (st, extra)).encode())
            else:
                reply(conn, st, b"", extra)
        elif path.startswith("/slow/"):
            time.sleep(float(path[6:]))
            reply(conn, 200, b"slow\n", extra)
        elif path == "/ws":
            key = hdrs.get("sec-websocket-key", "")
            acc = base64.b64encode(hashlib.sha1(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
            if buf:
                conn.sendall(buf)
            while True:
                d = conn.recv(65536)
                if not d:
                    return
                conn.sendall(d)
        elif path == "/hop":
            conn.sendall(b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\n"
                         b"Connection: X-Secret\r\nX-Secret: 1\r\n"
                         b"X-Powered-By: php\r\nServer: py\r\n"
                         b"Strict-Transport-Security: max-age=1\r\n"
                         b"Content-Length: 3\r\n" + extra.encode() + b"\r\nhop")
        elif path == "/bad/cl-te":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        elif path == "/bad/status":
            conn.sendall(b"HTTP/1.1 2000 Very OK\r\nContent-Length: 0\r\n\r\n")
        elif path == "/bad/silent":
            return
        elif path == "/bad/reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            return
        else:
            time.sleep(delay)
            reply(conn, 200, ("hello from %s\n" % name).encode(), extra,
                  method == "HEAD")
        if close:
            return


tls = None
if os.environ.get("GH_TLS_CERT"):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(os.environ["GH_TLS_CERT"])
    if os.environ.get("GH_TLS_CA"):
        tls.load_verify_locations(os.environ["GH_TLS_CA"])
        tls.verify_mode = ssl.CERT_REQUIRED
    sni = threading.local()

    def on_sni(sock, name, ctx):
        sni.name = name
    tls.sni_callback = on_sni


def handle(conn):
    with lock:
        nconn[0] += 1
        cid = nconn[0]
    log_bytes(cid, b"=== conn %d\n" % cid)
    try:
        if tls is not None:
            sni.name = None
            conn.settimeout(10)
            conn = tls.wrap_socket(conn, server_side=True)
            conn.settimeout(None)
            log_bytes(cid, ("tls sni=%s reused=%s\n" % (
                sni.name, conn.session_reused)).encode())
        serve(conn, cid)
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(os.environ.get("GH_PORT", "0"))))
    s.listen(128)
    open(record, "wb").close()
    print("ready %d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


main()
