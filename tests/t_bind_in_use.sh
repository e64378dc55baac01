#!/bin/bash
# Covers: an address something else listens on stops the start with
# "bind ADDR: address already in use" and exit 1, whether that is another
# program (with or without SO_REUSEPORT, which gatehouse's own per-worker
# sockets use) or a second gatehouse; the first gatehouse keeps serving.
. "${top_srcdir:-.}/tests/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
start_backend echo echo

# hold PORT REUSEPORT: a foreign listener on 127.0.0.1:PORT for at most
# 60 s; sets HOLD_PID.
hold() {
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if sys.argv[2] == "1":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
time.sleep(60)
' "$1" "$2" &
	HOLD_PID=$!
	PIDS="$PIDS $HOLD_PID"
	wait_for listening "$1" || fail "the foreign listener did not start"
}

# refused PORT WHAT: gatehouse on 127.0.0.1:PORT exits 1 saying so.
refused() {
	timeout 20 "$GH" --workers 2 --bind "127.0.0.1:$1" \
	    --backend "127.0.0.1:$echo_PORT" 2>"$TMP/second.log"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$2: exit status $rc, not 1"
	grep -q "bind 127.0.0.1:$1: address already in use" "$TMP/second.log" ||
	    fail "$2: no 'bind ADDR: address already in use': $(cat "$TMP/second.log")"
	echo "ok: $2: exit 1, $(tail -n 1 "$TMP/second.log")"
}

for rp in 0 1; do
	free_port P
	hold "$P" "$rp"
	refused "$P" "another program listening (SO_REUSEPORT $rp)"
	kill "$HOLD_PID"
	wait "$HOLD_PID" 2>/dev/null
done

free_port P
start_gh "$P" --workers 2 --bind "127.0.0.1:$P" --backend "127.0.0.1:$echo_PORT"
refused "$P" "a second gatehouse"
kill -0 "$GH_PID" || fail "the first gatehouse is gone"
# Each of its worker sockets still takes connections: several tries.
for i in 1 2 3 4 5 6; do
	got=$(echo "hello $i" | client "127.0.0.1:$P")
	[ "$got" = "hello $i" ] || fail "the first gatehouse does not serve: '$got'"
done
echo "ok: the first gatehouse keeps serving"
stop_gh
[ "$GH_RC" -eq 0 ] || fail "the first gatehouse exited $GH_RC"
pass
