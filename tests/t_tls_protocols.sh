#!/bin/bash
# Covers: TLS protocol settings. By default TLS 1.2 and 1.3 only (1.0 and
# 1.1 refused, even to a client willing to use them), ECDHE AEAD suites
# only (a CBC or RSA key exchange suite refused), X25519 then P-256;
# ssl-min-ver, ssl-max-ver, ciphers, ciphersuites and curves per bind and
# from the global section; bad values refused with file:line.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
free_port P13
free_port PG
cat >"$TMP/gh.conf" <<CONF
global
    ssl-max-ver TLSv1.2
    ciphers ECDHE-ECDSA-CHACHA20-POLY1305
frontend f
    bind 127.0.0.1:$P cert $CERTS/server.pem ssl-max-ver TLSv1.3 ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384
    bind 127.0.0.1:$P13 cert $CERTS/server.pem ssl-min-ver TLSv1.3 ciphersuites TLS_AES_256_GCM_SHA384 curves P-256
    bind 127.0.0.1:$PG cert $CERTS/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
for bad in "ssl-min-ver TLSv1.4|ssl-min-ver: expected TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got 'TLSv1.4'" \
    "ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2|ssl-max-ver: ssl-min-ver is above ssl-max-ver"; do
	opts=${bad%%|*}
	sed "s|bind 127.0.0.1:$PG cert $CERTS/server.pem|& $opts|" "$TMP/gh.conf" >"$TMP/bad.conf"
	"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "accepted: $opts"
	grep -qF "bad.conf:7: ${bad#*|}" "$TMP/bad.out" || fail "$opts: $(cat "$TMP/bad.out")"
done
sed "s|curves P-256|curves P-999|" "$TMP/gh.conf" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "accepted a bad curve"
grep -q "bad.conf:6: bind 127.0.0.1:$P13: bad curves 'P-999'" "$TMP/bad.out" || fail "bad curves: $(cat "$TMP/bad.out")"
start_gh "$P" -f "$TMP/gh.conf"

# hs PORT ARGS: "ok VERSION CIPHER TEMPKEY" for a finished handshake, or
# "refused". The client allows everything its side can do (@SECLEVEL=0),
# so what is refused is refused by gatehouse.
hs() {
	local port=$1 out
	shift
	out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile "$CERTS/ca.pem" "$@" 2>&1)
	# "New, TLSv1.3, Cipher is X" after a handshake, "(NONE)" without.
	set -- $(printf '%s' "$out" | awk '/^New, / { sub(",", "", $2); print $2, $5; exit }')
	if [ "${2:-(NONE)}" != "(NONE)" ]; then
		printf 'ok %s %s %s\n' "$1" "$2" \
		    "$(printf '%s' "$out" | awk -F': ' '/^Server Temp Key/ {print $2; exit}')"
	else
		echo refused
	fi
}
check() {
	local want=$1 got
	shift
	got=$(hs "$@")
	case $got in $want) echo "ok: $* -> $got" ;; *) fail "$*: got '$got', want '$want'" ;; esac
}
LOW="-cipher DEFAULT:@SECLEVEL=0"
# The bind's own settings.
check refused "$P" -tls1 $LOW
check refused "$P" -tls1_1 $LOW
check "ok TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 *" "$P" -tls1_2
check refused "$P" -tls1_2 -cipher AES128-SHA:ECDHE-ECDSA-AES128-SHA
check refused "$P" -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305
check "ok TLSv1.3 TLS_AES_128_GCM_SHA256 X25519*" "$P" -tls1_3
# Server preference: AES-128 first even for a client preferring AES-256.
check "ok TLSv1.3 TLS_AES_128_GCM_SHA256 *" "$P" -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256
# TLS 1.3 only, one suite, P-256 only.
check refused "$P13" -tls1_2
check "ok TLSv1.3 TLS_AES_256_GCM_SHA384 *prime256v1*" "$P13"
check refused "$P13" -groups X25519
# Nothing on the bind: the global section's TLS 1.2 at most, its cipher.
check refused "$PG" -tls1_3
check "ok TLSv1.2 ECDHE-ECDSA-CHACHA20-POLY1305 *" "$PG"
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
