/* OCSP stapling: a response file per certificate, checked when it is
 * loaded and sent to clients that ask for it (status_request) while it
 * is fresh. */
#ifndef GH_SSL_OCSP_H
#define GH_SSL_OCSP_H

#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

/* What a response file says of certificate <leaf>, issued by <issuer>. */
enum ssl_ocsp_state {
	SSL_OCSP_GOOD = 0,      /* fresh, signed by the issuer or its
	                           responder, "good" */
	SSL_OCSP_REVOKED,       /* fresh and valid, but "revoked" */
	SSL_OCSP_STALE,         /* valid but out of its time window */
	SSL_OCSP_BAD,           /* not a response for <leaf>, or not
	                           trustworthy: <err> says why */
};

/* Checks the DER response <der> for <leaf> at time <now>; fills
 * <next_update> (0: the response gives none). */
enum ssl_ocsp_state ssl_ocsp_check(const unsigned char *der, size_t len,
    X509 *leaf, X509 *issuer, time_t now, time_t *next_update, char *err,
    size_t errlen);

/* The whole of response file <file> (at most 1 MiB), to OPENSSL_free;
 * NULL with "file: reason" in <err>. */
unsigned char *ssl_ocsp_read(const char *file, size_t *len, char *err,
    size_t errlen);

/* The issuer of <leaf> among <chain>, or NULL. */
X509 *ssl_ocsp_issuer(X509 *leaf, STACK_OF(X509) *chain);

/* Reads the response for the certificate last loaded into <ctx> (and its
 * chain) from <file>, or from "<cert>.ocsp" when <file> is NULL and that
 * exists, and staples it on handshakes of <ctx>. A stale response is
 * logged and not stapled; a bad one is an error. Returns 0, 1 when
 * there is no response to load, or -1 with the reason in <err>. */
int ssl_ocsp_load(SSL_CTX *ctx, const char *cert, const char *file,
    char *err, size_t errlen);

#endif
