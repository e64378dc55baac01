#!/bin/bash
# Covers: client certificates on a bind (verify none|optional|required,
# ca-file, crl-file). required: no certificate, a self-signed one or a
# revoked one ends the handshake, logged with the reason; optional: no
# certificate is fine, a bad one still fails. mode http: the
# X-SSL-Client-* fields (verify, subject, issuer, serial, sha256) as
# openssl prints them, on every request of a keep-alive connection, on a
# resumed session (TLS 1.3 ticket, TLS 1.2 session id), renamed with
# client-cert-header; fields of those names sent by the client removed,
# also on a bind of the same frontend that does not verify; a session
# made without a certificate does not resume into a required bind.
# mode tcp with send-proxy-v2: PP2_TYPE_SSL's client and verify fields,
# its version, cipher and CN sub-TLVs, and the 0xE0-0xE3 TLVs, byte by
# byte at a small python server. Configuration errors of these options
# with their file:line messages.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
free_port PO
free_port PR
free_port PN
free_port PC
free_port PT
free_port PS

# ---- configuration errors (gatehouse -c)
# bad LINE3 WANT: a frontend whose bind (line 3) ends in LINE3 (or, with
# a newline in it, more lines) must be refused with WANT.
bad() {
	cat >"$TMP/bad.conf" <<CONF
frontend f
    mode http
    bind 127.0.0.1:$PO $1
    default-backend b
backend b
    mode http
    server s 127.0.0.1:$web_PORT
CONF
	"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "accepted: $1"
	grep -qF "$2" "$TMP/bad.out" || fail "'$1': want '$2', got: $(cat "$TMP/bad.out")"
}
B="bad.conf:3: bind '127.0.0.1:$PO':"
SC="cert $CERTS/server.pem"
bad "$SC verify optional" "$B verify optional needs a ca-file"
bad "$SC verify required" "$B verify required needs a ca-file"
bad "$SC ca-file $CERTS/ca.pem" "$B 'ca-file' needs verify optional or required"
bad "$SC verify none crl-file $CERTS/crl.pem" "$B 'crl-file' needs verify optional or required"
bad "$SC verify x" "bad.conf:3: bind: verify: expected none, optional or required, got 'x'"
bad "$SC verify optional ca-file $TMP/nope.pem" "$B cannot read ca-file '$TMP/nope.pem': No such file or directory"
bad "$SC verify optional ca-file $CERTS/ca.pem crl-file $TMP/nope.pem" \
	"$B cannot read crl-file '$TMP/nope.pem': No such file or directory"
bad "ocsp-response $TMP/x.der $SC" "bad.conf:3: bind: 'ocsp-response' must follow a 'cert'"
bad "$SC ocsp-response $TMP/nope.der" "$B cannot read ocsp-response '$TMP/nope.der': No such file or directory"
bad "$SC tls-ticket-keys $CERTS/ca.pem tls-ticket-secret $CERTS/ca.pem" \
	"$B tls-ticket-keys and tls-ticket-secret exclude each other"
bad "$SC tls-ticket-period 1500ms" "bad.conf:3: tls-ticket-period: whole seconds, 1s at least"
bad "$SC tls-ticket-period 500ms" "bad.conf:3: tls-ticket-period: whole seconds, 1s at least"
bad "$SC
    client-cert-header issuer-dn X-I" "bad.conf:4: client-cert-header: expected verify, subject, issuer, serial or sha256, got 'issuer-dn'"
cat >"$TMP/bad.conf" <<CONF
global
    ktls maybe
CONF
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "ktls maybe accepted"
grep -qF "bad.conf:2: ktls: expected auto, off or on, got 'maybe'" "$TMP/bad.out" ||
	fail "ktls maybe: $(cat "$TMP/bad.out")"
cat >"$TMP/bad.conf" <<CONF
frontend t
    mode tcp
    bind 127.0.0.1:$PO cert $CERTS/server.pem verify optional ca-file $CERTS/ca.pem
    client-cert-header verify X-V
    default-backend b
backend b
    server s 127.0.0.1:$web_PORT
CONF
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 &&
	fail "client-cert-header accepted in mode tcp"
