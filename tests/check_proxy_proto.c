/* Check suite for src/proxy_proto.c: the v1 and v2 encoders byte by byte,
 * the decoder on whole, partial and malformed headers, and round trips. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "proxy_proto.h"

static const char sig[12] = "\r\n\r\n\0\r\nQUIT\n";

static struct sockaddr_storage
v4(const char *ip, unsigned short port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage
v6(const char *ip, unsigned short port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
	return ss;
}

#define SA(x) ((struct sockaddr *)&(x))

START_TEST(encode_v1)
{
	struct sockaddr_storage a = v4("192.0.2.1", 5000), b = v4("10.0.0.1",
	    443), c = v6("2001:db8::1", 1), d = v6("::1", 65535),
	    m = v6("::ffff:198.51.100.3", 7);
	char buf[PP_HDR_MAX];
	ssize_t n;

	n = pp_encode_v1(buf, sizeof(buf), SA(a), SA(b));
	ck_assert_int_eq(n, 40);
	ck_assert_str_eq(buf, "PROXY TCP4 192.0.2.1 10.0.0.1 5000 443\r\n");
	pp_encode_v1(buf, sizeof(buf), SA(c), SA(d));
	ck_assert_str_eq(buf, "PROXY TCP6 2001:db8::1 ::1 1 65535\r\n");
	/* An IPv4 client of a [::] bind is an IPv4 client. */
	pp_encode_v1(buf, sizeof(buf), SA(m), SA(b));
	ck_assert_str_eq(buf, "PROXY TCP4 198.51.100.3 10.0.0.1 7 443\r\n");
	pp_encode_v1(buf, sizeof(buf), SA(a), SA(d));
	ck_assert_str_eq(buf, "PROXY UNKNOWN\r\n");
	ck_assert_int_eq(pp_encode_v1(buf, 20, SA(a), SA(b)), -1);
}
END_TEST

START_TEST(encode_v2)
{
	struct sockaddr_storage a = v4("192.0.2.1", 5000), b = v4("10.0.0.1",
	    443), c = v6("2001:db8::1", 1), d = v6("::1", 2);
	struct pp_tlvs t = {
		.alpn = "h2", .alpn_len = 2, .authority = "example.com",
		.authority_len = 11, .ssl = 1, .ssl_version = "TLSv1.3",
		.ssl_cipher = "TLS_AES_128_GCM_SHA256",
	};
	unsigned char buf[PP_HDR_MAX];
	ssize_t n;

	n = pp_encode_v2((char *)buf, sizeof(buf), SA(a), SA(b), NULL);
	ck_assert_int_eq(n, 28);
	ck_assert_mem_eq(buf, sig, 12);
	ck_assert_mem_eq(buf + 12, "\x21\x11\x00\x0c" "\xc0\x00\x02\x01"
	    "\x0a\x00\x00\x01" "\x13\x88\x01\xbb", 16);
	n = pp_encode_v2((char *)buf, sizeof(buf), SA(c), SA(d), NULL);
	ck_assert_int_eq(n, 52);
	ck_assert_mem_eq(buf + 12, "\x21\x21\x00\x24", 4);
	ck_assert_mem_eq(buf + 48, "\x00\x01\x00\x02", 4);
	/* Mixed families: no address, and still PROXY. */
	n = pp_encode_v2((char *)buf, sizeof(buf), SA(a), SA(d), NULL);
	ck_assert_int_eq(n, 16);
	ck_assert_mem_eq(buf + 12, "\x21\x00\x00\x00", 4);
	/* TLVs: ALPN, authority, then SSL with its sub-TLVs. */
	n = pp_encode_v2((char *)buf, sizeof(buf), SA(a), SA(b), &t);
	ck_assert_int_eq(n, 28 + 5 + 14 + 3 + 5 + 10 + 25);
	ck_assert_uint_eq(buf[14] << 8 | buf[15], (unsigned)n - 16);
	ck_assert_mem_eq(buf + 28, "\x01\x00\x02" "h2", 5);
	ck_assert_mem_eq(buf + 33, "\x02\x00\x0b" "example.com", 14);
	ck_assert_mem_eq(buf + 47, "\x20\x00\x28" "\x01\x00\x00\x00\x00", 8);
	ck_assert_mem_eq(buf + 55, "\x21\x00\x07" "TLSv1.3", 10);
	ck_assert_mem_eq(buf + 65, "\x23\x00\x16" "TLS_AES_128_GCM_SHA256",
	    25);
	ck_assert_int_eq(pp_encode_v2((char *)buf, 40, SA(a), SA(b), &t), -1);
}
END_TEST

