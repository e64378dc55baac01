#!/bin/bash
# Covers: what an outside TLS scanner, testssl.sh (Debian package
# testssl.sh, command testssl), thinks of a TLS frontend with default TLS
# settings: the test fails on any finding rated MEDIUM, HIGH or CRITICAL,
# on any WARN or FATAL (testssl could not test something), when testssl
# exits non-zero, and when a check that must have run is missing from its
# JSON output or not rated OK. Nothing it reports is ignored.
#
# The frontend is what a real site would run: mode http in front of the
# test backend, one bind with an ECDSA and an RSA certificate (so both the
# ECDSA and the RSA suites, and ROBOT, are scanned), every TLS setting at
# its default. The certificates come from certs/mktestssl.sh and carry
# what a publicly issued one does (issued by an intermediate sent in the
# chain, key usage, serverAuth, 397 days, CRL distribution point and OCSP
# URIs), each with a fresh "good" OCSP response in <cert>.ocsp, which
# gatehouse staples by default; their root CA is given to testssl
# (--add-ca), so chain of trust and host name are checked for real: the
# scan connects to localhost (a name in the certificates) at 127.0.0.1.
# Without all this testssl rates a test certificate cert_revocation HIGH
# (no CRL or OCSP URI) and, given an OCSP URI, OCSP_stapling LOW.
# The frontend sends HSTS and security headers (hsts, http-response
# set-header), as a site's front end or application would: testssl rates
# their absence (security_headers MEDIUM, HSTS LOW), which says nothing of
# TLS.
#
# The scan, its options and why:
#   -p -s -f -P -S -h -U   protocols, cipher categories, forward secrecy,
#       server preferences, server defaults and certificates, HTTP headers,
#       all vulnerabilities: every check of a default run that rates
#       anything. Left out: -c (client simulation) and -e (each cipher
#       listed): both only ever report INFO, and -P lists the suites
#       offered per protocol anyway; they took 25 of 75 seconds.
#   --nodns none   no DNS query at all, the scan stays on loopback (with
#       --ip, testssl needs no lookup); the CAA record check is skipped
#       (DNS_CAArecord is then INFO "check skipped as instructed").
#   NO_ENGINE=true  testssl does not look for a GOST engine in the local
#       openssl, which Debian's lacks: the check would add the WARN
#       engine_problem, about the scanning machine. Ciphers are still
#       probed through testssl's own sockets, GOST ones included.
#   No --phone-out: the CRL and OCSP URIs are not fetched (nothing serves
#       them; their names are under .test).
#   --openssl $TMP/openssl, a wrapper of the system's: testssl's session
#       resumption check runs "openssl s_client -sess_out F </dev/null",
#       which with TLS 1.3 closes at once after the handshake, most times
#       before the server's NewSessionTicket has arrived (even against
#       openssl s_server, here 0 in 20 on an idle machine), and then
#       reports the WARN sessionresumption_ticket "check failed because of
#       connect problem" (the ID one says "not supported" for the same
#       reason). The wrapper gives those s_client runs a stdin that stays
#       open 0.5 s, so the ticket is read and the check is real; every
#       other call goes to openssl untouched.
# The whole scan is bounded by timeout(1), which kills testssl's process
# group; it takes about 50 s.
. "${top_srcdir:-.}/tests/lib.sh"
command -v testssl >/dev/null ||
	fail "testssl is not installed (Debian package testssl.sh; ./dev test installs it)"
sh "$top_srcdir/certs/mktestssl.sh" "$TMP/certs" || fail "certs/mktestssl.sh failed"
start_http_backend be
free_port P
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
frontend f
    bind 127.0.0.1:$P cert $TMP/certs/server-ec.pem cert $TMP/certs/server-rsa.pem
    hsts 31536000
    http-response set-header X-Content-Type-Options nosniff
    http-response set-header X-Frame-Options DENY
    http-response set-header Content-Security-Policy "default-src 'none'"
    http-response set-header Referrer-Policy no-referrer
    default-backend b
