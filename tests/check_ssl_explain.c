/* Check suite for ssl/ssl_explain.c's chain analysis: the lines it prints
 * for a chain as sent, the renewal warning (a third of the lifetime
 * left) and the problems it finds (expired, not yet valid, out of order,
 * extra, missing intermediate), over certificates made here in memory at
 * fixed dates. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "check_main.h"
#include "ssl_explain.h"

#define DAY     86400
#define T0      ((time_t)1767225600)    /* 2026-01-01T00:00:00Z */

static EVP_PKEY *k_root, *k_int, *k_leaf, *k_other;
static X509 *root, *inter, *leaf, *other, *old;

/* A certificate for <cn> with <key>, issued by <issuer> (NULL: itself)
 * signing with <ikey>, valid from T0 + <from> to T0 + <to> days. */
static X509 *
mk(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, long from,
    long to, int ca)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	X509_NAME *n;
	time_t base = T0;
	X509 *x;
	static long serial = 1;

	ck_assert_ptr_nonnull(x = X509_new());
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	ck_assert_ptr_nonnull(X509_time_adj_ex(X509_getm_notBefore(x),
	    (int)from, 0, &base));
	ck_assert_ptr_nonnull(X509_time_adj_ex(X509_getm_notAfter(x), (int)to,
	    0, &base));
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ck_assert_ptr_nonnull(ext = X509V3_EXT_conf_nid(NULL, &v3,
	    NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE"));
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ck_assert_int_gt(X509_sign(x, ikey, EVP_sha256()), 0);
	return x;
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(k_root = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	ck_assert_ptr_nonnull(k_int = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	ck_assert_ptr_nonnull(k_leaf = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	ck_assert_ptr_nonnull(k_other = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	root = mk("root", k_root, NULL, k_root, -10, 3650, 1);
	inter = mk("int", k_int, root, k_root, -10, 1000, 1);
	leaf = mk("leaf.test", k_leaf, inter, k_int, -1, 90, 0);
	other = mk("other.test", k_other, root, k_root, -1, 90, 0);
	/* The same subject as the root, another key: not its issuer. */
	old = mk("root", k_other, NULL, k_other, -10, 3650, 1);
}

static void
teardown(void)
{
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	X509_free(other);
	X509_free(old);
	EVP_PKEY_free(k_root);
	EVP_PKEY_free(k_int);
	EVP_PKEY_free(k_leaf);
	EVP_PKEY_free(k_other);
}

static char *text;
static unsigned int problems;

/* Runs the analysis over the certificates given, in that order, at
 * <now>, with <trusted>; sets <text> and <problems>. */
static void
run(time_t now, X509_STORE *trusted, X509 *a, X509 *b, X509 *c, X509 *d)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *v[] = { a, b, c, d };
	size_t len, i;
	FILE *f;

	free(text);
	for (i = 0; i < 4 && v[i] != NULL; i++)
		sk_X509_push(sk, v[i]);
	ck_assert_ptr_nonnull(f = open_memstream(&text, &len));
	problems = ssl_explain_chain(f, "f.pem", sk, trusted, now);
	ck_assert_int_eq(fclose(f), 0);
	sk_X509_free(sk);
}

#define HAS(s)  ck_assert_msg(strstr(text, (s)) != NULL, \
	"no '%s' in:\n%s", (s), text)

START_TEST(complete_in_order)
{
	run(T0, NULL, leaf, inter, root, NULL);
	ck_assert_msg(problems == 0, "%s", text);
	HAS("    sent 1: subject CN=leaf.test; issuer CN=int; not after "
	    "2026-04-01T00:00:00Z (90 days left)\n");
	HAS("    sent 2: subject CN=int; issuer CN=root; ");
	HAS("    sent 3: subject CN=root; issuer CN=root (self-signed); "
	    "not after 2035-12-30T00:00:00Z (3650 days left)\n");
	ck_assert_ptr_null(strstr(text, "problem:"));
}
END_TEST

START_TEST(out_of_order)
{
	run(T0, NULL, leaf, root, inter, NULL);
	ck_assert_uint_eq(problems, 1);
	HAS("problem: f.pem: chain out of order: certificate 1 (CN=leaf.test) "
	    "is not followed by its issuer, certificate 3 (CN=int); from the "
	    "leaf the order is 1, 3, 2\n");
}
END_TEST

START_TEST(missing_intermediate)
{
	run(T0, NULL, leaf, NULL, NULL, NULL);
	ck_assert_uint_eq(problems, 1);
	HAS("problem: f.pem: chain ends at CN=int which is not in the file (a "
	    "missing intermediate, unless it is a root the clients trust)\n");
	/* A certificate with the issuer's name but not its key is no
	 * issuer: the root is still missing, and that one is extra. */
	run(T0, NULL, leaf, inter, old, NULL);
	ck_assert_uint_eq(problems, 2);
	HAS("problem: f.pem: certificate 3 (CN=root) is not on the path from "
	    "the leaf: an extra certificate\n");
	HAS("problem: f.pem: chain ends at CN=root which is not in the file");
}
END_TEST

START_TEST(trusted_root)
{
	X509_STORE *st;

	ck_assert_ptr_nonnull(st = X509_STORE_new());
	ck_assert_int_eq(X509_STORE_add_cert(st, root), 1);
	run(T0, st, leaf, inter, NULL, NULL);
	ck_assert_msg(problems == 0, "%s", text);
	HAS("    chain ends at CN=root, a root this system trusts\n");
	/* The store does not stand in for an intermediate. */
	run(T0, st, leaf, NULL, NULL, NULL);
	ck_assert_uint_eq(problems, 1);
	X509_STORE_free(st);
}
END_TEST

START_TEST(extra)
{
	run(T0, NULL, leaf, inter, root, other);
	ck_assert_uint_eq(problems, 1);
	HAS("problem: f.pem: certificate 4 (CN=other.test) is not on the path "
	    "from the leaf: an extra certificate\n");
}
END_TEST

START_TEST(dates)
{
	X509 *week;

	/* 80.5 days on: 9 whole days left of 91, a warning, no problem. */
	run(T0 + 80 * DAY + DAY / 2, NULL, leaf, inter, root, NULL);
	ck_assert_msg(problems == 0, "%s", text);
	HAS("(9 days left)\n");
	HAS("warning: f.pem: certificate 1 (CN=leaf.test) expires in 9 days, "
	    "on 2026-04-01T00:00:00Z: due for renewal, less than a third of "
	    "its 91-day lifetime is left\n");
	ck_assert_ptr_null(strstr(text, "problem:"));
	/* Renewal is due with a third of the lifetime left: of 91 days,
	 * 30 days and 8 hours. */
	run(T0 + 59 * DAY, NULL, leaf, inter, root, NULL);
	ck_assert_uint_eq(problems, 0);
	ck_assert_ptr_null(strstr(text, "warning:"));
	run(T0 + 60 * DAY - 8 * 3600 + 1, NULL, leaf, inter, root, NULL);
	ck_assert_uint_eq(problems, 0);
	HAS("warning: f.pem: certificate 1 (CN=leaf.test) expires in 30 days");
	/* A short-lived certificate: 6 days, 5 left is fine, 1 left due. */
	week = mk("week.test", k_other, NULL, k_other, 0, 6, 0);
	run(T0 + DAY, NULL, week, NULL, NULL, NULL);
	ck_assert_ptr_null(strstr(text, "warning:"));
	run(T0 + 5 * DAY, NULL, week, NULL, NULL, NULL);
	HAS("warning: f.pem: certificate 1 (CN=week.test) expires in 1 day, "
	    "on 2026-01-07T00:00:00Z: due for renewal, less than a third of "
	    "its 6-day lifetime is left\n");
	ck_assert_uint_eq(problems, 0);
	X509_free(week);
	/* A second after the end. */
	run(T0 + 90 * DAY + 1, NULL, leaf, inter, root, NULL);
	ck_assert_uint_eq(problems, 1);
	HAS("(expired 1 day ago)\n");
	HAS("problem: f.pem: certificate 1 (CN=leaf.test) expired on "
	    "2026-04-01T00:00:00Z\n");
	/* Before the start. */
	run(T0 - 2 * DAY, NULL, leaf, inter, root, NULL);
	ck_assert_uint_eq(problems, 1);
	HAS("problem: f.pem: certificate 1 (CN=leaf.test) is not valid before "
	    "2025-12-31T00:00:00Z\n");
}
END_TEST

START_TEST(bad_names)
{
	const struct ssl_explain_bind b = { "x:1", "*:443", NULL, NULL, 0, 0 };
	size_t len;
	FILE *f;

	free(text);
	ck_assert_ptr_nonnull(f = open_memstream(&text, &len));
	ck_assert_int_eq(ssl_explain(f, "a b", &b, 1, T0), -EINVAL);
	ck_assert_int_eq(ssl_explain(f, "*.a.test", &b, 1, T0), -EINVAL);
	ck_assert_int_eq(ssl_explain(f, "", &b, 1, T0), -EINVAL);
	ck_assert_int_eq(ssl_explain(f, "a.test", NULL, 0, T0), 1);
	ck_assert_int_eq(ssl_explain(f, "a.test", &b, 1, T0), 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(text, "explain a.test\n"
	    "problem: no TLS bind: no certificate answers a.test\n"
	    "explain a.test\n"
	    "bind *:443 at x:1\n"
	    "problem: x:1: bind *:443 has no certificate\n"
	    "1 problem found\n");
}
END_TEST

static Suite *
ssl_explain_suite(void)
{
	Suite *s = suite_create("ssl_explain");
	TCase *tc;

	tc = tcase_create("ssl_explain_chain");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, complete_in_order);
	tcase_add_test(tc, out_of_order);
	tcase_add_test(tc, missing_intermediate);
	tcase_add_test(tc, trusted_root);
	tcase_add_test(tc, extra);
	tcase_add_test(tc, dates);
	suite_add_tcase(s, tc);

	tc = tcase_create("ssl_explain");
	tcase_add_test(tc, bad_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ssl_explain_suite)
