/* One certificate at a time, apart from any SSL_CTX: the names it
 * answers for, its subject and issuer and dates as text, and reading
 * certificates and private keys from PEM files. */
#ifndef GH_SSL_CERT_H
#define GH_SSL_CERT_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The names certificate <x> answers for, as the SNI table indexes them:
 * its subjectAltName DNS entries, else its subject CN. The list is the
 * caller's, for ssl_cert_free_names(). Returns 0, or -1 without memory
 * (and no list). */
int ssl_cert_names(X509 *x, char ***names, size_t *n);
void ssl_cert_free_names(char **names, size_t n);

/* Whether two name lists hold the same names, in any order and case. */
int ssl_cert_same_names(char **a, size_t na, char **b, size_t nb);

/* <name> printed with X509_NAME_print_ex() <flags> (XN_FLAG_RFC2253...),
 * cut to fit <len>; "" when it cannot be printed. Returns <buf>. */
const char *ssl_cert_dn(const X509_NAME *name, unsigned long flags,
    char *buf, size_t len);

/* <t> with strftime() format <fmt> (UTC), or "(bad date)". */
const char *ssl_cert_date(const ASN1_TIME *t, const char *fmt, char *buf,
    size_t len);
#define SSL_DATE_LOG    "%Y-%m-%d %H:%M:%S UTC"
#define SSL_DATE_ISO    "%Y-%m-%dT%H:%M:%SZ"

/* The names (as ssl_cert_names()) of the first certificate in PEM file
 * <file>, the caller's list. Returns 0, or -1 with "FILE: reason" (or
 * "out of memory") in <err> and no list. */
int ssl_cert_file_names(const char *file, char ***names, size_t *n,
    char *err, size_t errlen);

/* Logs a warning when certificate <x> (from <file>) has expired or is
 * not valid yet. An expired certificate is served (the operator may have
 * nothing better yet), and said at each load. */
void ssl_cert_warn_dates(const char *file, X509 *x);

/* The private key of PEM file <file> (the first one in it; certificates
 * around it are skipped), never asking for a pass phrase. Returns it
 * (the caller's, for EVP_PKEY_free()), or NULL with "FILE: reason" in
 * <err>: "not a PEM private key" for a file with no PEM block at all
 * (garbage, DER, empty), "no private key in it" for PEM blocks none of
 * which is a key (a certificate alone), "an encrypted private key ..."
 * for one under a pass phrase, else OpenSSL's reason. */
EVP_PKEY *ssl_cert_key_read(const char *file, char *err, size_t errlen);

#endif
