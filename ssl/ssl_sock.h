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

struct pool;

/* Starts the server side of a handshake on <c> with <ctx>, bounded by
 * <timeout_ms>. TLS output the socket does not take at once waits in a
 * block of <bufs> (at least one TLS record and its header large), the
 * caller's pool of the thread that runs <c>, which must outlive <c>; the
 * handshake timer runs on the event base of <c>'s events. Returns -errno
 * when it cannot start; otherwise 0, and <done> is called exactly once,
 * possibly before this returns. */
int ssl_sock_accept(struct conn *c, SSL_CTX *ctx, struct pool *bufs,
    unsigned int timeout_ms, ssl_hs_done_cb done, void *arg);

/* Starts the client side of a handshake on <c>, a connected socket to a
 * server, with <ctx> from ssl_ctx_new_client(): sends <sni> (NULL: none)
 * and, when <ctx> verifies, checks that the certificate names
 * <verify_name> (a host name or an IP address). The session kept in
 * <ctx> is offered for resumption (ssl_ctx_client_prepare()). The first
 * flight leaves at once. As ssl_sock_accept() otherwise; a failed
 * verification's reason reads "certificate verify failed: ...". */
int ssl_sock_connect(struct conn *c, SSL_CTX *ctx, struct pool *bufs,
    const char *sni, const char *verify_name, unsigned int timeout_ms,
    ssl_hs_done_cb done, void *arg);

/* The client's SNI name, the ALPN protocol agreed (<len> bytes), and
 * whether the session was resumed, on a TLS connection; NULL or 0 on
 * any other. */
const char *ssl_sock_sni(const struct conn *c);
const char *ssl_sock_alpn(const struct conn *c, size_t *len);
int ssl_sock_resumed(const struct conn *c);

/* "TLSv1.3" and the cipher name of an established TLS connection, NULL
 * for any other. */
const char *ssl_sock_version(const struct conn *c);
const char *ssl_sock_cipher(const struct conn *c);

/* A client certificate as passed on to servers, its fields formatted
 * once when the handshake ends. */
struct ssl_client_cert {
	long verify;            /* X509_V_OK, or why it failed */
	const char *verify_text; /* "SUCCESS" (else "FAILED") */
	char subject[1024];     /* RFC 2253 distinguished names, cut at
	                           1023 bytes */
	char issuer[1024];
	char cn[128];           /* the subject's common name */
	char serial[82];        /* upper case hex */
	char sha256[65];        /* of the DER certificate, lower case hex */
};

/* The certificate the client of the server-side TLS connection <c> sent
 * on this connection or its resumed session, read when the handshake
 * ended and owned by <c>; NULL when it sent none or <c> is not TLS. A
 * connection without one costs a NULL pointer. */
const struct ssl_client_cert *ssl_sock_client_cert(const struct conn *c);

/* <c> has been idle a while: OpenSSL's record buffers (about 34 KiB)
 * go back to the allocator, to be taken again by the next record. Not
 * when they hold data (read ahead, or not yet written); nothing on a
 * connection that is not TLS. */
void ssl_sock_idle(struct conn *c);

/* Whether the kernel makes <c>'s TLS records (kTLS send): its socket
 * then takes plaintext, from splice(2) too. */
int ssl_sock_ktls_send(const struct conn *c);

/* Whether the kernel offers kTLS (the "tls" TCP ULP), tried on a
 * loopback connection; if not, why in <why>. */
int ssl_ktls_probe(char *why, size_t len);

/* Creates the BIO method; once at start, before threads. */
int ssl_sock_init(void);

#endif
