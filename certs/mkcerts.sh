#!/bin/sh
# Makes the certificates the tests and the demo use, at run time (no
# private key is ever committed):
#   OUTDIR/ca.pem                   a test CA (ECDSA P-256)
#   OUTDIR/server.crt, server.key   a server certificate for localhost,
#                                   127.0.0.1 and ::1, signed by the CA
#   OUTDIR/server.pem               the same, chain and key in one file
#   OUTDIR/server-rsa.pem           an RSA-2048 one, chain and key
#   OUTDIR/self.pem                 a self-signed one for the same names,
#                                   which no CA here vouches for
#   OUTDIR/sni/a.pem                for a.test (ECDSA)
#   OUTDIR/sni/wild.pem             for *.wild.test (ECDSA)
#   OUTDIR/sni/dual-ec.pem, dual-rsa.pem   both for dual.test
#   OUTDIR/client.crt, client.key   a client certificate (mutual TLS) for
#                                   "gatehouse test client", signed by
#                                   the CA; client.pem: both in one file
#   OUTDIR/client-revoked.pem       another, revoked in OUTDIR/crl.pem
#   OUTDIR/ocsp/server.pem          server.crt, the CA, the key; with
#                                   server.pem.ocsp beside it: a good OCSP
#                                   response for 7 days, signed by the CA
#   OUTDIR/ocsp/stale.der           the same, out of date 9 days ago
#                                   (made only where faketime is)
#   OUTDIR/ocsp/other.der           a good response for client.crt
# Usage: certs/mkcerts.sh OUTDIR   (does nothing when OUTDIR is complete)
set -eu
out=${1:?usage: mkcerts.sh OUTDIR}
# Tests run in parallel and all ask for the same OUTDIR: one makes it,
# the others wait for it, so no test sees a CA from one run and a
# certificate from another.
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
[ -s "$out/server.pem" ] && [ -s "$out/server-rsa.pem" ] &&
    [ -s "$out/self.pem" ] && [ -s "$out/sni/dual-rsa.pem" ] &&
    [ -s "$out/client.pem" ] && [ -s "$out/crl.pem" ] &&
    [ -s "$out/ocsp/server.pem.ocsp" ] && exit 0
mkdir -p "$out"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
san="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 3650 \
    -subj "/CN=gatehouse test CA" 2>/dev/null

# sign KEYTYPE NAME [EXT [CN]]: a key and a certificate signed by the CA,
# for localhost unless the extension EXT and the common name CN say
# otherwise.
sign() {
	case $1 in
	ec)  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	         -out "$tmp/$2.key" 2>/dev/null ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	         -out "$tmp/$2.key" 2>/dev/null ;;
	esac
	openssl req -new -key "$tmp/$2.key" -subj "/CN=${4:-localhost}" \
	    -out "$tmp/$2.csr" 2>/dev/null
	printf '%s\n' "${3:-$san}" >"$tmp/ext"
	openssl x509 -req -in "$tmp/$2.csr" -CA "$tmp/ca.pem" \
	    -CAkey "$tmp/ca.key" -CAcreateserial -days 825 \
	    -extfile "$tmp/ext" -out "$tmp/$2.crt" 2>/dev/null
}

sign ec server
sign rsa server-rsa
cp "$tmp/ca.pem" "$out/ca.pem"
cp "$tmp/server.crt" "$out/server.crt"
cp "$tmp/server.key" "$out/server.key"
cat "$tmp/server.crt" "$tmp/server.key" >"$out/server.pem"
cat "$tmp/server-rsa.crt" "$tmp/server-rsa.key" >"$out/server-rsa.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/self.key" -out "$tmp/self.crt" -days 825 \
    -subj "/CN=localhost" -addext "$san" 2>/dev/null
cat "$tmp/self.crt" "$tmp/self.key" >"$out/self.pem"
mkdir -p "$out/sni"
sign ec a "subjectAltName=DNS:a.test"
sign ec wild "subjectAltName=DNS:*.wild.test"
sign ec dual-ec "subjectAltName=DNS:dual.test"
sign rsa dual-rsa "subjectAltName=DNS:dual.test"
for c in a wild dual-ec dual-rsa; do
	cat "$tmp/$c.crt" "$tmp/ca.pem" "$tmp/$c.key" >"$out/sni/$c.pem"
done
sign ec client "extendedKeyUsage=clientAuth" "gatehouse test client"
cp "$tmp/client.crt" "$out/client.crt"
cp "$tmp/client.key" "$out/client.key"
cat "$tmp/client.crt" "$tmp/client.key" >"$out/client.pem"
sign ec client-revoked "extendedKeyUsage=clientAuth" "revoked client"
cat "$tmp/client-revoked.crt" "$tmp/client-revoked.key" \
    >"$out/client-revoked.pem"

# The CA's database: the server and client certificates valid, the
# revoked client revoked; from it a CRL and OCSP responses.
serial() { openssl x509 -in "$tmp/$1.crt" -noout -serial | cut -d= -f2; }
{
	printf 'V\t300101000000Z\t\t%s\tunknown\t/CN=localhost\n' \
	    "$(serial server)"
	printf 'V\t300101000000Z\t\t%s\tunknown\t/CN=client\n' \
	    "$(serial client)"
	printf 'R\t300101000000Z\t240101000000Z\t%s\tunknown\t/CN=revoked\n' \
	    "$(serial client-revoked)"
} >"$tmp/index.txt"
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = %s\ndefault_md = sha256\ndefault_crl_days = 3650\n' \
    "$tmp/index.txt" >"$tmp/ca.cnf"
openssl ca -config "$tmp/ca.cnf" -gencrl -keyfile "$tmp/ca.key" \
    -cert "$tmp/ca.pem" -out "$out/crl.pem" 2>/dev/null
# ocsp NAME OUT [faketime offset]: a response for NAME's certificate.
ocsp() {
	openssl ocsp -issuer "$tmp/ca.pem" -cert "$tmp/$1.crt" -no_nonce \
	    -reqout "$tmp/$1.req" 2>/dev/null
	${3:+faketime -f "$3"} openssl ocsp -index "$tmp/index.txt" \
	    -rsigner "$tmp/ca.pem" -rkey "$tmp/ca.key" -CA "$tmp/ca.pem" \
	    -reqin "$tmp/$1.req" -respout "$2" -ndays "${4:-7}" 2>/dev/null \
	    >/dev/null
}
mkdir -p "$out/ocsp"
cat "$tmp/server.crt" "$tmp/ca.pem" "$tmp/server.key" >"$out/ocsp/server.pem"
ocsp client "$out/ocsp/other.der"
if command -v faketime >/dev/null 2>&1; then
	ocsp server "$out/ocsp/stale.der" -10d 1
fi
ocsp server "$out/ocsp/server.pem.ocsp"
