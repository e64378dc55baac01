#!/bin/bash
# Covers: server names resolved by gatehouse's own asynchronous DNS,
# against a test DNS server (nameserver): at start, again every
# resolve-interval (new connections follow a changed answer), "localhost"
# from the hosts file; a name that does not resolve is a file:line
# configuration error, unless resolve-optional: then the server is down
# until its name resolves.
. "${top_srcdir:-.}/tests/lib.sh"
echo "web.test 127.0.0.1" >"$TMP/names"
python3 "$top_srcdir/tests/dns_server.py" "$TMP/names" >"$TMP/dns.out" 2>&1 &
PIDS="$PIDS $!"
wait_for grep -q '^ready' "$TMP/dns.out" || fail "the DNS server did not start"
DNS=$(awk '/^ready/ {print $2}' "$TMP/dns.out")
free_port X
start_backend one -a 127.0.0.1 -p "$X" echo
start_backend two -a 127.0.0.2 -p "$X" echo
free_port P1
free_port P2
free_port P3
cat >"$TMP/gh.conf" <<CONF
global
    nameserver 127.0.0.1:$DNS
    resolve-interval 1s
frontend web
    bind 127.0.0.1:$P1
    default-backend web
frontend local
    bind 127.0.0.1:$P2
    default-backend local
frontend later
    bind 127.0.0.1:$P3
    default-backend later
backend web
    server s web.test:$X
backend local
    server s localhost:$X
backend later
    server s later.test:$X resolve-optional
CONF

# A name that does not resolve: an error at check and at start, with
# the file and line of its server.
sed 's/later.test:\([0-9]*\) resolve-optional/later.test:\1/' "$TMP/gh.conf" >"$TMP/bad.conf"
line=$(grep -n "later.test" "$TMP/bad.conf" | cut -d: -f1)
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "an unresolvable name was accepted"
grep -q "bad.conf:$line: server s: cannot resolve 'later.test'" "$TMP/bad.out" ||
	fail "unresolvable name: $(cat "$TMP/bad.out")"
"$GH" -f "$TMP/bad.conf" >"$TMP/bad.run" 2>&1 && fail "started with an unresolvable name"
grep -q "bad.conf:$line: server s: cannot resolve 'later.test'" "$TMP/bad.run" ||
	fail "unresolvable name at start: $(cat "$TMP/bad.run")"
# The same on the command line, which has no line to name.
free_port PC
"$GH" --bind "127.0.0.1:$PC" --backend nowhere.invalid:1 >"$TMP/cli.out" 2>&1 &&
	fail "started with an unresolvable --backend"
grep -q "(command line): server s1: cannot resolve 'nowhere.invalid'" "$TMP/cli.out" ||
	fail "unresolvable --backend: $(cat "$TMP/cli.out")"
echo "ok: an unresolvable name is a configuration error"

start_gh "$P1" -f "$TMP/gh.conf"
grep -q "server later/s is DOWN (no address" "$TMP/gh.log" ||
	fail "the resolve-optional server is not down"

# echo_via PORT: sends a line through gatehouse; prints what came back.
echo_via() {
	echo "ping $1" | client "127.0.0.1:$1"
}
[ "$(echo_via "$P1")" = "ping $P1" ] || fail "through web.test"
[ "$(wc -l <"$TMP/one.conns")" -eq 1 ] || fail "web.test did not reach 127.0.0.1"
[ "$(echo_via "$P2")" = "ping $P2" ] || fail "through localhost"
[ "$(echo_via "$P3")" = "" ] || fail "a server without an address was used"
echo "ok: resolved at start"

# The answer changes: within a few intervals, new connections follow.
echo "web.test 127.0.0.2" >"$TMP/names"
echo "later.test 127.0.0.1" >>"$TMP/names"
wait_for grep -q "server web/s: web.test now resolves to 127.0.0.2" "$TMP/gh.log" ||
	fail "the new answer was not taken"
[ "$(echo_via "$P1")" = "ping $P1" ] || fail "through web.test after the change"
[ "$(wc -l <"$TMP/two.conns")" -eq 1 ] || fail "web.test did not reach 127.0.0.2"
echo "ok: re-resolved"
wait_for grep -q "server later/s is UP (resolved)" "$TMP/gh.log" ||
	fail "the resolve-optional server did not come up"
[ "$(echo_via "$P3")" = "ping $P3" ] || fail "through later.test once resolved"
echo "ok: resolve-optional server up once its name resolves"

# The name disappears: the last address is kept, and said once.
: >"$TMP/names"
wait_for grep -q "server web/s: cannot resolve 'web.test'.*keeping its last address" "$TMP/gh.log" ||
	fail "a failed re-resolution was not logged"
[ "$(echo_via "$P1")" = "ping $P1" ] || fail "the last address was not kept"
sleep 2
[ "$(grep -c "cannot resolve 'web.test'" "$TMP/gh.log")" -eq 1 ] || fail "the failure was logged more than once"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
