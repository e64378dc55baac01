#!/bin/bash
# Covers: the balancing algorithms with real servers (1000 requests each,
# shares within tolerance of the weights; hash keys keep their server),
# leastconn with a slow and a fast server, disabled and backup servers,
# maxconn with its queue (served in turn, or 503 when timeout queue
# passes), retries on a refused connect in both modes, an idempotent
# request sent again after a server closed without answering (and a POST
# not), and a backend with no server up (503 at once).
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend a
start_http_backend b
start_http_backend c
start_http_backend slow 0.2
start_http_backend drop drop
start_backend echo echo
free_port P
free_port DEAD
free_port PT
free_port PQ
cat >"$TMP/gh.conf" <<CONF
global
    workers 2
defaults
    mode http
frontend rr
    bind 127.0.0.1:$P
    use-backend lc if path-prefix /lc
    use-backend src if path-prefix /src
    use-backend uri if path-prefix /uri
    use-backend hdr if path-prefix /hdr
    use-backend rnd if path-prefix /rnd
    use-backend bck if path-prefix /bck
    use-backend qt if path-prefix /qt
    use-backend q if path-prefix /q
    use-backend retry if path-prefix /retry
    use-backend replay if path-prefix /replay
    use-backend none if path-prefix /none
    default-backend rr
frontend tcp
    mode tcp
    bind 127.0.0.1:$PT
    default-backend tcpretry
frontend tcpq
    mode tcp
    bind 127.0.0.1:$PQ
    default-backend tcpq
backend rr
    server a 127.0.0.1:$a_PORT weight 3
    server b 127.0.0.1:$b_PORT
    server c 127.0.0.1:$c_PORT disabled
backend lc
    balance leastconn
    server slow 127.0.0.1:$slow_PORT
    server a 127.0.0.1:$a_PORT
backend src
    balance source
    server a 127.0.0.1:$a_PORT
    server b 127.0.0.1:$b_PORT
    server c 127.0.0.1:$c_PORT
backend uri
    balance uri
    server a 127.0.0.1:$a_PORT weight 2
    server b 127.0.0.1:$b_PORT weight 2
    server c 127.0.0.1:$c_PORT
backend hdr
    balance hdr(X-User)
    server a 127.0.0.1:$a_PORT
    server b 127.0.0.1:$b_PORT
backend rnd
    balance random
    server a 127.0.0.1:$a_PORT
    server b 127.0.0.1:$b_PORT weight 3
backend bck
    observe layer4
    error-limit 1
    retries 1
    server dead 127.0.0.1:$DEAD
    server spare 127.0.0.1:$c_PORT backup
backend q
    timeout queue 10s
    server slow 127.0.0.1:$slow_PORT maxconn 1
backend qt
    timeout queue 300ms
    server slow 127.0.0.1:$slow_PORT maxconn 1
backend retry
    retries 1
    server dead 127.0.0.1:$DEAD weight 10
    server a 127.0.0.1:$a_PORT
backend replay
    server drop 127.0.0.1:$drop_PORT weight 100
    server a 127.0.0.1:$a_PORT
backend none
    server a 127.0.0.1:$a_PORT disabled
backend tcpq
    mode tcp
    timeout queue 600ms
    server e 127.0.0.1:$echo_PORT maxconn 1
backend tcpretry
    mode tcp
    retries 1
    server dead 127.0.0.1:$DEAD weight 10
    server a 127.0.0.1:$a_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"

lb() {
	timeout 120 python3 "$top_srcdir/tests/lb_client.py" "$@" "$P"
}
# count FILE WHAT: the count on the line "WHAT N" of FILE, 0 if none.
count() {
	awk -v w="$2" '{ k = $0; sub(/ [0-9]+$/, "", k) } k == w { n = $NF }
	    END { print n + 0 }' "$1"
}
# within N LO HI: LO <= N <= HI.
within() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

# Weighted round robin, 3:1, the disabled server never: exact shares.
lb -n 1000 -c 4 >"$TMP/rr"
cat "$TMP/rr"
within "$(count "$TMP/rr" a)" 740 760 || fail "roundrobin: $(cat "$TMP/rr")"
within "$(count "$TMP/rr" b)" 240 260 || fail "roundrobin: $(cat "$TMP/rr")"
[ "$(count "$TMP/rr" c)" -eq 0 ] || fail "a disabled server got traffic"

