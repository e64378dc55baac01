/* gatehouse --explain NAME. What the server would do is redone here step
 * by step, on the same rules, so that each step can be said:
 *  - ssl_ctx_new_server() groups a bind's certificates by name set (the
 *    first certificate's subjectAltName DNS entries, else its CN), in the
 *    order given; the first group is the default;
 *  - ssl_sni.c picks the group by the client's name: exact, then a
 *    wildcard one label deep; strict-sni refuses the rest;
 *  - in one group, OpenSSL keeps one certificate per key type (a later one
 *    of the same type replaces an earlier one) and sends the ECDSA one to
 *    clients that offer ECDSA, the RSA one to the others;
 *  - the chain goes out as the file has it (SSL_MODE_NO_AUTO_CHAIN).
 * The file is read again here, whole chain and all, rather than through
 * ssl_cert_file_names(), which takes the first certificate only; both
 * name a certificate with ssl_cert_names(), so the rule stays one. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ssl_cert.h"
#include "ssl_ctx.h"
#include "ssl_explain.h"
#include "ssl_ocsp.h"
#include "ssl_sni.h"

#define SSL_EXPLAIN_NAMELEN 256 /* a normalized host name, and more */

/* One certificate file of a bind, as read here. */
struct ssl_explain_file {
	const struct ssl_explain_cert *in;
	STACK_OF(X509) *chain;  /* as in the file; NULL: unreadable */
	char **names;           /* what ssl_ctx.c would index it by */
	size_t nnames;
	size_t group;           /* its name set, 0 being the default */
	int keytype;            /* EVP_PKEY base id of the leaf's key */
	int replaced;           /* a later one of its group, same key type,
	                           replaces it */
};

/* "CN=a.test,O=x" into <buf>, UTF-8 as it is. */
static const char *
ssl_explain_dn(const X509_NAME *n, char *buf, size_t len)
{
	ssl_cert_dn(n, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB, buf, len);
	return buf[0] != '\0' ? buf : "(empty name)";
}

/* Whole days from <now> to <t>, rounded down (negative: past). */
static int
ssl_explain_days(const ASN1_TIME *t, time_t now)
{
	ASN1_TIME *a = ASN1_TIME_set(NULL, now);
	int days = 0, secs = 0;

	if (a == NULL || ASN1_TIME_diff(&days, &secs, a, t) != 1)
		days = 0;
	ASN1_TIME_free(a);
	return secs < 0 ? days - 1 : days;
}

/* Whether <x> is due for renewal at <now>: less than a third of its own
 * lifetime (notBefore to notAfter) is left, when ACME clients renew. A
 * 6-day certificate with 5 days left is fine, a 90-day one with 20 days
 * left is due. Sets <*lifetime> to the lifetime in whole days. */
static int
ssl_explain_renewal_due(const X509 *x, time_t now, int *lifetime)
{
	ASN1_TIME *a = ASN1_TIME_set(NULL, now);
	int ld = 0, ls = 0, rd = 0, rs = 0, ok;

	ok = a != NULL && ASN1_TIME_diff(&ld, &ls, X509_get0_notBefore(x),
	    X509_get0_notAfter(x)) == 1 && ASN1_TIME_diff(&rd, &rs, a,
	    X509_get0_notAfter(x)) == 1;
	ASN1_TIME_free(a);
	*lifetime = ld;
	return ok && 3 * ((int64_t)rd * 86400 + rs) < (int64_t)ld * 86400 + ls;
}

/* "ECDSA P-256", "RSA 2048". */
static const char *
ssl_explain_keydesc(const X509 *x, char *buf, size_t len)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char grp[64];
	const char *nist;
	size_t glen;

	if (pk == NULL)
		return "unknown key";
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pk, grp, sizeof(grp), &glen) != 1)
			snprintf(grp, sizeof(grp), "?");
		nist = EC_curve_nid2nist(OBJ_sn2nid(grp));
		snprintf(buf, len, "ECDSA %.32s", nist != NULL ? nist : grp);
		break;
	case EVP_PKEY_RSA:
		snprintf(buf, len, "RSA %d", EVP_PKEY_get_bits(pk));
		break;
	default:
		snprintf(buf, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
		break;
	}
	return buf;
}

