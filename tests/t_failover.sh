#!/bin/bash
# Covers: round robin over two servers; a refusing first server is skipped
# for the second one, with none of the client's bytes lost.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend a echo
start_backend b echo
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --backend "127.0.0.1:$a_PORT" \
    --backend "127.0.0.1:$b_PORT" --workers 1
for i in 1 2 3 4; do
	[ "$(echo "req $i" | client "127.0.0.1:$P")" = "req $i" ] ||
	    fail "request $i not echoed"
done
na=$(wc -l <"$TMP/a.conns")
nb=$(wc -l <"$TMP/b.conns")
[ "$na" -eq 2 ] && [ "$nb" -eq 2 ] || fail "round robin gave a=$na b=$nb"
echo "ok: round robin alternates (a=$na b=$nb)"
kill "$a_PID"
wait "$a_PID" 2>/dev/null
for i in 1 2 3 4; do
	[ "$(echo "after $i" | client "127.0.0.1:$P")" = "after $i" ] ||
	    fail "request $i after the first server died was lost"
done
nb=$(wc -l <"$TMP/b.conns")
[ "$nb" -eq 6 ] || fail "second server got $nb connections, want 6"
grep -q "failed: Connection refused" "$TMP/gh.log" ||
    fail "the failed attempts are not logged"
echo "ok: every connection failed over to the second server"
stop_gh
pass
