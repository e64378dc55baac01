#!/bin/bash
# Covers: OCSP stapling. A good response is stapled for clients that ask
# (openssl s_client -status), from CERT.ocsp beside the certificate or
# from an explicit ocsp-response; a client that does not ask gets none;
# on a bind with an ECDSA certificate that has a response and an RSA one
# that has none, each client gets what its certificate has. A stale
# response is logged and not stapled, start goes on; a response for
# another certificate, a file that is not DER OCSP, a certificate file
# without its issuer, or a missing ocsp-response stop the start (or -c)
# naming the file (an unreadable one: t_unreadable.sh). SIGHUP picks up a response put beside the
# certificate after start; a bad one on reload keeps what was stapled.
# With a CA made here: ECDSA and RSA each stapled with its own response;
# revoked (stapled, logged); a delegated responder (accepted), a CA
# certificate without OCSPSigning or a stranger signing (refused); not
# valid yet (logged, not stapled); a little past nextUpdate, within the
# 5 minutes allowed (stapled).
. "${top_srcdir:-.}/tests/lib.sh"
command -v faketime >/dev/null 2>&1 ||
	fail "faketime is not installed (package faketime; ./dev test installs it)"
start_backend echo echo
free_port PA
free_port PB
free_port PC
free_port PD
free_port PS
O=$CERTS/ocsp
GOOD=$O/server.pem.ocsp
cp "$O/server.pem" "$TMP/explicit.pem"
cp "$O/server.pem" "$TMP/later.pem"
cp "$O/server.pem" "$TMP/stale.pem"
cp "$O/server.pem" "$TMP/dual-ec.pem"
cp "$GOOD" "$TMP/dual-ec.pem.ocsp"
STALE=$O/stale.der
[ -s "$STALE" ] || fail "certs/mkcerts.sh made no stale response ($STALE)"
cat >"$TMP/gh.conf" <<CONF
frontend f
    bind 127.0.0.1:$PA cert $O/server.pem
    bind 127.0.0.1:$PB cert $TMP/explicit.pem ocsp-response $GOOD
    bind 127.0.0.1:$PC cert $TMP/later.pem
    bind 127.0.0.1:$PD cert $TMP/dual-ec.pem cert $CERTS/server-rsa.pem
CONF
[ -n "$STALE" ] && cat >>"$TMP/gh.conf" <<CONF
    bind 127.0.0.1:$PS cert $TMP/stale.pem ocsp-response $STALE
CONF
cat >>"$TMP/gh.conf" <<CONF
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF

# bad NAME BIND_LINE: a configuration with one bind, in $TMP/NAME.conf.
bad() {
	cat >"$TMP/$1.conf" <<CONF
frontend f
    bind 127.0.0.1:$PA $2
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
}
# refused NAME WANT: gatehouse (started for real) exits 1 on NAME.conf,
# saying WANT; -c says the same.
refused() {
	timeout 10 "$GH" -f "$TMP/$1.conf" >"$TMP/$1.out" 2>&1
	rc=$?
	[ "$rc" -eq 1 ] || fail "$1: exit status $rc, want 1: $(cat "$TMP/$1.out")"
	grep -qF "$2" "$TMP/$1.out" || fail "$1: said '$(cat "$TMP/$1.out")', want '$2'"
	timeout 10 "$GH" -c -f "$TMP/$1.conf" >"$TMP/$1.c.out" 2>&1 &&
		fail "$1: -c accepted it"
	grep -qF "$2" "$TMP/$1.c.out" || fail "$1: -c said '$(cat "$TMP/$1.c.out")'"
	echo "ok: $1 refused: $2"
}

