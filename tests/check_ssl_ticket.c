/* Check suite for ssl/ssl_ticket.c: the ticket key file's format, the
 * fleet key derivation against vectors computed independently (Python's
 * hmac and hashlib, RFC 5869 step by step), and the errors a key or
 * secret file gives. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "ssl_ticket.h"

static struct ssl_ticket_key keys[SSL_TICKET_MAX_KEYS];
static char err[256];

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* 80 bytes: name 0x00.., AES 0x10.., HMAC 0x30.. */
#define K80 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v" \
	"MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk8="
/* 48 bytes of 0xff. */
#define K48 "////////////////////////////////////////////////////////////////"

START_TEST(parse_good)
{
	const char *text = "# fleet keys\n\n  " K80 "  \r\n" K48 "\n# end";
	char h[129];

	ck_assert_int_eq(ssl_ticket_parse(text, strlen(text), keys, err,
	    sizeof(err)), 2);
	ck_assert_uint_eq(keys[0].aes_len, 32);
	ck_assert_uint_eq(keys[0].hmac_len, 32);
	hex(keys[0].name, 16, h);
	ck_assert_str_eq(h, "000102030405060708090a0b0c0d0e0f");
	hex(keys[0].aes, 32, h);
	ck_assert_str_eq(h, "101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f");
	hex(keys[0].hmac, 32, h);
	ck_assert_str_eq(h, "303132333435363738393a3b3c3d3e3f"
	    "404142434445464748494a4b4c4d4e4f");
	ck_assert_uint_eq(keys[1].aes_len, 16);
	ck_assert_uint_eq(keys[1].hmac_len, 16);
	hex(keys[1].hmac, 16, h);
	ck_assert_str_eq(h, "ffffffffffffffffffffffffffffffff");
}
END_TEST

START_TEST(parse_bad)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "no key in it" },
		{ "# only a comment\n\n", "no key in it" },
		{ K80 "\nnot base64!\n", "line 2: not base64" },
		{ "QUJD\n", "line 1: a key is 48 or 80 bytes" },
		{ "\n\n" K80 "=\n", "line 3: not base64" },
		/* 79 bytes */
		{ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
		    "LS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTg==",
		    "line 1: a key is 48 or 80 bytes" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ssl_ticket_parse(bad[i].text, strlen(bad[i].text),
		    keys, err, sizeof(err)) == -1, "accepted: %s", bad[i].text);
		ck_assert_str_eq(err, bad[i].why);
	}
}
END_TEST

START_TEST(parse_limit)
{
	size_t len = (strlen(K48) + 1) * (SSL_TICKET_MAX_KEYS + 1) + 1, i;
	char *text = calloc(1, len);

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < SSL_TICKET_MAX_KEYS; i++)
		strcat(strcat(text, K48), "\n");
	ck_assert_int_eq(ssl_ticket_parse(text, strlen(text), keys, err,
	    sizeof(err)), SSL_TICKET_MAX_KEYS);
	strcat(text, K48);
	ck_assert_int_eq(ssl_ticket_parse(text, strlen(text), keys, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "line 65: more than 64 keys");
	free(text);
}
END_TEST

/* HKDF-SHA256(salt "gatehouse tls-ticket-secret", IKM secret, info
 * "ticket key" || N as 8 bytes big-endian, L 80), from Python. */
START_TEST(derive_vectors)
{
	static const struct {
		const char *secret;
		uint64_t n;
		const char *name, *aes, *hmac;
	} v[] = {
		{ "0123456789abcdef0123456789abcdef", 0,
		    "dfe0c328bf761db98517545c3e46d7c4",
		    "f8550d7eba84bad6c1b725f990765f29"
		    "9a3408c1fc0bcab1b92b275be04170ed",
		    "375fdfb677ac6a64250ad381a8dce8f7"
		    "182007b1e585008968b39a537c464063" },
		{ "0123456789abcdef0123456789abcdef", 493795,
		    "2c412ff80def88e6c247f74cf0010477",
		    "019097b3df14996720ec4a648b3db84e"
		    "db53fab7a6ab2f33c19b7ba713b441ea",
		    "324f34c257cf9a823087805ce349a9de"
		    "8752f0db3d669e8e2d874438eb5316ac" },
		{ "gatehouse fleet secret: keep it safe, keep it long!",
		    (1ULL << 40) + 5,
		    "5e855a06346872a74ac5a7e088e05a09",
		    "9c99c1217cf2d0b3bacdf6a9747ceb6f"
		    "e228202399c77a35935d2b39a8ce9cc0",
		    "88b4cd873e1ccb04aa17204d4feecebd"
		    "dee15f4a7e2ca979adfeb10d92d0d4e6" },
	};
	struct ssl_ticket_key k;
	char h[65];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(ssl_ticket_derive((const unsigned char *)
		    v[i].secret, strlen(v[i].secret), v[i].n, &k), 0);
		ck_assert_uint_eq(k.aes_len, 32);
		ck_assert_uint_eq(k.hmac_len, 32);
		hex(k.name, 16, h);
		ck_assert_str_eq(h, v[i].name);
		hex(k.aes, 32, h);
		ck_assert_str_eq(h, v[i].aes);
		hex(k.hmac, 32, h);
		ck_assert_str_eq(h, v[i].hmac);
	}
}
END_TEST

/* A temporary file holding <text>; its path in <path>. */
static void
tmpfile_with(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/check_ssl_ticket.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
}

START_TEST(files)
{
	struct ssl_tickets *t;
	char path[64], want[160];

	ck_assert_ptr_nonnull(t = ssl_tickets_new(NULL, NULL, 60, err,
	    sizeof(err)));
	ck_assert_int_eq(ssl_tickets_reload(t, err, sizeof(err)), 0);
	ssl_tickets_tick(t, time(NULL) + 120);
	ssl_tickets_free(t);

	ck_assert_ptr_null(ssl_tickets_new("/nonexistent/keys", NULL, 60, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/keys: No such file or directory");

	tmpfile_with(path, "too short\n");
	ck_assert_ptr_null(ssl_tickets_new(NULL, path, 60, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: a secret needs 32 bytes at least, "
	    "this one has 9", path);
	ck_assert_str_eq(err, want);
	unlink(path);

	tmpfile_with(path, "0123456789abcdef0123456789abcdef\n\n");
	ck_assert_ptr_nonnull(t = ssl_tickets_new(NULL, path, 3600, err,
	    sizeof(err)));
	ssl_tickets_tick(t, time(NULL) + 7200);
	/* A secret gone bad on reload: refused, the old one stays. */
	tmpfile_with(want, "");
	ck_assert_int_eq(rename(want, path), 0);
	ck_assert_int_eq(ssl_tickets_reload(t, err, sizeof(err)), -1);
	ssl_tickets_free(t);
	unlink(path);

	tmpfile_with(path, K80 "\n" K48 "\n");
	ck_assert_ptr_nonnull(t = ssl_tickets_new(path, NULL, 0, err,
	    sizeof(err)));
	ssl_tickets_free(t);
	unlink(path);
}
END_TEST

static Suite *
ssl_ticket_suite(void)
{
	Suite *s = suite_create("ssl_ticket");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, parse_bad);
	tcase_add_test(tc, parse_limit);
	tcase_add_test(tc, derive_vectors);
	tcase_add_test(tc, files);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ssl_ticket_suite)
