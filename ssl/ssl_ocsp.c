#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "log.h"
#include "ssl_ctx.h"
#include "ssl_ocsp.h"

#define SSL_OCSP_MAX    (1024 * 1024)   /* bytes of a response file */
#define SSL_OCSP_SKEW   300             /* seconds of clock difference
                                           allowed, as OpenSSL's tools */

/* One certificate's response, as stapled. */
struct ssl_ocsp_resp {
	X509 *cert;                     /* the SSL_CTX's, not owned */
	unsigned char *der;
	size_t len;
	time_t next_update;             /* 0: none given */
	char *file;
	atomic_int stale_said;          /* logged as out of date once */
};

/* Every response of one SSL_CTX (an ECDSA and an RSA certificate may
 * each have one). */
struct ssl_ocsp_list {
	struct ssl_ocsp_resp *r;
	size_t n;
};

static int ssl_ocsp_idx = -1;

static void
ssl_ocsp_free_list(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct ssl_ocsp_list *l = ptr;
	size_t i;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		OPENSSL_free(l->r[i].der);
		free(l->r[i].file);
	}
	free(l->r);
	free(l);
}

X509 *
ssl_ocsp_issuer(X509 *leaf, STACK_OF(X509) *chain)
{
	int i;

	for (i = 0; i < sk_X509_num(chain); i++)
		if (X509_check_issued(sk_X509_value(chain, i), leaf) ==
		    X509_V_OK)
			return sk_X509_value(chain, i);
	return NULL;
}

static time_t
ssl_ocsp_time(const ASN1_GENERALIZEDTIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/* Whether <bs> is signed by <issuer> or by a responder it certified for
 * OCSP signing. */
static int
ssl_ocsp_verify(OCSP_BASICRESP *bs, X509 *issuer)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	int ok = 0;

	if (certs != NULL && store != NULL && sk_X509_push(certs, issuer) > 0 &&
	    X509_STORE_add_cert(store, issuer) == 1) {
		/* The issuer is an anchor here even when it is an
		 * intermediate: the response only has to come from it. */
		X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
		ok = OCSP_basic_verify(bs, certs, store, 0) > 0;
	}
	sk_X509_free(certs);
	X509_STORE_free(store);
	return ok;
}

enum ssl_ocsp_state
ssl_ocsp_check(const unsigned char *der, size_t len, X509 *leaf,
    X509 *issuer, time_t now, time_t *next_update, char *err, size_t errlen)
{
	const unsigned char *p = der;
	ASN1_GENERALIZEDTIME *rev, *thisupd, *nextupd;
	enum ssl_ocsp_state st = SSL_OCSP_BAD;
	OCSP_BASICRESP *bs = NULL;
	OCSP_RESPONSE *resp;
	OCSP_CERTID *id = NULL;
	int status, reason, rs;
	time_t tu;

	*next_update = 0;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL) {
		snprintf(err, errlen, "not a DER OCSP response");
		goto out;
	}
	if ((rs = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(err, errlen, "the responder answered '%s'",
		    OCSP_response_status_str(rs));
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL ||
	    (id = OCSP_cert_to_id(NULL, leaf, issuer)) == NULL) {
		snprintf(err, errlen, "not a basic OCSP response");
		goto out;
	}
	if (OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd,
	    &nextupd) != 1) {
		snprintf(err, errlen, "it holds no status for this "
		    "certificate");
		goto out;
	}
	if (!ssl_ocsp_verify(bs, issuer)) {
		snprintf(err, errlen, "its signature is not the issuer's nor "
		    "its OCSP responder's");
		goto out;
	}
	*next_update = ssl_ocsp_time(nextupd);
	tu = ssl_ocsp_time(thisupd);
	if (tu > now + SSL_OCSP_SKEW || (*next_update != 0 &&
	    *next_update + SSL_OCSP_SKEW < now)) {
		snprintf(err, errlen, tu > now + SSL_OCSP_SKEW ?
		    "it is not valid yet" : "it is out of date");
		st = SSL_OCSP_STALE;
	} else if (status == V_OCSP_CERTSTATUS_GOOD)
		st = SSL_OCSP_GOOD;
	else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		snprintf(err, errlen, "it says the certificate is revoked");
		st = SSL_OCSP_REVOKED;
	} else
		snprintf(err, errlen, "its status for the certificate is "
		    "'unknown'");
out:
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return st;
}

/* At a ClientHello asking for the status: the response of the
 * certificate chosen, while it is fresh. */
