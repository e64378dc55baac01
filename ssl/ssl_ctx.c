#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ssl_ctx.h"

/* Algorithms OpenSSL 3.0 would fetch (under a global lock) on each
 * handshake; holding a reference keeps them in the method store's cache. */
static EVP_CIPHER *pinned_ciphers[3];
static EVP_MD *pinned_mds[2];

void
ssl_init(void)
{
	static const char *ciphers[] = { "AES-128-GCM", "AES-256-GCM",
	    "ChaCha20-Poly1305" };
	static const char *mds[] = { "SHA256", "SHA384" };
	size_t i;

	OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
	    OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
	for (i = 0; i < 3; i++)
		pinned_ciphers[i] = EVP_CIPHER_fetch(NULL, ciphers[i], NULL);
	for (i = 0; i < 2; i++)
		pinned_mds[i] = EVP_MD_fetch(NULL, mds[i], NULL);
}

const char *
ssl_err_reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r;

	ERR_clear_error();
	if (e == 0)
		return "unknown TLS error";
	if ((r = ERR_reason_error_string(e)) != NULL)
		snprintf(buf, len, "%s", r);
	else
		ERR_error_string_n(e, buf, len);
	return buf;
}

/* ALPN: the first of the client's protocols that we offer too (RFC 7301
 * lets the server choose; we follow the client's order of preference). */
static int
ssl_ctx_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	const unsigned char *ours = arg;

	(void)ssl;
	if (SSL_select_next_proto((unsigned char **)out, outlen, in, inlen,
	    ours + 1, ours[0]) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	return SSL_TLSEXT_ERR_OK;
}

/* "h2,http/1.1" to the wire format (length-prefixed), with its total
 * length in the first byte, so that the callback gets one pointer. */
static unsigned char *
ssl_ctx_alpn_wire(const char *list)
{
	size_t n = strlen(list), i, start = 0, o = 1;
	unsigned char *w;

	if (n == 0 || n > 254 || (w = OPENSSL_malloc(n + 2)) == NULL)
		return NULL;
	for (i = 0; i <= n; i++) {
		if (i < n && list[i] != ',')
			continue;
		if (i == start || i - start > 255) {
			OPENSSL_free(w);
			return NULL;
		}
		w[o++] = (unsigned char)(i - start);
		memcpy(w + o, list + start, i - start);
		o += i - start;
		start = i + 1;
	}
	w[0] = (unsigned char)(o - 1);
	return w;
}

static void
ssl_ctx_free_alpn(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	OPENSSL_free(ptr);
}

static int
ssl_ctx_load_cert(SSL_CTX *ctx, const struct ssl_cert_opts *c, char *err,
    size_t errlen)
{
	const char *key = c->key != NULL ? c->key : c->cert;
	char why[256];

	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1) {
		snprintf(err, errlen, "%s: cannot load certificate: %s",
		    c->cert, ssl_err_reason(why, sizeof(why)));
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "%s: cannot load private key: %s", key,
		    ssl_err_reason(why, sizeof(why)));
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "%s: key does not match certificate %s",
		    key, c->cert);
		ERR_clear_error();
		return -1;
	}
	/* The chain comes from the file as given: no store lookups on each
	 * handshake (SSL_MODE_NO_AUTO_CHAIN below). */
	return 0;
}

SSL_CTX *
ssl_ctx_new_server(const struct ssl_ctx_opts *o, char *err, size_t errlen)
{
	static int alpn_idx = -1;
	unsigned char *alpn;
	char why[256];
	SSL_CTX *ctx;
	size_t i;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new: %s",
		    ssl_err_reason(why, sizeof(why)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN);
	/* One ticket is enough to resume; each one costs a signature-free
	 * but real encryption and a record on the wire. */
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_read_ahead(ctx, 1);
	if (SSL_CTX_set_cipher_list(ctx,
	    o->ciphers ? o->ciphers : SSL_DEF_CIPHERS) != 1) {
		snprintf(err, errlen, "bad ciphers '%s'", o->ciphers);
		goto err_free_ctx;
	}
	if (SSL_CTX_set_ciphersuites(ctx,
	    o->ciphersuites ? o->ciphersuites : SSL_DEF_SUITES) != 1) {
		snprintf(err, errlen, "bad ciphersuites '%s'",
		    o->ciphersuites);
		goto err_free_ctx;
	}
	if (SSL_CTX_set1_groups_list(ctx, SSL_DEF_GROUPS) != 1) {
		snprintf(err, errlen, "cannot set groups %s", SSL_DEF_GROUPS);
		goto err_free_ctx;
	}
	for (i = 0; i < o->ncerts; i++)
		if (ssl_ctx_load_cert(ctx, &o->certs[i], err, errlen) < 0)
			goto err_free_ctx;
	if (o->alpn != NULL) {
		if ((alpn = ssl_ctx_alpn_wire(o->alpn)) == NULL) {
			snprintf(err, errlen, "bad alpn list '%s'", o->alpn);
			goto err_free_ctx;
		}
		if (alpn_idx == -1)
			alpn_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
			    ssl_ctx_free_alpn);
		SSL_CTX_set_ex_data(ctx, alpn_idx, alpn);
		SSL_CTX_set_alpn_select_cb(ctx, ssl_ctx_alpn_select, alpn);
	}
	ERR_clear_error();
	return ctx;
err_free_ctx:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}
