#!/bin/bash
# Covers: mode tcp on a plain IPv6 bind ([::1]) beside an IPv4 one, both
# directions exact over IPv6. Skipped (exit 77) where ::1 cannot be bound.
. "${top_srcdir:-.}/tests/lib.sh"
have_ipv6 || skip "no ::1 here (IPv6 loopback absent or disabled)"
start_backend echo echo
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --bind "[::1]:$P" \
    --backend "127.0.0.1:$echo_PORT"
port_open ::1 "$P" || fail "[::1]:$P does not accept"
head -c 3000000 /dev/urandom >"$TMP/in"
want=$(sha256sum <"$TMP/in")
got=$(client "[::1]:$P" <"$TMP/in" | sha256sum)
[ "$got" = "$want" ] || fail "plain echo over IPv6 differs"
echo "ok: 3 MB echoed exactly over IPv6"
wait_for grep -q "fe=main be=main/s1 in=3000000 out=3000000" "$TMP/gh.log" ||
    fail "log line lacks the byte counts"
stop_gh
pass
