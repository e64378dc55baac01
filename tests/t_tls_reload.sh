#!/bin/bash
# Covers: SIGHUP reloading the TLS files. The certificate file swapped on
# disk (ECDSA for RSA) is served to new connections on every bind that
# names it, while a mode tcp transfer and a mode http download already
# under way complete intact and no connection is dropped. A garbage, a
# missing, or a mismatched (key of another certificate) file on reload is
# logged ("reload: ...; bind ... keeps what it had") and the previous
# certificate is still served. An expired certificate is warned about at
# start and at each reload, and served. Twenty SIGHUPs in a row, the file
# changing between them, while requests run: every request succeeds. SIGTERM
# then exits 0.
. "${top_srcdir:-.}/tests/lib.sh"
B=$TMP/bad
sh "$top_srcdir/certs/mkbad.sh" "$B"
LEN=50000000
BIG=40000000
start_backend src source "$LEN"
start_backend echo echo
start_http_backend web
free_port PT
free_port PX
free_port PH
free_port PE
cp "$CERTS/server.pem" "$TMP/site.pem"
cp "$B/expired.pem" "$TMP/expired.pem"
cat >"$TMP/gh.conf" <<CONF
global
    workers 2
frontend t
    mode tcp
    bind 127.0.0.1:$PT cert $TMP/site.pem
    default-backend src
frontend x
    mode tcp
    bind 127.0.0.1:$PX cert $TMP/site.pem
    default-backend echo
frontend h
    mode http
    bind 127.0.0.1:$PH cert $TMP/site.pem
    bind 127.0.0.1:$PE cert $TMP/expired.pem
    default-backend web
backend src
    mode tcp
    server s 127.0.0.1:$src_PORT
backend echo
    mode tcp
    server s 127.0.0.1:$echo_PORT
backend web
    mode http
    server s 127.0.0.1:$web_PORT
CONF
start_gh "$PT" -f "$TMP/gh.conf"
wait_for listening "$PH" || fail "port $PH does not listen"
wait_for listening "$PE" || fail "port $PE does not listen"
wait_for listening "$PX" || fail "port $PX does not listen"

# served PORT: the key type and serial of the certificate served, as
# "rsaEncryption 1A2B..." (or "none" when the handshake fails).
served() {
	local pem
	pem=$(timeout 10 openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null |
	    openssl x509 2>/dev/null)
	[ -n "$pem" ] || { echo none; return; }
	echo "$(echo "$pem" | openssl x509 -noout -text |
	    awk -F': ' '/Public Key Algorithm/ { print $2; exit }')" \
	    "$(echo "$pem" | openssl x509 -noout -serial | cut -d= -f2)"
}
# cert_of FILE: the same, of the first certificate of FILE.
cert_of() {
	echo "$(openssl x509 -in "$1" -noout -text |
	    awk -F': ' '/Public Key Algorithm/ { print $2; exit }')" \
	    "$(openssl x509 -in "$1" -noout -serial | cut -d= -f2)"
}
EC=$(cert_of "$CERTS/server.pem")
RSA=$(cert_of "$CERTS/server-rsa.pem")
EXP=$(cert_of "$B/expired.pem")
# expect PORT WANT WHAT
expect() {
	local got
	got=$(served "$1")
	[ "$got" = "$2" ] || fail "$3: port $1 served '$got', want '$2'"
}
# put SRC: replaces $TMP/site.pem by SRC at once (rename), as an
# operator's deploy would.
put() {
	cp "$1" "$TMP/site.new" && mv -f "$TMP/site.new" "$TMP/site.pem"
}
# hup N: sends SIGHUP and waits for the N-th reload line.
hup() {
	kill -HUP "$GH_PID"
	wait_for sh -c "[ \$(grep -c 'SIGHUP: reloaded the TLS files' '$TMP/gh.log') -ge $1 ]" ||
		fail "SIGHUP $1 was not taken"
}
# https PATH: curl through the http frontend; prints the HTTP status.
https() {
	timeout 20 curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PH$1"
}

