#!/bin/bash
# Covers: a client that connects to a TLS bind and says nothing is dropped
# at the handshake timeout, and the log says so; others are unaffected.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
start_gh_tls "$P" "$echo_PORT" 1s
start=$(date +%s%N)
# A silent client: holds the connection open and waits for the close.
timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P; cat <&3 >/dev/null"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
gh_alive "after the silent client"
[ "$ms" -lt 8000 ] || fail "silent client held for $ms ms"
[ "$ms" -ge 900 ] || fail "silent client dropped too early ($ms ms)"
echo "ok: silent client dropped after $ms ms"
wait_for grep -q "TLS handshake failed: handshake timeout" "$TMP/gh.log" ||
    fail "no handshake timeout in the log"
[ "$(echo ok | client "127.0.0.1:$P" -t)" = "ok" ] || fail "service broken"
echo "ok: normal clients still served"
stop_gh
pass
