#!/bin/sh
# Makes the certificates tests/t_testssl.sh serves to testssl.sh, shaped
# like ones a public CA issues, so that what testssl says of them is about
# gatehouse and not about a bare test certificate:
#   OUTDIR/ca.pem          a root CA (ECDSA P-256: CA:TRUE, keyCertSign,
#                          cRLSign); give it to the client as trusted
#   OUTDIR/server-ec.pem   a server certificate (ECDSA P-256), the
#                          intermediate CA that issued it, and its key
#   OUTDIR/server-rsa.pem  the same with an RSA-2048 key
#   OUTDIR/server-ec.pem.ocsp, server-rsa.pem.ocsp
#                          a "good" OCSP response (DER) for each, signed
#                          by the intermediate, valid 7 days: what a site
#                          fetches from its CA's responder to staple
# The intermediate is CA:TRUE with pathlen 0. Both server certificates are
# for localhost, 127.0.0.1 and ::1, valid 397 days (the CA/Browser Forum's
# limit is 398), CA:FALSE, with key usage (digitalSignature; for RSA also
# keyEncipherment, as public CAs issue them), serverAuth extended key
# usage, a CRL distribution point and an authority information access
# (OCSP responder, issuer's certificate). Those URIs are fields only:
# nothing serves them, their names are under .test (RFC 2606), and
# testssl does not fetch them unless told to (--phone-out). The CA keys
# are thrown away.
# Usage: certs/mktestssl.sh OUTDIR   (does nothing when OUTDIR is complete)
set -eu
out=${1:?usage: mktestssl.sh OUTDIR}
[ -s "$out/ca.pem" ] && [ -s "$out/server-ec.pem.ocsp" ] &&
    [ -s "$out/server-rsa.pem.ocsp" ] && exit 0
mkdir -p "$out"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ecparam="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 3650 \
    -subj "/O=gatehouse tests/CN=gatehouse testssl root CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

cat >"$tmp/int.ext" <<'EXT'
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
cat >"$tmp/leaf.ext" <<'EXT'
basicConstraints = critical, CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.gatehouse.test/int.crl
authorityInfoAccess = OCSP;URI:http://ocsp.gatehouse.test/, caIssuers;URI:http://crl.gatehouse.test/int.der
EXT

# sign NAME SUBJECT ISSUER DAYS EXTFILE GENPKEY-OPTIONS...: NAME.key and
# NAME.crt, signed by ISSUER.crt/ISSUER.key.
sign() {
	name=$1 subj=$2 issuer=$3 days=$4 ext=$5
	shift 5
	openssl genpkey "$@" -out "$tmp/$name.key" 2>/dev/null
	openssl req -new -key "$tmp/$name.key" -subj "$subj" \
	    -out "$tmp/$name.csr" 2>/dev/null
	openssl x509 -req -in "$tmp/$name.csr" -CA "$tmp/$issuer.pem" \
	    -CAkey "$tmp/$issuer.key" -CAcreateserial -days "$days" -sha256 \
	    -extfile "$ext" -out "$tmp/$name.pem" 2>/dev/null
}

# shellcheck disable=SC2086
sign int "/O=gatehouse tests/CN=gatehouse testssl intermediate CA" ca 1825 \
    "$tmp/int.ext" $ecparam
: >"$tmp/index.txt"
echo "unique_subject = no" >"$tmp/index.txt.attr"
for kind in ec rsa; do
	case $kind in
	ec)  ku=digitalSignature; keyopt=$ecparam ;;
	rsa) ku=digitalSignature,keyEncipherment
	     keyopt="-algorithm RSA -pkeyopt rsa_keygen_bits:2048" ;;
	esac
	{ cat "$tmp/leaf.ext"; echo "keyUsage = critical, $ku"; } >"$tmp/$kind.ext"
	# shellcheck disable=SC2086
	sign "$kind" /CN=localhost int 397 "$tmp/$kind.ext" $keyopt
	cat "$tmp/$kind.pem" "$tmp/int.pem" "$tmp/$kind.key" >"$out/server-$kind.pem"
	# The issuer's database, for the OCSP answer: valid, its expiry,
	# no revocation date, its serial, file unknown, its subject.
	printf 'V\t%s\t\t%s\tunknown\t%s\n' \
	    "$(date -u -d "$(openssl x509 -in "$tmp/$kind.pem" -noout -enddate |
	        cut -d= -f2)" +%y%m%d%H%M%SZ)" \
	    "$(openssl x509 -in "$tmp/$kind.pem" -noout -serial | cut -d= -f2)" \
	    "$(openssl x509 -in "$tmp/$kind.pem" -noout -subject -nameopt compat |
	        sed 's/^subject=//')" >>"$tmp/index.txt"
done
for kind in ec rsa; do
	openssl ocsp -issuer "$tmp/int.pem" -cert "$tmp/$kind.pem" -no_nonce \
	    -reqout "$tmp/$kind.req" >/dev/null 2>&1
	openssl ocsp -index "$tmp/index.txt" -CA "$tmp/int.pem" \
	    -rsigner "$tmp/int.pem" -rkey "$tmp/int.key" -ndays 7 \
	    -reqin "$tmp/$kind.req" -respout "$out/server-$kind.pem.ocsp" \
	    >/dev/null 2>&1
done
cp "$tmp/ca.pem" "$out/ca.pem"
