#!/bin/bash
# Covers: kTLS in mode tcp. The start-up log says which record layer is
# used: "ktls off", the kernel's (when it has the tls ULP), or OpenSSL's
# with the reason (here: no tls module). With "ktls on" every connection
# asks OpenSSL for kTLS and falls back by itself where the kernel
# refuses: exact bytes both ways, a half-close answered with the whole
# reply. With ktls auto the bytes go through whichever record layer the
# kernel allows; t_ktls_kernel.sh requires the kernel's (and skips where
# there is none).
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
start_backend src source 20971520
free_port P
free_port P2
# conf KTLS: a mode tcp echo frontend and a source one.
conf() {
	cat <<CONF
global
    ktls $1
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
}
# bytes: exact bytes both ways.
bytes() {
	local size want got
	for size in 0 1024 1048576; do
		head -c "$size" /dev/urandom >"$TMP/in"
		want=$(sha256sum <"$TMP/in")
		got=$(client "127.0.0.1:$P" -t <"$TMP/in" | sha256sum)
		[ "$got" = "$want" ] || fail "$1: $size bytes through TLS echo differ"
	done
	want=$("$GHB" gen 20971520 | sha256sum)
	got=$(client "127.0.0.1:$P2" -t </dev/null | sha256sum)
	[ "$got" = "$want" ] || fail "$1: 20 MiB download differs"
	echo "ok: $1: exact bytes both ways"
}

conf off >"$TMP/off.conf"
start_gh "$P" -f "$TMP/off.conf"
wait_for grep -q "kTLS: off (ktls off)" "$TMP/gh.log" || fail "ktls off: $(cat "$TMP/gh.log")"
stop_gh

conf auto >"$TMP/auto.conf"
start_gh "$P" -f "$TMP/auto.conf"
wait_for grep -q "kTLS: " "$TMP/gh.log" || fail "no kTLS line: $(cat "$TMP/gh.log")"
if grep -q "kTLS: in use on mode tcp TLS binds" "$TMP/gh.log"; then
	bytes "kernel TLS"
else
	grep -q "kTLS: not used, the kernel has no TLS support (tls ULP: .*): OpenSSL makes the TLS records" "$TMP/gh.log" ||
		fail "fallback line: $(cat "$TMP/gh.log")"
	bytes "OpenSSL records"
fi
stop_gh

conf on >"$TMP/on.conf"
start_gh "$P" -f "$TMP/on.conf"
wait_for grep -q "kTLS: " "$TMP/gh.log" || fail "no kTLS line: $(cat "$TMP/gh.log")"
grep -q "kTLS: in use\|kTLS: asked for (ktls on), but the kernel has no TLS support" "$TMP/gh.log" ||
	fail "ktls on: $(cat "$TMP/gh.log")"
bytes "ktls on"
stop_gh

# Only mode http: no kTLS, no line.
printf 'frontend h\n    mode http\n    bind 127.0.0.1:%s cert %s\n    default-backend b\nbackend b\n    mode http\n    server s 127.0.0.1:%s\n' \
    "$P" "$CERTS/server.pem" "$echo_PORT" >"$TMP/http.conf"
start_gh "$P" -f "$TMP/http.conf"
stop_gh
! grep -q "kTLS" "$TMP/gh.log" || fail "kTLS said for mode http: $(cat "$TMP/gh.log")"
pass
