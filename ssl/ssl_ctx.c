#include <arpa/inet.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "ssl_cert.h"
#include "ssl_ctx.h"
#include "ssl_err.h"
#include "ssl_ocsp.h"
#include "ssl_sni.h"
#include "ssl_ticket.h"

/* Algorithms OpenSSL 3.0 would fetch (under a global lock) on each
 * handshake; holding a reference keeps them in the method store's cache. */
static EVP_CIPHER *pinned_ciphers[3];
static EVP_MD *pinned_mds[2];
/* Set on an SSL whose SNI name strict-sni refused: the error queue
 * would only say "callback failed". */
static int ssl_strict_idx = -1;

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
	ssl_strict_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* "certificate verify failed: hostname mismatch (expected 'x')": the
 * name is what a wrong "sni" or server address in the configuration
 * shows up as, so it is said. */
static void
ssl_verify_reason(SSL *ssl, long v, char *buf, size_t len)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	const char *why = X509_verify_cert_error_string(v);
	const char *host;
	char *ip;

	if (v == X509_V_ERR_HOSTNAME_MISMATCH &&
	    (host = X509_VERIFY_PARAM_get0_host(vp, 0)) != NULL)
		snprintf(buf, len, "certificate verify failed: %s (expected "
		    "'%.200s')", why, host);
	else if (v == X509_V_ERR_IP_ADDRESS_MISMATCH &&
	    (ip = X509_VERIFY_PARAM_get1_ip_asc(vp)) != NULL) {
		snprintf(buf, len, "certificate verify failed: %s (expected "
		    "%.64s)", why, ip);
		OPENSSL_free(ip);
	} else
		snprintf(buf, len, "certificate verify failed: %s", why);
}

const char *
ssl_hs_reason(SSL *ssl, char *buf, size_t len)
{
	long v = SSL_get_verify_result(ssl);
	const char *name;

	if (ssl_strict_idx != -1 && SSL_get_ex_data(ssl, ssl_strict_idx)) {
		ERR_clear_error();
		name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
		if (name == NULL)
			snprintf(buf, len, "no SNI name (strict-sni)");
		else
			snprintf(buf, len, "no certificate for SNI name '%.64s' "
			    "(strict-sni)", name);
		return buf;
	}

	/* A peer's certificate that failed verification says why more
	 * precisely than the error queue. Without verification a result is
	 * recorded too but failed nothing: the queue has the reason then. */
	if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) && v != X509_V_OK) {
		ERR_clear_error();
		if (SSL_is_server(ssl))
			snprintf(buf, len, "client certificate verify failed: "
			    "%s", X509_verify_cert_error_string(v));
		else
			ssl_verify_reason(ssl, v, buf, len);
		return buf;
	}
	return ssl_err_reason(buf, len);
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
ssl_ctx_key_mismatch(unsigned long e)
{
	return ERR_GET_LIB(e) == ERR_LIB_X509 &&
	    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH;
}