bad other "cert $TMP/explicit.pem ocsp-response $O/other.der"
refused other "$O/other.der: bad OCSP response for $TMP/explicit.pem: it holds no status for this certificate"
head -c 700 /dev/urandom >"$TMP/garbage.der"
bad garbage "cert $TMP/explicit.pem ocsp-response $TMP/garbage.der"
refused garbage "$TMP/garbage.der: bad OCSP response for $TMP/explicit.pem: not a DER OCSP response"
: >"$TMP/empty.der"
bad empty "cert $TMP/explicit.pem ocsp-response $TMP/empty.der"
refused empty "$TMP/empty.der: bad OCSP response for $TMP/explicit.pem: not a DER OCSP response"
# An OCSP response whose status is not successful (tryLater, DER).
printf '\x30\x03\x0a\x01\x03' >"$TMP/trylater.der"
bad trylater "cert $TMP/explicit.pem ocsp-response $TMP/trylater.der"
refused trylater "$TMP/trylater.der: bad OCSP response for $TMP/explicit.pem: the responder answered 'trylater'"
bad noissuer "cert $CERTS/server.pem ocsp-response $GOOD"
refused noissuer "$GOOD: cannot check the OCSP response: the issuer of $CERTS/server.pem is not in that file"
# A .ocsp beside the certificate is checked the same way.
cp "$O/server.pem" "$TMP/auto-bad.pem"
cp "$O/other.der" "$TMP/auto-bad.pem.ocsp"
bad autobad "cert $TMP/auto-bad.pem"
refused autobad "$TMP/auto-bad.pem.ocsp: bad OCSP response for $TMP/auto-bad.pem: it holds no status for this certificate"
bad missing "cert $TMP/explicit.pem ocsp-response $TMP/nope.der"
refused missing "missing.conf:2: bind '127.0.0.1:$PA': cannot read ocsp-response '$TMP/nope.der'"
bad order "ocsp-response $GOOD cert $TMP/explicit.pem"
"$GH" -c -f "$TMP/order.conf" >"$TMP/order.out" 2>&1 && fail "ocsp-response before cert accepted"
grep -q "order.conf:2: bind: 'ocsp-response' must follow" "$TMP/order.out" ||
	fail "ocsp-response before cert: $(cat "$TMP/order.out")"
echo "ok: ocsp-response before any cert refused"

"$GH" -c -f "$TMP/gh.conf" >"$TMP/c.out" 2>&1 || fail "-c: $(cat "$TMP/c.out")"
start_gh "$PA" -f "$TMP/gh.conf"
for p in $PB $PC $PD ${STALE:+$PS}; do
	wait_for listening "$p" || fail "port $p does not listen"
done

# staple PORT [s_client options]: what the server stapled for a client
# asking with -status: "good", "none" (no response sent), or what
# s_client printed.
staple() {
	local port=$1 out
	shift
	out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -status "$@" 2>&1)
	if echo "$out" | grep -q "OCSP response: no response sent"; then
		echo none
	elif echo "$out" | grep -q "OCSP Response Status: successful" &&
	    echo "$out" | grep -q "Cert Status: good"; then
		echo good
	else
		echo "$out" | grep -E 'OCSP|Cert Status|errno|error' | tr '\n' ' '
	fi
}
expect() {
	local got
	got=$(staple "$@")
	[ "$got" = "$WANT" ] || fail "-status $*: got '$got', want '$WANT'"
	echo "ok: -status $* -> $got"
}
# asked PORT [options]: how many status_request extensions a client that
# does not ask sees in the handshake (its own and the server's).
unasked() {
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$1" -trace "${@:2}" 2>/dev/null |
	    grep -c 'extension_type=status_request'
}

WANT=good expect "$PA"
WANT=good expect "$PA" -tls1_2
WANT=good expect "$PB"
WANT=good expect "$PB" -tls1_2
WANT=none expect "$PC"
WANT=none expect "$PC" -tls1_2
[ "$(unasked "$PA")" = 0 ] || fail "a TLS 1.3 client that did not ask got a response"
n=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$PA" -tls1_2 -msg 2>/dev/null |
    grep -c 'CertificateStatus')
[ "$n" = 0 ] || fail "a TLS 1.2 client that did not ask got a CertificateStatus"
echo "ok: a client that does not ask gets no response"
# Traffic flows on a stapling bind.
out=$( (echo hello; sleep 1) | timeout 10 openssl s_client -quiet -no_ign_eof -status \
    -connect "127.0.0.1:$PA" 2>/dev/null)