static int
ssl_ocsp_status_cb(SSL *ssl, void *arg)
{
	struct ssl_ocsp_list *l = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
	    ssl_ocsp_idx);
	X509 *x = SSL_get_certificate(ssl);
	struct ssl_ocsp_resp *r;
	unsigned char *copy;
	size_t i;

	(void)arg;
	for (i = 0; l != NULL && i < l->n && l->r[i].cert != x; i++)
		;
	if (l == NULL || i == l->n)
		return SSL_TLSEXT_ERR_NOACK;
	r = &l->r[i];
	if (r->next_update != 0 &&
	    time(NULL) > r->next_update + SSL_OCSP_SKEW) {
		if (!atomic_exchange(&r->stale_said, 1))
			log_warnx("%s: the OCSP response is out of date now: "
			    "no longer stapled", r->file);
		return SSL_TLSEXT_ERR_NOACK;
	}
	if ((copy = OPENSSL_memdup(r->der, r->len)) == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)r->len);
	return SSL_TLSEXT_ERR_OK;
}

unsigned char *
ssl_ocsp_read(const char *file, size_t *len, char *err, size_t errlen)
{
	unsigned char *buf;
	FILE *f;

	if ((f = fopen(file, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot read the OCSP response: %s",
		    file, strerror(errno));
		return NULL;
	}
	if ((buf = OPENSSL_malloc(SSL_OCSP_MAX + 1)) != NULL)
		*len = fread(buf, 1, SSL_OCSP_MAX + 1, f);
	if (buf == NULL || ferror(f) || *len > SSL_OCSP_MAX) {
		snprintf(err, errlen, "%s: cannot read the OCSP response: %s",
		    file, buf == NULL ? "out of memory" : ferror(f) ?
		    "read error" : "larger than 1 MiB");
		OPENSSL_free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int
ssl_ocsp_load(SSL_CTX *ctx, const char *cert, const char *file, char *err,
    size_t errlen)
{
	X509 *leaf = SSL_CTX_get0_certificate(ctx), *issuer;
	struct ssl_ocsp_list *l;
	struct ssl_ocsp_resp *r;
	STACK_OF(X509) *chain = NULL;
	char path[PATH_MAX], why[160];
	enum ssl_ocsp_state st;
	unsigned char *der;
	time_t next;
	size_t len = 0;

	if (file == NULL) {
		if (snprintf(path, sizeof(path), "%s.ocsp", cert) >=
		    (int)sizeof(path) || access(path, F_OK) == -1)
			return 1;
		file = path;
	}
	if ((der = ssl_ocsp_read(file, &len, err, errlen)) == NULL)
		return -1;
	SSL_CTX_get0_chain_certs(ctx, &chain);
	if ((issuer = ssl_ocsp_issuer(leaf, chain)) == NULL) {
		snprintf(err, errlen, "%s: cannot check the OCSP response: the "
		    "issuer of %s is not in that file", file, cert);
		goto err_free;
	}
	st = ssl_ocsp_check(der, len, leaf, issuer, time(NULL), &next, why,
	    sizeof(why));
	if (st == SSL_OCSP_BAD) {
		snprintf(err, errlen, "%s: bad OCSP response for %s: %s", file,
		    cert, why);
		goto err_free;
	}
	if (st == SSL_OCSP_STALE) {
		log_warnx("%s: OCSP response for %s not stapled: %s", file,
		    cert, why);
		OPENSSL_free(der);
		return 0;
	}
	if (st == SSL_OCSP_REVOKED)
		log_warnx("%s: OCSP response for %s: %s", file, cert, why);
	if (ssl_ocsp_idx == -1)
		ssl_ocsp_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    ssl_ocsp_free_list);
	if ((l = SSL_CTX_get_ex_data(ctx, ssl_ocsp_idx)) == NULL) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			goto err_oom;
		SSL_CTX_set_ex_data(ctx, ssl_ocsp_idx, l);
		SSL_CTX_set_tlsext_status_cb(ctx, ssl_ocsp_status_cb);
	}
	if ((r = reallocarray(l->r, l->n + 1, sizeof(*r))) == NULL)
		goto err_oom;
	l->r = r;
	r = &l->r[l->n];
	memset(r, 0, sizeof(*r));
	if ((r->file = strdup(file)) == NULL)
		goto err_oom;
	r->cert = leaf;
	r->der = der;
	r->len = len;
	r->next_update = next;
	l->n++;
	return 0;
err_oom:
	snprintf(err, errlen, "out of memory");
err_free:
	OPENSSL_free(der);
	return -1;
}