static int
ssl_ctx_load_cert(SSL_CTX *ctx, const struct ssl_cert_opts *c, char *err,
    size_t errlen)
{
	const char *key = c->key != NULL ? c->key : c->cert;
	char why[256];
	EVP_PKEY *pk;
	int rc;

	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1) {
		snprintf(err, errlen, "%s: cannot load certificate: %s",
		    c->cert, ssl_err_reason(why, sizeof(why)));
		return -1;
	}
	if ((pk = ssl_cert_key_read(key, err, errlen)) == NULL)
		return -1;
	/* OpenSSL compares the key with the certificate as it takes it:
	 * a mismatch reads as such, not as a key that cannot be loaded. */
	rc = SSL_CTX_use_PrivateKey(ctx, pk);
	EVP_PKEY_free(pk);
	if (rc != 1 && !ssl_ctx_key_mismatch(ERR_peek_last_error())) {
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

/* Client certificates: asked for, checked against <ca_file> (and its
 * revocation lists); the CAs' names are sent to the client so that it
 * can choose. */
static int
ssl_ctx_client_ca(SSL_CTX *ctx, const struct ssl_ctx_opts *o, char *err,
    size_t errlen)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509_NAME) *names;
	char why[256];

	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    (o->verify == SSL_VERIFY_CLIENT_REQUIRED ?
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
	if (SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(o->ca_file)) == NULL) {
		snprintf(err, errlen, "%s: cannot load CA certificates: %s",
		    o->ca_file, ssl_err_reason(why, sizeof(why)));
		return -1;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	if (o->crl_file != NULL) {
		if (X509_STORE_load_file(st, o->crl_file) != 1) {
			snprintf(err, errlen, "%s: cannot load revocation "
			    "lists: %s", o->crl_file,
			    ssl_err_reason(why, sizeof(why)));
			return -1;
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK |
		    X509_V_FLAG_CRL_CHECK_ALL);
	}
	return 0;
}

/* One server SSL_CTX holding certs[idx[0..n-1]] (one name set: an ECDSA
 * and an RSA certificate for the same names live together, and OpenSSL
 * picks by what the client supports). */
static SSL_CTX *
ssl_ctx_one(const struct ssl_ctx_opts *o, const size_t *idx, size_t n,
    char *err, size_t errlen)
{
	static int alpn_idx = -1;
	unsigned char *alpn, sid[SHA256_DIGEST_LENGTH];
	char why[PATH_MAX + 16];
	SSL_CTX *ctx;
	size_t i;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new: %s",
		    ssl_err_reason(why, sizeof(why)));
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, o->min_ver ? o->min_ver :
	    TLS1_2_VERSION) != 1 || SSL_CTX_set_max_proto_version(ctx,
	    o->max_ver ? o->max_ver : TLS1_3_VERSION) != 1) {
		snprintf(err, errlen, "bad TLS version range");
		goto err_free_ctx;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* No SSL_MODE_RELEASE_BUFFERS: it frees and allocates the record
	 * buffers for every record, which on a heap aged by thousands of
	 * connections cost a quarter of the CPU. An idle connection lets
	 * them go instead (ssl_sock_idle()). */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN);
	/* One ticket is enough to resume; each one costs a signature-free
	 * but real encryption and a record on the wire. */
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_read_ahead(ctx, 1);
	/* A session resumes only where it would have been made: with the
	 * same client certificate checks (a ticket key file may be shared
	 * by a bind that asks for none). Every context of a bind has the
	 * same (the SNI name may choose another one). */
	snprintf(why, sizeof(why), "%d:%s", (int)o->verify,
	    o->ca_file != NULL ? o->ca_file : "");
	SHA256((const unsigned char *)why, strlen(why), sid);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid));
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
	if (SSL_CTX_set1_groups_list(ctx, o->curves ? o->curves :
	    SSL_DEF_GROUPS) != 1) {
		snprintf(err, errlen, "bad curves '%s'", o->curves ?
		    o->curves : SSL_DEF_GROUPS);
		goto err_free_ctx;
	}
	for (i = 0; i < n; i++) {
		const struct ssl_cert_opts *c = &o->certs[idx[i]];

		if (ssl_ctx_load_cert(ctx, c, err, errlen) < 0 ||
		    ssl_ocsp_load(ctx, c->cert, c->ocsp, err, errlen) < 0)
			goto err_free_ctx;
		ssl_cert_warn_dates(c->cert, SSL_CTX_get0_certificate(ctx));
	}
	if (o->verify != SSL_VERIFY_CLIENT_NONE &&
	    ssl_ctx_client_ca(ctx, o, err, errlen) < 0)
		goto err_free_ctx;
	if (o->tickets != NULL)
		ssl_tickets_attach(o->tickets, ctx);
	if (o->ktls)
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
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

