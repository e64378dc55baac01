#!/bin/bash
# Covers: many certificates on one bind (cert repeated, crt-dir), chosen
# by the client's SNI: exact names, a wildcard one label deep, any case
# and a trailing dot; the first certificate for clients without SNI or
# with an unknown name, or a refusal (alert 112) with strict-sni; ECDSA
# or RSA for the same name by what the client accepts; a crt-dir without
# certificates or an unreadable one refused at start with its name.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
free_port PS
cat >"$TMP/gh.conf" <<CONF
frontend f
    bind 127.0.0.1:$P cert $CERTS/server.pem crt-dir $CERTS/sni
    bind 127.0.0.1:$PS crt-dir $CERTS/sni strict-sni
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
mkdir -p "$TMP/empty"
sed "s|crt-dir $CERTS/sni strict-sni|crt-dir $TMP/empty|" "$TMP/gh.conf" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "an empty crt-dir was accepted"
grep -q "bad.conf:3: bind 127.0.0.1:$PS: crt-dir $TMP/empty has no .pem file" "$TMP/bad.out" ||
	fail "empty crt-dir: $(cat "$TMP/bad.out")"
sed "s|crt-dir $CERTS/sni strict-sni|crt-dir $TMP/nope|" "$TMP/gh.conf" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "a missing crt-dir was accepted"
grep -q "bad.conf:3: bind '127.0.0.1:$PS': cannot read crt-dir '$TMP/nope'" "$TMP/bad.out" ||
	fail "missing crt-dir: $(cat "$TMP/bad.out")"
start_gh "$P" -f "$TMP/gh.conf"

# san PORT [s_client options]: the subjectAltName of the certificate
# served, or "refused".
san() {
	local port=$1 out
	shift
	out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" "$@" 2>/dev/null |
	    openssl x509 -noout -ext subjectAltName 2>/dev/null | tail -n 1 | tr -d ' ')
	echo "${out:-refused}"
}
expect() {
	local got
	got=$(san "$@")
	[ "$got" = "$WANT" ] || fail "$*: served '$got', want '$WANT'"
	echo "ok: $* -> $got"
}
DEF="DNS:localhost,IPAddress:127.0.0.1,IPAddress:0:0:0:0:0:0:0:1"
WANT=DNS:a.test expect "$P" -servername a.test
WANT=DNS:a.test expect "$P" -servername A.Test.
WANT=DNS:*.wild.test expect "$P" -servername x.wild.test
WANT=$DEF expect "$P" -servername y.x.wild.test
WANT=$DEF expect "$P" -servername wild.test
WANT=$DEF expect "$P" -servername unknown.test
WANT=$DEF expect "$P" -noservername
WANT=DNS:dual.test expect "$P" -servername dual.test
WANT=refused expect "$PS" -servername unknown.test
WANT=refused expect "$PS" -noservername
WANT=DNS:a.test expect "$PS" -servername a.test

# keytype ARGS: the public key algorithm served for dual.test.
keytype() {
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -servername dual.test "$@" 2>/dev/null |
	    openssl x509 -noout -text | awk -F': ' '/Public Key Algorithm/ { print $2; exit }'
}
[ "$(keytype)" = id-ecPublicKey ] || fail "dual.test: not ECDSA by default: $(keytype)"
[ "$(keytype -sigalgs 'rsa_pss_rsae_sha256:RSA+SHA256')" = rsaEncryption ] ||
	fail "dual.test: not RSA for a client without ECDSA"
[ "$(keytype -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)" = rsaEncryption ] ||
	fail "dual.test: not RSA for a TLS 1.2 RSA-only client"
echo "ok: ECDSA or RSA by what the client accepts"

# Traffic flows through a name-selected context.
out=$(echo hello | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$P" -servername a.test 2>/dev/null)
[ "$out" = hello ] || fail "bytes through a.test: '$out'"
grep -q "fe=f TLS handshake failed: no certificate for SNI name 'unknown.test' (strict-sni)" "$TMP/gh.log" ||
	fail "the strict-sni refusal was not logged"
grep -q "fe=f TLS handshake failed: no SNI name (strict-sni)" "$TMP/gh.log" ||
	fail "the strict-sni refusal without SNI was not logged"
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
