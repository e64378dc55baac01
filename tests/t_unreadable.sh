#!/bin/bash
# Covers: an ocsp-response file that exists but cannot be read (mode 000)
# stops the start, and -c, naming the file. Skipped (exit 77) when run as
# root, who reads a mode 000 file all the same.
. "${top_srcdir:-.}/tests/lib.sh"
[ "$(id -u)" -ne 0 ] || skip "run as root, who can read a mode 000 file"
free_port PA
O=$CERTS/ocsp
cp "$O/server.pem" "$TMP/explicit.pem"
cp "$O/server.pem.ocsp" "$TMP/noread.der"
chmod 000 "$TMP/noread.der"
cat >"$TMP/noread.conf" <<CONF
frontend f
    bind 127.0.0.1:$PA cert $TMP/explicit.pem ocsp-response $TMP/noread.der
    default-backend b
backend b
    server s 127.0.0.1:1
CONF
want="cannot read ocsp-response '$TMP/noread.der'"
timeout 10 "$GH" -f "$TMP/noread.conf" >"$TMP/run.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1: $(cat "$TMP/run.out")"
grep -qF "$want" "$TMP/run.out" || fail "said '$(cat "$TMP/run.out")', want '$want'"
timeout 10 "$GH" -c -f "$TMP/noread.conf" >"$TMP/c.out" 2>&1 && fail "-c accepted it"
grep -qF "$want" "$TMP/c.out" || fail "-c said '$(cat "$TMP/c.out")', want '$want'"
echo "ok: an unreadable ocsp-response is refused: $want"
pass