/* ---- many certificates: one SSL_CTX per name set, chosen by SNI ---- */

/* What the default SSL_CTX of a bind carries: the table and the other
 * contexts, freed with it. */
struct ssl_ctx_sni {
	struct ssl_sni table;
	SSL_CTX **ctxs;         /* all but the default */
	size_t nctxs;
};

static int ssl_sni_idx = -1;

static void
ssl_ctx_free_sni(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct ssl_ctx_sni *s = ptr;
	size_t i;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (s == NULL)
		return;
	ssl_sni_free(&s->table);
	for (i = 0; i < s->nctxs; i++)
		SSL_CTX_free(s->ctxs[i]);
	free(s->ctxs);
	free(s);
}

/* At the ClientHello: the context of the name asked for, the default
 * one otherwise, or (strict) a refusal. */
static int
ssl_ctx_servername(SSL *ssl, int *alert, void *arg)
{
	struct ssl_ctx_sni *s = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	SSL_CTX *ctx = ssl_sni_find(&s->table, name);

	if (ctx == NULL) {
		if (!s->table.strict)
			return SSL_TLSEXT_ERR_OK;
		SSL_set_ex_data(ssl, ssl_strict_idx, s);
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (ctx != SSL_get_SSL_CTX(ssl))
		SSL_set_SSL_CTX(ssl, ctx);
	return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *
ssl_ctx_new_server(const struct ssl_ctx_opts *o, char *err, size_t errlen)
{
	struct ssl_ctx_sni *sni = NULL;
	SSL_CTX *def = NULL, *ctx, **v;
	char ***names;
	size_t *nnames, *idx, *group, i, j, n, ngroups = 0;

	names = calloc(o->ncerts ? o->ncerts : 1, sizeof(*names));
	nnames = calloc(o->ncerts ? o->ncerts : 1, sizeof(*nnames));
	idx = calloc(o->ncerts ? o->ncerts : 1, sizeof(*idx));
	group = calloc(o->ncerts ? o->ncerts : 1, sizeof(*group));
	if (names == NULL || nnames == NULL || idx == NULL || group == NULL ||
	    (sni = calloc(1, sizeof(*sni))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	sni->table.strict = o->strict_sni;
	for (i = 0; i < o->ncerts; i++)
		if (ssl_cert_file_names(o->certs[i].cert, &names[i], &nnames[i], err,
		    errlen) < 0)
			goto out;
	/* Group certificates by name set, in the order given: the first
	 * group is the default. */
	for (i = 0; i < o->ncerts; i++) {
		for (j = 0; j < i && !ssl_cert_same_names(names[i], nnames[i],
		    names[j], nnames[j]); j++)
			;
		group[i] = j < i ? group[j] : ngroups++;
	}
	for (j = 0; j < (ngroups ? ngroups : 1); j++) {
		for (i = n = 0; i < o->ncerts; i++)
			if (group[i] == j)
				idx[n++] = i;
		if ((ctx = ssl_ctx_one(o, idx, n, err, errlen)) == NULL)
			goto out;
		if (def == NULL)
			def = ctx;
		else if ((v = reallocarray(sni->ctxs, sni->nctxs + 1,
		    sizeof(*v))) == NULL) {
			SSL_CTX_free(ctx);
			snprintf(err, errlen, "out of memory");
			goto out;
		} else {
			sni->ctxs = v;
			sni->ctxs[sni->nctxs++] = ctx;
		}
		for (i = 0; i < n; i++) {
			size_t k;

			for (k = 0; k < nnames[idx[i]]; k++)
				if (ssl_sni_add(&sni->table, names[idx[i]][k],
				    ctx) < 0) {
					snprintf(err, errlen, "out of memory");
					goto out;
				}
		}
	}
	ssl_sni_done(&sni->table);
	if (ssl_sni_idx == -1)
		ssl_sni_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    ssl_ctx_free_sni);
	SSL_CTX_set_ex_data(def, ssl_sni_idx, sni);
	/* Resumption by session id goes through the context the handshake
	 * began with: this one. */
	if (o->session_cache == 0)
		SSL_CTX_set_session_cache_mode(def, SSL_SESS_CACHE_OFF);
	else
		SSL_CTX_sess_set_cache_size(def, o->session_cache);
	SSL_CTX_set_tlsext_servername_callback(def, ssl_ctx_servername);
	SSL_CTX_set_tlsext_servername_arg(def, sni);
	sni = NULL;
	ctx = def;
	def = NULL;
	goto done;
out:
	ctx = NULL;
done:
	if (sni != NULL) {
		ssl_ctx_free_sni(NULL, sni, NULL, 0, 0, NULL);
	}
	SSL_CTX_free(def);
	for (i = 0; names != NULL && i < o->ncerts; i++)
		ssl_cert_free_names(names[i], nnames[i]);
	free(names);
	free(nnames);
	free(idx);
	free(group);
	return ctx;
}

/* ---- the client side: gatehouse to its TLS servers ---- */

/* The session to offer on the next connection to a server: the latest
 * one the server gave (a TLS 1.3 ticket comes after the handshake, so it
 * is taken from the new-session callback). Every worker shares it.
 *
 * It is offered only to a connection that sends the same SNI name and
 * checks the same certificate name as the one it came from: a resumed
 * handshake checks no certificate, so a session verified for one name
 * must not stand for another, and a server resuming a session for
 * another SNI name could serve the wrong virtual host (names differ
 * per connection with "sni client"). */
#define SSL_CC_NAMELEN 256

struct ssl_client_cache {
	pthread_mutex_t lock;
	SSL_SESSION *sess;
	char sni[SSL_CC_NAMELEN];       /* what <sess> was made with; "": */
	char name[SSL_CC_NAMELEN];      /* none sent, none checked */
};

static int ssl_client_idx = -1;

static void
ssl_ctx_free_cache(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct ssl_client_cache *cc = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (cc == NULL)
		return;
	SSL_SESSION_free(cc->sess);
	pthread_mutex_destroy(&cc->lock);
	free(cc);
}

/* The SNI name <ssl> sends and the name its server's certificate is
 * checked against, as OpenSSL holds them (an IP address in OpenSSL's own
 * spelling, so that "::1" and "0::1" compare equal), into <sni> and
 * <name>; "" for none. Returns -1 when one does not fit. */
static int
ssl_ctx_client_key(SSL *ssl, char *sni, char *name)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	const char *s = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	const char *host = NULL;
	char *ip = NULL;
	int n;

	if (snprintf(sni, SSL_CC_NAMELEN, "%s", s != NULL ? s : "") >=
	    SSL_CC_NAMELEN)
		return -1;
	if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) &&
	    (host = X509_VERIFY_PARAM_get0_host(vp, 0)) == NULL)
		ip = X509_VERIFY_PARAM_get1_ip_asc(vp);
	n = snprintf(name, SSL_CC_NAMELEN, "%s", host != NULL ? host :
	    ip != NULL ? ip : "");
	OPENSSL_free(ip);
	return n >= SSL_CC_NAMELEN ? -1 : 0;
}

