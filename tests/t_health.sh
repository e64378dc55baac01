#!/bin/bash
# Covers: active health checks and passive ones. A server killed while
# requests run is marked down by its HTTP check within about
# interval x fall, and no request fails beyond those in flight; back on
# its port it comes up after "rise" checks and gets traffic again. A TCP
# check against a closed port, an HTTP check answered 503, with a
# malformed status line or too late, and a TLS
# check against a certificate no CA vouches for each mark their server
# down with the reason; a good TLS check keeps its server up. Without an
# active check, live errors take a server down (observe, error-limit)
# and it is tried again after the interval. The control thread ends
# cleanly on SIGTERM.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend a
start_http_backend b
start_http_backend c
start_https_backend tgood "$CERTS/server.pem"
start_https_backend tself "$CERTS/self.pem"
free_port P
free_port PT
free_port DEAD
free_port DEAD2
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
    timeout connect 1s
frontend f
    bind 127.0.0.1:$P
    use-backend passive if path-prefix /passive
    use-backend both if path-prefix /status/
    default-backend web
frontend t
    mode tcp
    bind 127.0.0.1:$PT
    default-backend tcp
backend web
    check http GET /health expect status 200-399 interval 300ms rise 2 fall 2
    server a 127.0.0.1:$a_PORT check
    server b 127.0.0.1:$b_PORT check
    server tgood 127.0.0.1:$tgood_PORT ssl ca-file $CERTS/ca.pem check weight 0
    server tself 127.0.0.1:$tself_PORT ssl ca-file $CERTS/ca.pem check weight 0
backend passive
    observe layer4
    error-limit 2
    retries 0
    check interval 500ms
    server dead 127.0.0.1:$DEAD2
    server b 127.0.0.1:$b_PORT
backend tcp
    mode tcp
    check interval 300ms fall 1
    server closed 127.0.0.1:$DEAD check
    server b 127.0.0.1:$b_PORT
CONF
# "both" is checked actively and passively.
cat >>"$TMP/gh.conf" <<CONF
backend both
    check http GET /health interval 300ms rise 2 fall 1
    observe layer7
    error-limit 2
    server c 127.0.0.1:$c_PORT check
CONF
# "sick" is b again, checked on a path that answers 503; "odd" on one
# whose status line has four digits, "mute" on one that answers too
# late; "long" on a path longer than any fixed buffer, that b answers.
LONG=/$(head -c 3000 /dev/zero | tr '\0' x)
cat >>"$TMP/gh.conf" <<CONF
backend sick
    check http GET /status/503 interval 300ms fall 1
    server sick 127.0.0.1:$b_PORT check
backend odd
    check http GET /bad/status interval 300ms fall 1
    server odd 127.0.0.1:$b_PORT check
backend mute
    check http GET /slow/2 interval 300ms timeout 200ms fall 1
    server mute 127.0.0.1:$b_PORT check
backend long
    check http GET $LONG interval 300ms fall 1
    server long 127.0.0.1:$b_PORT check
CONF
start_gh "$P" -f "$TMP/gh.conf"

# logged_within TEXT MS: the log holds TEXT within MS.
logged_within() {
	local i
	for i in $(seq 1 $(($2 / 50))); do
		grep -q "$1" "$TMP/gh.log" && return 0
		sleep 0.05
	done
	return 1
}

logged_within "server tcp/closed is DOWN (check: connection refused)" 3000 ||
	fail "the TCP check did not mark the closed port down"
logged_within "server sick/sick is DOWN (check: status 503)" 3000 ||
	fail "the HTTP check did not see the 503"
logged_within "server odd/odd is DOWN (check: bad response)" 3000 ||
	fail "the HTTP check took a four-digit status"
logged_within "server mute/mute is DOWN (check: timeout)" 3000 ||
	fail "the HTTP check did not time out"
logged_within "server web/tself is DOWN (check: TLS: certificate verify failed: self-signed certificate)" 3000 ||
	fail "the TLS check did not refuse the certificate"