# Source: each of 50 client addresses keeps one server; all three serve.
lb -n 1000 -c 4 --path /src --sources 50 --show-keys >"$TMP/src"
[ "$(grep -vc ' [abc]$' "$TMP/src")" -eq 0 ] || fail "source: errors: $(grep -v ' [abc]$' "$TMP/src" | head -3)"
[ "$(sort -u "$TMP/src" | awk '{print $1}' | uniq -d | wc -l)" -eq 0 ] ||
	fail "source: a client address moved between servers"
for s in a b c; do
	n=$(grep -c " $s$" "$TMP/src")
	within "$n" 120 600 || fail "source: $s served $n of 1000"
done
echo "source: $(awk '{print $2}' "$TMP/src" | sort | uniq -c | tr '\n' ' ')"

# URI: 2:2:1 over 1000 paths, within 20%; a path keeps its server.
lb -n 1000 -c 4 --path '/uri/%d' >"$TMP/uri"
cat "$TMP/uri"
within "$(count "$TMP/uri" a)" 320 480 || fail "uri: $(cat "$TMP/uri")"
within "$(count "$TMP/uri" b)" 320 480 || fail "uri: $(cat "$TMP/uri")"
within "$(count "$TMP/uri" c)" 160 240 || fail "uri: $(cat "$TMP/uri")"
lb -n 200 -c 4 --path '/uri/%d' --keys 20 --show-keys | sort -u >"$TMP/uri.keys"
[ "$(wc -l <"$TMP/uri.keys")" -eq 20 ] || fail "uri: a path moved: $(head "$TMP/uri.keys")"

# hdr(X-User): 1:1, a user keeps its server; no field: round robin.
lb -n 1000 -c 4 --path /hdr --header 'X-User: u%d' >"$TMP/hdr"
cat "$TMP/hdr"
within "$(count "$TMP/hdr" a)" 400 600 || fail "hdr: $(cat "$TMP/hdr")"
lb -n 200 -c 4 --path /hdr --header 'X-User: u%d' --keys 10 --show-keys |
	sort -u >"$TMP/hdr.keys"
[ "$(wc -l <"$TMP/hdr.keys")" -eq 10 ] || fail "hdr: a user moved"
lb -n 100 --path /hdr >"$TMP/hdr.none"
[ "$(count "$TMP/hdr.none" a)" -eq 50 ] || fail "hdr without the field: $(cat "$TMP/hdr.none")"

# Random, two choices, 1:3.
lb -n 1000 -c 4 --path /rnd >"$TMP/rnd"
cat "$TMP/rnd"
within "$(count "$TMP/rnd" b)" 650 1000 || fail "random: $(cat "$TMP/rnd")"
within "$(count "$TMP/rnd" a)" 50 350 || fail "random: $(cat "$TMP/rnd")"

# Leastconn: the fast server takes what the slow one (0.2 s) cannot.
lb -n 200 -c 8 --path /lc >"$TMP/lc"
cat "$TMP/lc"
[ "$(count "$TMP/lc" a)" -ge 150 ] || fail "leastconn: $(cat "$TMP/lc")"
[ "$(count "$TMP/lc" slow)" -ge 1 ] || fail "leastconn: the slow server got nothing"

# Backup: the only active server refuses; one refusal takes it down
# (error-limit 1), the retry goes to the backup, and so does the rest.
lb -n 20 --path /bck >"$TMP/bck"
cat "$TMP/bck"
[ "$(count "$TMP/bck" c)" -eq 20 ] || fail "backup: $(cat "$TMP/bck")"
grep -q "server bck/dead is DOWN (1 live errors in a row" "$TMP/gh.log" ||
	fail "the refusing server was not marked down"

# maxconn 1 and a queue: 6 at once, served one after the other (so it
# cannot take less than 6 x 0.2 s), none lost.
t0=$(date +%s%N)
lb -n 6 -c 6 --path /q >"$TMP/q"
t1=$(date +%s%N)
cat "$TMP/q"
[ "$(count "$TMP/q" slow)" -eq 6 ] || fail "queue: $(cat "$TMP/q")"
[ $(( (t1 - t0) / 1000000 )) -ge 1150 ] ||
	fail "queue: 6 answers of 0.2 s in $(( (t1 - t0) / 1000000 )) ms: not one at a time"
