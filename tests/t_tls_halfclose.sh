#!/bin/bash
# Covers: mode http over TLS, a client that sends its request and then
# shuts its sending side (RFC 9112 9.6) still gets the whole response,
# from a server that takes 1.5 s: with a TCP FIN only (no close_notify)
# and with a close_notify then FIN; plain mode http as the control.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web 1.5
free_port P
free_port P2
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
frontend tls
    bind 127.0.0.1:$P cert $CERTS/server.pem
    default-backend web
frontend plain
    bind 127.0.0.1:$P2
    default-backend web
backend web
    server s 127.0.0.1:$web_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
wait_for listening "$P2" || fail "plain bind not listening"

# check MODE PORT: the whole response came back.
check() {
	local rc=0
	python3 "$top_srcdir/tests/tls_halfclose.py" "$1" "127.0.0.1:$2" \
	    >"$TMP/$1.out" 2>"$TMP/$1.err" || rc=$?
	[ "$rc" -eq 0 ] || fail "$1: exit $rc: $(cat "$TMP/$1.err")"
	head -n 1 "$TMP/$1.out" | grep -q "^HTTP/1.1 200 " ||
		fail "$1: no 200: $(cat "$TMP/$1.out")"
	tail -n 1 "$TMP/$1.out" | grep -qx "hello from web" ||
		fail "$1: body cut short: $(cat "$TMP/$1.out")"
}
check plain "$P2"
echo "ok: plain, half-closed"
check fin "$P"
echo "ok: TLS, FIN without close_notify"
check notify "$P"
echo "ok: TLS, close_notify then FIN"
stop_gh
pass
