#!/bin/bash
# Covers: SIGHUP with a bind whose certificate file is bad: the bind keeps
# what it had, its ticket keys too (a new key file is not taken while the
# certificate is refused), and a later SIGHUP with good files takes both.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo

key() { openssl rand 80 | base64 -w 0; echo; }
key >"$TMP/k1"
key >"$TMP/k2"
cp "$TMP/k1" "$TMP/keys"
cp "$CERTS/server.pem" "$TMP/server.pem"

free_port P
cat >"$TMP/gh.conf" <<CONF
global
    tls-ticket-keys $TMP/keys
frontend f
    bind 127.0.0.1:$P cert $TMP/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"

# ticket: a new session into $TMP/sess; resumes: whether it resumes.
ticket() {
	rm -f "$TMP/sess"
	sleep 0.5 | timeout 10 openssl s_client -connect "127.0.0.1:$P" \
	    -sess_out "$TMP/sess" >/dev/null 2>&1
	[ -s "$TMP/sess" ] || fail "no session"
}
resumes() {
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" \
	    -sess_in "$TMP/sess" 2>/dev/null | grep -q '^Reused,'
}

ticket
resumes || fail "no resumption to start with"
# A new key file (k1 gone) and a broken certificate, then SIGHUP.
cp "$TMP/k2" "$TMP/keys"
echo "not a certificate" >"$TMP/server.pem"
kill -HUP "$GH_PID"
wait_for grep -q "reload: .*; bind 127.0.0.1:$P keeps what it had" "$TMP/gh.log" ||
	fail "no refusal logged"
grep -q "reload: $TMP/keys" "$TMP/gh.log" && fail "the key file was blamed"
resumes || fail "a bind that keeps what it had lost its ticket keys"
echo "ok: a bad certificate keeps the old ticket keys"

# Good files again: both are taken.
cp "$CERTS/server.pem" "$TMP/server.pem"
kill -HUP "$GH_PID"
wait_for grep -q "SIGHUP: reloaded the TLS files of 1 bind(s)$" "$TMP/gh.log" ||
	fail "no good reload: $(cat "$TMP/gh.log")"
! resumes || fail "a ticket of a removed key still resumes"
ticket
resumes || fail "no resumption with the new key"
echo "ok: good files take the new keys"
stop_gh
pass
