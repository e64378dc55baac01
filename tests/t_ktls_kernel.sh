#!/bin/bash
# Covers: kTLS made by the kernel (ktls auto on a kernel with the tls
# ULP): the start-up log says it is in use on the mode tcp TLS binds and
# exact bytes go both ways, records made by the kernel, server data
# spliced. Skipped (exit 77) on a kernel without the tls ULP, where
# t_ktls.sh tests OpenSSL's record layer instead.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
start_backend src source 20971520
free_port P
free_port P2
cat >"$TMP/gh.conf" <<CONF
global
    ktls auto
frontend echo
    bind 127.0.0.1:$P cert $CERTS/server.pem
    default-backend echo
frontend source
    bind 127.0.0.1:$P2 cert $CERTS/server.pem
    default-backend src
backend echo
    server e 127.0.0.1:$echo_PORT
backend src
    server s 127.0.0.1:$src_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
wait_for grep -q "kTLS: " "$TMP/gh.log" || fail "no kTLS line: $(cat "$TMP/gh.log")"
if ! grep -q "kTLS: in use on mode tcp TLS binds" "$TMP/gh.log"; then
	grep -q "kTLS: not used, the kernel has no TLS support" "$TMP/gh.log" ||
		fail "neither in use nor the fallback: $(cat "$TMP/gh.log")"
	stop_gh
	skip "this kernel has no tls ULP: $(grep -o 'tls ULP: [^)]*' "$TMP/gh.log")"
fi
for size in 0 1024 1048576; do
	head -c "$size" /dev/urandom >"$TMP/in"
	want=$(sha256sum <"$TMP/in")
	got=$(client "127.0.0.1:$P" -t <"$TMP/in" | sha256sum)
	[ "$got" = "$want" ] || fail "$size bytes through kernel TLS echo differ"
done
want=$("$GHB" gen 20971520 | sha256sum)
got=$(client "127.0.0.1:$P2" -t </dev/null | sha256sum)
[ "$got" = "$want" ] || fail "20 MiB download through kernel TLS differs"
echo "ok: kernel TLS: exact bytes both ways"
stop_gh
pass