# timeout queue 300ms: of 4 at once, the first is served and those still
# waiting after 300 ms (the 0.2 s answers are slower than that for all
# but one more) get 503.
lb -n 4 -c 4 --path /qt >"$TMP/qt"
cat "$TMP/qt"
[ "$(count "$TMP/qt" 'status 503')" -ge 1 ] || fail "queue timeout: $(cat "$TMP/qt")"
[ "$(count "$TMP/qt" slow)" -ge 1 ] || fail "queue timeout: $(cat "$TMP/qt")"
grep -q '" 503 .* end=queue-timeout: no server slot freed in time' "$TMP/gh.log" ||
	fail "no queue-timeout in the log"

# Retries: the refusing server has weight 10, and every request still
# gets its answer from the other one.
lb -n 50 --path /retry >"$TMP/retry"
cat "$TMP/retry"
[ "$(count "$TMP/retry" a)" -eq 50 ] || fail "retries: $(cat "$TMP/retry")"
for i in 1 2 3 4 5; do
	printf 'GET / HTTP/1.0\r\n\r\n' | client "127.0.0.1:$PT" >"$TMP/tcp.$i"
	grep -q "hello from a" "$TMP/tcp.$i" || fail "mode tcp retry $i: $(cat "$TMP/tcp.$i")"
done

# A server that takes a request and closes without a word: an idempotent
# request without body is sent again to the other server; a POST whose
# bytes reached the server is not (502).
for m in GET HEAD DELETE; do
	st=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" "http://127.0.0.1:$P/replay/$m")
	[ "$st" = 200 ] || fail "replayed $m: got $st"
	grep -q "^$m /replay/$m " "$TMP/a.rec" || fail "$m did not reach the second server"
	grep -q "^$m /replay/$m " "$TMP/drop.rec" || fail "$m did not reach the first server"
done
grep -q 'be=replay/drop server closed before responding: request sent again' "$TMP/gh.log" ||
	fail "no replay in the log"
st=$(curl -s -o /dev/null -w '%{http_code}' -d 'order=1' "http://127.0.0.1:$P/replay/post")
[ "$st" = 502 ] || fail "a dropped POST: got $st, want 502"
grep -q "^POST /replay/post " "$TMP/drop.rec" || fail "the POST did not reach the server"
grep -q "^POST /replay/post " "$TMP/a.rec" && fail "the POST was sent twice"

# mode tcp, maxconn 1: a second client waits while the first holds the
# slot; it is served once the first leaves, or closed when timeout queue
# passes first.
python3 - "$PQ" <<'PY' || fail "mode tcp queue"
import socket, sys, time
port = int(sys.argv[1])
def talk(s, msg):
    s.sendall(msg)
    return s.recv(100)
a = socket.create_connection(("127.0.0.1", port), timeout=5)
assert talk(a, b"a1") == b"a1"
b = socket.create_connection(("127.0.0.1", port), timeout=5)
b.sendall(b"b1")
time.sleep(0.3)
a.close()
got = b.recv(100)
if got != b"b1":
    print("FAIL: the waiting client got %r" % got); sys.exit(1)
c = socket.create_connection(("127.0.0.1", port), timeout=5)
t0 = time.time()
c.sendall(b"c1")
got = c.recv(100)
dt = time.time() - t0
if got != b"" or dt < 0.5:
    print("FAIL: past timeout queue: %r after %.2f s" % (got, dt)); sys.exit(1)
print("ok: mode tcp queue: served in turn; closed after %.2f s" % dt)
PY
grep -q "fe=tcpq be=tcpq/- in=2 out=0 .*end=queue-timeout" "$TMP/gh.log" ||
	fail "no queue-timeout line for mode tcp"

# No server up: 503 at once.
t0=$(date +%s%N)
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/none")
t1=$(date +%s%N)
[ "$st" = 503 ] || fail "no server up: got $st"
[ $(( (t1 - t0) / 1000000 )) -lt 2000 ] || fail "the 503 took $(( (t1 - t0) / 1000000 )) ms"
grep -q '"GET /none" 503 .*end=no-server: no server is up' "$TMP/gh.log" ||
	fail "no no-server line in the log"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
