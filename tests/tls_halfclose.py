#!/usr/bin/env python3
"""A client that sends one HTTP request and shuts its sending side at once,
then prints all that comes back until the server closes.

usage: tls_halfclose.py MODE HOST:PORT
MODE: plain   (TCP, shutdown(SHUT_WR) after the request)
      fin     (TLS, then shutdown(SHUT_WR) on the TCP socket, no
               close_notify)
      notify  (TLS, a close_notify, then shutdown(SHUT_WR))
TLS runs over memory BIOs so that the close_notify goes out without
waiting for the server's. Exit status 3 when the server does not close
within 10 s.
"""
import socket, ssl, sys, time

mode, addr = sys.argv[1], sys.argv[2]
host, port = addr.rsplit(":", 1)
req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
deadline = time.monotonic() + 10
s = socket.create_connection((host, int(port)), timeout=10)
out = sys.stdout.buffer

if mode == "plain":
    s.sendall(req)
    s.shutdown(socket.SHUT_WR)
    while time.monotonic() < deadline:
        d = s.recv(65536)
        if not d:
            sys.exit(0)
        out.write(d)
    sys.exit(3)

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
rbio, wbio = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(rbio, wbio, server_side=False)


def flush():
    d = wbio.read()
    if d:
        s.sendall(d)


def feed():
    d = s.recv(65536)
    if d:
        rbio.write(d)
    else:
        rbio.write_eof()
    return d


while True:
    try:
        o.do_handshake()
        break
    except ssl.SSLWantReadError:
        flush()
        if not feed():
            sys.exit("handshake: server closed")
flush()
o.write(req)
flush()
if mode == "notify":
    try:
        o.unwrap()
    except ssl.SSLWantReadError:
        pass    # the server's close_notify is not awaited
    flush()
s.shutdown(socket.SHUT_WR)
eof = False
while time.monotonic() < deadline:
    try:
        d = o.read(65536)
        if not d:
            sys.exit(0)     # the server's close_notify
        out.write(d)
        continue
    except ssl.SSLWantReadError:
        pass
    except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
        sys.exit(0)
    if eof:
        sys.exit(0)
    eof = not feed()
sys.exit(3)