grep -qF "bad.conf:1: frontend 't': 'client-cert-header' needs mode http" "$TMP/bad.out" ||
	fail "client-cert-header in mode tcp: $(cat "$TMP/bad.out")"
echo "ok: configuration errors"

# ---- the running configuration
# The PROXY v2 reader: records each connection's header (hex, one file
# per connection), answers "ok" and closes.
cat >"$TMP/pp.py" <<'PY'
import socket, sys, threading
out = sys.argv[1]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
print("ready %d" % s.getsockname()[1], flush=True)
n = 0

def serve(c, k):
    c.settimeout(10)
    got = b""
    try:
        while len(got) < 16 or len(got) < 16 + int.from_bytes(got[14:16], "big"):
            d = c.recv(65536)
            if not d:
                break
            got += d
        with open("%s.%d" % (out, k), "w") as f:
            f.write(got.hex())
        c.sendall(b"ok\n")
    finally:
        c.close()

while True:
    c, _ = s.accept()
    n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
PY
python3 "$TMP/pp.py" "$TMP/pp" >"$TMP/pp.out" 2>&1 &
PIDS="$PIDS $!"
wait_for grep -q '^ready' "$TMP/pp.out" || fail "the PROXY reader did not start"
PP=$(awk '/^ready/ {print $2}' "$TMP/pp.out")
cat >"$TMP/gh.conf" <<CONF
global
    workers 2
frontend f
    mode http
    bind 127.0.0.1:$PO cert $CERTS/server.pem verify optional ca-file $CERTS/ca.pem
    bind 127.0.0.1:$PR cert $CERTS/server.pem verify required ca-file $CERTS/ca.pem crl-file $CERTS/crl.pem
    bind 127.0.0.1:$PN cert $CERTS/server.pem
    default-backend web
frontend named
    mode http
    bind 127.0.0.1:$PC cert $CERTS/server.pem verify optional ca-file $CERTS/ca.pem
    client-cert-header verify X-Cert-Ok
    client-cert-header subject X-Cert-DN
    client-cert-header sha256 X-Cert-Hash
    default-backend web
frontend t
    bind 127.0.0.1:$PT cert $CERTS/server.pem verify optional ca-file $CERTS/ca.pem crl-file $CERTS/crl.pem
    default-backend pp
frontend plain
    mode http
    bind 127.0.0.1:$PS cert $CERTS/server.pem
    default-backend web
backend web
    mode http
    server s 127.0.0.1:$web_PORT
backend pp
    server s 127.0.0.1:$PP send-proxy-v2
CONF
"$GH" --dump-config -f "$TMP/gh.conf" >"$TMP/dump.conf" 2>&1 || fail "dump: $(cat "$TMP/dump.conf")"
grep -qF "bind 127.0.0.1:$PR cert $CERTS/server.pem verify required ca-file $CERTS/ca.pem crl-file $CERTS/crl.pem" \
	"$TMP/dump.conf" || fail "dump lost verify/ca-file/crl-file: $(grep bind "$TMP/dump.conf")"
grep -q "^    client-cert-header subject X-Cert-DN$" "$TMP/dump.conf" ||
	fail "dump lost client-cert-header"
"$GH" --dump-config -f "$TMP/dump.conf" >"$TMP/dump2.conf" 2>&1 || fail "dump of dump: $(cat "$TMP/dump2.conf")"
cmp -s "$TMP/dump.conf" "$TMP/dump2.conf" ||
	fail "a dump of the dump differs: $(diff "$TMP/dump.conf" "$TMP/dump2.conf" | head)"
start_gh "$PO" -f "$TMP/gh.conf"
wait_for listening "$PT" || fail "gatehouse did not listen on $PT"