[ "$out" = hello ] || fail "bytes through the stapling bind: '$out'"
echo "ok: bytes through a stapling bind"

# keytype PORT ARGS: the public key algorithm served.
keytype() {
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$1" "${@:2}" 2>/dev/null |
	    openssl x509 -noout -text | awk -F': ' '/Public Key Algorithm/ { print $2; exit }'
}
RSA_ONLY="-sigalgs rsa_pss_rsae_sha256:RSA+SHA256"
[ "$(keytype "$PD")" = id-ecPublicKey ] || fail "dual bind: not ECDSA by default"
[ "$(keytype "$PD" $RSA_ONLY)" = rsaEncryption ] || fail "dual bind: not RSA for an RSA-only client"
WANT=good expect "$PD"
WANT=good expect "$PD" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
WANT=none expect "$PD" $RSA_ONLY
WANT=none expect "$PD" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
echo "ok: ECDSA and RSA on one bind: each certificate's own response"

if [ -n "$STALE" ]; then
	grep -qF "$STALE: OCSP response for $TMP/stale.pem not stapled: it is out of date" "$TMP/gh.log" ||
		fail "the stale response was not logged"
	WANT=none expect "$PS"
	echo "ok: a stale response is logged and not stapled"
fi

# Reload: a response put beside the certificate after start is stapled.
# hup N: sends SIGHUP and waits for the N-th reload line.
hup() {
	kill -HUP "$GH_PID"
	wait_for sh -c "[ \$(grep -c 'SIGHUP: reloaded the TLS files' '$TMP/gh.log') -ge $1 ]" ||
		fail "SIGHUP $1 was not taken"
}
cp "$GOOD" "$TMP/later.pem.ocsp"
hup 1
grep -q "SIGHUP: reloaded the TLS files of [0-9]* bind(s)$" "$TMP/gh.log" ||
	fail "the reload reported failures"
WANT=good expect "$PC"
WANT=good expect "$PC" -tls1_2
WANT=good expect "$PA"
echo "ok: SIGHUP staples a response that appeared beside the certificate"

# A response for another certificate on reload: the bind keeps what it
# had (still stapling the good one), the others reload.
cp "$O/other.der" "$TMP/later.pem.ocsp"
hup 2
grep -qF ": bind 127.0.0.1:$PC: $TMP/later.pem.ocsp: bad OCSP response for $TMP/later.pem: it holds no status for this certificate; bind 127.0.0.1:$PC keeps what it had" "$TMP/gh.log" ||
	fail "the bad response on reload was not logged as such"
grep -q "SIGHUP: reloaded the TLS files of [0-9]* bind(s), some failed" "$TMP/gh.log" ||
	fail "the reload did not say some failed"
WANT=good expect "$PC"
WANT=good expect "$PA"
echo "ok: a bad response on reload keeps the one stapled"

# The response removed: nothing stapled after the next reload.
rm -f "$TMP/later.pem.ocsp"
hup 3
WANT=none expect "$PC"
echo "ok: a response removed is no longer stapled after SIGHUP"
if [ -n "$STALE" ]; then
	cp "$STALE" "$TMP/later.pem.ocsp"
	hup 4
	grep -qF "$TMP/later.pem.ocsp: OCSP response for $TMP/later.pem not stapled: it is out of date" "$TMP/gh.log" ||
		fail "the stale response on reload was not logged"
	WANT=none expect "$PC"
	echo "ok: a stale response on reload is logged and not stapled"
fi

gh_alive
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"

# ---- Responses of a CA of this test's own (its key made here, at run
# time): an ECDSA and an RSA certificate on one bind, each with its
# response; a revoked one; a response signed by a delegated responder,
# by a certificate of the CA without OCSPSigning, by a stranger; and,
# with faketime, one not valid yet and one a little past its nextUpdate
# (within the 5 minutes allowed).
C=$TMP/ca
mkdir -p "$C"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$C/ca.key" -out "$C/ca.pem" -days 30 -subj "/CN=ocsp test CA" 2>/dev/null ||
	fail "cannot make the CA"
