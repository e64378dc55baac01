/* The words and values of the configuration: numbers, durations, sizes,
 * modes, addresses and address ranges, and the split of a line into words.
 * Nothing here knows sections or keywords: cfg_parse.c and cli.c add
 * where a value was. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_lex.h"

/* A reason without file:line, for the helpers cli.c shares. Returns -1. */
/* Writes the printf-formatted reason into <err>. Returns -1. */
static int __attribute__((format(printf, 3, 4)))
cfg_lex_reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads the decimal digits at <s>. strtoull alone would also take blanks,
 * a sign and "0x", so the first character must be a digit. On overflow
 * strtoull gives ULLONG_MAX, which every caller's range then refuses.
 * Returns the end of the digits, or NULL when there is none. */
/* Reads the decimal digits at <s> into <v>. Returns the end of the
 * digits, or NULL when <s> does not start with one. */
static const char *
cfg_lex_digits(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return NULL;
	*v = strtoull(s, &end, 10);
	return end;
}

int
cfg_parse_uint(const char *s, unsigned int min, unsigned int max,
    unsigned int *out, char *err, size_t errlen)
{
	unsigned long long v = 0;
	const char *end = cfg_lex_digits(s, &v);

	if (end == NULL || *end != '\0')
		return cfg_lex_reason(err, errlen, "bad number '%s'", s);
	if (v < min || v > max)
		return cfg_lex_reason(err, errlen, "'%s' is out of range "
		    "%u..%u", s, min, max);
	*out = (unsigned int)v;
	return 0;
}

int
cfg_parse_duration(const char *s, unsigned int *ms, char *err,
    size_t errlen)
{
	static const struct {
		const char *unit;
		unsigned int ms;
	} units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	unsigned long long v = 0;
	const char *end = cfg_lex_digits(s, &v);
	size_t i;

	for (i = 0; end != NULL && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > UINT_MAX / units[i].ms)
			return cfg_lex_reason(err, errlen,
			    "duration '%s' is too long (at most 49d)", s);
		*ms = (unsigned int)v * units[i].ms;
		return 0;
	}
	return cfg_lex_reason(err, errlen, "bad duration '%s' (a number and "
	    "ms, s, m, h or d; no unit: ms)", s);
}

/* Sets <ss> from <host> (no port): '*', a dotted IPv4 address, an IPv6
 * address (<v6>: it was in brackets) or a name. Returns 0 or -1 with the
 * reason in <why>. */
