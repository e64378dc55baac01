#!/bin/bash
# Covers: the steady state allocates no buffer per request or per record:
# keep-alive requests through TLS (mode http, and mode tcp) make no
# allocation of 1 KiB or more (OpenSSL's record buffers were freed and
# taken again for every record), counted by an LD_PRELOAD shim
# (tests/malloc_count.c): the count of a run of 11,000 requests on one
# connection less that of a run of 1,000 is the cost of 10,000 requests.
# The small allocations are printed: OpenSSL 3.0's record layer makes a
# few of 40 bytes per record (its packet writer), served by glibc's
# per-thread cache. And an idle TLS connection still lets go of OpenSSL's
# record buffers.
. "${top_srcdir:-.}/tests/lib.sh"
if ldd "$GH" | grep -q 'lib[at]san\|libubsan'; then
	skip "a sanitizer build has its own allocator (no LD_PRELOAD shim)"
fi
cc -shared -fPIC -O2 -o "$TMP/malloc_count.so" \
    "$top_srcdir/tests/malloc_count.c" || fail "cannot build the shim"
start_backend web http

# requests PORT N: N keep-alive requests on one TLS connection, each
# answer read whole by its Content-Length.
requests() {
	python3 - "$1" "$2" <<'PY'
import socket, ssl, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
buf = b""
for i in range(n):
    s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            head = buf[:end].decode()
            cl = [int(l.split(":")[1]) for l in head.split("\r\n")
                  if l.lower().startswith("content-length:")][0]
            if len(buf) >= end + 4 + cl:
                assert head.startswith("HTTP/1.1 200"), head
                buf = buf[end + 4 + cl:]
                break
        d = s.recv(65536)
        if not d:
            sys.exit("closed after %d answers" % i)
        buf += d
s.close()
PY
}

# count MODE N: sets COUNT and BIG to gatehouse's allocations (all, and
# of 1 KiB or more) for a run with N requests.
count() {
	local port
	free_port port
	cat >"$TMP/gh.conf" <<CONF
global
    workers 1
defaults
    mode $1
frontend f
    bind 127.0.0.1:$port cert $CERTS/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$web_PORT
CONF
	rm -f "$TMP/count"
	MALLOC_COUNT_OUT=$TMP/count LD_PRELOAD=$TMP/malloc_count.so \
	    gh_spawn "$TMP/gh.log" -f "$TMP/gh.conf"
	gh_listening "$port" || fail "gatehouse did not start"
	requests "$port" "$2" || fail "$1: the requests failed"
	stop_gh
	[ -s "$TMP/count" ] || fail "$1: the shim wrote no count"
	read -r COUNT BIG <"$TMP/count"
}

for mode in http tcp; do
	count "$mode" 1000
	a=$COUNT abig=$BIG
	count "$mode" 11000
	echo "$mode: 10,000 keep-alive requests: $((COUNT - a)) allocations," \
	    "$((BIG - abig)) of 1 KiB or more"
	# A handful may come from elsewhere (a timer's work); one per
	# request or per record would be thousands.
	[ $((BIG - abig)) -lt 50 ] ||
	    fail "$mode: $((BIG - abig)) buffer allocations for 10,000 keep-alive requests"
done
echo "ok: no buffer allocated per request in mode http or tcp"

# Idle, OpenSSL's buffers go: 300 TLS connections that say nothing after
# their handshake hold less than 20 KiB each (with OpenSSL's buffers
# kept, one holds about 50).
free_port P
cat >"$TMP/gh.conf" <<CONF
global
    workers 1
frontend f
    bind 127.0.0.1:$P cert $CERTS/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$web_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$GH_PID/status"; }
before=$(rss)
python3 - "$P" "$TMP/idle.done" <<'PY' &
import os, socket, ssl, sys, time
port, done = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
conns = []
for i in range(300):
    conns.append(ctx.wrap_socket(socket.create_connection(
        ("127.0.0.1", port))))
open(done, "w").close()
time.sleep(8)
PY
IDLE=$!
wait_for test -e "$TMP/idle.done" || fail "idle connections not made"
gh_alive "with 300 idle connections"
sleep 1
per=$((($(rss) - before) / 300))
echo "idle: $per KiB per TLS connection"
[ "$per" -lt 20 ] || fail "$per KiB per idle TLS connection: buffers kept"
kill "$IDLE" 2>/dev/null
wait "$IDLE" 2>/dev/null
stop_gh
pass
