#!/bin/bash
# Covers: accept-proxy. A v1 or v2 (IPv4, IPv6) header gives the client
# address that the backend sees in X-Forwarded-For, and the log shows;
# on a TLS bind the header comes before the handshake; a header split
# over several packets still works; in mode tcp the header is not
# forwarded and the bytes after it are, exactly; gatehouse's own
# send-proxy passes the received address on; a v2 CRC32C is checked. A
# malformed header, one longer than gatehouse reads (536 bytes), none at
# all (closed after timeout handshake), or a source outside proxy-from
# gets the connection closed with nothing sent to any server. A worker
# that stops while connections still wait for their header closes them
# at the end of its grace period, with nothing left behind (a leak fails
# the exit status under --enable-sanitizers).
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
start_backend echo echo
free_port P
free_port PT
free_port PE
free_port PF
free_port PX
free_port PS
cat >"$TMP/gh.conf" <<CONF
global
    grace 1s
defaults
    timeout handshake 1s
frontend http
    mode http
    bind 127.0.0.1:$P accept-proxy proxy-from 127.0.0.0/8,::1
    bind 127.0.0.1:$PT accept-proxy cert $CERTS/server.pem
    default-backend web
frontend tcp
    mode tcp
    bind 127.0.0.1:$PE accept-proxy
    default-backend echo
frontend relay
    mode tcp
    bind 127.0.0.1:$PX accept-proxy
    default-backend relay
frontend slow
    mode tcp
    timeout handshake 60s
    bind 127.0.0.1:$PS accept-proxy
    default-backend echo
frontend strict
    mode http
    bind 127.0.0.1:$PF accept-proxy proxy-from 10.0.0.0/8
    default-backend web
backend web
    mode http
    server w 127.0.0.1:$web_PORT
backend echo
    mode tcp
    server e 127.0.0.1:$echo_PORT
backend relay
    mode tcp
    server e 127.0.0.1:$echo_PORT send-proxy
CONF
start_gh "$P" -f "$TMP/gh.conf"

python3 - "$P" "$PT" "$PE" "$PF" "$PX" "$CERTS/ca.pem" <<'PY' || fail "accept-proxy"
import socket, ssl, struct, sys, time
p, pt, pe, pf, px, ca = [int(x) for x in sys.argv[1:6]] + [sys.argv[6]]
SIG = b"\r\n\r\n\x00\r\nQUIT\n"

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def v2(src, dst, sport, dport, fam=socket.AF_INET, tlvs=b""):
    a = socket.inet_pton(fam, src) + socket.inet_pton(fam, dst) + struct.pack("!HH", sport, dport) + tlvs
    return SIG + bytes([0x21, 0x11 if fam == socket.AF_INET else 0x21]) + struct.pack("!H", len(a)) + a

def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff

def v2_crc(src, dst, sport, dport):
    h = v2(src, dst, sport, dport, tlvs=b"\x03\x00\x04\x00\x00\x00\x00")
    return h[:-4] + struct.pack("!I", crc32c(h))