sleep 1
grep -q "server web/tgood is DOWN" "$TMP/gh.log" && fail "a good TLS server was marked down"
grep -q "server web/a is DOWN\|server web/b is DOWN" "$TMP/gh.log" && fail "a healthy server was marked down"
grep -q "server long/long is DOWN" "$TMP/gh.log" && fail "the check with a long path failed"
grep -q "^GET $LONG HTTP/1.1" "$TMP/b.rec" || fail "the long path was not sent whole"
grep -q "^Host: 127.0.0.1.$" "$TMP/a.rec" || fail "no Host field with the server's address"
echo "ok: tcp, http status and TLS checks"

# Kill a while 3000 requests run; it is down within interval x fall (and
# some slack for a busy machine); requests keep succeeding.
timeout 120 python3 "$top_srcdir/tests/lb_client.py" -n 3000 -c 2 "$P" >"$TMP/run" &
LB=$!
sleep 0.3
kill "$a_PID"
t0=$(date +%s%N)
logged_within "server web/a is DOWN (check: connection refused)" 5000 ||
	fail "the killed server was not marked down"
t1=$(date +%s%N)
echo "ok: down $(( (t1 - t0) / 1000000 )) ms after the kill (interval 300ms x fall 2)"
kill -0 "$LB" 2>/dev/null || fail "the requests were over before the server was down"
wait "$LB"
cat "$TMP/run"
errors=$(awk '$1 != "a" && $1 != "b" { n += $NF } END { print n + 0 }' "$TMP/run")
[ "$errors" -le 3 ] || fail "$errors requests failed around the kill"
[ "$(awk '$1 == "b" { print $2 }' "$TMP/run")" -ge 1600 ] || fail "b did not take over"

# Back on its port: up after two passed checks, and serving.
GH_PORT=$a_PORT start_http_backend a2
logged_within "server web/a is UP (check: 2 passed in a row)" 5000 ||
	fail "the server did not come back"
timeout 60 python3 "$top_srcdir/tests/lb_client.py" -n 20 "$P" >"$TMP/back"
grep -q "^a2 " "$TMP/back" || fail "the server back up got no traffic: $(cat "$TMP/back")"
echo "ok: back up and serving"

# Passive: two refused connects take "dead" down (retries 0: those two
# requests get 503), then it gets no traffic, then it is tried again.
for i in 1 2 3 4 5 6; do
	curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$P/passive"
done >"$TMP/passive"
grep -q "server passive/dead is DOWN (2 live errors in a row, the last: Connection refused)" "$TMP/gh.log" ||
	fail "live errors did not take the server down"
[ "$(grep -c 200 "$TMP/passive")" -ge 4 ] || fail "passive: $(tr '\n' ' ' <"$TMP/passive")"
logged_within "server passive/dead is UP (retried after 500 ms down)" 3000 ||
	fail "the passively downed server was not tried again"
echo "ok: passive checks"

# Active and passive together: once the check brought c back, live 5xx
# take it down again, and it needs "rise" passed checks anew (the count
# that brought it up the first time does not carry over).
kill "$c_PID"
logged_within "server both/c is DOWN (check: connection refused)" 3000 ||
	fail "both: the killed server was not marked down"
GH_PORT=$c_PORT start_http_backend c2
logged_within "server both/c is UP (check: 2 passed in a row)" 3000 ||
	fail "both: the server did not come back"
# Both on one client connection, so one server connection: a new
# connect is not reported between the two 5xx.
curl -s -o /dev/null -o /dev/null "http://127.0.0.1:$P/status/500" \
    "http://127.0.0.1:$P/status/500"
logged_within "server both/c is DOWN (2 live errors in a row" 3000 ||
	fail "both: live 5xx did not take the server down"
for i in $(seq 1 60); do
	[ "$(grep -c 'server both/c is UP' "$TMP/gh.log")" -ge 2 ] && break
	sleep 0.05
done
[ "$(grep -c 'server both/c is UP (check: 2 passed in a row)' "$TMP/gh.log")" -eq 2 ] ||
	fail "both: not back after rise checks: $(grep 'both/c is UP' "$TMP/gh.log" | tail -n 1)"
echo "ok: active and passive together"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
grep -q "^.* stopped$" "$TMP/gh.log" || fail "no clean stop"
pass
