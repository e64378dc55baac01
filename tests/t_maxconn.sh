#!/bin/bash
# Covers: global maxconn. With two connections open and maxconn 2, a third
# is not served until one closes (it waits in the backlog, not dropped),
# and gatehouse does not spin meanwhile.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
cat >"$TMP/gh.conf" <<CONF
global
    maxconn 2
    workers 1
frontend f
    bind 127.0.0.1:$P
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
mkfifo "$TMP/f1" "$TMP/f2" "$TMP/f3"
# holder N LINE: a client that sends LINE, then keeps its connection open
# until this shell closes its descriptor N + 4, the writer of fifo fN.
holder() {
	{ (echo "$2"; cat "$TMP/f$1") | client "127.0.0.1:$P" >"$TMP/f$1.out"; } \
	    5>&- 6>&- 7>&- &
	PIDS="$PIDS $!"
	eval "exec $(($1 + 4))>\"\$TMP/f$1\""
}
holder 1 one
holder 2 two
wait_for grep -q one "$TMP/f1.out" || fail "first connection not served"
wait_for grep -q two "$TMP/f2.out" || fail "second connection not served"
holder 3 three
cpu0=$(awk '{print $14 + $15}' "/proc/$GH_PID/stat")
sleep 2
cpu1=$(awk '{print $14 + $15}' "/proc/$GH_PID/stat")
[ -s "$TMP/f3.out" ] && fail "third connection served above maxconn"
echo "ok: third connection waits while two are open"
[ $((cpu1 - cpu0)) -lt 20 ] || fail "gatehouse used $((cpu1 - cpu0)) ticks while paused"
echo "ok: no spinning while paused ($((cpu1 - cpu0)) ticks in 2 s)"
exec 5>&-
wait_for grep -q three "$TMP/f3.out" || fail "third connection never served"
echo "ok: third connection served once a slot freed"
exec 6>&- 7>&-
stop_gh
pass
