#!/bin/bash
# Covers: keep-alive on both sides: client connections carry many
# requests, server connections go back to a per-worker pool and carry
# later requests of other clients (the server sees far fewer connections
# than requests), Connection: close and HTTP/1.0 are honoured, a server
# close or keepalive-pool 0 means a fresh connection, idle clients and
# idle pooled connections are closed on time.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
start_http_backend nopool
free_port P
free_port P2
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
    timeout http-keep-alive 1s
    timeout server-idle 1s
frontend f
    bind 127.0.0.1:$P
    default-backend web
frontend g
    bind 127.0.0.1:$P2
    default-backend nopool
backend web
    server s 127.0.0.1:$web_PORT
backend nopool
    keepalive-pool 0
    server s 127.0.0.1:$nopool_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"

# 30 clients one after the other: the pool carries their requests.
for i in $(seq 1 30); do
	[ "$(curl -s "http://127.0.0.1:$P/")" = "hello from web" ] || fail "request $i"
done
n=$(conns web)
[ "$n" -le 4 ] || fail "30 requests from 30 clients took $n server connections"
echo "ok: 30 clients, $n server connection(s)"

# One client, 20 requests on one connection.
urls=""
for i in $(seq 1 20); do urls="$urls http://127.0.0.1:$P/$i"; done
out=$(curl -sv $urls 2>&1)
[ "$(printf '%s' "$out" | grep -c '^hello from web')" = 20 ] || fail "20 keep-alive answers"
[ "$(printf '%s' "$out" | grep -c 'Connected to')" = 1 ] || fail "curl reconnected"
echo "ok: 20 requests on one client connection"

# Pipelined: answered in order.
out=$(printf 'GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /headers HTTP/1.1\r\nHost: second\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n' |
    raw "127.0.0.1:$P" | tr -d '\r')
[ "$(printf '%s' "$out" | grep -c '^HTTP/1.1 200')" = 3 ] || fail "pipelined: $out"
printf '%s' "$out" | grep -q '^Host: second$' || fail "pipelined order: $out"
echo "ok: pipelined requests answered in order"

# Connection: close, HTTP/1.0 without keep-alive: answered, then closed
# (raw --keep leaves its side open: it ends only when gatehouse closes).
for req in 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' 'GET / HTTP/1.0\r\n\r\n'; do
	out=$(printf "$req" | raw --keep --wait 5 "127.0.0.1:$P") ||
	    fail "not closed after: $req"
	printf '%s' "$out" | tr -d '\r' | grep -q '^Connection: close$' || fail "no Connection: close: $out"
done
# HTTP/1.0 with keep-alive stays open until the keep-alive timeout (1s).
start=$(date +%s%N)
out=$(printf 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' |
    raw --keep --wait 5 "127.0.0.1:$P" | tr -d '\r') || fail "idle client not closed"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(printf '%s' "$out" | grep -c '^Connection: keep-alive$')" = 2 ] || fail "HTTP/1.0 keep-alive: $out"
[ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ] || fail "idle client closed after ${ms} ms, not about 1s"
echo "ok: close and HTTP/1.0 honoured; idle client closed after ${ms} ms"

# A response until close leaves no reusable connection: more of them
# than the server connections so far (any may wait in the pool) need at
# least one new connection, and none is found closed when reused (which
# would show as a request sent again).
n=$(conns web)
for i in $(seq 0 "$n"); do
	curl -s "http://127.0.0.1:$P/close" >/dev/null
done
[ "$(conns web)" -ge $((n + 1)) ] || fail "a closed server connection was reused"
grep -q "request sent again" "$TMP/gh.log" && fail "a closed server connection was tried"
echo "ok: server close means a new connection"

# keepalive-pool 0: one server connection per request.
for i in 1 2 3 4 5; do curl -s "http://127.0.0.1:$P2/" >/dev/null; done
[ "$(conns nopool)" = 5 ] || fail "keepalive-pool 0: $(conns nopool) connections for 5 requests"
echo "ok: keepalive-pool 0 reuses nothing"

# Pooled connections idle longer than server-idle (1s) are closed: the
# next request needs a new one.
curl -s "http://127.0.0.1:$P/" >/dev/null
n=$(conns web)
sleep 2.5
curl -s "http://127.0.0.1:$P/" >/dev/null
[ "$(conns web)" = $((n + 1)) ] || fail "idle pooled connection not closed"
echo "ok: idle pooled connections closed after timeout server-idle"
stop_gh
pass
