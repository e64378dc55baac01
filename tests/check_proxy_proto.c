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
	/* The longest line there is fits the limit. */
	c = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535);
	d = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	n = pp_encode_v1(buf, sizeof(buf), SA(c), SA(d));
	ck_assert_int_eq(n, 104);
	ck_assert_int_le(n, PP_V1_MAX);
	ck_assert_int_eq(pp_encode_v1(buf, 104, SA(c), SA(d)), -1);
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
	ck_assert_mem_eq(buf + 16, "\x20\x01\x0d\xb8" "\0\0\0\0" "\0\0\0\0"
	    "\0\0\0\x01" "\0\0\0\0" "\0\0\0\0" "\0\0\0\0" "\0\0\0\x01", 32);
	/* Mixed families: LOCAL, no address, as v1's UNKNOWN. */
	n = pp_encode_v2((char *)buf, sizeof(buf), SA(a), SA(d), NULL);
	ck_assert_int_eq(n, 16);
	ck_assert_mem_eq(buf + 12, "\x20\x00\x00\x00", 4);
	/* Empty values are left out. */
	n = pp_encode_v2((char *)buf, sizeof(buf), SA(a), SA(b),
	    &(struct pp_tlvs){ .alpn = "", .authority = "x" });
	ck_assert_int_eq(n, 28);
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
	ck_assert_int_eq(pp_encode_v2((char *)buf, 15, SA(a), SA(b), NULL),
	    -1);
	/* IPv6, with TLVs after the 36 bytes of addresses; SSL without
	 * its sub-TLVs. */
	t.ssl_version = t.ssl_cipher = NULL;
	n = pp_encode_v2((char *)buf, sizeof(buf), SA(c), SA(d), &t);
	ck_assert_int_eq(n, 52 + 5 + 14 + 8);
	ck_assert_mem_eq(buf + 12, "\x21\x21\x00\x3f", 4);
	ck_assert_mem_eq(buf + 52, "\x01\x00\x02" "h2" "\x02\x00\x0b"
	    "example.com" "\x20\x00\x05" "\x01\x00\x00\x00\x00", 27);
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
	ck_assert_int_eq(h.addrlen, sizeof(struct sockaddr_in6));
	ck_assert_ptr_null(h.alpn);
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
	ck_assert_mem_eq(&h.dst, &b, sizeof(struct sockaddr_in6));
}
END_TEST

START_TEST(round_trip_v4)
{
	struct sockaddr_storage a = v4("198.51.100.9", 1), b = v4("127.0.0.1",
	    65535);
	struct pp_tlvs t = {
		.alpn = "http/1.1", .alpn_len = 8, .authority = "b.test",
		.authority_len = 6, .ssl = 1, .ssl_version = "TLSv1.2",
		.ssl_cipher = "ECDHE-ECDSA-AES128-GCM-SHA256",
	};
	struct pp_header h;
	char buf[PP_HDR_MAX];
	ssize_t n;

	n = pp_encode_v2(buf, sizeof(buf), SA(a), SA(b), &t);
	/* Bytes after it, even a second header, are not read. */
	memcpy(buf + n, buf, (size_t)n);
	ck_assert_int_eq(pp_decode(buf, 2 * (size_t)n, &h), n);
	ck_assert_int_eq(h.addrlen, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&h.src, &a, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&h.dst, &b, sizeof(struct sockaddr_in));
	ck_assert_uint_eq(h.alpn_len, 8);
	ck_assert_ptr_eq(h.alpn, buf + 31);
	ck_assert_uint_eq(h.authority_len, 6);
	ck_assert_mem_eq(h.authority, "b.test", 6);
	n = pp_encode_v1(buf, sizeof(buf), SA(a), SA(b));
	ck_assert_int_eq(pp_decode(buf, (size_t)n, &h), n);
	ck_assert_int_eq(h.addrlen, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&h.src, &a, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&h.dst, &b, sizeof(struct sockaddr_in));
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
	n = pp_encode_v1(buf, sizeof(buf), SA(a), SA(a));
	memcpy(buf, "PROXY UNKNOWN ", 14);
	for (i = 0; i < (size_t)n; i++)
		ck_assert_int_eq(pp_decode(buf, i, &h), 0);
	ck_assert_int_eq(pp_decode(buf, (size_t)n, &h), n);
}
END_TEST

/* The limits: a v1 line of PP_V1_MAX bytes, a v2 header of the largest
 * declared length. */
START_TEST(limits)
{
	static char big[16 + 65535 + 1];
	char line[PP_V1_MAX + 1];
	struct pp_header h;
	size_t i;

	memset(line, 'x', sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + PP_V1_MAX - 2, "\r\n", 2);
	ck_assert_int_eq(pp_decode(line, PP_V1_MAX, &h), PP_V1_MAX);
	memcpy(line + PP_V1_MAX - 2, "x\r\n", 3);
	ck_assert_int_eq(pp_decode(line, PP_V1_MAX - 1, &h), -1);
	ck_assert_str_eq(h.why, "v1 header too long");
	ck_assert_int_eq(pp_decode(line, PP_V1_MAX + 1, &h), -1);
	/* 65535 bytes after the 16: 12 of addresses, one TLV of the rest. */
	memcpy(big, sig, 12);
	memcpy(big + 12, "\x21\x11\xff\xff" "\x7f\0\0\x01" "\x7f\0\0\x02"
	    "\0\x01\0\x02" "\x04\xff\xf0", 19);
	for (i = 0; i < sizeof(big) - 1; i += 997)
		ck_assert_int_eq(pp_decode(big, i, &h), 0);
	ck_assert_int_eq(pp_decode(big, sizeof(big) - 2, &h), 0);
	ck_assert_int_eq(pp_decode(big, sizeof(big), &h), 16 + 65535);
	ck_assert_int_eq(h.local, 0);
	/* One byte too many for the length field to say. */
	big[30] = (char)0xf1;
	ck_assert_int_eq(pp_decode(big, sizeof(big), &h), -1);
	ck_assert_str_eq(h.why, "v2 TLV past the end");
}
END_TEST