/* A copy is kept, not the session itself: that one belongs to its SSL,
 * which marks it not resumable when the connection ends without a
 * close_notify (as most server connections do). */
static int
ssl_ctx_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct ssl_client_cache *cc = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
	    ssl_client_idx);
	char sni[SSL_CC_NAMELEN], name[SSL_CC_NAMELEN];
	SSL_SESSION *copy, *old;

	if (cc == NULL || !SSL_SESSION_is_resumable(sess) ||
	    ssl_ctx_client_key(ssl, sni, name) < 0 ||
	    (copy = SSL_SESSION_dup(sess)) == NULL)
		return 0;
	pthread_mutex_lock(&cc->lock);
	old = cc->sess;
	cc->sess = copy;
	memcpy(cc->sni, sni, sizeof(sni));
	memcpy(cc->name, name, sizeof(name));
	pthread_mutex_unlock(&cc->lock);
	SSL_SESSION_free(old);
	return 0;
}

int
ssl_ctx_client_prepare(SSL_CTX *ctx, SSL *ssl, const char *sni,
    const char *verify_name)
{
	struct ssl_client_cache *cc = SSL_CTX_get_ex_data(ctx, ssl_client_idx);
	char ksni[SSL_CC_NAMELEN], kname[SSL_CC_NAMELEN];
	unsigned char ip[16];

	SSL_set_connect_state(ssl);
	if (sni != NULL && SSL_set_tlsext_host_name(ssl, sni) != 1)
		return -1;
	if (verify_name != NULL &&
	    (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) &&
	    ((inet_pton(AF_INET, verify_name, ip) == 1 ||
	    inet_pton(AF_INET6, verify_name, ip) == 1) ?
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
	    verify_name) != 1 : SSL_set1_host(ssl, verify_name) != 1))
		return -1;
	if (cc == NULL || ssl_ctx_client_key(ssl, ksni, kname) < 0)
		return 0;
	pthread_mutex_lock(&cc->lock);
	if (cc->sess != NULL && strcasecmp(cc->sni, ksni) == 0 &&
	    strcasecmp(cc->name, kname) == 0)
		SSL_set_session(ssl, cc->sess);
	pthread_mutex_unlock(&cc->lock);
	return 0;
}

