#!/bin/bash
# Covers: "ssl" servers. A certificate from the configured CA that names
# the server is accepted; one from another issuer, or naming another
# host, is refused (503, the reason logged) unless "verify none" says
# so; SNI fixed, from the host name, or the client's; a server asking
# for a client certificate gets one with "crt"; sessions are resumed on
# the next connections; mode tcp re-encrypts as well.
. "${top_srcdir:-.}/tests/lib.sh"
start_https_backend good "$CERTS/server.pem"
start_https_backend self "$CERTS/self.pem"
start_https_backend mtls "$CERTS/server.pem" "$CERTS/ca.pem"
free_port P
free_port PS
free_port PT
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
    timeout connect 2s
frontend f
    bind 127.0.0.1:$P
    bind 127.0.0.1:$PS cert $CERTS/server.pem
    use-backend self if path-prefix /self
    use-backend selfnone if path-prefix /none
    use-backend wrongname if path-prefix /wrongname
    use-backend byname if path-prefix /byname
    use-backend sniclient if path-prefix /sniclient
    use-backend mtls if path-prefix /mtls
    use-backend nocrt if path-prefix /nocrt
    default-backend good
frontend tcp
    mode tcp
    bind 127.0.0.1:$PT
    default-backend tcpgood
backend good
    keepalive-pool 0
    server g 127.0.0.1:$good_PORT ssl ca-file $CERTS/ca.pem
backend self
    retries 0
    server s 127.0.0.1:$self_PORT ssl ca-file $CERTS/ca.pem
backend selfnone
    server s 127.0.0.1:$self_PORT ssl verify none
backend wrongname
    retries 0
    server g 127.0.0.1:$good_PORT ssl ca-file $CERTS/ca.pem sni other.example
backend byname
    server g localhost:$good_PORT ssl ca-file $CERTS/ca.pem
backend sniclient
    server g 127.0.0.1:$good_PORT ssl ca-file $CERTS/ca.pem sni client
backend mtls
    server m 127.0.0.1:$mtls_PORT ssl ca-file $CERTS/ca.pem crt $CERTS/server.pem
backend nocrt
    retries 0
    server m 127.0.0.1:$mtls_PORT ssl ca-file $CERTS/ca.pem
backend tcpgood
    mode tcp
    server g 127.0.0.1:$good_PORT ssl ca-file $CERTS/ca.pem
CONF
# A CA file that cannot be read is a start-up error naming it.
sed "s|ssl ca-file $CERTS/ca.pem sni client|ssl ca-file $TMP/nope.pem|" "$TMP/gh.conf" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "a missing CA file was accepted"
grep -q "bad.conf:[0-9]*: server g: $TMP/nope.pem: cannot load CA certificates" "$TMP/bad.out" ||
	fail "missing CA file: $(cat "$TMP/bad.out")"
start_gh "$P" -f "$TMP/gh.conf"

# get URL...: the body without its newline, a space, the status.
get() {
	curl -s -w ' %{http_code}' "$@" | tr -d '\n'
}

out=$(get "http://127.0.0.1:$P/")
[ "$out" = "hello from good 200" ] || fail "valid certificate: '$out'"
# A fixed SNI, none for an address, the host name for a name.
out=$(get "http://127.0.0.1:$P/byname")
[ "$out" = "hello from good 200" ] || fail "server by name: '$out'"
grep -q "^tls sni=localhost " "$TMP/good.rec" || fail "no SNI from the host name"
grep -q "^tls sni=None " "$TMP/good.rec" || fail "an SNI was sent for an address"

out=$(get "http://127.0.0.1:$P/self")
case $out in *" 503") ;; *) fail "unknown issuer: '$out'" ;; esac
grep -q "be=self/s connect to .* failed: certificate verify failed: self-signed certificate" "$TMP/gh.log" &&
	grep -q 'be=self/s "GET /self" 503 .*end=tls-error: TLS handshake failed' "$TMP/gh.log" ||
	fail "no verify failure in the log"
out=$(get "http://127.0.0.1:$P/none")
[ "$out" = "hello from self 200" ] || fail "verify none: '$out'"
out=$(get "http://127.0.0.1:$P/wrongname")
case $out in *" 503") ;; *) fail "wrong name: '$out'" ;; esac
grep -q "be=wrongname/g connect to .* failed: certificate verify failed: hostname mismatch" "$TMP/gh.log" ||
	fail "no hostname mismatch in the log"

# The client's SNI, through a TLS frontend.
out=$(get --cacert "$CERTS/ca.pem" "https://localhost:$PS/sniclient")
[ "$out" = "hello from good 200" ] || fail "sni client: '$out'"
[ "$(grep -c '^tls sni=localhost ' "$TMP/good.rec")" -ge 2 ] || fail "the client's SNI was not passed on"

# mTLS: with the client certificate, and without (the server refuses).
out=$(get "http://127.0.0.1:$P/mtls")
[ "$out" = "hello from mtls 200" ] || fail "mTLS: '$out'"
out=$(get "http://127.0.0.1:$P/nocrt")
case $out in
*" 502" | *" 503") ;;
*) fail "a server requiring a certificate answered without one: '$out'" ;;
esac

# Resumption: keepalive-pool 0, so every request is a new connection;
# all but the first resume.
for i in 1 2 3 4; do
	out=$(get "http://127.0.0.1:$P/r$i")
	[ "$out" = "hello from good 200" ] || fail "request $i: '$out'"
done
[ "$(grep -c '^tls sni=None reused=True' "$TMP/good.rec")" -ge 3 ] ||
	fail "sessions not resumed: $(grep '^tls' "$TMP/good.rec")"

# mode tcp: bytes re-encrypted both ways.
out=$(get "http://127.0.0.1:$PT/tcp")
[ "$out" = "hello from good 200" ] || fail "mode tcp: '$out'"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
