#!/bin/bash
# Covers: session tickets across processes. Two gatehouse processes with
# the same tls-ticket-keys file resume each other's sessions (TLS 1.3 and
# TLS 1.2 tickets); a new key put first in the file and SIGHUP: tickets of
# the old key still resume, and once the old key is gone from the file
# they do not; random keys (no file) are not shared and rotate with
# tls-ticket-period; tls-ticket-secret: two processes resume each other's
# sessions, one whose clock is an hour (one period) ahead does too, one
# with another secret does not; bad key and secret files are start errors.
. "${top_srcdir:-.}/tests/lib.sh"
FAKETIME_LIB=$(dpkg -L libfaketime 2>/dev/null | grep 'libfaketimeMT.so.1$')
[ -n "$FAKETIME_LIB" ] || fail "libfaketime is not installed (package faketime)"
start_backend echo echo

key() { openssl rand 80 | base64 -w 0; echo; }
key >"$TMP/k1"
key >"$TMP/k2"
cp "$TMP/k1" "$TMP/keys"
openssl rand -base64 48 >"$TMP/secret"
openssl rand -base64 48 >"$TMP/secret2"

# conf PORT GLOBAL-LINE: a configuration with a TLS bind on PORT.
conf() {
	cat <<CONF
global
    $2
frontend f
    bind 127.0.0.1:$1 cert $CERTS/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
}
# run NAME PORT GLOBAL-LINE [faketime offset]: starts a gatehouse; sets
# NAME (its pid).
run() {
	conf "$2" "$3" >"$TMP/$1.conf"
	if [ -n "${4:-}" ]; then
		# The library, not the faketime command: that one would
		# stand between us and gatehouse's pid.
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		    LD_PRELOAD=$FAKETIME_LIB FAKETIME=$4 \
		    FAKETIME_DONT_FAKE_MONOTONIC=1 \
		    gh_spawn "$TMP/$1.log" -f "$TMP/$1.conf"
	else
		gh_spawn "$TMP/$1.log" -f "$TMP/$1.conf"
	fi
	eval "$1=$GH_PID"
	gh_listening "$2" || fail "gatehouse $1 did not start: $(cat "$TMP/$1.log")"
}
# ticket PORT [s_client options]: a new session from PORT into $TMP/sess.
ticket() {
	local port=$1
	shift
	rm -f "$TMP/sess"
	# TLS 1.3 tickets come after the handshake: stay a moment for them.
	sleep 0.5 | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -sess_out "$TMP/sess" "$@" >/dev/null 2>&1
	[ -s "$TMP/sess" ] || fail "no session from port $port"
}
# resumes PORT [s_client options]: whether $TMP/sess resumes on PORT.
resumes() {
	local port=$1
	shift
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -sess_in "$TMP/sess" "$@" 2>/dev/null | grep -q '^Reused,'
}

free_port PA
free_port PB
run A "$PA" "tls-ticket-keys $TMP/keys"
run B "$PB" "tls-ticket-keys $TMP/keys"
for v in -tls1_3 -tls1_2; do
	ticket "$PA" $v
	resumes "$PB" $v || fail "$v: B does not resume A's ticket"
	ticket "$PB" $v
	resumes "$PA" $v || fail "$v: A does not resume B's ticket"
done
echo "ok: a shared key file resumes across processes"

ticket "$PA"
cat "$TMP/k2" "$TMP/k1" >"$TMP/keys"
kill -HUP "$B"
wait_for grep -q "SIGHUP: reloaded the TLS files of 1 bind" "$TMP/B.log" ||
	fail "no reload: $(cat "$TMP/B.log")"
