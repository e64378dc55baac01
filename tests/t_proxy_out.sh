#!/bin/bash
# Covers: send-proxy and send-proxy-v2 toward servers, byte by byte as the
# server receives them (an echo server sends them back): v1 text, v2 over
# IPv4 and IPv6 with the TLVs of a TLS client (ALPN, SNI, TLS version and
# cipher); and HAProxy's accept-proxy as a real reader of both versions,
# which must find the client's own address in them, and take the
# headers health checks send.
. "${top_srcdir:-.}/tests/lib.sh"
command -v haproxy >/dev/null || fail "haproxy is not installed"
start_backend echo echo
start_http_backend web
free_port P1
free_port P2
free_port P6
free_port PT
free_port H1
free_port H2
free_port G1
free_port G2
cat >"$TMP/gh.conf" <<CONF
frontend v1
    bind 127.0.0.1:$P1
    default-backend v1
frontend v2
    bind 127.0.0.1:$P2
    bind [::1]:$P6
    default-backend v2
frontend v2tls
    bind 127.0.0.1:$PT cert $CERTS/server.pem alpn h2,http/1.1
    default-backend v2
frontend tohap1
    bind 127.0.0.1:$G1
    default-backend hap1
frontend tohap2
    bind 127.0.0.1:$G2
    default-backend hap2
backend v1
    server e 127.0.0.1:$echo_PORT send-proxy
backend v2
    server e 127.0.0.1:$echo_PORT send-proxy-v2
backend hap1
    check http GET /health-v1 interval 300ms fall 1
    server h 127.0.0.1:$H1 send-proxy check
backend hap2
    check http GET /health-v2 interval 300ms fall 1
    server h 127.0.0.1:$H2 send-proxy-v2 check
CONF
# HAProxy, to read both versions (before gatehouse, whose checks need it).
cat >"$TMP/haproxy.cfg" <<CONF
global
    log stderr format raw local0 err
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend v1
    bind 127.0.0.1:$H1 accept-proxy
    option forwardfor
    default_backend web
frontend v2
    bind 127.0.0.1:$H2 accept-proxy
    option forwardfor
    default_backend web
backend web
    server w 127.0.0.1:$web_PORT
CONF
haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
PIDS="$PIDS $!"
wait_for listening "$H2" || fail "haproxy did not start: $(cat "$TMP/haproxy.log")"
start_gh "$P1" -f "$TMP/gh.conf"

# The header each echo client gets back, checked field by field against
# the client's own socket addresses.
python3 - "$P1" "$P2" "$P6" "$PT" "$CERTS/ca.pem" <<'PY' || fail "PROXY header bytes"
import socket, ssl, struct, sys
p1, p2, p6, pt, ca = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def exchange(sock, payload, want):
    sock.sendall(payload)
    got = b""
    while len(got) < want:
        d = sock.recv(65536)
        if not d:
            break
        got += d
    return got

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

# v1, from 127.0.0.7 so the source is not the destination.
s = socket.create_connection(("127.0.0.1", p1), source_address=("127.0.0.7", 0))
cport = s.getsockname()[1]
want = ("PROXY TCP4 127.0.0.7 127.0.0.1 %d %d\r\n" % (cport, p1)).encode()
got = exchange(s, b"hello", len(want) + 5)
if got != want + b"hello":
    fail("v1: got %r, want %r" % (got, want + b"hello"))
print("ok: v1", want)

SIG = b"\r\n\r\n\x00\r\nQUIT\n"

def v2(got, fam, alen):
    if got[:12] != SIG:
        fail("v2 signature %r" % got[:16])
    if got[12] != 0x21 or got[13] != fam:
        fail("v2 version/command %#x family %#x" % (got[12], got[13]))
    n = struct.unpack("!H", got[14:16])[0]
    return got[16:16 + n], 16 + n

# v2 over IPv4, no TLS: addresses and ports only, no TLV.
s = socket.create_connection(("127.0.0.1", p2), source_address=("127.0.0.8", 0))
cport = s.getsockname()[1]
got = exchange(s, b"x", 16 + 12 + 1)
body, hlen = v2(got, 0x11, 12)
if body != socket.inet_aton("127.0.0.8") + socket.inet_aton("127.0.0.1") + struct.pack("!HH", cport, p2):
    fail("v2 ipv4 addresses %r" % body)
