#include <stdio.h>

#include <openssl/err.h>

#include "ssl_err.h"

const char *
ssl_err_reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r;

	ERR_clear_error();
	if (e == 0)
		return "unknown TLS error";
	if ((r = ERR_reason_error_string(e)) != NULL)
		snprintf(buf, len, "%s", r);
	else
		ERR_error_string_n(e, buf, len);
	return buf;
}
