#!/bin/bash
# Covers: the access log is written in batches yet no line waits for more
# traffic (one request alone shows up); lines of concurrent clients come
# whole, one per request or connection; "access-log off" silences the
# access lines of that frontend only (mode http and mode tcp) while its
# errors (a server marked down) are still logged;
# log-format expands its variables.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
start_backend echo echo
free_port P
free_port Q
free_port R
free_port S
free_port DEAD
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
frontend on
    bind 127.0.0.1:$P
    default-backend web
frontend off
    bind 127.0.0.1:$Q
    access-log off
    default-backend dead
frontend fmt
    bind 127.0.0.1:$R
    log-format "fmt \$status \$bytes \$request \$frontend/\$backend/\$server \$end"
    default-backend web
frontend tcpoff
    mode tcp
    bind 127.0.0.1:$S
    access-log off
    default-backend echo
backend web
    server s 127.0.0.1:$web_PORT
backend dead
    check tcp interval 100ms fall 1
    server gone 127.0.0.1:$DEAD check
backend echo
    mode tcp
    server e 127.0.0.1:$echo_PORT
CONF
"$GH" -c -f "$TMP/gh.conf" >/dev/null 2>&1 || fail "configuration refused"
start_gh "$P" -f "$TMP/gh.conf"
L=$TMP/gh.log

# One request and nothing after it: its line is written all the same.
[ "$(curl -s "http://127.0.0.1:$P/one")" = "hello from web" ] || fail "request"
wait_for grep -q '"GET /one" 200' "$L" || fail "the line of a lone request never came"
echo "ok: a lone request is logged without further traffic"

# 10 clients at once, 20 keep-alive requests each: 200 whole lines.
for c in $(seq 1 10); do
	urls=""
	for i in $(seq 1 20); do urls="$urls http://127.0.0.1:$P/c$c-$i"; done
	curl -s $urls >/dev/null &
	CURLS="${CURLS:-} $!"
done
for p in $CURLS; do wait "$p" || fail "a client failed"; done
re='^[0-9T:-]+Z 127\.0\.0\.1:[0-9]+ fe=on be=web/s "GET /c[0-9]+-[0-9]+" 200 [0-9]+ ttfb=[0-9]+ms dur=[0-9]+ms end=done$'
n_ok() { [ "$(grep -c '"GET /c' "$L")" -eq 200 ]; }
wait_for n_ok || fail "$(grep -c '"GET /c' "$L") lines for 200 requests"
bad=$(grep '"GET /c' "$L" | grep -cvE "$re")
[ "$bad" -eq 0 ] || fail "$bad torn or malformed lines"
for c in $(seq 1 10); do for i in $(seq 1 20); do
	grep -q "\"GET /c$c-$i\"" "$L" || fail "no line for /c$c-$i"
done; done
echo "ok: 200 concurrent requests, 200 whole lines"

# log-format.
curl -s -o /dev/null "http://127.0.0.1:$R/f"
wait_for grep -q "fmt 200 [0-9]* GET /f fmt/web/s done$" "$L" ||
    fail "log-format line: $(grep 'fmt ' "$L")"
echo "ok: log-format"

# access-log off: no access line, but the server going down is logged. A mode tcp frontend likewise.
for i in 1 2 3 4; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$Q/off$i")" = 503 ] ||
	    fail "a dead server should give 503"
done
echo hi | client "127.0.0.1:$S" | grep -q '^hi$' || fail "tcp echo"
wait_for grep -q "server dead/gone is DOWN" "$L" || fail "the server going down was not logged"
# A line on "on" written after those shows that nothing is held back.
curl -s -o /dev/null "http://127.0.0.1:$P/last"
wait_for grep -q '"GET /last"' "$L" || fail "no line for /last"
gh_alive
grep -E 'fe=off .*"GET|fe=tcpoff .* in=' "$L" && fail "access-log off still logged"
echo "ok: access-log off keeps errors only, in mode http and tcp"
stop_gh
pass