/* Whether <issuer> issued and signed <x>. */
static int
ssl_explain_issued(X509 *issuer, X509 *x)
{
	EVP_PKEY *pk = X509_get0_pubkey(issuer);
	int ok;

	ok = X509_check_issued(issuer, x) == X509_V_OK && pk != NULL &&
	    X509_verify(x, pk) > 0;
	ERR_clear_error();
	return ok;
}

/* Whether a certificate of <trusted> issued <x>. */
static int
ssl_explain_trusted(X509_STORE *trusted, X509 *x)
{
	STACK_OF(X509) *cands = NULL;
	X509_STORE_CTX *sc;
	int i, found = 0;

	if (trusted == NULL || (sc = X509_STORE_CTX_new()) == NULL)
		return 0;
	if (X509_STORE_CTX_init(sc, trusted, NULL, NULL) == 1)
		cands = X509_STORE_CTX_get1_certs(sc,
		    X509_get_issuer_name(x));
	for (i = 0; cands != NULL && i < sk_X509_num(cands) && !found; i++)
		found = ssl_explain_issued(sk_X509_value(cands, i), x);
	sk_X509_pop_free(cands, X509_free);
	X509_STORE_CTX_free(sc);
	ERR_clear_error();
	return found;
}

unsigned int
ssl_explain_chain(FILE *out, const char *file, STACK_OF(X509) *chain,
    X509_STORE *trusted, time_t now)
{
	char subj[256], iss[256], date[32];
	unsigned int problems = 0;
	size_t *path, np = 0, i, j, n;
	unsigned char *used;
	int days, lifetime;
	X509 *x, *last;

	n = (size_t)sk_X509_num(chain);
	if (n == 0)
		return 0;
	path = calloc(n, sizeof(*path));
	used = calloc(n, sizeof(*used));
	if (path == NULL || used == NULL) {
		fprintf(out, "problem: %s: out of memory\n", file);
		free(path);
		free(used);
		return 1;
	}

	for (i = 0; i < n; i++) {
		x = sk_X509_value(chain, (int)i);
		days = ssl_explain_days(X509_get0_notAfter(x), now);
		fprintf(out, "    sent %zu: subject %s; issuer %s%s; not after "
		    "%s (", i + 1, ssl_explain_dn(X509_get_subject_name(x),
		    subj, sizeof(subj)), ssl_explain_dn(X509_get_issuer_name(x),
		    iss, sizeof(iss)), X509_self_signed(x, 0) == 1 ?
		    " (self-signed)" : "", ssl_cert_date(
		    X509_get0_notAfter(x), SSL_DATE_ISO, date,
		    sizeof(date)));
		if (days < 0)
			fprintf(out, "expired %d day%s ago)\n", -days,
			    days == -1 ? "" : "s");
		else
			fprintf(out, "%d day%s left)\n", days,
			    days == 1 ? "" : "s");
	}

	for (i = 0; i < n; i++) {
		x = sk_X509_value(chain, (int)i);
		ssl_explain_dn(X509_get_subject_name(x), subj, sizeof(subj));
		ssl_cert_date(X509_get0_notAfter(x), SSL_DATE_ISO, date,
		    sizeof(date));
		days = ssl_explain_days(X509_get0_notAfter(x), now);
		if (X509_cmp_time(X509_get0_notAfter(x), &now) < 0) {
			fprintf(out, "problem: %s: certificate %zu (%s) "
			    "expired on %s\n", file, i + 1, subj, date);
			problems++;
		} else if (ssl_explain_renewal_due(x, now, &lifetime)) {
			/* Served as it is: no problem yet, a reminder. */
			fprintf(out, "warning: %s: certificate %zu (%s) "
			    "expires in %d day%s, on %s: due for renewal, less "
			    "than a third of its %d-day lifetime is left\n",
			    file, i + 1, subj, days, days == 1 ? "" : "s", date,
			    lifetime);
		}
		if (X509_cmp_time(X509_get0_notBefore(x), &now) > 0) {
			fprintf(out, "problem: %s: certificate %zu (%s) is not "
			    "valid before %s\n", file, i + 1, subj,
			    ssl_cert_date(X509_get0_notBefore(x),
			    SSL_DATE_ISO, date, sizeof(date)));
			problems++;
		}
	}

	/* The path from the leaf, through the file: each step to a
	 * certificate not used yet that issued the current one, the next
	 * in the file when it did. */
	used[0] = 1;
	path[np++] = 0;
	for (;;) {
		x = sk_X509_value(chain, (int)path[np - 1]);
		if (X509_self_signed(x, 0) == 1)
			break;
		j = path[np - 1] + 1;
		if (j >= n || used[j] ||
		    !ssl_explain_issued(sk_X509_value(chain, (int)j), x))
			for (j = 0; j < n && (used[j] || !ssl_explain_issued(
			    sk_X509_value(chain, (int)j), x)); j++)
				;
		if (j == n)
			break;
		used[j] = 1;
		path[np++] = j;
	}
	/* Out of order: one line for the first certificate not followed by
	 * its issuer, with the order that would be right. */
	for (i = 0; i + 1 < np && path[i + 1] == path[i] + 1; i++)
		;
	if (i + 1 < np) {
		x = sk_X509_value(chain, (int)path[i]);
		fprintf(out, "problem: %s: chain out of order: certificate %zu "
		    "(%s) is not followed by its issuer, certificate %zu (%s); "
		    "from the leaf the order is", file, path[i] + 1,
		    ssl_explain_dn(X509_get_subject_name(x), subj,
		    sizeof(subj)), path[i + 1] + 1,
		    ssl_explain_dn(X509_get_issuer_name(x), iss, sizeof(iss)));
		for (i = 0; i < np; i++)
			fprintf(out, "%s%zu", i == 0 ? " " : ", ", path[i] + 1);
		fputc('\n', out);
		problems++;
	}
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		x = sk_X509_value(chain, (int)i);
		fprintf(out, "problem: %s: certificate %zu (%s) is not on the "
		    "path from the leaf: an extra certificate\n", file, i + 1,
		    ssl_explain_dn(X509_get_subject_name(x), subj,
		    sizeof(subj)));
		problems++;
	}
	last = sk_X509_value(chain, (int)path[np - 1]);
	ssl_explain_dn(X509_get_issuer_name(last), iss, sizeof(iss));
	if (X509_self_signed(last, 0) == 1) {
		/* A root in the file: complete, if not needed. */
	} else if (ssl_explain_trusted(trusted, last)) {
		fprintf(out, "    chain ends at %s, a root this system "
		    "trusts\n", iss);
	} else {
		fprintf(out, "problem: %s: chain ends at %s which is not in "
		    "the file (a missing intermediate, unless it is a root the "
		    "clients trust)\n", file, iss);
		problems++;
	}
	ERR_clear_error();
	free(path);
	free(used);
	return problems;
}

