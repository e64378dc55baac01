#!/bin/bash
# Covers: a WebSocket upgrade through TLS: Upgrade and Connection: upgrade
# reach the server, its 101 reaches the client, then bytes move both ways
# unparsed (a 1 MiB message echoed exactly), under timeout tunnel; a 101
# that nobody asked for is a 502.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
free_port PT
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
    timeout client 1s
    timeout server 1s
    timeout tunnel 3s
frontend f
    bind 127.0.0.1:$PT cert $CERTS/server.pem
    default-backend web
backend web
    server s 127.0.0.1:$web_PORT
CONF
start_gh "$PT" -f "$TMP/gh.conf"

python3 - "$PT" <<'PY' || fail "websocket exchange"
import base64, hashlib, os, socket, ssl, sys, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert head.startswith(b"HTTP/1.1 101"), head
acc = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
assert b"Sec-WebSocket-Accept: " + acc in head, head
assert b"\r\nUpgrade: websocket\r\n" in head, head
# A masked binary frame of 1 MiB, sent and echoed raw by the server.
payload = os.urandom(1 << 20)
mask = os.urandom(4)
frame = bytes([0x82, 0xff]) + (len(payload)).to_bytes(8, "big") + mask + \
    bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
s.sendall(frame)
got = b""
while len(got) < len(frame):
    d = s.recv(65536)
    assert d, "closed early"
    got += d
assert got == frame, "echo differs"
# Idle past the client and server timeouts (1s) but not the tunnel's.
time.sleep(1.8)
s.sendall(b"still")
got = b""
while len(got) < 5:
    got += s.recv(5)
assert got == b"still"
print("ok: 101, 1 MiB echoed exactly, alive after 1.8 s idle")
PY
grep -q '^Upgrade: websocket' "$TMP/web.rec" || fail "Upgrade not forwarded"
grep -q '^Connection: upgrade' "$TMP/web.rec" || fail "Connection: upgrade not forwarded"
grep -q '"GET /ws" 101 ' "$TMP/gh.log" || fail "no log line for the tunnel"

# The tunnel ends at timeout tunnel (3s) of silence.
start=$(date +%s%N)
printf 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n' |
    raw --tls --keep --wait 10 "127.0.0.1:$PT" >"$TMP/out" || fail "tunnel not closed"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 2800 ] && [ "$ms" -lt 8000 ] || fail "idle tunnel closed after $ms ms"
echo "ok: idle tunnel closed after $ms ms"

# A 101 to a request without Upgrade: 502.
out=$(printf 'GET /ws HTTP/1.1\r\nHost: a\r\n\r\n' | raw --tls "127.0.0.1:$PT")
[ "$(printf '%s' "$out" | status)" = 502 ] || fail "unasked 101: $out"
echo "ok: a 101 nobody asked for is a 502"
stop_gh
pass
