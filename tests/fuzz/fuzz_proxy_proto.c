/* libFuzzer target for src/proxy_proto.c: the decoder over arbitrary
 * bytes (the data accept-proxy reads from the network), and, for what it
 * accepts, the encoders: a decoded header encoded again decodes to the
 * same addresses. Also the promise accept.c relies on when a header
 * comes in pieces: each shorter cut of a header that is whole, or still
 * awaited, asks for more. Built with --enable-fuzzing (clang). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "proxy_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The encoders write an IPv4-mapped IPv6 address as IPv4 on purpose:
 * such headers do not come back the same. */
static int
fuzz_mapped(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *in6 = (const void *)ss;

	return ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_header h, h2;
	char out[PP_HDR_MAX];
	ssize_t n, m;
	size_t i, cut;
	/* A copy of exactly <size> bytes: reads past it are caught. */
	char *buf = malloc(size ? size : 1);

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	n = pp_decode(buf, size, &h);
	if (n > 0 && (size_t)n > size)
		abort();
	if (n < 0 && h.why == NULL)
		abort();
	/* Cuts as far as the reader's buffer: quadratic, so bounded. */
	cut = n > 0 ? (size_t)n : n == 0 ? size : 0;
	for (i = 0; i < cut && i <= PP_HDR_MAX; i++)
		if (pp_decode(buf, i, &h2) != 0)
			abort();
	if (n > 0 && !h.local && !fuzz_mapped(&h.src) && !fuzz_mapped(&h.dst)) {
		m = pp_encode_v2(out, sizeof(out), (struct sockaddr *)&h.src,
		    (struct sockaddr *)&h.dst, NULL);
		if (m <= 0 || pp_decode(out, (size_t)m, &h2) != m ||
		    memcmp(&h.src, &h2.src, sizeof(h.src)) != 0 ||
		    memcmp(&h.dst, &h2.dst, sizeof(h.dst)) != 0)
			abort();
		m = pp_encode_v1(out, sizeof(out), (struct sockaddr *)&h.src,
		    (struct sockaddr *)&h.dst);
		if (m <= 0 || pp_decode(out, (size_t)m, &h2) != m ||
		    memcmp(&h.src, &h2.src, sizeof(h.src)) != 0)
			abort();
	}
	free(buf);
	return 0;
}