/* Reads every certificate of <file> into <*chain>. Returns 0, or -1 with
 * the reason in <why>. */
static int
ssl_explain_read_chain(const char *file, STACK_OF(X509) **chain, char *why,
    size_t len)
{
	unsigned long e;
	BIO *bio;
	X509 *x;

	*chain = NULL;
	if ((bio = BIO_new_file(file, "r")) == NULL) {
		snprintf(why, len, "cannot read: %s", strerror(errno));
		ERR_clear_error();
		return -1;
	}
	if ((*chain = sk_X509_new_null()) == NULL)
		goto err_oom;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(*chain, x) <= 0) {
			X509_free(x);
			goto err_oom;
		}
	e = ERR_peek_last_error();
	if (sk_X509_num(*chain) == 0) {
		snprintf(why, len, "no certificate in it");
		goto err_free;
	}
	if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
		snprintf(why, len, "bad PEM data after certificate %d: %s",
		    sk_X509_num(*chain), ERR_reason_error_string(e) ?
		    ERR_reason_error_string(e) : "?");
		goto err_free;
	}
	ERR_clear_error();
	BIO_free(bio);
	return 0;
err_oom:
	snprintf(why, len, "out of memory");
err_free:
	ERR_clear_error();
	sk_X509_pop_free(*chain, X509_free);
	*chain = NULL;
	BIO_free(bio);
	return -1;
}

/* The key of <c>: loaded as the server would, and checked against the
 * certificate. Returns the number of problems. */
