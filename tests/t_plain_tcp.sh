#!/bin/bash
# Covers: mode tcp on a plain bind (splice path), both directions exact,
# on IPv4 (IPv6: t_plain_tcp6.sh).
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
start_backend sink sink
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --backend "127.0.0.1:$echo_PORT"
head -c 3000000 /dev/urandom >"$TMP/in"
want=$(sha256sum <"$TMP/in")
got=$(client "127.0.0.1:$P" <"$TMP/in" | sha256sum)
[ "$got" = "$want" ] || fail "plain echo over IPv4 differs"
echo "ok: 3 MB echoed exactly over IPv4"
wait_for grep -q "fe=main be=main/s1 in=3000000 out=3000000" "$TMP/gh.log" ||
    fail "log line lacks the byte counts"
echo "ok: log line counts the bytes"
stop_gh
pass
