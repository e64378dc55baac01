#!/bin/bash
# Covers: the command line: usage and exit statuses, -c on one-liners and
# files (file:line on errors), --dump-config that -c accepts back, -V, -h;
# two binds on one address refused by -c and at start with both positions;
# keywords without effect in mode tcp warned about by -c and at start.
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
free_port P
printf 'frontend f\n    bind 127.0.0.1:%s\n    default-backend b\nfrontend g\n    bind *:%s\n    default-backend b\nbackend b\n    server s 127.0.0.1:2\n' "$P" "$P" >"$TMP/dup.conf"
want="$TMP/dup.conf:5: bind *:$P: address already used by $TMP/dup.conf:2"
"$GH" -c -f "$TMP/dup.conf" >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] || fail "-c on a duplicate address: exit status is not 1"
[ "$(cat "$TMP/err")" = "$want" ] || fail "-c on a duplicate address: $(cat "$TMP/err")"
"$GH" -f "$TMP/dup.conf" >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] || fail "start on a duplicate address: exit status is not 1"
[ "$(cat "$TMP/err")" = "$want" ] || fail "start on a duplicate address: $(cat "$TMP/err")"
listening "$P" && fail "start on a duplicate address: something listens"
echo "ok: duplicate address: $want"
start_backend be echo
printf 'frontend f\n    bind 127.0.0.1:%s\n    timeout http-request 5s\n    default-backend b\nbackend b\n    keepalive-pool 4\n    server s 127.0.0.1:%s\n' "$P" "$be_PORT" >"$TMP/warn.conf"
"$GH" -c -f "$TMP/warn.conf" >"$TMP/out" 2>"$TMP/err" ||
    fail "-c with warnings: exit status is not 0: $(cat "$TMP/err")"
grep -q "valid" "$TMP/out" || fail "-c with warnings: not valid"
grep -qx "$TMP/warn.conf:3: warning: timeout http-request has no effect in mode tcp" "$TMP/err" ||
    fail "-c: no warning for timeout http-request: $(cat "$TMP/err")"
grep -qx "$TMP/warn.conf:6: warning: keepalive-pool has no effect in mode tcp" "$TMP/err" ||
    fail "-c: no warning for keepalive-pool: $(cat "$TMP/err")"
start_gh "$P" -f "$TMP/warn.conf"
grep -q "$TMP/warn.conf:6: warning: keepalive-pool has no effect in mode tcp" "$TMP/gh.log" ||
    fail "start: no warning: $(cat "$TMP/gh.log")"
stop_gh
echo "ok: mode tcp warnings on -c and at start"
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
