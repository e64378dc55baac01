/* libFuzzer target for src/http_parse.c: the request and response parsers
 * and the chunked decoder over arbitrary bytes. The first byte chooses
 * which; the rest is the input. Built with --enable-fuzzing (clang). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_limits lim = { 8192, 16384, 100 };
	struct http_chunk c = { 0, 0 };
	const char *buf = (const char *)data + 1, *why;
	struct http_msg m;
	size_t len, used = 0;
	long r;

	if (size < 1)
		return 0;
	len = size - 1;
	switch (data[0] % 3) {
	case 0:
		if (http_parse_request(buf, len, &lim, &m) == HTTP_P_DONE &&
		    m.head_len > len)
			__builtin_trap();
		break;
	case 1:
		if (http_parse_response(buf, len, &lim, 0, &m) == HTTP_P_DONE &&
		    m.head_len > len)
			__builtin_trap();
		break;
	default:
		/* Fed in two pieces, as a socket would. */
		r = http_chunk_parse(&c, buf, len / 2, &why);
		if (r >= 0) {
			used = (size_t)r;
			r = http_chunk_parse(&c, buf + used, len - used, &why);
			if (r > (long)(len - used))
				__builtin_trap();
		}
		break;
	}
	return 0;
}
