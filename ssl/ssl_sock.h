/* The TLS transport: slides TLS under a connection. The handshake state
 * machine runs until the handshake is done, fails or times out; then the
 * connection's transport behaves like a raw one, carrying plaintext. */
#ifndef GH_SSL_SOCK_H
#define GH_SSL_SOCK_H

#include <openssl/ssl.h>

#include "conn.h"

/* How a handshake ended: <c> is still owned by the caller in both cases.
 * <reason> is NULL on success. */
typedef void (*ssl_hs_done_cb)(struct conn *c, const char *reason, void *arg);

/* Starts the server side of a handshake on <c> with <ctx>, bounded by
 * <timeout_ms>. Returns -errno when it cannot start; otherwise 0, and
 * <done> is called exactly once, possibly before this returns. */
int ssl_sock_accept(struct conn *c, SSL_CTX *ctx, unsigned int timeout_ms,
    ssl_hs_done_cb done, void *arg);

/* "TLSv1.3" and the cipher name of an established TLS connection, NULL
 * for any other. */
const char *ssl_sock_version(const struct conn *c);
const char *ssl_sock_cipher(const struct conn *c);

/* Creates the BIO method; once at start, before threads. */
int ssl_sock_init(void);

#endif
