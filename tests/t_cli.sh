#!/bin/bash
# Covers: the command line: usage and exit statuses, -c on one-liners and
# files (file:line on errors), --dump-config that -c accepts back, -V, -h.
. "${top_srcdir:-.}/tests/lib.sh"
"$GH" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] || fail "no arguments: exit status is not 2"
grep -q "usage:" "$TMP/err" || fail "no arguments: no usage on stderr"
[ -s "$TMP/out" ] && fail "no arguments: something on stdout"
echo "ok: no arguments: usage on stderr, exit 2"
"$GH" --frobnicate 2>"$TMP/err"
[ $? -eq 2 ] || fail "unknown option: exit status is not 2"
grep -q "frobnicate" "$TMP/err" || fail "unknown option not named"
echo "ok: unknown option: exit 2"
"$GH" -h >"$TMP/out" || fail "-h failed"
grep -q -- "--backend" "$TMP/out" || fail "-h does not list --backend"
"$GH" -V | grep -q "^gatehouse [0-9]" || fail "-V"
echo "ok: -h and -V"
"$GH" -c --bind 127.0.0.1:1 --backend 127.0.0.1:2 >/dev/null ||
    fail "-c on a good one-liner"
"$GH" -c --bind 127.0.0.1:x --backend 127.0.0.1:2 2>"$TMP/err"
[ $? -eq 1 ] || fail "-c on a bad address: exit status is not 1"
grep -q -- "--bind" "$TMP/err" || fail "bad address: option not named"
echo "ok: -c on one-liners"
printf 'frontend f\n    bind 127.0.0.1:1\n    default-backend b\nbackend b\n    sever s 127.0.0.1:2\n' >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" 2>"$TMP/err"
[ $? -eq 1 ] || fail "-c on a bad file: exit status is not 1"
grep -q "^$TMP/bad.conf:5: " "$TMP/err" || fail "no file:line: $(cat "$TMP/err")"
echo "ok: -c on a bad file: $(cat "$TMP/err")"
"$GH" --dump-config --bind '*:8443' --cert "$CERTS/server.pem" \
    --backend 127.0.0.1:8080 --backend '[::1]:8081' >"$TMP/dump.conf" ||
    fail "--dump-config failed"
"$GH" -c -f "$TMP/dump.conf" >/dev/null || fail "the dump does not check"
grep -q workers "$TMP/dump.conf" && fail "the dump fixes this machine's CPU count"
"$GH" --dump-config -f "$TMP/dump.conf" | cmp -s - "$TMP/dump.conf" ||
    fail "dumping the dump changes it"
echo "ok: --dump-config round trip"
openssl rand -base64 48 >"$TMP/secret"
for ex in "$top_srcdir"/examples/*.conf; do
	[ -f "$ex" ] || continue
	sed "s|/etc/gatehouse/[^ ]*\.pem|$CERTS/server.pem|g
	    s|/etc/gatehouse/[^ ]*\.crl|$CERTS/crl.pem|g
	    s|/etc/gatehouse/ticket-secret|$TMP/secret|g" "$ex" >"$TMP/ex.conf"
	"$GH" -c -f "$TMP/ex.conf" >/dev/null || fail "$ex does not check"
	echo "ok: $(basename "$ex") checks"
done
pass
