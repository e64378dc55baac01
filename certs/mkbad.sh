#!/bin/sh
# Makes certificates with something wrong (or right) about them, for the
# tests of gatehouse --explain and of the warnings at load, at run time (no
# private key is ever committed). All ECDSA P-256, under a CA of their own
# ("gatehouse bad root" -> "gatehouse bad intermediate"):
#   OUTDIR/root.pem        the root CA certificate (no key)
#   OUTDIR/full.pem        chain.test: leaf, intermediate, root, key (right)
#   OUTDIR/chain.pem       chain.test: leaf, intermediate, key (in order;
#                          ends at the root, which is not in the file)
#   OUTDIR/disorder.pem    chain.test: leaf, root, intermediate, key
#   OUTDIR/nointer.pem     chain.test: leaf, key (missing intermediate)
#   OUTDIR/extra.pem       chain.test: leaf, intermediate, root, and an
#                          unrelated certificate, key
#   OUTDIR/other.key       a key that belongs to no certificate here
#   OUTDIR/mismatch.pem    chain.test: leaf, intermediate, root, and
#                          other.key instead of its own key
#   OUTDIR/expired.pem     localhost, 127.0.0.1, ::1: self-signed, expired
#                          in 2020 (certificate and key)
#   OUTDIR/soon.pem        soon.test: self-signed, 90 days long, 20 days
#                          left (due for renewal)
#   OUTDIR/short.pem       short.test: self-signed, 6 days long, 5 days
#                          left (a short-lived certificate, not due)
#   OUTDIR/cnonly.pem      cn.test in the CN only, no subjectAltName:
#                          leaf, intermediate, root, key
# Usage: certs/mkbad.sh OUTDIR   (does nothing when OUTDIR is complete)
set -eu
out=${1:?usage: mkbad.sh OUTDIR}
[ -s "$out/full.pem" ] && [ -s "$out/expired.pem" ] &&
    [ -s "$out/soon.pem" ] && [ -s "$out/short.pem" ] &&
    [ -s "$out/cnonly.pem" ] && exit 0
mkdir -p "$out"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$tmp/$1.key" 2>/dev/null
}

# sign NAME CA EXT CN [DAYS]: NAME.key and NAME.crt, signed by CA with
# the extension text EXT.
sign() {
	key "$1"
	openssl req -new -key "$tmp/$1.key" -subj "/CN=$4" \
	    -out "$tmp/$1.csr" 2>/dev/null
	printf '%s\n' "$3" >"$tmp/$1.ext"
	openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.crt" \
	    -CAkey "$tmp/$2.key" -CAcreateserial -days "${5:-825}" \
	    -extfile "$tmp/$1.ext" -out "$tmp/$1.crt" 2>/dev/null
}

key root
openssl req -x509 -key "$tmp/root.key" -out "$tmp/root.crt" -days 3650 \
    -subj "/CN=gatehouse bad root" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
sign inter root "basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign" "gatehouse bad intermediate" 1825
sign leaf inter "subjectAltName=DNS:chain.test" chain.test
sign unrelated root "subjectAltName=DNS:unrelated.test" unrelated.test
sign cnonly inter "basicConstraints=CA:FALSE" cn.test
key other

# Self-signed with dates in the past: OpenSSL 3.0's x509 and req cannot
# set a start date, "openssl ca" can.
mkdir -p "$tmp/ca"
: >"$tmp/ca/index.txt"
cat >"$tmp/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = $tmp/ca/index.txt
new_certs_dir = $tmp/ca
serial = $tmp/ca/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
[ext]
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
basicConstraints = CA:FALSE
EOF
echo 01 >"$tmp/ca/serial"
key expired
openssl req -new -key "$tmp/expired.key" -subj "/CN=localhost" \
    -out "$tmp/expired.csr" 2>/dev/null
openssl ca -batch -config "$tmp/ca.cnf" -selfsign -keyfile "$tmp/expired.key" \
    -in "$tmp/expired.csr" -startdate 20200101000000Z \
    -enddate 20200401000000Z -extensions ext -notext \
    -out "$tmp/expired.crt" 2>/dev/null
# selfsign NAME CN START END: NAME.crt for CN, self-signed, from START
# to END (date(1) offsets from now).
selfsign() {
	key "$1"
	openssl req -new -key "$tmp/$1.key" -subj "/CN=$2" \
	    -out "$tmp/$1.csr" 2>/dev/null
	printf '[ext]\nsubjectAltName = DNS:%s\nbasicConstraints = CA:FALSE\n' \
	    "$2" >"$tmp/$1.ext"
	openssl ca -batch -config "$tmp/ca.cnf" -selfsign \
	    -keyfile "$tmp/$1.key" -in "$tmp/$1.csr" \
	    -startdate "$(date -u -d "$3" +%Y%m%d%H%M%SZ)" \
	    -enddate "$(date -u -d "$4" +%Y%m%d%H%M%SZ)" \
	    -extfile "$tmp/$1.ext" -extensions ext -notext \
	    -out "$tmp/$1.crt" 2>/dev/null
}
selfsign soon soon.test "-70 days" "+20 days"
selfsign short short.test "-1 day" "+5 days"

cd "$tmp"
cp root.crt "$out/root.pem"
cat leaf.crt inter.crt root.crt leaf.key >"$out/full.pem"
cat leaf.crt inter.crt leaf.key >"$out/chain.pem"
cat leaf.crt root.crt inter.crt leaf.key >"$out/disorder.pem"
cat leaf.crt leaf.key >"$out/nointer.pem"
cat leaf.crt inter.crt root.crt unrelated.crt leaf.key >"$out/extra.pem"
cp other.key "$out/other.key"
cat leaf.crt inter.crt root.crt other.key >"$out/mismatch.pem"
cat expired.crt expired.key >"$out/expired.pem"
cat soon.crt soon.key >"$out/soon.pem"
cat short.crt short.key >"$out/short.pem"
cat cnonly.crt inter.crt root.crt cnonly.key >"$out/cnonly.pem"
