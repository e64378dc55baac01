#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "ssl_ticket.h"

#define SSL_TICKET_FILE_MAX     65536   /* bytes read of a key file */
#define SSL_TICKET_RANDOM_KEYS  3       /* the current and two before */

enum ssl_ticket_src {
	SSL_TICKET_RANDOM = 0,
	SSL_TICKET_FILE,
	SSL_TICKET_SECRET,
};

struct ssl_tickets {
	pthread_rwlock_t lock;          /* keys, nkeys: written by the main
	                                   thread, read by handshakes */
	struct ssl_ticket_key keys[SSL_TICKET_MAX_KEYS];        /* [0]
	                                   encrypts */
	size_t nkeys;
	enum ssl_ticket_src src;
	char *file;                     /* key or secret file */
	unsigned int period;            /* seconds */
	unsigned char *secret;          /* SECRET: the file's bytes */
	size_t secret_len;
	uint64_t period_n;              /* SECRET: the period of keys[0] */
	time_t due;                     /* RANDOM: when the next key comes */
};

static int ssl_ticket_idx = -1;
/* Fetched once: an EVP_aes_*_cbc() would be fetched on each ticket. */
static EVP_CIPHER *ssl_ticket_aes128, *ssl_ticket_aes256;

static int
ssl_ticket_b64_line(const char *s, size_t n, struct ssl_ticket_key *k)
{
	unsigned char buf[128];
	int len, pad = 0;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof(buf))
		return -1;
	if ((len = EVP_DecodeBlock(buf, (const unsigned char *)s,
	    (int)n)) < 0)
		return -1;
	/* EVP_DecodeBlock counts padding as zero bytes. */
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	len -= pad;
	if (len != 48 && len != 80) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return -2;
	}
	k->aes_len = k->hmac_len = len == 48 ? 16 : 32;
	memcpy(k->name, buf, 16);
	memcpy(k->aes, buf + 16, k->aes_len);
	memcpy(k->hmac, buf + 16 + k->aes_len, k->hmac_len);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

int
ssl_ticket_parse(const char *text, size_t len, struct ssl_ticket_key *keys,
    char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *eol, *s, *e;
	int n = 0, line = 0, rc;

	for (; p < end; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		for (s = p; s < eol && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = eol; e > s && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r'); e--)
			;
		if (s == e || *s == '#')
			continue;
		if (n == SSL_TICKET_MAX_KEYS) {
			snprintf(err, errlen, "line %d: more than %d keys",
			    line, SSL_TICKET_MAX_KEYS);
			return -1;
		}
		if ((rc = ssl_ticket_b64_line(s, (size_t)(e - s),
		    &keys[n])) < 0) {
			snprintf(err, errlen, rc == -2 ? "line %d: a key is 48 "
			    "or 80 bytes" : "line %d: not base64", line);
			return -1;
		}
		n++;
	}
	if (n == 0)
		snprintf(err, errlen, "no key in it");
	return n > 0 ? n : -1;
}

int
ssl_ticket_derive(const unsigned char *secret, size_t len, uint64_t n,
    struct ssl_ticket_key *k)
{
	static const char salt[] = "gatehouse tls-ticket-secret";
	unsigned char info[10 + 8], out[80];
	OSSL_PARAM params[5];
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int i, rc = -1;

	memcpy(info, "ticket key", 10);
	for (i = 0; i < 8; i++)
		info[10 + i] = (unsigned char)(n >> (56 - 8 * i));
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)secret, len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, sizeof(salt) - 1);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, sizeof(info));
	params[4] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, sizeof(out), params) == 1) {
		memcpy(k->name, out, 16);
		memcpy(k->aes, out + 16, 32);
		memcpy(k->hmac, out + 48, 32);
		k->aes_len = k->hmac_len = 32;
		rc = 0;
	}
	OPENSSL_cleanse(out, sizeof(out));
	EVP_KDF_CTX_free(kctx);
	return rc;
}

