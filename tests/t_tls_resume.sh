#!/bin/bash
# Covers: resumption. TLS 1.3 by ticket; TLS 1.2 without tickets by
# session id from the cache every worker thread shares (two workers,
# several connections: every one resumes), also after connections that
# ended without a close_notify; tls-session-cache 0 turns it off.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
free_port P0
cat >"$TMP/gh.conf" <<CONF
global
    workers 2
frontend f
    bind 127.0.0.1:$P cert $CERTS/server.pem crt-dir $CERTS/sni
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
sed "s/workers 2/workers 2\n    tls-session-cache 0/; s/:$P /:$P0 /" "$TMP/gh.conf" >"$TMP/gh0.conf"
start_gh "$P" -f "$TMP/gh.conf"
GH1=$GH_PID

# resumed PORT N ARGS: how many of N reconnections with the first
# connection's session were resumed.
resumed() {
	local port=$1 n=$2 i k=0
	shift 2
	rm -f "$TMP/sess"
	# TLS 1.3 tickets come after the handshake: stay a moment for them.
	sleep 0.5 | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -sess_out "$TMP/sess" "$@" >/dev/null 2>&1
	for i in $(seq 1 "$n"); do
		echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
		    -sess_in "$TMP/sess" "$@" 2>/dev/null | grep -q '^Reused,' &&
		    k=$((k + 1))
	done
	echo "$k"
}
[ "$(resumed "$P" 6 -tls1_3)" = 6 ] || fail "TLS 1.3 tickets not resumed"
[ "$(resumed "$P" 6 -tls1_2 -no_ticket)" = 6 ] || fail "TLS 1.2 session ids not resumed on every worker"
[ "$(resumed "$P" 3 -tls1_2 -no_ticket -servername a.test)" = 3 ] ||
	fail "TLS 1.2 session ids not resumed on an SNI certificate"
echo "ok: resumed by ticket and by session id"

start_gh "$P0" -f "$TMP/gh0.conf"
[ "$(resumed "$P0" 3 -tls1_2 -no_ticket)" = 0 ] || fail "tls-session-cache 0 still resumes"
[ "$(resumed "$P0" 3 -tls1_3)" = 3 ] || fail "tickets need no cache"
echo "ok: tls-session-cache 0"
stop_gh
GH_PID=$GH1
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