START_TEST(crc32c)
{
	/* The checksum computed over the header with it as zeros (the
	 * proxy-protocol.txt rule; value computed independently). */
	char ok[] = "\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x13\xc0\x00\x02\x01"
	    "\x0a\x00\x00\x01\x13\x88\x01\xbb\x03\x00\x04\x69\x50\x4f\x9c";
	struct pp_header h;

	ck_assert_int_eq(pp_decode(ok, sizeof(ok) - 1, &h), 35);
	ok[20] ^= 1;
	ck_assert_int_eq(pp_decode(ok, sizeof(ok) - 1, &h), -1);
	ck_assert_str_eq(h.why, "bad v2 CRC32C");
	ok[20] ^= 1;
	ok[34] ^= 1;
	ck_assert_int_eq(pp_decode(ok, sizeof(ok) - 1, &h), -1);
	ck_assert_int_eq(pp_decode("\r\n\r\n\0\r\nQUIT\n\x21\x00\x00\x05"
	    "\x03\x00\x02\x00\x00", 21, &h), -1);
	ck_assert_str_eq(h.why, "bad v2 CRC32C");
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
	memcpy(longer, "PROXY TCP4 ", 11);
	refused(longer, sizeof(longer), "v1 header too long");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x11\x11\x00\x00", "bad v2 version");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x22\x11\x00\x00", "bad v2 command");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x41\x00\x00", "bad v2 address "
	    "family");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x13\x00\x0c", "bad v2 transport");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x04", "v2 addresses longer "
	    "than the header");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x0c", "v2 addresses longer "
	    "than the header");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x31\x00\xd7", "v2 addresses longer "
	    "than the header");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0e" "123456789012" "\x01\x00",
	    "v2 TLV header past the end");
	REFUSED("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x10" "123456789012"
	    "\x01\x00\x05" "h", "v2 TLV past the end");
	REFUSED("\r\n\r\n\0\r\nQUIX", "no PROXY header");
	REFUSED("\x16\x03\x01", "no PROXY header");
	REFUSED("PROXYTCP4", "no PROXY header");
	/* What cannot become a header is refused before its CR. */
	REFUSED("PROXY GET", "bad v1 protocol (TCP4, TCP6 or UNKNOWN)");
	REFUSED("PROXY TCP4\r\n", "bad v1 header: expected PROXY TCP4|TCP6 "
	    "SRC DST SPORT DPORT");
	REFUSED("PROXY TCP41", "bad v1 protocol (TCP4, TCP6 or UNKNOWN)");
	REFUSED("PROXY  TCP4", "bad v1 protocol (TCP4, TCP6 or UNKNOWN)");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n", "bad v1 header: "
	    "expected PROXY TCP4|TCP6 SRC DST SPORT DPORT");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "bad v1 header: "
	    "expected PROXY TCP4|TCP6 SRC DST SPORT DPORT");
	REFUSED("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", "bad v1 address");
	REFUSED("PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n", "bad v1 address");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "bad v1 port");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "bad v1 port");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "bad byte in a v1 header");
	REFUSED("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\0\r\n",
	    "bad byte in a v1 header");
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
	ck_assert_int_eq(h.addrlen, 0);
	/* The longest v1 line there is, and ports at both ends. */
	ck_assert_int_eq(pp_decode("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 0\r\n",
	    100, &h), 100);
	ck_assert_int_eq(h.local, 0);
	/* AF_UNIX (and UDP) carry nothing gatehouse can use: as LOCAL. */
	ck_assert_int_eq(pp_decode("\r\n\r\n\0\r\nQUIT\n\x21\x31\x00\xd8",
	    16, &h), 0);
	{
		char unix_hdr[16 + 216];

		memset(unix_hdr, 0, sizeof(unix_hdr));
		memcpy(unix_hdr, "\r\n\r\n\0\r\nQUIT\n\x21\x31\x00\xd8", 16);
		ck_assert_int_eq(pp_decode(unix_hdr, sizeof(unix_hdr), &h),
		    (ssize_t)sizeof(unix_hdr));
		ck_assert_int_eq(h.local, 1);
	}
	ck_assert_int_eq(pp_decode("\r\n\r\n\0\r\nQUIT\n\x21\x12\x00\x0c"
	    "123456789012", 28, &h), 28);
	ck_assert_int_eq(h.local, 1);
	ck_assert_int_eq(pp_decode("", 0, &h), 0);
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
	tcase_add_test(tc, round_trip_v4);
	tcase_add_test(tc, partial);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, crc32c);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, local_unknown);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(proxy_proto_suite)