def ask(port, header, wrap=False, split=0):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if split:
        for i in range(0, len(header), split):
            s.sendall(header[i:i + split])
            time.sleep(0.02)
    else:
        s.sendall(header)
    if wrap:
        ctx = ssl.create_default_context(cafile=ca)
        s = ctx.wrap_socket(s, server_hostname="localhost")
    s.sendall(b"GET /headers HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    out = b""
    while True:
        try:
            d = s.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            break
        if not d:
            break
        out += d
    return out

def xff(out):
    for l in out.split(b"\r\n"):
        if l.lower().startswith(b"x-forwarded-for:"):
            return l.split(b":", 1)[1].strip().decode()
    return None

for name, hdr, want, kw in [
        ("v1", b"PROXY TCP4 192.0.2.10 127.0.0.1 40000 %d\r\n" % p, "192.0.2.10", {}),
        ("v1 split", b"PROXY TCP4 192.0.2.11 127.0.0.1 40001 %d\r\n" % p, "192.0.2.11", {"split": 5}),
        ("v2 ipv4", v2("198.51.100.7", "127.0.0.1", 1234, p), "198.51.100.7", {}),
        ("v2 ipv6", v2("2001:db8::7", "::1", 1234, p, socket.AF_INET6), "2001:db8::7", {}),
        ("v2 split", v2("198.51.100.8", "127.0.0.1", 1234, p), "198.51.100.8", {"split": 7}),
        ("v2 crc32c", v2_crc("198.51.100.9", "127.0.0.1", 1234, p), "198.51.100.9", {}),
        ("v1 tls", b"PROXY TCP4 203.0.113.5 127.0.0.1 5555 %d\r\n" % pt, "203.0.113.5", {"wrap": True}),
        ]:
    port = pt if kw.get("wrap") else p
    out = ask(port, hdr, **kw)
    if b" 200 " not in out.split(b"\r\n")[0] or xff(out) != want:
        fail("%s: X-Forwarded-For %r, want %s: %r" % (name, xff(out), want, out[:200]))
    print("ok:", name, want)

# v1 UNKNOWN and v2 LOCAL keep the socket's own address.
out = ask(p, b"PROXY UNKNOWN\r\n")
if xff(out) != "127.0.0.1":
    fail("UNKNOWN: %r" % xff(out))
out = ask(p, SIG + b"\x20\x00\x00\x00")
if xff(out) != "127.0.0.1":
    fail("LOCAL: %r" % xff(out))
print("ok: UNKNOWN and LOCAL")

# Refused: each closed at once, or after timeout handshake (1 s).
for name, port, data in [
        ("garbage", p, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"),
        ("bad v1 address", p, b"PROXY TCP4 300.1.1.1 127.0.0.1 1 2\r\n"),
        ("bad v1 port", p, b"PROXY TCP4 1.1.1.1 127.0.0.1 01 2\r\n"),
        ("double space", p, b"PROXY TCP4  1.1.1.1 127.0.0.1 1 2\r\n"),
        ("v1 too long", p, b"PROXY TCP4 " + b"1" * 120 + b"\r\n"),
        ("not PROXY v1", p, b"PROXY GET / HTTP/1.1\r\n"),
        ("bad v2 version", p, SIG + b"\x31\x11\x00\x0c" + b"\x00" * 12),
        ("bad v2 crc32c", p, v2_crc("192.0.2.1", "127.0.0.1", 1, 2)[:-1] + b"\x00"),
        ("v2 too long", p, v2("192.0.2.1", "127.0.0.1", 1, 2,
                              tlvs=b"\x04\x02\x58" + b"\x00" * 600)),
        ("v2 short addresses", p, SIG + b"\x21\x11\x00\x04" + b"\x00" * 4),
        ("silence", p, b""),
        ("half a header", p, b"PROXY TCP4 1.1"),
        ("EOF in the header", p, b"PROXY TCP4 1.2"),
        ("not allowed", pf, b"PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\n"),
        ]:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.time()
    s.sendall(data)
    if name.startswith("EOF"):
        s.shutdown(socket.SHUT_WR)
    try:
        d = s.recv(65536)
    except ConnectionResetError:
        d = b""
    dt = time.time() - t0
    if d != b"":
        fail("%s: got %r" % (name, d[:100]))
    if dt > 5:
        fail("%s: closed after %.1f s" % (name, dt))
    print("ok: refused:", name, "%.2fs" % dt)

# mode tcp: the header goes, what follows is echoed whole.
payload = bytes(range(256)) * 64
s = socket.create_connection(("127.0.0.1", pe), timeout=10)
s.sendall(v2("192.0.2.99", "127.0.0.1", 9, pe) + payload)
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
if out != payload:
    fail("mode tcp: %d bytes back, want %d" % (len(out), len(payload)))
print("ok: mode tcp, %d bytes after the header" % len(out))

# Received, then sent on: the echo server returns our own v1 header.
s = socket.create_connection(("127.0.0.1", px), timeout=10)
s.sendall(b"PROXY TCP4 192.0.2.77 198.51.100.1 4242 443\r\nhi")
want = b"PROXY TCP4 192.0.2.77 198.51.100.1 4242 443\r\nhi"
out = b""
while len(out) < len(want):
    d = s.recv(65536)
    if not d:
        break
    out += d
if out != want:
    fail("relayed header %r" % out)
print("ok: the received address is sent on")
PY
grep -q ' 192.0.2.10:40000 fe=http .*"GET /headers" 200' "$TMP/gh.log" ||
	fail "the log does not show the proxied client"
for why in "no PROXY header" "bad v1 address" "bad v1 port" "v1 header too long" \
    "bad v1 protocol" "bad v2 version" "bad v2 CRC32C" "longer than 536 bytes" \
    "v2 addresses longer than the header" "no PROXY header in time" \
    "closed before its PROXY header"; do
	grep -q "PROXY header refused: $why" "$TMP/gh.log" || fail "no log line for: $why"
done
grep -q "fe=strict not allowed to send a PROXY header: closed" "$TMP/gh.log" ||
	fail "no log line for a source outside proxy-from"
# None of the refused connections reached the server.
[ "$(grep -c '^GET /headers' "$TMP/web.rec")" -eq 9 ] ||
	fail "$(grep -c '^GET /headers' "$TMP/web.rec") requests reached the server, want 9"
# Three clients stuck in their header when gatehouse stops.
python3 - "$PS" >"$TMP/stuck.out" 2>&1 <<'PY' &
import socket, sys, time
ss = []
for d in (b"PROXY TCP4 1.2", b"\r\n\r\n\x00\r\nQUIT\n\x21", b""):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
    s.sendall(d)
    ss.append(s)
print("ready", flush=True)
for s in ss:
    s.recv(1)
print("closed", flush=True)
PY
STUCK=$!
PIDS="$PIDS $STUCK"
wait_for grep -q ready "$TMP/stuck.out" || fail "stuck clients"
sleep 0.3
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
n=$(awk '/grace period over, closing/ { n += $(NF - 1) } END { print n + 0 }' \
    "$TMP/gh.log")
[ "$n" -eq 3 ] ||
	fail "$n connections closed at the grace end, want the 3 stuck in their header"
wait_for grep -q closed "$TMP/stuck.out" || fail "stuck clients not closed"
pass