static int
cfg_lex_resolve(const char *host, int v6, int passive,
    struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct addrinfo hints, *res;
	int rc;

	memset(ss, 0, sizeof(*ss));
	if (!v6 && (strcmp(host, "*") == 0 ||
	    strspn(host, "0123456789.") == strlen(host))) {
		if (host[0] == '*' && !passive)
			return cfg_lex_reason(why, whylen,
			    "'*' is only valid for bind");
		/* inet_pton, not getaddrinfo: glibc's takes "1.2.3" as
		 * 1.2.0.3, which is never what was meant. */
		if (host[0] != '*' &&
		    inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return cfg_lex_reason(why, whylen,
			    "bad IPv4 address '%s'", host);
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = v6 ? AI_NUMERICHOST : 0;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		if (v6)
			return cfg_lex_reason(why, whylen,
			    "bad IPv6 address '%s'", host);
		return cfg_lex_reason(why, whylen, "cannot resolve '%s': %s",
		    host, gai_strerror(rc));
	}
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return cfg_lex_reason(why, whylen, "odd address for '%s'",
		    host);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Splits "ADDR:PORT" and checks the syntax; the details go to <why>.
 * With <name> (NI_MAXHOST bytes), a host name is not resolved: it goes
 * to <name>, the port to <port>, and <len> is 0. */
int
cfg_lex_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int passive, char *name, uint16_t *port_out, char *why, size_t whylen)
{
	char host[NI_MAXHOST];
	const char *hbeg = s, *hend, *port;
	unsigned int pnum;
	int v6 = s[0] == '[';

	if (v6) {
		hbeg = s + 1;
		if ((hend = strchr(hbeg, ']')) == NULL)
			return cfg_lex_reason(why, whylen, "missing ']'");
		if (hend[1] != ':' && hend[1] != '\0')
			return cfg_lex_reason(why, whylen,
			    "expected ':PORT' after ']'");
		port = hend[1] == ':' ? hend + 2 : hend + 1;
	} else {
		if ((hend = strrchr(s, ':')) == NULL)
			return cfg_lex_reason(why, whylen,
			    "missing port (ADDR:PORT)");
		if (memchr(s, ':', (size_t)(hend - s)) != NULL)
			return cfg_lex_reason(why, whylen, "an IPv6 address "
			    "needs brackets, e.g. '[::1]:443'");
		port = hend + 1;
	}
	if (*port == '\0')
		return cfg_lex_reason(why, whylen, "missing port (ADDR:PORT)");
	if (cfg_parse_uint(port, 1, 65535, &pnum, NULL, 0) < 0)
		return cfg_lex_reason(why, whylen, "bad port '%s' (1..65535)",
		    port);
	if (hend == hbeg)
		return cfg_lex_reason(why, whylen, "missing address%s",
		    passive && !v6 ? " (use '*' for any)" : "");
	if ((size_t)(hend - hbeg) >= sizeof(host))
		return cfg_lex_reason(why, whylen, "address too long");
	memcpy(host, hbeg, (size_t)(hend - hbeg));
	host[hend - hbeg] = '\0';
	if (port_out != NULL)
		*port_out = (uint16_t)pnum;
	if (name != NULL && !v6 && strspn(host, "0123456789.") !=
	    strlen(host)) {
		if (strcmp(host, "*") == 0)
			return cfg_lex_reason(why, whylen,
			    "'*' is only valid for bind");
		memset(ss, 0, sizeof(*ss));
		*len = 0;
		memcpy(name, host, strlen(host) + 1);
		return 0;
	}
	if (cfg_lex_resolve(host, v6, passive, ss, len, why, whylen) < 0)
		return -1;
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)ss)->sin6_port =
		    htons((uint16_t)pnum);
	else
		((struct sockaddr_in *)(void *)ss)->sin_port =
		    htons((uint16_t)pnum);
	return 0;
}

int
cfg_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int passive, char *err, size_t errlen)
{
	char why[NI_MAXHOST + 64];

	if (cfg_lex_addr(s, ss, len, passive, NULL, NULL, why, sizeof(why)) < 0)
		return cfg_lex_reason(err, errlen, "bad address '%s': %s", s,
		    why);
	return 0;
}

int
cfg_parse_server_addr(const char *s, struct cfg_server *srv, char *err,
    size_t errlen)
{
	char why[NI_MAXHOST + 64], name[NI_MAXHOST];

	if (cfg_lex_addr(s, &srv->addr, &srv->addrlen, 0, name, &srv->port, why,
	    sizeof(why)) < 0)
		return cfg_lex_reason(err, errlen, "bad address '%s': %s", s,
		    why);
	free(srv->text);
	free(srv->host);
	srv->host = NULL;
	if ((srv->text = strdup(s)) == NULL ||
	    (srv->addrlen == 0 && (srv->host = strdup(name)) == NULL))
		return cfg_lex_reason(err, errlen, "out of memory");
	return 0;
}

/* "10.0.0.0/8", "2001:db8::/32" or a bare address (all bits). */
int
cfg_lex_net(const char *s, struct cfg_net *n, char *why, size_t whylen)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned int bits, i;

	memset(n, 0, sizeof(*n));
	if (hlen >= sizeof(host))
		return cfg_lex_reason(why, whylen, "bad address '%s'", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	n->family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(n->family, host, n->addr) != 1)
		return cfg_lex_reason(why, whylen, "bad address '%s'", s);
	bits = n->family == AF_INET ? 32 : 128;
	if (slash != NULL && cfg_parse_uint(slash + 1, 0, bits, &n->prefix,
	    NULL, 0) < 0)
		return cfg_lex_reason(why, whylen, "bad prefix length in '%s' "
		    "(0..%u)", s, bits);
	if (slash == NULL)
		n->prefix = bits;
	/* Host bits set are a typo more often than not. */
	for (i = n->prefix; i < bits; i++)
		if (n->addr[i / 8] & (0x80 >> (i % 8)))
			return cfg_lex_reason(why, whylen, "'%s' has host bits "
			    "set", s);
	return 0;
}

