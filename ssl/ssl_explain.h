/* gatehouse --explain NAME: which bind and which certificate would answer a
 * client asking for NAME by SNI, the chain as it would be sent, and what is
 * wrong with it. Knows OpenSSL and ssl_sni.c's matching, not the
 * configuration file: the caller lists the TLS binds with their
 * certificate files. */
#ifndef GH_SSL_EXPLAIN_H
#define GH_SSL_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <openssl/x509.h>

/* One certificate of a bind, as the server would load it. */
struct ssl_explain_cert {
	const char *cert;       /* PEM: the certificate, then its chain */
	const char *key;        /* NULL: the key is in <cert> */
	const char *ocsp;       /* NULL: <cert>.ocsp when that file exists */
};

/* One TLS bind: its certificates in the order the server loads them (its
 * "cert"s, then its crt-dir's *.pem files in name order). */
struct ssl_explain_bind {
	const char *where;      /* "file:line", for the reader */
	const char *addr;       /* the address as written: "*:443" */
	const char *frontend;   /* its frontend's name, or NULL */
	const struct ssl_explain_cert *certs;
	size_t ncerts;
	int strict_sni;         /* unknown names are refused */
};

/* Writes to <out> what a client asking for <name> by SNI gets from each
 * of the <nbinds> binds at time <now>: the certificate that answers (or
 * the refusal), each certificate's key, OCSP file and chain as sent, and
 * one "problem: " line per problem found ("warning: " lines, such as a
 * renewal due, change nothing). Returns 0 when nothing is wrong, 1
 * when a problem was found (no bind at all is one), or -EINVAL when
 * <name> is not a host name a client could send (nothing written). */
int ssl_explain(FILE *out, const char *name,
    const struct ssl_explain_bind *binds, size_t nbinds, time_t now);

/* The chain part, exposed for tests: one line per certificate of <chain>
 * (as in <file>, the first being the leaf) with its subject, issuer,
 * validity end and days left at <now>, then a "warning: " line for each
 * certificate due for renewal (less than a third of its own lifetime
 * left, as ACME clients judge it; not a problem), and a "problem: " line
 * for each certificate expired or not yet valid, each certificate out of
 * order (not followed by its issuer), each extra one (not on the path
 * from the leaf), and a chain that ends short of a self-signed root that
 * is neither in the file nor in <trusted> (NULL: none). Returns the
 * number of problems. */
unsigned int ssl_explain_chain(FILE *out, const char *file,
    STACK_OF(X509) *chain, X509_STORE *trusted, time_t now);

#endif
