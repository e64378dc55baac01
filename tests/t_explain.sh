#!/bin/bash
# Covers: gatehouse --explain NAME, from a file and from the one-line
# options: the bind (file:line, address) and the certificate that answer
# NAME by SNI (exact name, wildcard, the default, ECDSA and RSA for one
# name, a strict-sni refusal), the chain as sent, the OCSP file, and each
# problem with its message: expired, NAME not covered, a
# key that does not match, a chain out of order, a missing intermediate,
# an extra certificate, a file without a certificate, a certificate
# replaced by a later one; a certificate due for renewal as a warning;
# exit status 0, 1, or 2 for usage errors.
. "${top_srcdir:-.}/tests/lib.sh"
B=$TMP/bad
sh "$top_srcdir/certs/mkbad.sh" "$B"

# explain WANT_RC ARGS...: runs gatehouse --explain, output in $TMP/out.
explain() {
	local want=$1 rc=0
	shift
	"$GH" --explain "$@" >"$TMP/out" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] || fail "--explain $*: exit $rc, want $want: $(cat "$TMP/out")"
}
# has TEXT: the last output holds the line TEXT (fixed string).
has() {
	grep -qxF -- "$1" "$TMP/out" || fail "no line '$1' in: $(cat "$TMP/out")"
}
# hasnt TEXT: the last output holds no line containing TEXT.
hasnt() {
	! grep -qF -- "$1" "$TMP/out" || fail "'$1' in: $(cat "$TMP/out")"
}
# one ARGS...: the one-line options for one TLS bind with ARGS.
one() {
	echo --bind 127.0.0.1:9 "$@" --backend 127.0.0.1:1
}

# A good certificate, from a file with two frontends: each TLS bind is
# listed with where it was declared; the plain one is not.
cat >"$TMP/gh.conf" <<CONF
frontend plain
    bind 127.0.0.1:10
    default-backend b
frontend f
    bind 127.0.0.1:11 cert $B/full.pem
    bind [::1]:12 cert $CERTS/server.pem cert $B/full.pem
    default-backend b
backend b
    server s 127.0.0.1:1
CONF
explain 0 chain.test -f "$TMP/gh.conf"
has "explain chain.test"
has "bind 127.0.0.1:11 at $TMP/gh.conf:5 (frontend f)"
has "bind [::1]:12 at $TMP/gh.conf:6 (frontend f)"
hasnt "127.0.0.1:10"
has "  chain.test: exact name"
has "  certificate $B/full.pem (ECDSA P-256)"
has "    key: in the certificate file"
has "    ocsp: none"
grep -q "^    sent 1: subject CN=chain.test; issuer CN=gatehouse bad intermediate; not after [-0-9T:]*Z ([0-9]* days left)$" "$TMP/out" ||
	fail "leaf line: $(cat "$TMP/out")"
grep -q "^    sent 2: subject CN=gatehouse bad intermediate; issuer CN=gatehouse bad root; " "$TMP/out" ||
	fail "intermediate line: $(cat "$TMP/out")"
grep -q "^    sent 3: subject CN=gatehouse bad root; issuer CN=gatehouse bad root (self-signed); " "$TMP/out" ||
	fail "root line: $(cat "$TMP/out")"
hasnt "problem:"
has "no problem found"
# Name forms a client may send: any case, a trailing dot.
explain 0 Chain.TEST. -f "$TMP/gh.conf"
has "explain chain.test"
echo "ok: a good certificate"

# The same from the one-line options; an OCSP response next to it.
cp "$B/full.pem" "$TMP/o.pem"
: >"$TMP/o.pem.ocsp"
explain 1 chain.test $(one --cert "$TMP/o.pem")
has "bind 127.0.0.1:9 at (command line) (frontend main)"
has "    ocsp: $TMP/o.pem.ocsp"
has "problem: $TMP/o.pem.ocsp: not a DER OCSP response (gatehouse would not start)"
explain 0 localhost $(one --cert "$CERTS/ocsp/server.pem")
has "    ocsp: $CERTS/ocsp/server.pem.ocsp"
grep -qx "    ocsp: good, next update in 1[0-9][0-9] hour(s)" "$TMP/out" ||
	fail "good ocsp: $(cat "$TMP/out")"