int
cfg_net_match(const struct cfg_net *n, const struct sockaddr *sa)
{
	const unsigned char *a;
	unsigned int full = n->prefix / 8, rest = n->prefix % 8;

	if (sa->sa_family == AF_INET)
		a = (const unsigned char *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = (const unsigned char *)&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;
	else
		return 0;
	/* An IPv4 client of a [::] bind comes as ::ffff:a.b.c.d. */
	if (sa->sa_family == AF_INET6 && n->family == AF_INET &&
	    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		a += 12;
	else if (sa->sa_family != n->family)
		return 0;
	if (memcmp(a, n->addr, full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ n->addr[full]) &
	    (0xff00 >> rest)) == 0;
}

const char *
cfg_lex_mode_name(enum cfg_mode m)
{
	return m == CFG_MODE_HTTP ? "http" : "tcp";
}

static int
cfg_lex_isblank(char ch)
{
	/* '\r' too, so that CRLF files read like LF ones. */
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Splits the line <s> (<len> bytes) into words: written NUL-terminated
 * into <out>, which has room for len + 1 bytes (a word never grows when
 * unquoted, and each needs one separator or the end), and pointed to by
 * <words> (room for CFG_LEX_WORDS_MAX). Returns the count, or -1 with
 * the reason in <why>. */
int
cfg_lex_split(const char *s, size_t len, char *out, char **words, char *why,
    size_t whylen)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		if (cfg_lex_isblank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (n == CFG_LEX_WORDS_MAX)
			return cfg_lex_reason(why, whylen, "too many words (at "
			    "most %d)", CFG_LEX_WORDS_MAX);
		words[n++] = out;
		if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\') {
					if (i + 1 == len || (s[i + 1] != '"' &&
					    s[i + 1] != '\\'))
						return cfg_lex_reason(why,
						    whylen, "bad escape "
						    "in quotes (only \\\" and "
						    "\\\\)");
					i++;
				}
				*out++ = s[i];
			}
			if (i == len)
				return cfg_lex_reason(why, whylen, "missing "
				    "closing quote");
			i++;
			if (i < len && !cfg_lex_isblank(s[i]) && s[i] != '#')
				return cfg_lex_reason(why, whylen, "missing "
				    "blank after closing quote");
		} else {
			for (; i < len && !cfg_lex_isblank(s[i]) && s[i] != '#';
			    i++) {
				if (s[i] == '"')
					return cfg_lex_reason(why, whylen,
					    "unexpected quote "
					    "inside a word (quote the whole "
					    "word)");
				*out++ = s[i];
			}
		}
		*out++ = '\0';
	}
	return n;
}

int
cfg_lex_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "", 1 }, { "k", 1024 }, { "m", 1048576 },
	    { "g", 1073741824 } };
	unsigned long long v;
	const char *end;
	size_t i;

	if ((end = cfg_lex_digits(s, &v)) == NULL)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]) || v == 0 ||
	    v > UINT64_MAX / units[i].mult)
		return -ERANGE;
	*out = v * units[i].mult;
	return 0;
}

int
cfg_lex_mode(const char *s, enum cfg_mode *m, char *why, size_t whylen)
{
	if (strcmp(s, "tcp") == 0)
		*m = CFG_MODE_TCP;
	else if (strcmp(s, "http") == 0)
		*m = CFG_MODE_HTTP;
	else
		return cfg_lex_reason(why, whylen, "expected tcp or http, got "
		    "'%s'", s);
	return 0;
}
