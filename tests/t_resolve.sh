#!/bin/bash
# Covers: server names resolved by gatehouse's own asynchronous DNS,
# against a test DNS server (nameserver): at start, again every
# resolve-interval (new connections follow a changed answer; a failure
# keeps the last address and is said once, and so is the recovery),
# /etc/hosts read beside the name servers ("localhost", and another name
# of the file when it has one), "localhost" without any nameserver line
# (resolv.conf); a name that does not resolve is a file:line
# configuration error, unless resolve-optional: then the server is down
# until its name resolves, and a checked one is brought up by its check.
. "${top_srcdir:-.}/tests/lib.sh"
printf 'web.test 127.0.0.1\nrr.test 127.0.0.1\nrr.test 127.0.0.2\n' >"$TMP/names"
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
free_port P4
free_port P5
free_port P6
# A name of /etc/hosts other than localhost, for 127.0.0.1, if any: the
# test DNS server does not know it, so only the hosts file can answer.
HOSTNAME_IN_HOSTS=$(awk '$1 == "127.0.0.1" { for (i = 2; i <= NF; i++)
	if ($i !~ /^localhost/ && $i ~ /^[A-Za-z0-9.-]+$/) { print $i; exit } }' /etc/hosts 2>/dev/null)
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
frontend checked
    bind 127.0.0.1:$P4
    default-backend checked
frontend hosts
    bind 127.0.0.1:$P5
    default-backend hosts
frontend rr
    bind 127.0.0.1:$P6
    default-backend rr
backend web
    server s web.test:$X
backend local
    server s localhost:$X
backend later
    server s later.test:$X resolve-optional
backend checked
    check interval 300ms rise 2
    server s checked.test:$X resolve-optional check
backend hosts
    server s ${HOSTNAME_IN_HOSTS:-localhost}:$X
backend rr
    server s rr.test:$X
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

# "localhost" without a nameserver line: evdns reads resolv.conf and the
# hosts file, which answers first (so the name servers of resolv.conf,
# maybe unreachable here, are never asked).
"$GH" -c --bind "127.0.0.1:$PC" --backend "localhost:$X" >"$TMP/lh.out" 2>&1 ||
	fail "localhost without a nameserver: $(cat "$TMP/lh.out")"
gh_spawn "$TMP/lh.log" --bind "127.0.0.1:$PC" --backend "localhost:$X"
LH_PID=$GH_PID
gh_listening "$PC" || fail "gatehouse --backend localhost did not start: $(cat "$TMP/lh.log")"
[ "$(echo "ping lh" | client "127.0.0.1:$PC")" = "ping lh" ] ||
	fail "through --backend localhost"
stop_gh "$LH_PID"
echo "ok: localhost from the hosts file, without a nameserver line"
: >"$TMP/one.conns"

start_gh "$P1" -f "$TMP/gh.conf"
grep -q "server later/s is DOWN (no address" "$TMP/gh.log" ||
	fail "the resolve-optional server is not down"
grep -q "server later/s: cannot resolve 'later.test': no such name; down until it does" "$TMP/gh.log" ||
	fail "the resolve-optional server's name was not said"

# echo_via PORT: sends a line through gatehouse; prints what came back.
echo_via() {
	echo "ping $1" | client "127.0.0.1:$1"
}
[ "$(echo_via "$P1")" = "ping $P1" ] || fail "through web.test"
[ "$(wc -l <"$TMP/one.conns")" -eq 1 ] || fail "web.test did not reach 127.0.0.1"
[ "$(echo_via "$P2")" = "ping $P2" ] || fail "through localhost"
# No server: closed at once, maybe reset (what was sent is unread).
[ "$(echo_via "$P3" 2>/dev/null)" = "" ] || fail "a server without an address was used"
[ "$(echo_via "$P4" 2>/dev/null)" = "" ] || fail "a checked server without an address was used"
[ "$(echo_via "$P5")" = "ping $P5" ] ||
	fail "through ${HOSTNAME_IN_HOSTS:-localhost} (hosts file)"
echo "ok: resolved at start (hosts file: ${HOSTNAME_IN_HOSTS:-localhost only})"
[ "$(echo_via "$P6")" = "ping $P6" ] || fail "through rr.test"
# A name that stays unresolved is not said again at each interval, and a
# server keeps its address while the rotating answers still hold it.
sleep 2.5
[ "$(grep -c "cannot resolve 'later.test'" "$TMP/gh.log")" -eq 1 ] ||
	fail "an unresolved resolve-optional name was said again"
[ "$(grep -c "query rr.test type 1" "$TMP/dns.out")" -ge 2 ] ||
	fail "rr.test was not asked again"
grep -q "rr.test now resolves" "$TMP/gh.log" &&
	fail "a server moved to another address of the same answer"
echo "ok: no move among the addresses of a rotating answer"

# The answer changes: within a few intervals, new connections follow.
printf 'web.test 127.0.0.2\nlater.test 127.0.0.1\nchecked.test 127.0.0.1\n' >"$TMP/names"
wait_for grep -q "server web/s: web.test now resolves to 127.0.0.2" "$TMP/gh.log" ||
	fail "the new answer was not taken"
[ "$(echo_via "$P1")" = "ping $P1" ] || fail "through web.test after the change"
[ "$(wc -l <"$TMP/two.conns")" -eq 1 ] || fail "web.test did not reach 127.0.0.2"
echo "ok: re-resolved"
wait_for grep -q "server later/s is UP (resolved)" "$TMP/gh.log" ||
	fail "the resolve-optional server did not come up"
[ "$(echo_via "$P3")" = "ping $P3" ] || fail "through later.test once resolved"
echo "ok: resolve-optional server up once its name resolves"
wait_for grep -q "server checked/s is UP (check: 2 passed in a row)" "$TMP/gh.log" ||
	fail "the checked resolve-optional server was not brought up by its check"
grep -q "server checked/s is UP (resolved)" "$TMP/gh.log" &&
	fail "a checked server came up on its address alone"
[ "$(echo_via "$P4")" = "ping $P4" ] || fail "through checked.test once up"
echo "ok: a checked resolve-optional server is brought up by its check"

# The name disappears: the last address is kept, and said once.
: >"$TMP/names"
wait_for grep -q "server web/s: cannot resolve 'web.test': no such name; keeping its last address" "$TMP/gh.log" ||
	fail "a failed re-resolution was not logged"
[ "$(echo_via "$P1")" = "ping $P1" ] || fail "the last address was not kept"
sleep 2
[ "$(grep -c "cannot resolve 'web.test'" "$TMP/gh.log")" -eq 1 ] || fail "the failure was logged more than once"
grep -q "server web/s is DOWN" "$TMP/gh.log" && fail "a failed re-resolution took the server down"
# It comes back with the same answer: said once too.
echo "web.test 127.0.0.2" >"$TMP/names"
wait_for grep -q "server web/s: web.test resolves again, to 127.0.0.2" "$TMP/gh.log" ||
	fail "the recovery was not logged"
echo "ok: a failure keeps the last address"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
