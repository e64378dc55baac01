#!/bin/bash
# Covers: a key file that holds no usable key is refused at start with
# what is wrong, after file:line and the bind: a certificate-only PEM
# given as key, a certificate PEM without its key given as cert alone,
# garbage, DER, an encrypted key (no pass phrase is ever asked for);
# --explain says the same; a good key in traditional form still loads.
. "${top_srcdir:-.}/tests/lib.sh"
openssl x509 -in "$CERTS/server.pem" -out "$TMP/certonly.pem"
echo "garbage" >"$TMP/garbage.pem"
openssl pkey -in "$CERTS/server.key" -outform DER -out "$TMP/der.key"
openssl pkey -in "$CERTS/server.key" -aes128 -passout pass:x \
    -out "$TMP/enc.key"
openssl pkey -in "$CERTS/server.key" -traditional -out "$TMP/trad.key" ||
	openssl ec -in "$CERTS/server.key" -out "$TMP/trad.key"

# conf BIND-OPTIONS: a configuration whose line 3 is the TLS bind.
conf() {
	cat >"$TMP/gh.conf" <<CONF
# a comment
frontend f
    bind 127.0.0.1:9 $1
    default-backend b
backend b
    server s 127.0.0.1:1
CONF
}
# refused BIND-OPTIONS MESSAGE: gatehouse -c exits 1 with MESSAGE.
refused() {
	local rc=0
	conf "$1"
	"$GH" -c -f "$TMP/gh.conf" >"$TMP/out" 2>&1 </dev/null || rc=$?
	[ "$rc" -eq 1 ] || fail "$1: exit $rc: $(cat "$TMP/out")"
	grep -qxF -- "$TMP/gh.conf:3: bind 127.0.0.1:9: $2" "$TMP/out" ||
		fail "$1: $(cat "$TMP/out")"
}
S=$CERTS/server.pem
refused "cert $S key $TMP/certonly.pem" "$TMP/certonly.pem: no private key in it"
refused "cert $TMP/certonly.pem" "$TMP/certonly.pem: no private key in it"
refused "cert $S key $TMP/garbage.pem" "$TMP/garbage.pem: not a PEM private key"
refused "cert $S key $TMP/der.key" "$TMP/der.key: not a PEM private key"
refused "cert $S key $TMP/enc.key" "$TMP/enc.key: an encrypted private key: gatehouse takes keys without a pass phrase"
echo "ok: bad key files, each with its reason"

conf "cert $S key $TMP/trad.key"
"$GH" -c -f "$TMP/gh.conf" >"$TMP/out" 2>&1 || fail "a good key: $(cat "$TMP/out")"
echo "ok: a good key loads"

conf "cert $S key $TMP/certonly.pem"
"$GH" --explain localhost -f "$TMP/gh.conf" >"$TMP/out" 2>&1 && fail "--explain: no problem"
grep -qxF "problem: $TMP/certonly.pem: no private key in it (gatehouse refuses to start)" "$TMP/out" ||
	fail "--explain: $(cat "$TMP/out")"
echo "ok: --explain"
pass
