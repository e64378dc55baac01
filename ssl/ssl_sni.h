/* Choosing a certificate by the name a client asks for (SNI). Each
 * certificate's names (subjectAltName DNS entries, else its CN) point at
 * the SSL_CTX holding it; a lookup tries the exact name, then the
 * wildcard one label up ("*.example.com" covers "a.example.com", not
 * "example.com" nor "a.b.example.com"). */
#ifndef GH_SSL_SNI_H
#define GH_SSL_SNI_H

#include <stddef.h>

#include <openssl/ssl.h>

struct ssl_sni_entry {
	char *name;             /* normalized: lower case, no trailing dot */
	SSL_CTX *ctx;           /* not owned */
};

struct ssl_sni {
	struct ssl_sni_entry *e;
	size_t n;
	int strict;             /* no match (or no SNI): refuse */
};

/* <name> into <out> in the form names are compared in: lower case, one
 * trailing dot dropped. Returns 0, or -1 for what cannot be a host name
 * (empty, too long, a byte other than letters, digits, '-', '.', or a
 * leading "*." in a certificate name). */
int ssl_sni_norm(const char *name, char *out, size_t outlen);

/* Adds <name> for <ctx>; the first certificate to claim a name keeps it.
 * Returns 0, 1 when the name was taken already or is not valid, or -1
 * without memory. */
int ssl_sni_add(struct ssl_sni *t, const char *name, SSL_CTX *ctx);

/* Sorts the table once it is complete. */
void ssl_sni_done(struct ssl_sni *t);

/* The SSL_CTX for the client's <name> (raw, as sent), or NULL. */
SSL_CTX *ssl_sni_find(const struct ssl_sni *t, const char *name);

void ssl_sni_free(struct ssl_sni *t);

#endif