if got[hlen:] != b"x":
    fail("v2 ipv4: payload %r" % got[hlen:])
print("ok: v2 ipv4")

# v2 over IPv6.
s = socket.create_connection(("::1", p6))
cport = s.getsockname()[1]
got = exchange(s, b"y", 16 + 36 + 1)
body, hlen = v2(got, 0x21, 36)
lo = socket.inet_pton(socket.AF_INET6, "::1")
if body != lo + lo + struct.pack("!HH", cport, p6) or got[hlen:] != b"y":
    fail("v2 ipv6 %r" % got)
print("ok: v2 ipv6")

# v2 behind TLS: ALPN, the SNI name, and the SSL TLV with the version
# and cipher the client negotiated.
ctx = ssl.create_default_context(cafile=ca)
ctx.set_alpn_protocols(["http/1.1"])
raw = socket.create_connection(("127.0.0.1", pt))
s = ctx.wrap_socket(raw, server_hostname="localhost")
cport = s.getsockname()[1]
s.sendall(b"z")
got = b""
while not got.endswith(b"z"):
    d = s.recv(65536)
    if not d:
        break
    got += d
body, hlen = v2(got, 0x11, 12)
if body[:12] != socket.inet_aton("127.0.0.1") * 2 + struct.pack("!HH", cport, pt):
    fail("v2 tls addresses %r" % body[:12])
tlv, i = {}, 12
while i < len(body):
    t, n = body[i], struct.unpack("!H", body[i + 1:i + 3])[0]
    tlv[t] = body[i + 3:i + 3 + n]
    i += 3 + n
if i != len(body):
    fail("v2 tls: TLVs overrun the header")
if tlv.get(0x01) != b"http/1.1":
    fail("ALPN TLV %r" % tlv.get(0x01))
if tlv.get(0x02) != b"localhost":
    fail("authority TLV %r" % tlv.get(0x02))
sslv = tlv.get(0x20)
if sslv is None or sslv[0] & 0x01 != 0x01:
    fail("SSL TLV %r" % sslv)
sub, j = {}, 5
while j < len(sslv):
    t, n = sslv[j], struct.unpack("!H", sslv[j + 1:j + 3])[0]
    sub[t] = sslv[j + 3:j + 3 + n]
    j += 3 + n
if sub.get(0x21) != s.version().encode():
    fail("SSL version sub-TLV %r, client has %s" % (sub.get(0x21), s.version()))
if sub.get(0x23) != s.cipher()[0].encode():
    fail("SSL cipher sub-TLV %r, client has %s" % (sub.get(0x23), s.cipher()[0]))
if got[hlen:] != b"z":
    fail("v2 tls payload %r" % got[hlen:])
print("ok: v2 tls", tlv.get(0x01), tlv.get(0x02), sub)
PY

# HAProxy reads both versions and adds the client address it found.
for p in "$G1" "$G2"; do
	out=$(curl -s --interface 127.0.0.9 "http://127.0.0.1:$p/v$p")
	[ "$out" = "hello from web" ] || fail "through haproxy: '$out'"
done
[ "$(grep -ci '^X-Forwarded-For: 127.0.0.9' "$TMP/web.rec")" -eq 2 ] ||
	fail "haproxy did not read the client address: $(grep -i forwarded "$TMP/web.rec")"
echo "ok: haproxy read v1 and v2"
# The checks of those servers send a header too (UNKNOWN, LOCAL), which
# HAProxy takes: they pass through it, and the servers stay up.
wait_for grep -q "^GET /health-v1 " "$TMP/web.rec" || fail "no v1 check got through haproxy"
wait_for grep -q "^GET /health-v2 " "$TMP/web.rec" || fail "no v2 check got through haproxy"
grep -q "is DOWN" "$TMP/gh.log" && fail "a server behind haproxy was marked down: $(grep DOWN "$TMP/gh.log")"
echo "ok: checks with a PROXY header"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