cp "$CERTS/ocsp/server.pem" "$TMP/s.pem"
cp "$CERTS/ocsp/stale.der" "$TMP/s.pem.ocsp"
explain 1 localhost $(one --cert "$TMP/s.pem")
has "problem: $TMP/s.pem.ocsp: it is out of date (not stapled)"
cp "$CERTS/ocsp/other.der" "$TMP/s.pem.ocsp"
explain 1 localhost $(one --cert "$TMP/s.pem")
has "problem: $TMP/s.pem.ocsp: it holds no status for this certificate (gatehouse would not start)"
echo "ok: one-line options, ocsp files"

explain 1 localhost $(one --cert "$B/expired.pem")
has "problem: $B/expired.pem: certificate 1 (CN=localhost) expired on 2020-04-01T00:00:00Z"
grep -q "^    sent 1: subject CN=localhost; issuer CN=localhost (self-signed); not after 2020-04-01T00:00:00Z (expired [0-9]* days ago)$" "$TMP/out" ||
	fail "expired line: $(cat "$TMP/out")"
has "1 problem found"
# Due for renewal (a third of its lifetime left): a warning, exit 0.
explain 0 soon.test $(one --cert "$B/soon.pem")
grep -q "^warning: $B/soon.pem: certificate 1 (CN=soon.test) expires in [12][09] days, on .*: due for renewal, less than a third of its 90-day lifetime is left$" "$TMP/out" ||
	fail "expiring soon: $(cat "$TMP/out")"
hasnt "problem:"
has "no problem found"
# A short-lived certificate with most of its 6 days left is fine.
explain 0 short.test $(one --cert "$B/short.pem")
hasnt "warning:"
has "no problem found"
echo "ok: expired, due for renewal, short-lived"

# A name no certificate has: the default one answers, and says so.
explain 1 other.test $(one --cert "$B/full.pem")
has "  other.test: no certificate names it: the default certificate answers (the bind's first)"
has "  certificate $B/full.pem (ECDSA P-256)"
has "problem: $B/full.pem: other.test is not in its subjectAltNames: the default certificate answers an unknown name, and clients will refuse it"
# A certificate with its name in the CN only.
explain 1 cn.test $(one --cert "$B/cnonly.pem")
has "  cn.test: exact name"
has "problem: $B/cnonly.pem: cn.test is not in its subjectAltNames (only its CN names it, which clients do not check)"
echo "ok: a name not covered"

# A key of another certificate, in its own file and in the same file.
cat >"$TMP/key.conf" <<CONF
frontend f
    bind 127.0.0.1:11 cert $B/full.pem key $B/other.key
    default-backend b
backend b
    server s 127.0.0.1:1
CONF
explain 1 chain.test -f "$TMP/key.conf"
has "    key: $B/other.key"
has "problem: $B/other.key: the key does not match the certificate of $B/full.pem (gatehouse refuses to start)"
explain 1 chain.test $(one --cert "$B/mismatch.pem")
has "problem: $B/mismatch.pem: the key does not match the certificate (gatehouse refuses to start)"
echo "ok: a key that does not match"

explain 1 chain.test $(one --cert "$B/disorder.pem")
has "problem: $B/disorder.pem: chain out of order: certificate 1 (CN=chain.test) is not followed by its issuer, certificate 3 (CN=gatehouse bad intermediate); from the leaf the order is 1, 3, 2"
has "1 problem found"
explain 1 chain.test $(one --cert "$B/nointer.pem")
has "problem: $B/nointer.pem: chain ends at CN=gatehouse bad intermediate which is not in the file (a missing intermediate, unless it is a root the clients trust)"
explain 1 chain.test $(one --cert "$B/chain.pem")
has "problem: $B/chain.pem: chain ends at CN=gatehouse bad root which is not in the file (a missing intermediate, unless it is a root the clients trust)"
explain 1 chain.test $(one --cert "$B/extra.pem")
has "problem: $B/extra.pem: certificate 4 (CN=unrelated.test) is not on the path from the leaf: an extra certificate"
has "1 problem found"
echo "ok: chain out of order, missing intermediate, extra certificate"

