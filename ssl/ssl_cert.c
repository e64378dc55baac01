#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "ssl_cert.h"
#include "ssl_err.h"

int
ssl_cert_names(X509 *x, char ***names, size_t *n)
{
	GENERAL_NAMES *gens;
	GENERAL_NAME *g;
	char cn[256], **v;
	int i;

	*names = NULL;
	*n = 0;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		if ((v = reallocarray(*names, *n + 1, sizeof(*v))) == NULL)
			goto err_oom;
		*names = v;
		if ((v[*n] = strndup((const char *)ASN1_STRING_get0_data(
		    g->d.dNSName), (size_t)ASN1_STRING_length(
		    g->d.dNSName))) == NULL)
			goto err_oom;
		(*n)++;
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	if (*n == 0 && X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) > 0) {
		if ((*names = malloc(sizeof(**names))) == NULL ||
		    ((*names)[0] = strdup(cn)) == NULL)
			goto err_oom;
		*n = 1;
	}
	ERR_clear_error();
	return 0;
err_oom:
	GENERAL_NAMES_free(gens);
	ssl_cert_free_names(*names, *n);
	*names = NULL;
	*n = 0;
	return -1;
}

void
ssl_cert_free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

int
ssl_cert_same_names(char **a, size_t na, char **b, size_t nb)
{
	size_t i, j;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcasecmp(a[i], b[j]) != 0; j++)
			;
		if (j == nb)
			return 0;
	}
	return 1;
}

const char *
ssl_cert_dn(const X509_NAME *name, unsigned long flags, char *buf,
    size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	if (b != NULL && X509_NAME_print_ex(b, name, 0, flags) >= 0)
		n = BIO_read(b, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return buf;
}

const char *
ssl_cert_date(const ASN1_TIME *t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, len, fmt, &tm) == 0)
		snprintf(buf, len, "(bad date)");
	return buf;
}

int
ssl_cert_file_names(const char *file, char ***names, size_t *n, char *err,
    size_t errlen)
{
	X509 *x = NULL;
	BIO *bio;
	int rc;

	*names = NULL;
	*n = 0;
	if ((bio = BIO_new_file(file, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		ERR_clear_error();
		return -1;
	}
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		snprintf(err, errlen, "%s: no certificate in it", file);
		ERR_clear_error();
		return -1;
	}
	if ((rc = ssl_cert_names(x, names, n)) < 0)
		snprintf(err, errlen, "out of memory");
	X509_free(x);
	return rc;
}

void
ssl_cert_warn_dates(const char *file, X509 *x)
{
	char date[64];

	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		log_warnx("%s: the certificate expired on %s", file,
		    ssl_cert_date(X509_get0_notAfter(x), SSL_DATE_LOG, date,
		    sizeof(date)));
	else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
		log_warnx("%s: the certificate is not valid before %s", file,
		    ssl_cert_date(X509_get0_notBefore(x), SSL_DATE_LOG, date,
		    sizeof(date)));
}

/* A pass phrase is never asked for (OpenSSL's default would read the
 * terminal). */
static int
ssl_cert_no_pass(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

EVP_PKEY *
ssl_cert_key_read(const char *file, char *err, size_t errlen)
{
	char *name = NULL, *header = NULL, why[256];
	unsigned char *data = NULL;
	int blocks = 0, keys = 0, encrypted = 0;
	EVP_PKEY *pk = NULL;
	size_t n;
	long len;
	BIO *bio;

	if ((bio = BIO_new_file(file, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot read it: %s", file,
		    strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	/* What the file holds first, so that a file without a key says so
	 * rather than OpenSSL's decoder's "unsupported". Each block is
	 * bounded by the file; a key ends the scan. */
	while (keys == 0 && PEM_read_bio(bio, &name, &header, &data,
	    &len) == 1) {
		blocks++;
		n = strlen(name);
		if (n >= 11 && strcmp(name + n - 11, "PRIVATE KEY") == 0) {
			keys++;
			encrypted = strcmp(name, PEM_STRING_PKCS8) == 0 ||
			    strstr(header, "ENCRYPTED") != NULL;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	ERR_clear_error();
	if (blocks == 0)
		snprintf(err, errlen, "%s: not a PEM private key", file);
	else if (keys == 0)
		snprintf(err, errlen, "%s: no private key in it", file);
	else if (encrypted)
		snprintf(err, errlen, "%s: an encrypted private key: "
		    "gatehouse takes keys without a pass phrase", file);
	else if (BIO_reset(bio) < 0 || (pk = PEM_read_bio_PrivateKey(bio,
	    NULL, ssl_cert_no_pass, NULL)) == NULL)
		snprintf(err, errlen, "%s: cannot load private key: %s", file,
		    ssl_err_reason(why, sizeof(why)));
	BIO_free(bio);
	return pk;
}