static unsigned int
ssl_explain_key(FILE *out, const struct ssl_explain_file *c)
{
	const char *file = c->in->key != NULL ? c->in->key : c->in->cert;
	char why[512];
	EVP_PKEY *pk;

	/* As the server reads it, with its messages. */
	if ((pk = ssl_cert_key_read(file, why, sizeof(why))) == NULL) {
		fprintf(out, "problem: %s (gatehouse refuses to start)\n", why);
		return 1;
	}
	if (X509_check_private_key(sk_X509_value(c->chain, 0), pk) != 1) {
		ERR_clear_error();
		EVP_PKEY_free(pk);
		if (c->in->key != NULL)
			fprintf(out, "problem: %s: the key does not match the "
			    "certificate of %s (gatehouse refuses to start)\n",
			    file, c->in->cert);
		else
			fprintf(out, "problem: %s: the key does not match the "
			    "certificate (gatehouse refuses to start)\n", file);
		return 1;
	}
	EVP_PKEY_free(pk);
	return 0;
}

/* ---- OCSP ----
 * HOOK for the OCSP staleness check: the file is named here; whether the
 * response it holds is for this certificate and still fresh (thisUpdate,
 * nextUpdate) is to be checked where marked, printing "problem: " lines
 * and returning their number. */
/* The response in <file> as the server would judge it at <now>: one
 * that would not be stapled, or says "revoked", is a problem. */
static unsigned int
ssl_explain_ocsp_check(FILE *out, const char *file,
    const struct ssl_explain_file *c, time_t now)
{
	X509 *leaf = sk_X509_value(c->chain, 0), *issuer;
	enum ssl_ocsp_state st;
	unsigned char *der;
	char why[256];
	time_t next;
	size_t len;

	if ((der = ssl_ocsp_read(file, &len, why, sizeof(why))) == NULL) {
		fprintf(out, "problem: %s\n", why);
		return 1;
	}
	if ((issuer = ssl_ocsp_issuer(leaf, c->chain)) == NULL) {
		fprintf(out, "problem: %s: cannot be checked: the issuer of "
		    "the certificate is not in %s\n", file, c->in->cert);
		OPENSSL_free(der);
		return 1;
	}
	st = ssl_ocsp_check(der, len, leaf, issuer, now, &next, why,
	    sizeof(why));
	OPENSSL_free(der);
	if (st == SSL_OCSP_GOOD) {
		if (next != 0)
			fprintf(out, "    ocsp: good, next update in %ld "
			    "hour(s)\n", (long)(next - now) / 3600);
		else
			fprintf(out, "    ocsp: good, no next update\n");
		return 0;
	}
	fprintf(out, "problem: %s: %s%s\n", file, why, st == SSL_OCSP_STALE ?
	    " (not stapled)" : st == SSL_OCSP_BAD ? " (gatehouse would not "
	    "start)" : "");
	return 1;
}

static unsigned int
ssl_explain_ocsp(FILE *out, const struct ssl_explain_file *c, time_t now)
{
	char *dflt = NULL;
	const char *file = c->in->ocsp;
	unsigned int problems = 0;

	if (file == NULL && asprintf(&dflt, "%s.ocsp", c->in->cert) >= 0 &&
	    access(dflt, F_OK) == 0)
		file = dflt;
	fprintf(out, "    ocsp: %s\n", file != NULL ? file : "none");
	if (file != NULL)
		problems = ssl_explain_ocsp_check(out, file, c, now);
	free(dflt);
	return problems;
}

/* What one served certificate of the answering group looks like: its
 * key, OCSP response and chain. <role> says which clients get it. */
static unsigned int
ssl_explain_detail(FILE *out, const struct ssl_explain_file *c,
    const char *role, X509_STORE *trusted, time_t now)
{
	unsigned int problems = 0;
	char kd[64];

	fprintf(out, "  certificate %s (%s%s)\n", c->in->cert,
	    ssl_explain_keydesc(sk_X509_value(c->chain, 0), kd, sizeof(kd)),
	    role);
	if (c->in->key != NULL)
		fprintf(out, "    key: %s\n", c->in->key);
	else
		fprintf(out, "    key: in the certificate file\n");
	problems += ssl_explain_key(out, c);
	problems += ssl_explain_ocsp(out, c, now);
	problems += ssl_explain_chain(out, c->in->cert, c->chain, trusted,
	    now);
	return problems;
}

/* The system's trust store, for telling a missing intermediate from a
 * root the clients have; NULL when there is none. */