# A file without a certificate stops the server; one of the same names
# and key type as a later one is never sent.
echo "not a certificate" >"$TMP/junk.pem"
explain 1 chain.test $(one --cert "$B/full.pem" --cert "$TMP/junk.pem")
has "problem: $TMP/junk.pem: no certificate in it (gatehouse refuses to start)"
explain 1 chain.test $(one --cert "$B/nointer.pem" --cert "$B/full.pem")
has "problem: $B/nointer.pem is never sent: $B/full.pem, later, has the same names and key type and replaces it"
has "  certificate $B/full.pem (ECDSA P-256)"
hasnt "certificate $B/nointer.pem ("
echo "ok: unreadable file, replaced certificate"

# SNI among several certificates, as t_tls_sni.sh serves them.
cat >"$TMP/sni.conf" <<CONF
frontend f
    bind 127.0.0.1:11 cert $CERTS/server.pem crt-dir $CERTS/sni
    bind 127.0.0.1:12 crt-dir $CERTS/sni strict-sni
    default-backend b
backend b
    server s 127.0.0.1:1
CONF
explain 0 a.test -f "$TMP/sni.conf"
has "  a.test: exact name"
has "  certificate $CERTS/sni/a.pem (ECDSA P-256)"
[ "$(grep -c "^  certificate $CERTS/sni/a.pem " "$TMP/out")" -eq 2 ] || fail "a.test: not on both binds"
explain 0 x.wild.test -f "$TMP/sni.conf"
has "  x.wild.test: wildcard one label up"
has "  certificate $CERTS/sni/wild.pem (ECDSA P-256)"
explain 0 dual.test -f "$TMP/sni.conf"
has "  certificate $CERTS/sni/dual-ec.pem (ECDSA P-256, to clients that offer ECDSA)"
has "  certificate $CERTS/sni/dual-rsa.pem (RSA 2048, to the other clients)"
explain 1 y.x.wild.test -f "$TMP/sni.conf"
has "  y.x.wild.test: no certificate names it: the default certificate answers (the bind's first)"
has "  certificate $CERTS/server.pem (ECDSA P-256)"
has "bind 127.0.0.1:12 at $TMP/sni.conf:3 (frontend f), strict-sni"
has "problem: $TMP/sni.conf:3: no certificate of bind 127.0.0.1:12 names y.x.wild.test and it has strict-sni: the handshake would be refused (alert unrecognized_name)"
echo "ok: exact, wildcard, ECDSA and RSA, default, strict-sni"

# No TLS bind; usage and configuration errors.
explain 1 a.test --bind 127.0.0.1:9 --backend 127.0.0.1:1
has "problem: no TLS bind: no certificate answers a.test"
explain 2 "bad name" -f "$TMP/gh.conf"
has "gatehouse: --explain: 'bad name' is not a host name"
explain 2 "*.wild.test" -f "$TMP/gh.conf"
explain 2 "" -f "$TMP/gh.conf"
grep -q "^gatehouse: --explain needs a host name" "$TMP/out" || fail "empty name: $(cat "$TMP/out")"
explain 2 a.test -c -f "$TMP/gh.conf"
grep -q "^gatehouse: --explain and -c are exclusive" "$TMP/out" || fail "-c: $(cat "$TMP/out")"
explain 1 a.test -f "$TMP/nonexistent.conf"
grep -q "nonexistent.conf: cannot open" "$TMP/out" || fail "missing file: $(cat "$TMP/out")"
echo "ok: no TLS bind, usage and configuration errors"
pass
