#!/bin/bash
# Covers: garbage instead of a ClientHello (an HTTP request, random bytes,
# a truncated record, closed at the handshake timeout) gets a clean close,
# and gatehouse keeps serving.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
start_gh_tls "$P" "$echo_PORT" 2s
# send BYTES: sends them and waits for the close (a FIN or a reset).
send() {
	timeout 8 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P; printf '$1' >&3; cat <&3 >/dev/null" 2>/dev/null
	[ $? -ne 124 ]
}
send 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' || fail "plain HTTP not closed"
gh_alive "after plain HTTP"
head -c 4096 /dev/urandom >"$TMP/junk"
timeout 8 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P; cat '$TMP/junk' >&3; cat <&3 >/dev/null" 2>/dev/null
[ $? -ne 124 ] || fail "random bytes not closed"
gh_alive "after random bytes"
send '\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03' || fail "truncated hello not closed"
gh_alive "after a truncated hello"
echo "ok: three kinds of garbage closed cleanly"
wait_for grep -q "TLS handshake failed" "$TMP/gh.log" || fail "not logged"
[ "$(echo fine | client "127.0.0.1:$P" -t)" = "fine" ] || fail "service broken"
gh_alive
echo "ok: still serving"
stop_gh
pass