# The certificate's details as openssl prints them.
SERIAL=$(openssl x509 -in "$CERTS/client.crt" -noout -serial | cut -d= -f2)
SHA=$(openssl x509 -in "$CERTS/client.crt" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
SUBJ="CN=gatehouse test client"
ISS="CN=gatehouse test CA"
[ -n "$SERIAL" ] && [ ${#SHA} -eq 64 ] || fail "openssl x509: serial '$SERIAL' sha256 '$SHA'"

# req PORT [s_client options]: sends the request on stdin over TLS,
# prints the answer.
req() {
	local port=$1
	shift
	timeout 10 openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$CERTS/ca.pem" \
	    -verify_return_error "$@" 2>"$TMP/s_client.err"
}
GET='GET /headers HTTP/1.1\r\nHost: x\r\n'
CLOSE='Connection: close\r\n\r\n'
# fields: the X-SSL-Client / X-Cert lines of an answer (CRs removed).
fields() {
	tr -d '\r' | grep -i '^x-ssl-client-\|^x-cert-'
}

# ---- handshakes: what is refused, and the log line saying why
refused() {
	local port=$1 why=$2 out
	shift 2
	out=$(printf "$GET$CLOSE" | req "$port" "$@")
	gh_alive "after a client on port $port $*"
	[ -z "$out" ] || fail "port $port $*: not refused: $out"
	wait_for grep -qF "TLS handshake failed: $why" "$TMP/gh.log" ||
		fail "port $port $*: no log line '$why'"
}
refused "$PR" "peer did not return a certificate"
refused "$PR" "client certificate verify failed: self-signed certificate" -cert "$CERTS/self.pem"
refused "$PR" "client certificate verify failed: certificate revoked" -cert "$CERTS/client-revoked.pem"
refused "$PR" "peer did not return a certificate" -tls1_2
n=$(grep -c "client certificate verify failed: self-signed certificate" "$TMP/gh.log")
out=$(printf "$GET$CLOSE" | req "$PO" -cert "$CERTS/self.pem")
gh_alive "after a self-signed client certificate"
[ -z "$out" ] || fail "optional: a self-signed certificate was taken: $out"
# more_refusals: the self-signed refusal is logged more than $n times
# (counted anew at each try).
more_refusals() {
	[ "$(grep -c "client certificate verify failed: self-signed certificate" "$TMP/gh.log")" -gt "$n" ]
}
wait_for more_refusals ||
	fail "optional: the self-signed refusal was not logged"
n=$(grep -c "^=== conn" "$TMP/web.rec")
[ "$n" -eq 0 ] || fail "a refused client reached the server ($n connections)"
echo "ok: refusals, logged"

# ---- mode http: the fields
want_cert() {
	cat <<EOF
X-SSL-Client-Verify: SUCCESS
X-SSL-Client-Subject: $SUBJ
X-SSL-Client-Issuer: $ISS
X-SSL-Client-Serial: $SERIAL
X-SSL-Client-SHA256: $SHA
EOF
}
for p in "$PR" "$PO"; do
	for v in -tls1_3 -tls1_2; do
		got=$(printf "$GET$CLOSE" | req "$p" -cert "$CERTS/client.pem" "$v" | fields)
		[ "$got" = "$(want_cert)" ] || fail "port $p $v: fields:
$got
want:
$(want_cert)"
	done
done
echo "ok: fields with a certificate"

# Optional, no certificate: NONE, and the client's own fields are gone.
FORGE='X-SSL-Client-Verify: SUCCESS\r\nx-ssl-client-subject: CN=admin\r\nX-SSL-CLIENT-SHA256: 00\r\nX-SSL-Client-Serial: 01\r\nX-SSL-Client-Issuer: CN=evil\r\nX-SSL-Client-Verify: SUCCESS\r\n'
got=$(printf "$GET$FORGE$CLOSE" | req "$PO" | fields)
[ "$got" = "X-SSL-Client-Verify: NONE" ] || fail "forged fields without a certificate: $got"
# With a certificate, the forged ones are replaced, not added to.
got=$(printf "$GET$FORGE$CLOSE" | req "$PO" -cert "$CERTS/client.pem" | fields)
[ "$got" = "$(want_cert)" ] || fail "forged fields with a certificate: $got"
# A bind of the same frontend without verify: the client cannot forge
# through it either.
got=$(printf "$GET$FORGE$CLOSE" | req "$PN" | fields)
[ "$got" = "X-SSL-Client-Verify: NONE" ] || fail "forged fields on the bind without verify: $got"
# A frontend without client certificates adds nothing.
got=$(printf "$GET$CLOSE" | req "$PS" | fields)
[ -z "$got" ] || fail "a frontend without verify added: $got"
echo "ok: forged fields removed"

# Every request of a keep-alive connection, forged or not.
got=$(printf "$GET\r\n$GET$FORGE\r\n$GET$CLOSE" | req "$PO" -cert "$CERTS/client.pem" | fields)
[ "$got" = "$(want_cert; want_cert; want_cert)" ] || fail "keep-alive with a certificate: $got"
got=$(printf "$GET$FORGE\r\n$GET$FORGE$CLOSE" | req "$PO" | fields)
[ "$got" = "$(printf 'X-SSL-Client-Verify: NONE\nX-SSL-Client-Verify: NONE')" ] ||
	fail "keep-alive without a certificate: $got"
echo "ok: every request of a connection"

# Renamed fields; the forged renamed ones are removed.
got=$(printf "$GET"'X-Cert-Ok: SUCCESS\r\nX-Cert-DN: CN=admin\r\n'"$CLOSE" | req "$PC" -cert "$CERTS/client.pem" | fields)
want="X-Cert-Ok: SUCCESS
X-Cert-DN: $SUBJ
X-SSL-Client-Issuer: $ISS
X-SSL-Client-Serial: $SERIAL
X-Cert-Hash: $SHA"
[ "$(echo "$got" | sort)" = "$(echo "$want" | sort)" ] || fail "renamed fields: $got"
got=$(printf "$GET"'X-Cert-Ok: SUCCESS\r\nX-Cert-Hash: 00\r\n'"$CLOSE" | req "$PC" | fields)
[ "$got" = "X-Cert-Ok: NONE" ] || fail "renamed, forged, without a certificate: $got"
echo "ok: client-cert-header names"

# Resumed sessions still carry the certificate.
for v in -tls1_3 -tls1_2; do
	for p in "$PO" "$PR"; do
		rm -f "$TMP/sess"
		printf "$GET$CLOSE" | req "$p" -cert "$CERTS/client.pem" "$v" -sess_out "$TMP/sess" >/dev/null
		[ -s "$TMP/sess" ] || fail "$v: no session saved"
		got=$(printf "$GET$CLOSE" | timeout 10 openssl s_client -connect "127.0.0.1:$p" \
		    -CAfile "$CERTS/ca.pem" -cert "$CERTS/client.pem" "$v" -sess_in "$TMP/sess" \
		    -ign_eof 2>/dev/null | tr -d '\r')
		echo "$got" | grep -q '^Reused,' || fail "port $p $v: not resumed"
		[ "$(echo "$got" | fields)" = "$(want_cert)" ] ||
			fail "port $p $v resumed: $(echo "$got" | fields)"
	done
	# A session made without a certificate on the optional bind does
	# not get a client in through the required one.
	rm -f "$TMP/sess"
	printf "$GET$CLOSE" | req "$PO" "$v" -sess_out "$TMP/sess" >/dev/null
	got=$(printf "$GET$CLOSE" | timeout 10 openssl s_client -connect "127.0.0.1:$PR" \
	    -CAfile "$CERTS/ca.pem" "$v" -sess_in "$TMP/sess" -ign_eof 2>/dev/null | tr -d '\r')
	echo "$got" | grep -q '^HTTP/' && fail "$v: a session without a certificate got through the required bind"
done
echo "ok: resumed sessions"

# ---- mode tcp, send-proxy-v2
python3 - "$PT" "$CERTS" "$TMP/pp" "$SUBJ" "$ISS" "$SERIAL" "$SHA" <<'PY' || fail "PROXY v2 header"
import os, socket, ssl, struct, sys, time
pt, certs, rec = int(sys.argv[1]), sys.argv[2], sys.argv[3]
subj, iss, serial, sha = sys.argv[4:8]
SIG = b"\r\n\r\n\x00\r\nQUIT\n"
nconn = [0]

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def tlvs(b, i, what):
    out = {}
    while i < len(b):
        if i + 3 > len(b):
            fail("%s: truncated TLV at %d: %r" % (what, i, b))
        t, n = b[i], struct.unpack("!H", b[i + 1:i + 3])[0]
        if i + 3 + n > len(b):
            fail("%s: TLV %#x overruns: %r" % (what, t, b))
        if t in out:
            fail("%s: TLV %#x twice" % (what, t))
        out[t] = b[i + 3:i + 3 + n]
        i += 3 + n
    return out

def connect(cert, version):
    ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
    ctx.minimum_version = ctx.maximum_version = version
    if cert:
        ctx.load_cert_chain(certs + "/" + cert)
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", pt), timeout=10),
                        server_hostname="localhost")
    cport = s.getsockname()[1]
    got = b""
    while True:
        d = s.recv(100)
        if not d:
            break
        got += d
    if got != b"ok\n":
        fail("answer %r" % got)
    nconn[0] += 1
    path = "%s.%d" % (rec, nconn[0])
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.05)
    h = bytes.fromhex(open(path).read())
    if h[:12] != SIG or h[12] != 0x21 or h[13] != 0x11:
        fail("v2 start %r" % h[:16])
    n = struct.unpack("!H", h[14:16])[0]
    if len(h) != 16 + n:
        fail("v2 length %d, got %d bytes" % (n, len(h) - 16))
    if h[16:28] != socket.inet_aton("127.0.0.1") * 2 + struct.pack("!HH", cport, pt):
        fail("v2 addresses %r" % h[16:28])
    top = tlvs(h, 28, "top")
    return s, top

for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
    # With a certificate.
    s, top = connect("client.pem", version)
    sslv = top.get(0x20)
    if sslv is None or len(sslv) < 5:
        fail("no PP2_TYPE_SSL: %r" % top)
    if sslv[0] != 0x07:
        fail("client byte %#x, want 0x07" % sslv[0])
    if sslv[1:5] != b"\0\0\0\0":
        fail("verify %r, want 0" % sslv[1:5])
    sub = tlvs(sslv, 5, "ssl")
    if sub.get(0x21) != s.version().encode():
        fail("version %r, client has %s" % (sub.get(0x21), s.version()))
    if sub.get(0x23) != s.cipher()[0].encode():
        fail("cipher %r, client has %s" % (sub.get(0x23), s.cipher()[0]))
    if sub.get(0x22) != b"gatehouse test client":
        fail("CN %r" % sub.get(0x22))
    if set(sub) != {0x21, 0x22, 0x23}:
        fail("SSL sub-TLVs %r" % sub)
    want = {0xE0: subj, 0xE1: iss, 0xE2: serial, 0xE3: sha}
    for t, v in want.items():
        if top.get(t) != v.encode():
            fail("TLV %#x: %r, want %r" % (t, top.get(t), v))
    if set(top) != {0x02, 0x20, 0xE0, 0xE1, 0xE2, 0xE3}:
        fail("top-level TLVs %r" % sorted(top))
    print("ok: v2 with a certificate", s.version(), sub, {hex(k): v for k, v in top.items()})
    # Without one.
    s, top = connect(None, version)
    sslv = top.get(0x20)
    if sslv is None or sslv[0] != 0x01 or sslv[1:5] != b"\0\0\0\0":
        fail("without a certificate: SSL TLV %r" % sslv)
    sub = tlvs(sslv, 5, "ssl")
    if set(sub) != {0x21, 0x23}:
        fail("without a certificate: sub-TLVs %r" % sub)
    if set(top) != {0x02, 0x20}:
        fail("without a certificate: top-level TLVs %r" % sorted(top))
    print("ok: v2 without a certificate", s.version())

# A revoked certificate never reaches the server.
ctx = ssl.create_default_context(cafile=certs + "/ca.pem")
ctx.load_cert_chain(certs + "/client-revoked.pem")
try:
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", pt), timeout=10),
                        server_hostname="localhost")
    d = s.recv(100)
    if d:
        fail("a revoked certificate got %r" % d)
except (ssl.SSLError, OSError):
    pass
time.sleep(0.3)
if os.path.exists("%s.%d" % (rec, nconn[0] + 1)):
    fail("a revoked certificate reached the server")
print("ok: revoked refused")
PY
grep -q "client certificate verify failed: certificate revoked" "$TMP/gh.log" ||
	fail "the revoked certificate on the tcp bind was not logged"
echo "ok: send-proxy-v2"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
