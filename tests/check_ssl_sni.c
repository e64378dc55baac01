/* Check suite for ssl/ssl_sni.c: how a client's SNI name finds its
 * certificate: exact names first, then a wildcard one label deep; case,
 * a trailing dot and IDN A-labels; names that cannot be host names. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "ssl_sni.h"

/* Stand-ins for contexts: only their addresses matter. */
static char ctx_a, ctx_wild, ctx_exact, ctx_idn;
#define A ((SSL_CTX *)&ctx_a)
#define WILD ((SSL_CTX *)&ctx_wild)
#define EXACT ((SSL_CTX *)&ctx_exact)
#define IDN ((SSL_CTX *)&ctx_idn)

static struct ssl_sni t;

static void
setup(void)
{
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(ssl_sni_add(&t, "a.example.com", A), 0);
	ck_assert_int_eq(ssl_sni_add(&t, "*.Example.COM", WILD), 0);
	ck_assert_int_eq(ssl_sni_add(&t, "b.example.com.", EXACT), 0);
	ck_assert_int_eq(ssl_sni_add(&t, "xn--bcher-kva.example", IDN), 0);
	/* The first certificate to claim a name keeps it. */
	ck_assert_int_eq(ssl_sni_add(&t, "A.example.com", EXACT), 1);
	/* Not host names: ignored. */
	ck_assert_int_eq(ssl_sni_add(&t, "a*.example.com", EXACT), 1);
	ck_assert_int_eq(ssl_sni_add(&t, "bad name", EXACT), 1);
	ssl_sni_done(&t);
}

static void
teardown(void)
{
	ssl_sni_free(&t);
}

START_TEST(exact_then_wildcard)
{
	ck_assert_ptr_eq(ssl_sni_find(&t, "a.example.com"), A);
	ck_assert_ptr_eq(ssl_sni_find(&t, "b.example.com"), EXACT);
	ck_assert_ptr_eq(ssl_sni_find(&t, "c.example.com"), WILD);
	/* One label deep only, and not the bare domain. */
	ck_assert_ptr_null(ssl_sni_find(&t, "x.c.example.com"));
	ck_assert_ptr_null(ssl_sni_find(&t, "example.com"));
	ck_assert_ptr_null(ssl_sni_find(&t, "other.test"));
	ck_assert_ptr_null(ssl_sni_find(&t, NULL));
}
END_TEST

START_TEST(case_dot_idn)
{
	ck_assert_ptr_eq(ssl_sni_find(&t, "A.EXAMPLE.COM"), A);
	ck_assert_ptr_eq(ssl_sni_find(&t, "a.example.com."), A);
	ck_assert_ptr_eq(ssl_sni_find(&t, "C.Example.Com."), WILD);
	/* IDN names arrive as A-labels, compared as ASCII. */
	ck_assert_ptr_eq(ssl_sni_find(&t, "XN--BCHER-KVA.example"), IDN);
	ck_assert_ptr_null(ssl_sni_find(&t, "b\xc3\xbc" "cher.example"));
}
END_TEST

START_TEST(not_names)
{
	char out[300], longer[300];

	/* A client may not ask for a wildcard itself. */
	ck_assert_ptr_null(ssl_sni_find(&t, "*.example.com"));
	ck_assert_ptr_null(ssl_sni_find(&t, ""));
	ck_assert_ptr_null(ssl_sni_find(&t, "."));
	ck_assert_ptr_null(ssl_sni_find(&t, "a..example.com"));
	ck_assert_ptr_null(ssl_sni_find(&t, ".a.example.com"));
	ck_assert_ptr_null(ssl_sni_find(&t, "a.example.com\n"));
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ck_assert_int_eq(ssl_sni_norm(longer, out, sizeof(out)), -1);
	ck_assert_int_eq(ssl_sni_norm("Host.Example.", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "host.example");
}
END_TEST

static Suite *
ssl_sni_suite(void)
{
	Suite *s = suite_create("ssl_sni");
	TCase *tc = tcase_create("lookup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, exact_then_wildcard);
	tcase_add_test(tc, case_dot_idn);
	tcase_add_test(tc, not_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ssl_sni_suite)