static X509_STORE *
ssl_explain_store(void)
{
	X509_STORE *s = X509_STORE_new();

	if (s != NULL && X509_STORE_set_default_paths(s) != 1) {
		X509_STORE_free(s);
		s = NULL;
	}
	ERR_clear_error();
	return s;
}

/* One bind. Returns the number of problems. */
static unsigned int
ssl_explain_bind(FILE *out, const char *name, const char *norm,
    const struct ssl_explain_bind *b, X509_STORE *trusted, time_t now)
{
	struct ssl_sni sni = { 0 };
	struct ssl_explain_file *cs;
	unsigned int problems = 0;
	size_t i, j, g = 0, ngroups = 0, served;
	char why[256], nn[SSL_EXPLAIN_NAMELEN], *tags = NULL;
	int ecdsa = 0, other = 0, exact = 0, refused = 0;
	const char *role;
	SSL_CTX *hit;
	X509 *leaf;

	fprintf(out, "bind %s at %s", b->addr, b->where);
	if (b->frontend != NULL)
		fprintf(out, " (frontend %s)", b->frontend);
	fprintf(out, "%s\n", b->strict_sni ? ", strict-sni" : "");
	if (b->ncerts == 0) {
		fprintf(out, "problem: %s: bind %s has no certificate\n",
		    b->where, b->addr);
		return 1;
	}
	if ((cs = calloc(b->ncerts, sizeof(*cs))) == NULL ||
	    (tags = calloc(b->ncerts, 1)) == NULL) {
		free(cs);
		fprintf(out, "problem: out of memory\n");
		return 1;
	}

	/* Read every file: one the server cannot read stops it. */
	for (i = 0; i < b->ncerts; i++) {
		cs[i].in = &b->certs[i];
		if (ssl_explain_read_chain(b->certs[i].cert, &cs[i].chain, why,
		    sizeof(why)) < 0) {
			fprintf(out, "problem: %s: %s (gatehouse refuses to "
			    "start)\n", b->certs[i].cert, why);
			problems++;
			continue;
		}
		leaf = sk_X509_value(cs[i].chain, 0);
		cs[i].keytype = X509_get0_pubkey(leaf) != NULL ?
		    EVP_PKEY_get_base_id(X509_get0_pubkey(leaf)) : 0;
		if (ssl_cert_names(leaf, &cs[i].names, &cs[i].nnames) < 0) {
			fprintf(out, "problem: out of memory\n");
			problems++;
			goto out;
		}
	}

	/* Group by name set, in order, as ssl_ctx_new_server() does; the
	 * group's tag stands for its SSL_CTX in the SNI table. */
	for (i = 0; i < b->ncerts; i++) {
		if (cs[i].chain == NULL)
			continue;
		for (j = 0; j < i && (cs[j].chain == NULL ||
		    !ssl_cert_same_names(cs[i].names,
		    cs[i].nnames, cs[j].names, cs[j].nnames)); j++)
			;
		cs[i].group = j < i ? cs[j].group : ngroups++;
		for (j = 0; j < cs[i].nnames; j++)
			if (ssl_sni_add(&sni, cs[i].names[j],
			    (SSL_CTX *)&tags[cs[i].group]) < 0) {
				fprintf(out, "problem: out of memory\n");
				problems++;
				goto out;
			}
	}
	ssl_sni_done(&sni);
	sni.strict = b->strict_sni;
	if (ngroups == 0)
		goto out;

	/* In a group, a certificate replaces an earlier one of the same key
	 * type: OpenSSL keeps one per type. */
	for (i = 0; i < b->ncerts; i++)
		for (j = i + 1; cs[i].chain != NULL && j < b->ncerts; j++)
			if (cs[j].chain != NULL && cs[j].group == cs[i].group &&
			    cs[j].keytype == cs[i].keytype) {
				cs[i].replaced = 1;
				fprintf(out, "problem: %s is never sent: %s, "
				    "later, has the same names and key type "
				    "and replaces it\n", cs[i].in->cert,
				    cs[j].in->cert);
				problems++;
				break;
			}

	hit = ssl_sni_find(&sni, name);
	if (hit == NULL && b->strict_sni) {
		fprintf(out, "problem: %s: no certificate of bind %s names "
		    "%s and it has strict-sni: the handshake would be refused "
		    "(alert unrecognized_name)\n", b->where, b->addr, name);
		problems++;
		refused = 1;
		goto check_others;
	}
	g = hit != NULL ? (size_t)((char *)hit - tags) : 0;
	for (i = 0; i < b->ncerts; i++) {
		if (cs[i].chain == NULL || cs[i].group != g)
			continue;
		for (j = 0; j < cs[i].nnames && !exact; j++)
			exact = ssl_sni_norm(cs[i].names[j], nn,
			    sizeof(nn)) == 0 && strcmp(nn, norm) == 0;
		if (cs[i].replaced)
			continue;
		if (cs[i].keytype == EVP_PKEY_EC)
			ecdsa++;
		else
			other++;
	}
	if (hit == NULL)
		fprintf(out, "  %s: no certificate names it: the default "
		    "certificate answers (the bind's first)\n", norm);
	else if (exact)
		fprintf(out, "  %s: exact name\n", norm);
	else
		fprintf(out, "  %s: wildcard one label up\n", norm);

	/* Other certificates that name it too never answer for it. */
	for (i = 0; i < b->ncerts; i++) {
		if (cs[i].chain == NULL || cs[i].group == g)
			continue;
		for (j = 0; j < cs[i].nnames; j++)
			if (ssl_sni_norm(cs[i].names[j], nn, sizeof(nn)) == 0 &&
			    strcmp(nn, norm) == 0) {
				fprintf(out, "  note: %s names %s too, but an "
				    "earlier certificate claimed it\n",
				    cs[i].in->cert, norm);
				break;
			}
	}

	/* The served ones: ECDSA first, as OpenSSL prefers it. */
	for (served = 0; served < 2; served++)
		for (i = 0; i < b->ncerts; i++) {
			if (cs[i].chain == NULL || cs[i].group != g ||
			    cs[i].replaced || (cs[i].keytype == EVP_PKEY_EC) !=
			    (served == 0))
				continue;
			role = ecdsa == 0 || other == 0 ? "" : served == 0 ?
			    ", to clients that offer ECDSA" :
			    ", to the other clients";
			problems += ssl_explain_detail(out, &cs[i], role,
			    trusted, now);
			leaf = sk_X509_value(cs[i].chain, 0);
			if (X509_check_host(leaf, norm, 0,
			    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1)
				continue;
			ERR_clear_error();
			if (hit == NULL)
				fprintf(out, "problem: %s: %s is not in its "
				    "subjectAltNames: the default certificate "
				    "answers an unknown name, and clients will "
				    "refuse it\n", cs[i].in->cert, norm);
			else
				fprintf(out, "problem: %s: %s is not in its "
				    "subjectAltNames (only its CN names it, "
				    "which clients do not check)\n",
				    cs[i].in->cert, norm);
			problems++;
		}

check_others:
	/* A key that does not match stops the server, whichever name it
	 * is for. */
	for (i = 0; i < b->ncerts; i++)
		if (cs[i].chain != NULL && (refused || cs[i].group != g ||
		    cs[i].replaced))
			problems += ssl_explain_key(out, &cs[i]);
out:
	ssl_sni_free(&sni);
	for (i = 0; i < b->ncerts; i++) {
		sk_X509_pop_free(cs[i].chain, X509_free);
		ssl_cert_free_names(cs[i].names, cs[i].nnames);
	}
	free(cs);
	free(tags);
	return problems;
}

int
ssl_explain(FILE *out, const char *name,
    const struct ssl_explain_bind *binds, size_t nbinds, time_t now)
{
	char norm[SSL_EXPLAIN_NAMELEN];
	unsigned int problems = 0;
	X509_STORE *trusted;
	size_t i;

	if (name == NULL || strchr(name, '*') != NULL ||
	    ssl_sni_norm(name, norm, sizeof(norm)) < 0)
		return -EINVAL;
	fprintf(out, "explain %s\n", norm);
	if (nbinds == 0) {
		fprintf(out, "problem: no TLS bind: no certificate answers "
		    "%s\n", norm);
		return 1;
	}
	trusted = ssl_explain_store();
	for (i = 0; i < nbinds; i++)
		problems += ssl_explain_bind(out, name, norm, &binds[i],
		    trusted, now);
	X509_STORE_free(trusted);
	if (problems == 0)
		fprintf(out, "no problem found\n");
	else
		fprintf(out, "%u problem%s found\n", problems,
		    problems == 1 ? "" : "s");
	return problems == 0 ? 0 : 1;
}