expect "$PT" "$EC" "at start"
expect "$PH" "$EC" "at start"
expect "$PE" "$EXP" "expired at start"
grep -qE "$TMP/expired.pem: the certificate expired on 20[0-9-]+ [0-9:]+ UTC" "$TMP/gh.log" ||
	fail "the expired certificate was not warned about at start"
[ "$(https /)" = 200 ] || fail "a request before the reload failed"
echo "ok: at start: ECDSA served; the expired certificate warned about and served"

# Two transfers under way across the swap, about 5 s each: 50 MB through
# mode tcp read at 10 MB/s, 40 MB through mode http at 8 MiB/s.
client "127.0.0.1:$PT" -t -s 10000000 </dev/null >"$TMP/got" 2>"$TMP/client.err" &
tcp_reader=$!
PIDS="$PIDS $tcp_reader"
timeout 60 curl -sk --limit-rate 8M -o "$TMP/big" "https://127.0.0.1:$PH/big/$BIG" &
http_reader=$!
PIDS="$PIDS $http_reader"
wait_for grep -q . "$TMP/got" || fail "the tcp transfer did not start"
wait_for test -s "$TMP/big" || fail "the http transfer did not start"
sleep 0.3

put "$CERTS/server-rsa.pem"
hup 1
# Both transfers must still be running: the swap happened during them.
kill -0 "$tcp_reader" 2>/dev/null || fail "the tcp transfer ended before the reload"
kill -0 "$http_reader" 2>/dev/null || fail "the http transfer ended before the reload"
grep -q "SIGHUP: reloaded the TLS files of 4 bind(s)$" "$TMP/gh.log" ||
	fail "the reload did not say 4 binds: $(grep SIGHUP "$TMP/gh.log")"
expect "$PT" "$RSA" "after the swap"
expect "$PH" "$RSA" "after the swap"
expect "$PX" "$RSA" "after the swap"
expect "$PE" "$EXP" "the other bind after the swap"
[ "$(https /)" = 200 ] || fail "a request after the reload failed"
[ "$(grep -c "$TMP/expired.pem: the certificate expired on" "$TMP/gh.log")" -ge 2 ] ||
	fail "the expired certificate was not warned about again on reload"
echo "ok: after SIGHUP new connections get the RSA certificate"

wait "$tcp_reader" || fail "the tcp transfer under way failed: $(cat "$TMP/client.err")"
[ "$(sha256sum <"$TMP/got")" = "$("$GHB" gen "$LEN" | sha256sum)" ] ||
	fail "the tcp transfer under way was cut or corrupted ($(wc -c <"$TMP/got") bytes)"
wait "$http_reader" || fail "the http transfer under way failed: curl exit $?"
[ "$(wc -c <"$TMP/big")" -eq "$BIG" ] || fail "the http transfer: $(wc -c <"$TMP/big") bytes"
[ "$(sha256sum <"$TMP/big")" = "$(yes 0123456789abcdef | tr -d '\n' | head -c "$BIG" | sha256sum)" ] ||
	fail "the http transfer under way was corrupted"
echo "ok: the transfers under way completed intact"