SSL_CTX *
ssl_ctx_new_client(const struct ssl_client_opts *o, char *err,
    size_t errlen)
{
	struct ssl_client_cache *cc;
	struct ssl_cert_opts crt = { .cert = o->crt, .key = o->key };
	unsigned char *alpn;
	char why[256];
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new: %s",
		    ssl_err_reason(why, sizeof(why)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* As on the server side: no SSL_MODE_RELEASE_BUFFERS. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_read_ahead(ctx, 1);
	if (SSL_CTX_set_cipher_list(ctx, SSL_DEF_CIPHERS) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, SSL_DEF_SUITES) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, SSL_DEF_GROUPS) != 1) {
		snprintf(err, errlen, "cannot set the cipher defaults");
		goto err_free_ctx;
	}
	if (o->verify) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (o->ca_file != NULL ? SSL_CTX_load_verify_locations(ctx,
		    o->ca_file, NULL) != 1 :
		    SSL_CTX_set_default_verify_paths(ctx) != 1) {
			snprintf(err, errlen, "%s: cannot load CA "
			    "certificates: %s", o->ca_file != NULL ?
			    o->ca_file : "the system's CA store",
			    ssl_err_reason(why, sizeof(why)));
			goto err_free_ctx;
		}
	}
	if (o->crt != NULL && ssl_ctx_load_cert(ctx, &crt, err, errlen) < 0)
		goto err_free_ctx;
	if (o->alpn != NULL) {
		/* 0 is success here. */
		if ((alpn = ssl_ctx_alpn_wire(o->alpn)) == NULL ||
		    SSL_CTX_set_alpn_protos(ctx, alpn + 1, alpn[0]) != 0) {
			OPENSSL_free(alpn);
			snprintf(err, errlen, "bad alpn list '%s'", o->alpn);
			goto err_free_ctx;
		}
		OPENSSL_free(alpn);
	}
	if (ssl_client_idx == -1)
		ssl_client_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    ssl_ctx_free_cache);
	if ((cc = calloc(1, sizeof(*cc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err_free_ctx;
	}
	pthread_mutex_init(&cc->lock, NULL);
	SSL_CTX_set_ex_data(ctx, ssl_client_idx, cc);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, ssl_ctx_new_session);
	ERR_clear_error();
	return ctx;
err_free_ctx:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}