/* The whole of <path>, NUL-terminated, in a buffer to OPENSSL_clear_free. */
static char *
ssl_ticket_read(const char *path, size_t *len, char *err, size_t errlen)
{
	char *buf;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = OPENSSL_malloc(SSL_TICKET_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*len = fread(buf, 1, SSL_TICKET_FILE_MAX + 1, f);
	if (ferror(f) || *len > SSL_TICKET_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ?
		    strerror(errno) : "larger than 64 KiB");
		fclose(f);
		OPENSSL_clear_free(buf, SSL_TICKET_FILE_MAX + 1);
		return NULL;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* Derived keys for the period of <now>: [0] current, then the previous
 * and the next one. Called with the write lock held (or before use). */
static int
ssl_ticket_derive_now(struct ssl_tickets *t, time_t now)
{
	uint64_t n = (uint64_t)now / t->period;

	if (ssl_ticket_derive(t->secret, t->secret_len, n, &t->keys[0]) < 0 ||
	    ssl_ticket_derive(t->secret, t->secret_len, n - 1,
	    &t->keys[1]) < 0 ||
	    ssl_ticket_derive(t->secret, t->secret_len, n + 1,
	    &t->keys[2]) < 0)
		return -1;
	t->nkeys = 3;
	t->period_n = n;
	return 0;
}

static int
ssl_ticket_random(struct ssl_ticket_key *k)
{
	k->aes_len = k->hmac_len = 32;
	return RAND_bytes(k->name, sizeof(k->name)) == 1 &&
	    RAND_bytes(k->aes, sizeof(k->aes)) == 1 &&
	    RAND_bytes(k->hmac, sizeof(k->hmac)) == 1 ? 0 : -1;
}

/* Reads the file of <t> into fresh keys and swaps them in. */
static int
ssl_ticket_load(struct ssl_tickets *t, char *err, size_t errlen)
{
	struct ssl_ticket_key *keys;
	unsigned char *secret = NULL;
	size_t len = 0, slen = 0;
	char *text, why[128];
	int n = 0, rc = -1;

	if ((text = ssl_ticket_read(t->file, &len, err, errlen)) == NULL)
		return -1;
	if ((keys = OPENSSL_zalloc(sizeof(t->keys))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (t->src == SSL_TICKET_FILE) {
		if ((n = ssl_ticket_parse(text, len, keys, why,
		    sizeof(why))) < 0) {
			snprintf(err, errlen, "%s: %s", t->file, why);
			goto out;
		}
	} else {
		for (slen = len; slen > 0 && strchr(" \t\r\n",
		    text[slen - 1]) != NULL; slen--)
			;
		if (slen < SSL_TICKET_SECRET_MIN) {
			snprintf(err, errlen, "%s: a secret needs %d bytes at "
			    "least, this one has %zu", t->file,
			    SSL_TICKET_SECRET_MIN, slen);
			goto out;
		}
		if ((secret = OPENSSL_memdup(text, slen)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	pthread_rwlock_wrlock(&t->lock);
	if (t->src == SSL_TICKET_FILE) {
		memcpy(t->keys, keys, sizeof(t->keys));
		t->nkeys = (size_t)n;
		rc = 0;
	} else {
		OPENSSL_clear_free(t->secret, t->secret_len);
		t->secret = secret;
		t->secret_len = slen;
		secret = NULL;
		if ((rc = ssl_ticket_derive_now(t, time(NULL))) < 0)
			snprintf(err, errlen, "%s: cannot derive keys",
			    t->file);
	}
	pthread_rwlock_unlock(&t->lock);
out:
	OPENSSL_clear_free(secret, slen);
	OPENSSL_clear_free(keys, sizeof(t->keys));
	OPENSSL_clear_free(text, SSL_TICKET_FILE_MAX + 1);
	return rc;
}

struct ssl_tickets *
ssl_tickets_new(const char *keys_file, const char *secret_file,
    unsigned int period, char *err, size_t errlen)
{
	struct ssl_tickets *t;
	size_t i;

	if (ssl_ticket_aes256 == NULL) {
		ssl_ticket_aes128 = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
		ssl_ticket_aes256 = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	}
	if ((t = OPENSSL_zalloc(sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_rwlock_init(&t->lock, NULL);
	t->period = period > 0 ? period : 3600;
	t->src = keys_file != NULL ? SSL_TICKET_FILE : secret_file != NULL ?
	    SSL_TICKET_SECRET : SSL_TICKET_RANDOM;
	if (t->src != SSL_TICKET_RANDOM) {
		if ((t->file = strdup(keys_file != NULL ? keys_file :
		    secret_file)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto err_free;
		}
		if (ssl_ticket_load(t, err, errlen) < 0)
			goto err_free;
		return t;
	}
	for (i = 0; i < SSL_TICKET_RANDOM_KEYS; i++)
		if (ssl_ticket_random(&t->keys[i]) < 0) {
			snprintf(err, errlen, "no random bytes for ticket keys");
			goto err_free;
		}
	t->nkeys = SSL_TICKET_RANDOM_KEYS;
	t->due = time(NULL) + t->period;
	return t;
err_free:
	ssl_tickets_free(t);
	return NULL;
}

void
ssl_tickets_free(struct ssl_tickets *t)
{
	if (t == NULL)
		return;
	pthread_rwlock_destroy(&t->lock);
	free(t->file);
	OPENSSL_clear_free(t->secret, t->secret_len);
	OPENSSL_clear_free(t, sizeof(*t));
}

int
ssl_tickets_reload(struct ssl_tickets *t, char *err, size_t errlen)
{
	return t->src == SSL_TICKET_RANDOM ? 0 : ssl_ticket_load(t, err,
	    errlen);
}

void
ssl_tickets_tick(struct ssl_tickets *t, time_t now)
{
	struct ssl_ticket_key k;

	if (t->src == SSL_TICKET_SECRET &&
	    (uint64_t)now / t->period != t->period_n) {
		pthread_rwlock_wrlock(&t->lock);
		/* A failed derivation keeps the keys of the last period. */
		(void)ssl_ticket_derive_now(t, now);
		pthread_rwlock_unlock(&t->lock);
	} else if (t->src == SSL_TICKET_RANDOM && now >= t->due &&
	    ssl_ticket_random(&k) == 0) {
		pthread_rwlock_wrlock(&t->lock);
		memmove(&t->keys[1], &t->keys[0],
		    (SSL_TICKET_RANDOM_KEYS - 1) * sizeof(k));
		t->keys[0] = k;
		t->due = now + t->period;
		pthread_rwlock_unlock(&t->lock);
		OPENSSL_cleanse(&k, sizeof(k));
	}
}

/* OpenSSL's ticket callback: returns 1 (key set for a new ticket), 2
 * (a ticket decrypted: issue a new one), 0 (unknown key: full
 * handshake) or -1 (failure). Every resumption gets a fresh ticket:
 * clients use a ticket once (RFC 8446 C.4), and OpenSSL sends none after
 * a resumption unless asked, so each second connection of such a client
 * would be a full handshake. */
static int
ssl_ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct ssl_tickets *t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
	    ssl_ticket_idx);
	struct ssl_ticket_key k;
	OSSL_PARAM params[3];
	size_t i = 0;
	int found, rc;

	if (t == NULL)
		return -1;
	pthread_rwlock_rdlock(&t->lock);
	if (!enc)
		for (i = 0; i < t->nkeys &&
		    memcmp(t->keys[i].name, name, 16) != 0; i++)
			;
	if ((found = i < t->nkeys))
		k = t->keys[i];
	pthread_rwlock_unlock(&t->lock);
	if (!found)
		return 0;
	if (enc) {
		memcpy(name, k.name, 16);
		if (RAND_bytes(iv, 16) != 1)
			return -1;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    k.hmac, k.hmac_len);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	rc = EVP_CipherInit_ex(cctx, k.aes_len == 16 ? ssl_ticket_aes128 :
	    ssl_ticket_aes256, NULL, k.aes, iv, enc) == 1 &&
	    EVP_MAC_CTX_set_params(hctx, params) == 1 ? (enc ? 1 : 2) : -1;
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

void
ssl_tickets_attach(struct ssl_tickets *t, SSL_CTX *ctx)
{
	if (ssl_ticket_idx == -1)
		ssl_ticket_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    NULL);
	SSL_CTX_set_ex_data(ctx, ssl_ticket_idx, t);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ssl_ticket_cb);
	/* A ticket lives about as long as its key decrypts: random keys
	 * for two periods after the next rotation; derived ones until the
	 * end of the next period, on a machine whose clock may be a period
	 * ahead (to which a fresh ticket looks a period old). A key file's
	 * keys live as long as the operator keeps them: OpenSSL's default
	 * (2 hours) stays. */
	if (t->src != SSL_TICKET_FILE)
		SSL_CTX_set_timeout(ctx, 2 * (long)t->period);
}