# bad_reload N WHAT MESSAGE: after the N-th reload, the log says
# MESSAGE for both binds of site.pem, which keep serving RSA.
bad_reload() {
	local p
	hup "$1"
	for p in $PT $PH $PX; do
		grep -F "reload: " "$TMP/gh.log" | grep -F "$3" |
		    grep -qF "; bind 127.0.0.1:$p keeps what it had" ||
			fail "$2: no 'keeps what it had' for bind $p: $(grep -F 'reload: ' "$TMP/gh.log" | tail -n 2)"
	done
	tail -n 5 "$TMP/gh.log" | grep -q "SIGHUP: reloaded the TLS files of 1 bind(s), some failed (see above)" ||
		fail "$2: the reload line does not say some failed"
	expect "$PT" "$RSA" "$2"
	expect "$PH" "$RSA" "$2"
	expect "$PX" "$RSA" "$2"
	[ "$(https /)" = 200 ] || fail "$2: a request failed"
	kill -0 "$GH_PID" || fail "$2: gatehouse died"
	echo "ok: $2: logged, the previous certificate still served"
}
head -c 2000 /dev/urandom | base64 >"$TMP/garbage.pem"
put "$TMP/garbage.pem"
bad_reload 2 "a garbage file" "$TMP/site.pem: no certificate in it"
rm -f "$TMP/site.pem"
bad_reload 3 "a missing file" "$TMP/site.pem"
cp "$B/mismatch.pem" "$TMP/site.pem"
bad_reload 4 "a key of another certificate" "$TMP/site.pem: key does not match certificate $TMP/site.pem"
# RSA certificate, EC key (of the previous certificate): another key type.
openssl x509 -in "$CERTS/server-rsa.pem" >"$TMP/mixed.pem"
cat "$CERTS/server.key" >>"$TMP/mixed.pem"
put "$TMP/mixed.pem"
bad_reload 5 "a key of another type" "$TMP/site.pem"
# A certificate without its key.
openssl x509 -in "$CERTS/server.pem" >"$TMP/nokey.pem"
put "$TMP/nokey.pem"
bad_reload 6 "a certificate without a key" "$TMP/site.pem"

# Back to a good file: taken again.
put "$CERTS/server.pem"
hup 7
expect "$PT" "$EC" "a good file after bad ones"
expect "$PH" "$EC" "a good file after bad ones"
expect "$PX" "$EC" "a good file after bad ones"
echo "ok: a good file after bad ones is taken"

# Twenty SIGHUPs in a row, the file alternating, with requests between
# them and others running all along.
for k in 1 2 3; do
	(
		for i in $(seq 1 30); do
			echo "$(https "/?k=$k&i=$i") $?"
		done
	) >"$TMP/bg.$k" &
	PIDS="$PIDS $!"
	bg="${bg:-} $!"
done
n=7
failed=$(grep -c "some failed" "$TMP/gh.log")
for i in $(seq 1 20); do
	if [ $((i % 2)) -eq 1 ]; then put "$CERTS/server-rsa.pem"; else put "$CERTS/server.pem"; fi
	kill -HUP "$GH_PID" || fail "gatehouse died at SIGHUP $i"
	st=$(https "/?storm=$i")
	[ "$st" = 200 ] || fail "request $i during the SIGHUPs: status '$st'"
	out=$(echo "ping $i" | client "127.0.0.1:$PX" -t 2>&1)
	[ "$out" = "ping $i" ] || fail "tcp connection $i during the SIGHUPs: got '$out'"
done
for p in $bg; do
	wait "$p"
done
for k in 1 2 3; do
	[ "$(grep -c '^200 0$' "$TMP/bg.$k")" -eq 30 ] ||
		fail "background requests $k: $(grep -v '^200 0$' "$TMP/bg.$k" | head -n 3)"
done
kill -0 "$GH_PID" || fail "gatehouse died during the SIGHUPs"
# The last file put was server.pem (i = 20): once the signals are all
# taken it is served.
wait_for sh -c "[ \$(grep -c 'SIGHUP: reloaded the TLS files' '$TMP/gh.log') -ge $((n + 1)) ]" ||
	fail "no reload after the storm"
sleep 0.5
kill -HUP "$GH_PID"
wait_for sh -c "tail -n 1 '$TMP/gh.log' | grep -q 'SIGHUP: reloaded the TLS files of 4 bind(s)$'" ||
	fail "the last reload: $(tail -n 3 "$TMP/gh.log")"
expect "$PT" "$EC" "after the SIGHUPs"
expect "$PH" "$EC" "after the SIGHUPs"
expect "$PX" "$EC" "after the SIGHUPs"
[ "$(grep -c "some failed" "$TMP/gh.log")" -eq "$failed" ] ||
	fail "a reload failed during the SIGHUPs: $(grep -F 'reload: ' "$TMP/gh.log" | tail -n 2)"
echo "ok: 20 SIGHUPs with 130 requests: all succeeded ($(grep -c 'SIGHUP: reloaded' "$TMP/gh.log") reloads logged)"

stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
echo "ok: SIGTERM: exit status 0"
pass
