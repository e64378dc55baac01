#!/bin/bash
# Covers: with its only server refusing connections, a client is closed
# promptly (TLS and plain), the log says why, and gatehouse keeps serving.
. "${top_srcdir:-.}/tests/lib.sh"
free_port DEAD
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --backend "127.0.0.1:$DEAD"
start=$(date +%s%N)
out=$(echo hello | client "127.0.0.1:$P")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
gh_alive "after the client to a dead backend"
[ -z "$out" ] || fail "got an answer from a dead backend: $out"
[ "$ms" -lt 3000 ] || fail "closing took $ms ms"
echo "ok: client closed after $ms ms"
wait_for grep -q "connect to 127.0.0.1:$DEAD failed: Connection refused" \
    "$TMP/gh.log" || fail "log does not say the connect was refused"
grep -q "end=connect-refused" "$TMP/gh.log" || fail "no end=connect-refused"
echo "ok: the log says the connect was refused"
gh_alive
start_backend echo echo
stop_gh
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --cert "$CERTS/server.pem" \
    --backend "127.0.0.1:$DEAD"
out=$(echo hello | client "127.0.0.1:$P" -t 2>/dev/null)
gh_alive "after the TLS client to a dead backend"
[ -z "$out" ] || fail "got an answer through TLS from a dead backend"
echo "ok: TLS client closed too"
stop_gh
pass
