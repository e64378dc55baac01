#!/bin/bash
# Covers: SIGTERM while a transfer is in progress: new connections are
# refused at once, the transfer completes intact, and gatehouse exits 0.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend src source 52428800
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --cert "$CERTS/server.pem" \
    --backend "127.0.0.1:$src_PORT"
# A reader limited to 10 MB/s: the 50 MB transfer takes about 5 s.
client "127.0.0.1:$P" -t -s 10000000 </dev/null >"$TMP/got" &
reader=$!
PIDS="$PIDS $reader"
wait_for grep -q . "$TMP/got" || fail "transfer did not start"
sleep 0.5
kill -TERM "$GH_PID"
wait_for grep -q "stopping" "$TMP/gh.log" || fail "SIGTERM not taken"
! port_open 127.0.0.1 "$P" || fail "new connections still accepted"
echo "ok: new connections refused while draining"
wait "$reader" || fail "the transfer in progress failed"
[ "$(sha256sum <"$TMP/got")" = "$("$GHB" gen 52428800 | sha256sum)" ] ||
    fail "the transfer in progress was cut or corrupted"
echo "ok: the transfer in progress completed intact"
wait_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
echo "ok: exit status 0"
pass
