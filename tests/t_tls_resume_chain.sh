#!/bin/bash
# Covers: a resumed handshake leaves the client with a fresh ticket, so a
# client that uses each ticket once (RFC 8446 C.4, as browsers and
# OpenSSL do) resumes every time: ten reconnections in a row, each with
# the ticket of the one before, all resumed, for every key source (random
# keys, a key file, a fleet secret). TLS 1.2 clients keep their session
# (OpenSSL's does not hand a renewed 1.2 ticket to -sess_out): ten
# reconnections with the first one's all resume.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
openssl rand 80 | base64 -w 0 >"$TMP/keys"
echo >>"$TMP/keys"
openssl rand -base64 48 >"$TMP/secret"

# chain PORT ARGS: of ten reconnections, each with the session the one
# before received, how many were resumed; a connection that received no
# new ticket ends the chain.
chain() {
	local port=$1 i k=0
	shift
	rm -f "$TMP/sess" "$TMP/next"
	# Tickets come after the handshake: stay a moment for them.
	sleep 0.5 | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -sess_out "$TMP/sess" "$@" >/dev/null 2>&1
	[ -s "$TMP/sess" ] || { echo "no first ticket"; return; }
	for i in $(seq 1 10); do
		rm -f "$TMP/next"
		sleep 0.3 | timeout 10 openssl s_client -connect \
		    "127.0.0.1:$port" -sess_in "$TMP/sess" \
		    -sess_out "$TMP/next" "$@" 2>/dev/null |
		    grep -q '^Reused,' && k=$((k + 1))
		[ -s "$TMP/next" ] || break
		mv "$TMP/next" "$TMP/sess"
	done
	echo "$k"
}

for src in random "tls-ticket-keys $TMP/keys" "tls-ticket-secret $TMP/secret"; do
	free_port P
	{
		echo global
		[ "$src" = random ] || echo "    $src"
		cat <<CONF
frontend f
    bind 127.0.0.1:$P cert $CERTS/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
	} >"$TMP/gh.conf"
	start_gh "$P" -f "$TMP/gh.conf"
	n=$(chain "$P" -tls1_3)
	[ "$n" = 10 ] || fail "$src: TLS 1.3: $n of 10 single-use reconnections resumed"
	rm -f "$TMP/sess"
	sleep 0.3 | timeout 10 openssl s_client -connect "127.0.0.1:$P" \
	    -tls1_2 -sess_out "$TMP/sess" >/dev/null 2>&1
	n=0
	for i in $(seq 1 10); do
		echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" \
		    -tls1_2 -sess_in "$TMP/sess" 2>/dev/null |
		    grep -q '^Reused,' && n=$((n + 1))
	done
	[ "$n" = 10 ] || fail "$src: TLS 1.2: $n of 10 reconnections resumed"
	echo "ok: ${src%% *}: 10 of 10 resumed in TLS 1.3 and 1.2"
	stop_gh
done
pass