START_TEST(round_trip)
{
	struct sockaddr_storage a = v6("2001:db8::5", 40000), b = v6("::1",
	    8443);
	struct pp_tlvs t = { .authority = "a.test", .authority_len = 6 };
	struct pp_header h;
	char buf[PP_HDR_MAX];
	ssize_t n;

	n = pp_encode_v2(buf, sizeof(buf), SA(a), SA(b), &t);
	ck_assert_int_eq(pp_decode(buf, (size_t)n, &h), n);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.local, 0);
	ck_assert_mem_eq(&h.src, &a, sizeof(struct sockaddr_in6));
	ck_assert_mem_eq(&h.dst, &b, sizeof(struct sockaddr_in6));
	ck_assert_uint_eq(h.authority_len, 6);
	ck_assert_mem_eq(h.authority, "a.test", 6);
	n = pp_encode_v1(buf, sizeof(buf), SA(a), SA(b));
	/* Bytes after the header are not the header's. */
	memcpy(buf + n, "\x16\x03\x01", 3);
	ck_assert_int_eq(pp_decode(buf, (size_t)n + 3, &h), n);
	ck_assert_int_eq(h.version, 1);
	ck_assert_mem_eq(&h.src, &a, sizeof(struct sockaddr_in6));
}
END_TEST

START_TEST(partial)
{
	struct sockaddr_storage a = v4("192.0.2.1", 5000), b = v4("10.0.0.1",
	    443);
	struct pp_tlvs t = { .alpn = "http/1.1", .alpn_len = 8 };
	struct pp_header h;
	char buf[PP_HDR_MAX];
	ssize_t n;
	size_t i;

	/* Every cut of a valid header asks for more. */
	n = pp_encode_v1(buf, sizeof(buf), SA(a), SA(b));
	for (i = 0; i < (size_t)n; i++)
		ck_assert_int_eq(pp_decode(buf, i, &h), 0);
	n = pp_encode_v2(buf, sizeof(buf), SA(a), SA(b), &t);
	for (i = 0; i < (size_t)n; i++)
		ck_assert_int_eq(pp_decode(buf, i, &h), 0);
	ck_assert_int_eq(pp_decode(buf, (size_t)n, &h), n);
}
END_TEST

/* <s> is refused with <why>. */
static void
refused(const char *s, size_t len, const char *why)
{
	struct pp_header h;

	ck_assert_int_eq(pp_decode(s, len, &h), -1);
	ck_assert_str_eq(h.why, why);
}
#define REFUSED(lit, why) refused(lit, sizeof(lit) - 1, why)

START_TEST(malformed)
{
	char longer[200];

	REFUSED("GET / HTTP/1.1\r\n", "no PROXY header");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n", "bad v1 port");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "bad v1 port");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 01x 2\r\n", "bad v1 port");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "bad v1 port");
	REFUSED("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "bad v1 address");
	REFUSED("PROXY TCP4 ::1 ::1 1 2\r\n", "bad v1 address");
	REFUSED("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
	    "bad v1 protocol (TCP4, TCP6 or UNKNOWN)");
	REFUSED("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "bad v1 header: "
	    "expected PROXY TCP4|TCP6 SRC DST SPORT DPORT");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "bad v1 header: "
	    "expected PROXY TCP4|TCP6 SRC DST SPORT DPORT");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", "v1 header not ended by "
	    "CRLF");
	REFUSED("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "bad byte in a v1 "
	    "header");
	memset(longer, 'x', sizeof(longer));
	memcpy(longer, "PROXY ", 6);
	refused(longer, sizeof(longer), "v1 header too long");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x11\x11\x00\x00", "bad v2 version");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x22\x11\x00\x00", "bad v2 command");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x41\x00\x00", "bad v2 address "
	    "family");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x13\x00\x0c", "bad v2 transport");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x04", "v2 addresses longer "
	    "than the header");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0e" "123456789012" "\x01\x00",
	    "v2 TLV header past the end");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x10" "123456789012"
	    "\x01\x00\x05" "h", "v2 TLV past the end");
	REFUSED("\r\n\r\n\0\r\nQUIX", "no PROXY header");
}
END_TEST

START_TEST(local_unknown)
{
	struct pp_header h;

	ck_assert_int_eq(pp_decode("PROXY UNKNOWN\r\n", 15, &h), 15);
	ck_assert_int_eq(h.local, 1);
	ck_assert_int_eq(pp_decode("PROXY UNKNOWN 1.2.3.4 x y z\r\nGET", 32,
	    &h), 29);
	ck_assert_int_eq(h.local, 1);
	/* LOCAL: addresses, if any, are ignored. */
	ck_assert_int_eq(pp_decode("\r\n\r\n\0\r\nQUIT\n\x20\x11\x00\x0c"
	    "123456789012", 28, &h), 28);
	ck_assert_int_eq(h.local, 1);
	ck_assert_int_eq(pp_decode("\r\n\r\n\0\r\nQUIT\n\x21\x00\x00\x00", 16,
	    &h), 16);
	ck_assert_int_eq(h.local, 1);
}
END_TEST

static Suite *
proxy_proto_suite(void)
{
	Suite *s = suite_create("proxy_proto");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, encode_v1);
	tcase_add_test(tc, encode_v2);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, partial);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, local_unknown);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(proxy_proto_suite)