backend b
    server s 127.0.0.1:$be_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"

echo "testssl: scanning https://localhost:$P at 127.0.0.1 ($(testssl --version 2>/dev/null |
    awk '/testssl +[0-9]/ {print $2; exit}'))"
ossl=$(command -v openssl) || fail "no openssl"
cat >"$TMP/openssl" <<SH
#!/bin/sh
case " \$* " in
*" s_client "*" -sess_out "*) sleep 0.5 | "$ossl" "\$@"; exit ;;
esac
exec "$ossl" "\$@"
SH
chmod +x "$TMP/openssl"
start=$SECONDS
(cd "$TMP" && TMPDIR=$TMP NO_ENGINE=true timeout -k 10 300 testssl \
    --quiet --color 0 --warnings batch --nodns none --ip 127.0.0.1 \
    --openssl "$TMP/openssl" --add-ca "$TMP/certs/ca.pem" \
    --jsonfile "$TMP/testssl.json" \
    -p -s -f -P -S -h -U "https://localhost:$P") >"$TMP/testssl.out" 2>&1
rc=$?
echo "testssl: exit status $rc after $((SECONDS - start)) s; its report: $TMP/testssl.out"
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$TMP/testssl.out" >&2
	[ "$rc" -eq 124 ] && fail "testssl did not finish within 300 s"
	fail "testssl exit status $rc: the scan did not complete"
fi
[ -s "$TMP/testssl.json" ] || fail "testssl wrote no JSON"
kill -0 "$GH_PID" 2>/dev/null || fail "gatehouse died during the scan"

# Every finding rated LOW or worse is printed; the verdict is on MEDIUM
# and worse, WARN and FATAL, and on the checks that must be there.
python3 - "$TMP/testssl.json" <<'PY' || fail "testssl findings above (see $TMP/testssl.out)"
import json, sys
findings = json.load(open(sys.argv[1]))
rank = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4, "WARN": 5, "FATAL": 6}
bad = 0
for f in findings:
    sev = f.get("severity", "")
    if sev in rank:
        print("%-8s %s: %s" % (sev, f.get("id"), f.get("finding")))
        bad += rank[sev] >= 2
    elif sev not in ("OK", "INFO", "DEBUG"):
        print("unknown severity %r: %s" % (sev, f))
        bad += 1
# Checks that prove the scan ran through, each rated OK.
sev = {f.get("id"): f.get("severity") for f in findings}
must = ["TLS1_2", "TLS1_3", "PFS", "PFS_ECDHE_curves", "HSTS_time",
        "heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego",
        "secure_client_renego", "CRIME_TLS", "BREACH", "POODLE_SSL",
        "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST",
        "LUCKY13", "RC4"]
for c in ("<cert#1>", "<cert#2>"):
    must += ["cert_trust " + c, "cert_chain_of_trust " + c,
             "cert_expirationStatus " + c, "OCSP_stapling " + c,
             "cert_ocspRevoked " + c]
for m in must:
    if sev.get(m) != "OK":
        print("missing or not OK: %s (%s)" % (m, sev.get(m, "absent")))
        bad += 1
find = {f.get("id"): f.get("finding") for f in findings}
for m in ("sessionresumption_ticket", "sessionresumption_ID"):
    if find.get(m) != "supported":
        print("%s: %s, want supported" % (m, find.get(m, "absent")))
        bad += 1
n = sum(1 for f in findings if f.get("id") == "cert_numbers" and f.get("finding") == "2")
if n != 1:
    print("testssl did not see both certificates (cert_numbers)")
    bad += 1
print("testssl: %d findings, %d failing" % (len(findings), bad))
sys.exit(1 if bad else 0)
PY

# Still serving after the scan, and a clean stop.
out=$(printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
    raw --tls "127.0.0.1:$P" | status)
[ "$out" = 200 ] || fail "after the scan: status '$out'"
stop_gh
[ "$GH_RC" -eq 0 ] || fail "exit status $GH_RC"
pass
