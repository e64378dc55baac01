/* Building SSL_CTX objects from plain option structs. Knows OpenSSL, not
 * the configuration file: the caller fills the options. */
#ifndef GH_SSL_CTX_H
#define GH_SSL_CTX_H

#include <stddef.h>

#include <openssl/ssl.h>

struct ssl_cert_opts {
	const char *cert;       /* PEM: certificate then its chain */
	const char *key;        /* NULL: the key is in <cert> */
	const char *ocsp;       /* DER OCSP response to staple; NULL:
	                           <cert>.ocsp if that exists */
};

struct ssl_tickets;

/* Client certificates asked for by a server context. */
enum ssl_verify {
	SSL_VERIFY_CLIENT_NONE = 0,
	SSL_VERIFY_CLIENT_OPTIONAL,     /* asked for; one sent must verify */
	SSL_VERIFY_CLIENT_REQUIRED,     /* no certificate: no handshake */
};

struct ssl_ctx_opts {
	const struct ssl_cert_opts *certs;
	size_t ncerts;
	const char *ciphers;            /* TLS 1.2; NULL: SSL_DEF_CIPHERS */
	const char *ciphersuites;       /* TLS 1.3; NULL: SSL_DEF_SUITES */
	const char *alpn;               /* "h2,http/1.1" or NULL */
	const char *curves;             /* groups; NULL: SSL_DEF_GROUPS */
	int min_ver, max_ver;           /* TLS1_x_VERSION; 0: 1.2 and 1.3 */
	unsigned int session_cache;     /* sessions kept for resumption by
	                                   id (TLS 1.2 without tickets),
	                                   shared by all threads; 0: none */
	int strict_sni;                 /* refuse clients whose SNI names no
	                                   certificate (or who send none) */
	struct ssl_tickets *tickets;    /* ticket keys (ssl_ticket.h), not
	                                   owned; NULL: OpenSSL's own */
	enum ssl_verify verify;         /* client certificates */
	const char *ca_file;            /* CAs that sign client certificates */
	const char *crl_file;           /* their revocation lists, or NULL */
	int ktls;                       /* hand records to the kernel */
};

/* Modern defaults: ECDHE with AEAD only; AES-128-GCM first because the
 * server's preference wins and it is the cheapest suite on AES-NI. */
#define SSL_DEF_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define SSL_DEF_SUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"
#define SSL_DEF_GROUPS "X25519:P-256"

/* Once at start, before threads: fetches what OpenSSL would otherwise
 * look up on every handshake. */
void ssl_init(void);

/* A server SSL_CTX built once and shared by every worker. Certificates
 * for the same names (an ECDSA and an RSA one) share a context; each
 * other name set gets its own, chosen by the client's SNI (ssl_sni.h);
 * the first certificate's is the default, and the one returned. Returns
 * NULL and a reason naming the file in <err> on failure. */
SSL_CTX *ssl_ctx_new_server(const struct ssl_ctx_opts *o, char *err,
    size_t errlen);

/* What a client SSL_CTX (gatehouse to one TLS server) is made of. */
struct ssl_client_opts {
	int verify;             /* verify the server's chain (and name) */
	const char *ca_file;    /* NULL: the system's default CA store */
	const char *crt;        /* client certificate (and chain) PEM, or
	                           NULL */
	const char *key;        /* its key, if not in <crt> */
	const char *alpn;       /* protocols offered, or NULL */
};

/* A client SSL_CTX, one per server, shared by every worker: TLS 1.2 at
 * least, the server side's default ciphers. It keeps the server's latest
 * session (TLS 1.3 ticket or TLS 1.2 session) to resume the next
 * connection with.
 * Returns NULL and a reason naming the file in <err> on failure. */
SSL_CTX *ssl_ctx_new_client(const struct ssl_client_opts *o, char *err,
    size_t errlen);

/* Makes <ssl> (from <ctx>) the client side of a handshake: sends <sni>
 * (NULL: none), checks, when <ctx> verifies, that the certificate names
 * <verify_name> (a host name or an IP address), and offers the session
 * kept in <ctx> if it was made with the same two names. Returns 0, or -1
 * with the OpenSSL error queued. */
int ssl_ctx_client_prepare(SSL_CTX *ctx, SSL *ssl, const char *sni,
    const char *verify_name);

/* Why the handshake of <ssl> failed: the certificate verification's
 * reason on a client, else the last OpenSSL error. */
const char *ssl_hs_reason(SSL *ssl, char *buf, size_t len);

#endif
