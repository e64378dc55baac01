/* The PROXY protocol codec. Decoding is strict, since whatever it accepts
 * becomes the client's address in logs, headers and the next PROXY
 * header: single spaces, decimal ports without leading zeros, addresses
 * inet_pton() takes, lengths that add up exactly. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proxy_proto.h"

static const char pp_v2_sig[12] = "\r\n\r\n\0\r\nQUIT\n";
static const char pp_v1_sig[6] = "PROXY ";

/* <sa> as an IPv4 or IPv6 address: an IPv4-mapped IPv6 address (a [::]
 * bind's IPv4 client) becomes IPv4. Returns the family, or AF_UNSPEC. */
static int
pp_addr(const struct sockaddr *sa, unsigned char addr[16], uint16_t *port)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	const struct sockaddr_in *in = (const void *)sa;
	const struct sockaddr_in6 *in6 = (const void *)sa;

	if (sa->sa_family == AF_INET) {
		memcpy(addr, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return AF_UNSPEC;
	*port = ntohs(in6->sin6_port);
	if (memcmp(&in6->sin6_addr, mapped, 12) == 0) {
		memcpy(addr, (const unsigned char *)&in6->sin6_addr + 12, 4);
		return AF_INET;
	}
	memcpy(addr, &in6->sin6_addr, 16);
	return AF_INET6;
}

ssize_t
pp_encode_v1(char *buf, size_t len, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	unsigned char sa[16], da[16];
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	uint16_t sp, dp;
	int f = pp_addr(src, sa, &sp), n;

	if (f == AF_UNSPEC || pp_addr(dst, da, &dp) != f)
		n = snprintf(buf, len, "PROXY UNKNOWN\r\n");
	else {
		inet_ntop(f, sa, s, sizeof(s));
		inet_ntop(f, da, d, sizeof(d));
		n = snprintf(buf, len, "PROXY TCP%c %s %s %u %u\r\n",
		    f == AF_INET ? '4' : '6', s, d, sp, dp);
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* Appends a TLV of <type> with <n> bytes of <v> at <*off>. */
static int
pp_tlv(char *buf, size_t len, size_t *off, int type, const void *v,
    size_t n)
{
	if (n > 0xffff || *off + 3 + n > len)
		return -1;
	buf[*off] = (char)type;
	buf[*off + 1] = (char)(n >> 8);
	buf[*off + 2] = (char)(n & 0xff);
	if (n > 0)
		memcpy(buf + *off + 3, v, n);
	*off += 3 + n;
	return 0;
}

/* A TLV of a string, left out when NULL or empty. */
static int
pp_tlv_str(char *buf, size_t len, size_t *off, int type, const char *v)
{
	return v == NULL || *v == '\0' ? 0 : pp_tlv(buf, len, off, type, v,
	    strlen(v));
}

ssize_t
pp_encode_v2(char *buf, size_t len, const struct sockaddr *src,
    const struct sockaddr *dst, const struct pp_tlvs *t)
{
	unsigned char sa[16], da[16];
	uint16_t sp, dp;
	int f = pp_addr(src, sa, &sp);
	size_t off = 16, alen, ssl_at;

	if (len < 16)
		return -1;
	memcpy(buf, pp_v2_sig, sizeof(pp_v2_sig));
	if (f == AF_UNSPEC || pp_addr(dst, da, &dp) != f) {
		/* LOCAL, UNSPEC: every receiver must take it and keep the
		 * connection's own addresses, whereas PROXY with UNSPEC may
		 * be refused. */
		buf[12] = 0x20;
		buf[13] = 0x00;
	} else {
		alen = f == AF_INET ? 4 : 16;
		buf[12] = 0x21;                 /* version 2, PROXY */
		buf[13] = f == AF_INET ? 0x11 : 0x21;   /* over TCP */
		if (off + 2 * alen + 4 > len)
			return -1;
		memcpy(buf + off, sa, alen);
		memcpy(buf + off + alen, da, alen);
		off += 2 * alen;
		buf[off++] = (char)(sp >> 8);
		buf[off++] = (char)(sp & 0xff);
		buf[off++] = (char)(dp >> 8);
		buf[off++] = (char)(dp & 0xff);
	}
	if (t != NULL && t->alpn_len > 0 && pp_tlv(buf, len, &off,
	    PP2_TYPE_ALPN, t->alpn, t->alpn_len) < 0)
		return -1;
	if (t != NULL && t->authority_len > 0 && pp_tlv(buf, len, &off,
	    PP2_TYPE_AUTHORITY, t->authority, t->authority_len) < 0)
		return -1;
	if (t != NULL && t->ssl) {
		/* client (1 byte), verify (4 bytes: 0 is X509_V_OK, also
		 * without a certificate, as HAProxy sends), then the
		 * sub-TLVs; the length is known at the end. */
		const char head[5] = { (char)(PP2_CLIENT_SSL | (t->cert ?
		    PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS : 0)),
		    (char)(t->verify >> 24), (char)(t->verify >> 16),
		    (char)(t->verify >> 8), (char)t->verify };

		ssl_at = off;
		if (pp_tlv(buf, len, &off, PP2_TYPE_SSL, head,
		    sizeof(head)) < 0)
			return -1;
		if (t->ssl_version != NULL && pp_tlv(buf, len, &off,
		    PP2_SUBTYPE_SSL_VERSION, t->ssl_version,
		    strlen(t->ssl_version)) < 0)
			return -1;
		if (t->ssl_cipher != NULL && pp_tlv(buf, len, &off,
		    PP2_SUBTYPE_SSL_CIPHER, t->ssl_cipher,
		    strlen(t->ssl_cipher)) < 0)
			return -1;
		if (pp_tlv_str(buf, len, &off, PP2_SUBTYPE_SSL_CN,
		    t->cert_cn) < 0)
			return -1;
		buf[ssl_at + 1] = (char)((off - ssl_at - 3) >> 8);
		buf[ssl_at + 2] = (char)((off - ssl_at - 3) & 0xff);
		if (pp_tlv_str(buf, len, &off, PP2_TYPE_GH_SUBJECT,
		    t->cert_subject) < 0 || pp_tlv_str(buf, len, &off,
		    PP2_TYPE_GH_ISSUER, t->cert_issuer) < 0 ||
		    pp_tlv_str(buf, len, &off, PP2_TYPE_GH_SERIAL,
		    t->cert_serial) < 0 || pp_tlv_str(buf, len, &off,
		    PP2_TYPE_GH_SHA256, t->cert_sha256) < 0)
			return -1;
	}
	if (off - 16 > 0xffff)
		return -1;
	buf[14] = (char)((off - 16) >> 8);
	buf[15] = (char)((off - 16) & 0xff);
	return (ssize_t)off;
}

static ssize_t
pp_fail(struct pp_header *h, const char *why)
{
	h->why = why;
	return -1;
}

/* A port: 1 to 5 digits, no leading zero (but "0"), at most 65535. */
static int
pp_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Fills <ss>; returns its length. */
static socklen_t
pp_set(struct sockaddr_storage *ss, int f, const void *addr, uint16_t port)
{
	struct sockaddr_in *in = (void *)ss;
	struct sockaddr_in6 *in6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)f;
	if (f == AF_INET) {
		memcpy(&in->sin_addr, addr, 4);
		in->sin_port = htons(port);
		return sizeof(*in);
	}
	memcpy(&in6->sin6_addr, addr, 16);
	in6->sin6_port = htons(port);
	return sizeof(*in6);
}

/* Whether the <n> bytes after "PROXY " may begin one of the protocols:
 * what is not a PROXY header at all is refused without waiting for a CR
 * that may never come. */
static int
pp_v1_proto(const char *p, size_t n)
{
	static const char *const proto[] = { "TCP4 ", "TCP6 ", "UNKNOWN" };
	size_t i, k;

	for (i = 0; i < sizeof(proto) / sizeof(proto[0]); i++) {
		k = strlen(proto[i]);
		if (memcmp(p, proto[i], n < k ? n : k) == 0)
			return 1;
	}
	return 0;
}

/* "PROXY TCP4 SRC DST SPORT DPORT\r\n", or "PROXY UNKNOWN...\r\n". */
static ssize_t
pp_decode_v1(const char *buf, size_t len, struct pp_header *h)
{
	const char *p, *end, *w[5];
	size_t wl[5], n, i, k;
	char tmp[INET6_ADDRSTRLEN];
	unsigned char sa[16], da[16];
	uint16_t sp, dp;
	int f;

	/* The CR of a line of at most PP_V1_MAX bytes, CRLF included. */
	n = len < PP_V1_MAX - 1 ? len : PP_V1_MAX - 1;
	for (i = 0; i < n && buf[i] != '\r'; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			return pp_fail(h, "bad byte in a v1 header");
	if (!pp_v1_proto(buf + sizeof(pp_v1_sig), i - sizeof(pp_v1_sig)))
		return pp_fail(h, "bad v1 protocol (TCP4, TCP6 or UNKNOWN)");
	if (i == n)
		return len >= PP_V1_MAX - 1 ?
		    pp_fail(h, "v1 header too long") : 0;
	if (i + 1 >= len)
		return 0;
	if (buf[i + 1] != '\n')
		return pp_fail(h, "v1 header not ended by CRLF");
	h->version = 1;
	end = buf + i;
	p = buf + sizeof(pp_v1_sig);
	if (end - p >= 7 && memcmp(p, "UNKNOWN", 7) == 0 &&
	    (end - p == 7 || p[7] == ' ')) {
		h->local = 1;
		return end - buf + 2;
	}
	/* Five words, one space apart, after "PROXY ". */
	for (k = 0; k < 5; k++) {
		w[k] = p;
		while (p < end && *p != ' ')
			p++;
		wl[k] = (size_t)(p - w[k]);
		if (wl[k] == 0 || (k < 4 && p == end))
			return pp_fail(h, "bad v1 header: expected PROXY "
			    "TCP4|TCP6 SRC DST SPORT DPORT");
		if (k < 4)
			p++;
	}
	if (p != end)
		return pp_fail(h, "bad v1 header: expected PROXY TCP4|TCP6 "
		    "SRC DST SPORT DPORT");
	if (wl[0] == 4 && memcmp(w[0], "TCP4", 4) == 0)
		f = AF_INET;
	else if (wl[0] == 4 && memcmp(w[0], "TCP6", 4) == 0)
		f = AF_INET6;
	else
		return pp_fail(h, "bad v1 protocol (TCP4, TCP6 or UNKNOWN)");
	for (k = 1; k < 3; k++) {
		if (wl[k] >= sizeof(tmp))
			return pp_fail(h, "bad v1 address");
		memcpy(tmp, w[k], wl[k]);
		tmp[wl[k]] = '\0';
		if (inet_pton(f, tmp, k == 1 ? sa : da) != 1)
			return pp_fail(h, "bad v1 address");
	}
	if (pp_port(w[3], wl[3], &sp) < 0 || pp_port(w[4], wl[4], &dp) < 0)
		return pp_fail(h, "bad v1 port");
	h->addrlen = pp_set(&h->src, f, sa, sp);
	pp_set(&h->dst, f, da, dp);
	return end - buf + 2;
}

static uint32_t
pp_crc32c(uint32_t crc, const unsigned char *p, size_t n)
{
	int k;

	while (n-- > 0) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return crc;
}

/* The CRC32C TLV's value at <at> (big-endian) against the header's
 * <hlen> bytes, taken with that value as zeros. Bitwise, as it is rare
 * and the header short: 0 when it matches, else -1. */
static int
pp_crc32c_ok(const unsigned char *b, size_t hlen, size_t at)
{
	static const unsigned char zero[4];
	uint32_t crc = 0xffffffffu;

	crc = pp_crc32c(crc, b, at);
	crc = pp_crc32c(crc, zero, sizeof(zero));
	crc = pp_crc32c(crc, b + at + 4, hlen - at - 4);
	return ~crc == ((uint32_t)b[at] << 24 | (uint32_t)b[at + 1] << 16 |
	    (uint32_t)b[at + 2] << 8 | b[at + 3]) ? 0 : -1;
}

static ssize_t
pp_decode_v2(const char *buf, size_t len, struct pp_header *h)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t n, alen, off;
	int cmd, f;

	if (len < 16)
		return 0;
	h->version = 2;
	if ((b[12] >> 4) != 2)
		return pp_fail(h, "bad v2 version");
	cmd = b[12] & 0x0f;
	if (cmd > 1)
		return pp_fail(h, "bad v2 command");
	n = (size_t)b[14] << 8 | b[15];
	switch (b[13] >> 4) {
	case 1:
		f = AF_INET;
		alen = 12;
		break;
	case 2:
		f = AF_INET6;
		alen = 36;
		break;
	case 3:
		f = AF_UNSPEC;          /* AF_UNIX: nothing to pass on */
		alen = 216;
		break;
	case 0:
		f = AF_UNSPEC;
		alen = 0;
		break;
	default:
		return pp_fail(h, "bad v2 address family");
	}
	if ((b[13] & 0x0f) > 2)
		return pp_fail(h, "bad v2 transport");
	if (n < alen)
		return pp_fail(h, "v2 addresses longer than the header");
	if (len < 16 + n)
		return 0;
	if (cmd == 0 || f == AF_UNSPEC || (b[13] & 0x0f) != 1)
		h->local = 1;
	else if (f == AF_INET) {
		h->addrlen = pp_set(&h->src, f, b + 16,
		    (uint16_t)(b[24] << 8 | b[25]));
		pp_set(&h->dst, f, b + 20, (uint16_t)(b[26] << 8 | b[27]));
	} else {
		h->addrlen = pp_set(&h->src, f, b + 16,
		    (uint16_t)(b[48] << 8 | b[49]));
		pp_set(&h->dst, f, b + 32, (uint16_t)(b[50] << 8 | b[51]));
	}
	/* The TLVs must fill the rest exactly. */
	for (off = 16 + alen; off < 16 + n; ) {
		size_t tl;

		if (off + 3 > 16 + n)
			return pp_fail(h, "v2 TLV header past the end");
		tl = (size_t)b[off + 1] << 8 | b[off + 2];
		if (off + 3 + tl > 16 + n)
			return pp_fail(h, "v2 TLV past the end");
		if (b[off] == PP2_TYPE_ALPN) {
			h->alpn = buf + off + 3;
			h->alpn_len = tl;
		} else if (b[off] == PP2_TYPE_AUTHORITY) {
			h->authority = buf + off + 3;
			h->authority_len = tl;
		} else if (b[off] == PP2_TYPE_CRC32C &&
		    (tl != 4 || pp_crc32c_ok(b, 16 + n, off + 3) < 0))
			return pp_fail(h, "bad v2 CRC32C");
		off += 3 + tl;
	}
	return (ssize_t)(16 + n);
}

ssize_t
pp_decode(const char *buf, size_t len, struct pp_header *h)
{
	size_t n;

	memset(h, 0, sizeof(*h));
	if (len == 0)
		return 0;
	n = len < sizeof(pp_v2_sig) ? len : sizeof(pp_v2_sig);
	if (memcmp(buf, pp_v2_sig, n) == 0)
		return n < sizeof(pp_v2_sig) ? 0 : pp_decode_v2(buf, len, h);
	n = len < sizeof(pp_v1_sig) ? len : sizeof(pp_v1_sig);
	if (memcmp(buf, pp_v1_sig, n) == 0)
		return n < sizeof(pp_v1_sig) ? 0 : pp_decode_v1(buf, len, h);
	return pp_fail(h, "no PROXY header");
}