resumes "$PB" || fail "a ticket of the second key no longer resumes"
# B encrypts with k2 now: A (k1 only) cannot read its tickets.
ticket "$PB"
! resumes "$PA" || fail "A resumed a ticket of a key it does not have"
ticket "$PA"
cp "$TMP/k2" "$TMP/keys"
kill -HUP "$B"
wait_for sh -c "[ \$(grep -c 'SIGHUP: reloaded' '$TMP/B.log') -ge 2 ]" || fail "no second reload"
! resumes "$PB" || fail "a ticket of a removed key still resumes"
echo "ok: rotation by key file and SIGHUP"

# A broken file on reload: the keys in use stay, the reason is logged.
echo "not base64!" >"$TMP/keys"
kill -HUP "$B"
wait_for grep -q "reload: $TMP/keys: line 1: not base64; bind 127.0.0.1:$PB keeps what it had" "$TMP/B.log" ||
	fail "bad key file on reload: $(cat "$TMP/B.log")"
cp "$TMP/k2" "$TMP/keys"
ticket "$PB"
resumes "$PB" || fail "B lost its keys to a bad file"
stop_gh "$A" "$B"

# Random keys: not shared, and gone after rotations.
free_port PC
free_port PD
run C "$PC" "tls-ticket-period 1s"
run D "$PD" "workers 1"
ticket "$PC"
resumes "$PC" || fail "random keys: no resumption"
! resumes "$PD" || fail "random keys shared between processes"
sleep 4.5
! resumes "$PC" || fail "a random key still decrypts after 4 periods of 1s"
echo "ok: random keys, rotated"
stop_gh "$C" "$D"

# A fleet secret: same secret, one process an hour (its period) ahead.
free_port PE
free_port PF
free_port PG
free_port PH
run E "$PE" "tls-ticket-secret $TMP/secret"
run F "$PF" "tls-ticket-secret $TMP/secret"
run G "$PG" "tls-ticket-secret $TMP/secret" +1h
run H "$PH" "tls-ticket-secret $TMP/secret2"
for v in -tls1_3 -tls1_2; do
	ticket "$PE" $v
	resumes "$PF" $v || fail "$v: same secret, no resumption"
	resumes "$PG" $v || fail "$v: a clock one period ahead does not resume"
	! resumes "$PH" $v || fail "$v: another secret resumed"
	ticket "$PG" $v
	resumes "$PE" $v || fail "$v: a ticket of the next period is refused"
done
echo "ok: fleet secret"
stop_gh "$E" "$F" "$G" "$H"

# Bad files, said at start with the file.
conf "$PA" "tls-ticket-keys $TMP/nope" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "a missing key file was accepted"
grep -q "bad.conf:4: bind '127.0.0.1:$PA': cannot read tls-ticket-keys '$TMP/nope'" "$TMP/bad.out" ||
	fail "missing key file: $(cat "$TMP/bad.out")"
printf '%s\n' "$(openssl rand 40 | base64 -w 0)" >"$TMP/short"
conf "$PA" "tls-ticket-keys $TMP/short" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "a 40-byte key was accepted"
grep -q "bind 127.0.0.1:$PA: $TMP/short: line 1: a key is 48 or 80 bytes" "$TMP/bad.out" ||
	fail "short key: $(cat "$TMP/bad.out")"
echo "short" >"$TMP/short"
conf "$PA" "tls-ticket-secret $TMP/short" >"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "a short secret was accepted"
grep -q "$TMP/short: a secret needs 32 bytes at least, this one has 5" "$TMP/bad.out" ||
	fail "short secret: $(cat "$TMP/bad.out")"
printf 'global\n    tls-ticket-keys %s\n    tls-ticket-secret %s\n' "$TMP/k1" "$TMP/secret" >"$TMP/bad.conf"
conf "$PA" "workers 1" | sed 1d >>"$TMP/bad.conf"
"$GH" -c -f "$TMP/bad.conf" >"$TMP/bad.out" 2>&1 && fail "keys and secret together were accepted"
grep -q "tls-ticket-keys and tls-ticket-secret exclude each other" "$TMP/bad.out" ||
	fail "keys and secret: $(cat "$TMP/bad.out")"
echo "ok: bad files"
pass