# leaf NAME ec|rsa EXT: NAME.crt signed by the CA; NAME.pem: it, the CA, its key.
leaf() {
	case $2 in
	ec)  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$C/$1.key" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$C/$1.key" ;;
	esac 2>/dev/null
	openssl req -new -key "$C/$1.key" -subj "/CN=$1" -out "$C/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$C/$1.ext"
	openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
	    -CAcreateserial -days 30 -extfile "$C/$1.ext" -out "$C/$1.crt" 2>/dev/null ||
		fail "cannot make $1"
	cat "$C/$1.crt" "$C/ca.pem" "$C/$1.key" >"$C/$1.pem"
}
SAN="subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf ec ec "$SAN"
leaf rsa rsa "$SAN"
leaf rev ec "$SAN"
leaf resp ec "extendedKeyUsage=OCSPSigning"
leaf noeku ec "keyUsage=digitalSignature"
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
{
	printf 'V\t300101000000Z\t\t%s\tunknown\t/CN=ec\n' "$(serial "$C/ec.crt")"
	printf 'V\t300101000000Z\t\t%s\tunknown\t/CN=rsa\n' "$(serial "$C/rsa.crt")"
	printf 'R\t300101000000Z\t240101000000Z\t%s\tunknown\t/CN=rev\n' "$(serial "$C/rev.crt")"
} >"$C/index.txt"
# respond NAME OUT SIGNER [faketime offset] [validity options]: a response
# for NAME.crt signed by SIGNER (.crt and .key; the CA is ca.pem, ca.key).
respond() {
	local crt=$C/$3.crt key=$C/$3.key
	[ "$3" = ca ] && crt=$C/ca.pem
	openssl ocsp -issuer "$C/ca.pem" -cert "$C/$1.crt" -no_nonce \
	    -reqout "$C/$1.req" 2>/dev/null
	${4:+faketime -f "$4"} openssl ocsp -index "$C/index.txt" -CA "$C/ca.pem" \
	    -rsigner "$crt" -rkey "$key" -reqin "$C/$1.req" \
	    -respout "$2" ${5:--ndays 7} >/dev/null 2>&1 || fail "cannot make $2"
}
cp "$CERTS/self.pem" "$C/self.crt"
cp "$CERTS/self.pem" "$C/self.key"
respond ec "$C/ec.pem.ocsp" ca
respond rsa "$C/rsa.pem.ocsp" ca
respond rev "$C/rev.der" ca
respond ec "$C/deleg.der" resp
respond ec "$C/noeku.der" noeku
respond ec "$C/stranger.der" self
cp "$C/ec.pem" "$C/ec2.pem"

bad noeku "cert $C/ec2.pem ocsp-response $C/noeku.der"
refused noeku "$C/noeku.der: bad OCSP response for $C/ec2.pem: its signature is not the issuer's nor its OCSP responder's"
bad stranger "cert $C/ec2.pem ocsp-response $C/stranger.der"
refused stranger "$C/stranger.der: bad OCSP response for $C/ec2.pem: its signature is not the issuer's nor its OCSP responder's"
bad wrongcert "cert $C/rsa.pem ocsp-response $C/ec.pem.ocsp"
refused wrongcert "$C/ec.pem.ocsp: bad OCSP response for $C/rsa.pem: it holds no status for this certificate"

FT=1
cat >"$TMP/ca.conf" <<CONF
frontend f
    bind 127.0.0.1:$PA cert $C/ec.pem cert $C/rsa.pem
    bind 127.0.0.1:$PB cert $C/rev.pem ocsp-response $C/rev.der
    bind 127.0.0.1:$PC cert $C/ec2.pem ocsp-response $C/deleg.der
