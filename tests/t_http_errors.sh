#!/bin/bash
# Covers: gatehouse's own answers when things go wrong: 408 for a slow
# request header (slowloris) and a silent close for a connection that
# never spoke, 502 for every kind of broken response (ambiguous framing,
# garbage status, close or reset before answering), 503 when no server
# can be reached, 504 when the server is too slow; each logged with its
# cause and counted at exit; the proxy keeps serving throughout.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
free_port P
free_port P2
free_port DEAD
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
    timeout server 1s
frontend f
    bind 127.0.0.1:$P
    use-backend dead if path /dead
    default-backend web
frontend slow
    bind 127.0.0.1:$P2
    timeout http-request 1s
    default-backend web
backend web
    server s 127.0.0.1:$web_PORT
backend dead
    timeout connect 500ms
    server d1 127.0.0.1:$DEAD
    server d2 127.0.0.1:$DEAD
CONF
start_gh "$P" -f "$TMP/gh.conf"

# expect STATUS PATH: GET PATH gets STATUS, with Connection: close.
expect() {
	local out
	out=$(printf 'GET %s HTTP/1.1\r\nHost: a\r\n\r\n' "$2" | raw "127.0.0.1:$P" | tr -d '\r')
	[ "$(printf '%s' "$out" | status)" = "$1" ] || fail "$2: want $1: $out"
	[ "$1" = 200 ] || printf '%s' "$out" | grep -q '^Connection: close$' || fail "$2: no Connection: close"
	echo "ok: $2 -> $1"
}
expect 502 /bad/cl-te
expect 502 /bad/status
expect 502 /bad/silent
expect 502 /bad/reset
expect 503 /dead
# On a pooled server connection (each worker has one after these), within
# timeout server (1s), not the request timeout (10s) the client
# connection was waiting on before.
for i in 1 2 3 4; do expect 200 /; done
# gatehouse's own measure (its log line), not the client's: a loaded
# machine may take seconds to start curl.
expect 504 /slow/3
slow_ms() {
	sed -n 's|.*"GET /slow/3" 504 .* dur=\([0-9]*\)ms end=server-timeout.*|\1|p' "$TMP/gh.log"
}
wait_for sh -c "grep -q '\"GET /slow/3\" 504' '$TMP/gh.log'" || fail "no log line for the 504"
ms=$(slow_ms)
[ -n "$ms" ] && [ "$ms" -lt 2500 ] || fail "504 after ${ms:-?} ms, or not for timeout server"

# Slowloris: a header trickling in one byte per 50 ms, never ending.
start=$(date +%s%N)
out=$(printf 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' |
    raw --keep --split 1 --wait 10 "127.0.0.1:$P2" 2>/dev/null | tr -d '\r')
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(printf '%s' "$out" | status)" = 408 ] || fail "slowloris: $out"
echo "ok: slowloris cut with 408 after ${ms} ms"
# A connection that sends nothing: closed without a word.
out=$(raw --keep --wait 5 "127.0.0.1:$P2" </dev/null) || fail "silent connection not closed"
gh_alive "after the silent connection"
[ -z "$out" ] || fail "silent connection got: $out"
echo "ok: a silent connection is closed without an answer"

grep -q '"GET /bad/cl-te" 502 .*end=bad-response: both Content-Length and Transfer-Encoding' "$TMP/gh.log" || fail "log cl-te"
grep -q '"GET /bad/silent" 502 .*server closed before responding' "$TMP/gh.log" || fail "log silent"
grep -q '"GET /dead" 503 .*Connection refused' "$TMP/gh.log" || fail "log 503"
grep -q '"GET /slow/3" 504 .*end=server-timeout' "$TMP/gh.log" || fail "log 504"
grep -q '"-" 408 .*end=http-request-timeout' "$TMP/gh.log" || fail "log 408"
# SIGTERM: a keep-alive client idle between requests (keep-alive timeout
# 5s, grace 30s) does not hold the exit; it is closed at once.
printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' | raw --keep --wait 20 "127.0.0.1:$P" >"$TMP/idle" &
cp=$!
wait_for grep -q 'hello from web' "$TMP/idle" || fail "idle client got no answer"
start=$(date +%s%N)
stop_gh
ms=$((($(date +%s%N) - start) / 1000000))
[ "$GH_RC" = 0 ] || fail "exit status $GH_RC"
[ "$ms" -lt 3000 ] || fail "an idle keep-alive client held the exit for $ms ms"
wait "$cp" || fail "the idle client was not closed"
echo "ok: SIGTERM closes idle keep-alive clients, exit after $ms ms"
grep -q 'frontend f: responses 1xx 0, 2xx 5, 3xx 0, 4xx 0, 5xx 6; gatehouse.s own 6' "$TMP/gh.log" ||
    fail "counters: $(tail -n 3 "$TMP/gh.log")"
grep -q 'frontend slow: responses 1xx 0, 2xx 0, 3xx 0, 4xx 1, 5xx 0; gatehouse.s own 1' "$TMP/gh.log" ||
    fail "counters: $(tail -n 3 "$TMP/gh.log")"
echo "ok: each logged with its cause, counted at exit"
pass
