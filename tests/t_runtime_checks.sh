#!/bin/bash
# Covers: -c makes every check start makes short of binding, the same
# way: a maxconn that the open-file limit cannot give fails -c with exit
# 1 and the very message the start gives, and the start fails too.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
cat >"$TMP/gh.conf" <<CONF
global
    workers 2
    maxconn 100000
frontend f
    mode tcp
    bind 127.0.0.1:$P
    default-backend b
backend b
    mode tcp
    server s 127.0.0.1:$echo_PORT
CONF

# A process that may raise its hard limit (CAP_SYS_RESOURCE) would pass:
# drop that capability where it is held.
NOCAP=""
if ! (ulimit -Hn 1024 && ulimit -Hn 2048) 2>/dev/null; then
	:
elif command -v setpriv >/dev/null &&
    setpriv --inh-caps=-sys_resource --bounding-set=-sys_resource true \
    2>/dev/null; then
	NOCAP="setpriv --inh-caps=-sys_resource --bounding-set=-sys_resource"
	(ulimit -Hn 1024 && $NOCAP sh -c 'ulimit -Hn 2048') 2>/dev/null &&
	    { echo "SKIP: the hard open-file limit can be raised here"; exit 77; }
else
	echo "SKIP: the hard open-file limit can be raised here"
	exit 77
fi

(ulimit -Sn 1024 && ulimit -Hn 1024 && exec $NOCAP "$GH" -c -f "$TMP/gh.conf") \
    >"$TMP/check.out" 2>"$TMP/check.err"
rc=$?
[ "$rc" -eq 1 ] || fail "-c: exit status $rc, not 1 ($(cat "$TMP/check.out"))"
grep -q "maxconn 100000 needs [0-9]* open files, and the limit cannot be raised" \
    "$TMP/check.err" || fail "-c: not the open-file message: $(cat "$TMP/check.err")"
grep -q valid "$TMP/check.out" && fail "-c says valid"
echo "ok: -c: exit 1: $(cat "$TMP/check.err")"

(ulimit -Sn 1024 && ulimit -Hn 1024 &&
    exec timeout 20 $NOCAP "$GH" -f "$TMP/gh.conf") 2>"$TMP/gh.log"
rc=$?
[ "$rc" -eq 1 ] || fail "start: exit status $rc, not 1"
grep -qF "$(cat "$TMP/check.err")" "$TMP/gh.log" ||
    fail "start: not the message of -c: $(cat "$TMP/gh.log")"
listening "$P" && fail "something listens on $P"
echo "ok: start: exit 1 with the same message"

# Within the limit, it passes.
sed 's/maxconn 100000/maxconn 100/' "$TMP/gh.conf" >"$TMP/small.conf"
(ulimit -Sn 1024 && ulimit -Hn 1024 && exec $NOCAP "$GH" -c -f "$TMP/small.conf") \
    >"$TMP/check.out" 2>"$TMP/check.err" ||
    fail "-c within the limit: $(cat "$TMP/check.err")"
grep -q valid "$TMP/check.out" || fail "-c within the limit: not valid"
echo "ok: -c within the limit: valid"
pass