CONF
if [ -n "$FT" ]; then
	cp "$C/ec.pem" "$C/ec3.pem"
	cp "$C/ec.pem" "$C/ec4.pem"
	respond ec "$C/future.der" ca +1d
	# thisUpdate 3 minutes ago, nextUpdate 2 minutes ago.
	respond ec "$C/recent.der" ca -3m "-nmin 1"
	cat >>"$TMP/ca.conf" <<CONF
    bind 127.0.0.1:$PD cert $C/ec3.pem ocsp-response $C/future.der
    bind 127.0.0.1:$PS cert $C/ec4.pem ocsp-response $C/recent.der
CONF
fi
cat >>"$TMP/ca.conf" <<CONF
    default-backend b
backend b
    server s 127.0.0.1:$echo_PORT
CONF
start_gh "$PA" -f "$TMP/ca.conf"
for p in $PB $PC ${FT:+$PD $PS}; do
	wait_for listening "$p" || fail "port $p does not listen"
done

# stapled_serial PORT [options]: "SERIAL_SERVED SERIAL_IN_RESPONSE STATUS".
stapled_serial() {
	local out pem
	out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$1" -status "${@:2}" 2>/dev/null)
	# The response printed first may carry its signer's certificate.
	pem=$(echo "$out" | sed -n '/^Server certificate/,$p' | openssl x509 2>/dev/null)
	echo "$(echo "$pem" | openssl x509 -noout -serial 2>/dev/null | cut -d= -f2)" \
	    "$(echo "$out" | awk '/Serial Number:/ { print $3; exit }')" \
	    "$(echo "$out" | awk -F': ' '/Cert Status:/ { print $2; exit }')"
}
got=$(stapled_serial "$PA")
[ "$got" = "$(serial "$C/ec.crt") $(serial "$C/ec.crt") good" ] ||
	fail "ECDSA with its response: '$got'"
got=$(stapled_serial "$PA" $RSA_ONLY)
[ "$got" = "$(serial "$C/rsa.crt") $(serial "$C/rsa.crt") good" ] ||
	fail "RSA with its response: '$got'"
got=$(stapled_serial "$PA" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)
[ "$got" = "$(serial "$C/rsa.crt") $(serial "$C/rsa.crt") good" ] ||
	fail "RSA with its response (TLS 1.2): '$got'"
echo "ok: ECDSA and RSA on one bind, each stapled with its own response"

grep -qF "$C/rev.der: OCSP response for $C/rev.pem: it says the certificate is revoked" "$TMP/gh.log" ||
	fail "the revoked response was not logged"
got=$(stapled_serial "$PB")
[ "$got" = "$(serial "$C/rev.crt") $(serial "$C/rev.crt") revoked" ] ||
	fail "the revoked response: '$got'"
echo "ok: a revoked response is logged and stapled"
WANT=good expect "$PC"
echo "ok: a response signed by a delegated responder is stapled"

if [ -n "$FT" ]; then
	grep -qF "$C/future.der: OCSP response for $C/ec3.pem not stapled: it is not valid yet" "$TMP/gh.log" ||
		fail "the response not valid yet was not logged"
	WANT=none expect "$PD"
	echo "ok: a response not valid yet is logged and not stapled"
	# gatehouse.conf(5): not stapled when nextUpdate is "more than 5
	# minutes past"; this one is 2 minutes past.
	! grep -qF "$C/recent.der" "$TMP/gh.log" ||
		fail "a response 2 minutes past nextUpdate was logged at load"
	got=$(staple "$PS")
	[ "$got" = good ] || fail "a response 2 minutes past its nextUpdate (within the 5 minutes" \
	    "allowed) was not stapled: '$got'; log: $(grep -F "$C/recent.der" "$TMP/gh.log")"
	! grep -qF "$C/recent.der" "$TMP/gh.log" ||
		fail "a response 2 minutes past nextUpdate: $(grep -F "$C/recent.der" "$TMP/gh.log")"
	echo "ok: a response within 5 minutes past nextUpdate is stapled"
fi
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
