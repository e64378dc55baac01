/* Reading the configuration: the grammar of gatehouse.conf(5), the checks
 * that need the whole file (cfg_finish), and the dump that writes it back.
 *
 * A line is split into words, the first word picks a keyword from
 * cfg_kws[], and the table says in which sections it is valid and how many
 * arguments it takes, so that every handler only deals with meaning. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"

#define CFG_LINE_MAX    65536   /* a longer line is an error, never cut */
#define CFG_WORDS_MAX   256     /* words on one line */
#define CFG_MAXCONN_MAX 10000000
#define CFG_BUFSIZE_MIN 1024
#define CFG_BUFSIZE_MAX 1048576

/* Sections as bits, so that a keyword can list where it is valid. */
#define CFG_S_GLOBAL    0x01
#define CFG_S_DEFAULTS  0x02
#define CFG_S_FRONTEND  0x04
#define CFG_S_BACKEND   0x08

struct cfg_parser {
	struct cfg *c;
	int line;
	unsigned int sec;       /* CFG_S_* of this section; 0 before any */
	char *err;
	size_t errlen;
};

/* The timeouts, where each may be set, and where it lives. */
static const struct cfg_tmo {
	const char *name;
	unsigned int where;
	size_t off;
} cfg_tmos[] = {
	{ "connect", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, connect) },
	{ "client", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, client) },
	{ "server", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, server) },
	{ "tunnel", CFG_S_DEFAULTS | CFG_S_FRONTEND | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, tunnel) },
	{ "handshake", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, handshake) },
	{ "http-request", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, http_request) },
	{ "http-keep-alive", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, http_keepalive) },
	{ "server-idle", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, server_idle) },
	{ "queue", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, queue) },
};
#define CFG_NTMOS (sizeof(cfg_tmos) / sizeof(cfg_tmos[0]))

static const struct cfg_timeouts cfg_def_timeouts = {
	.connect = CFG_DEF_T_CONNECT, .client = CFG_DEF_T_CLIENT,
	.server = CFG_DEF_T_SERVER, .handshake = CFG_DEF_T_HANDSHAKE,
	.http_request = CFG_DEF_T_HTTP_REQUEST,
	.http_keepalive = CFG_DEF_T_HTTP_KEEPALIVE,
	.server_idle = CFG_DEF_T_SERVER_IDLE,
};

static const struct {
	const char *name;
	int facility;
} cfg_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};
#define CFG_NFACILITIES (sizeof(cfg_facilities) / sizeof(cfg_facilities[0]))

/* Flag options of "bind": those that take no argument. */
static const struct {
	const char *name;
	unsigned int flag;
} cfg_bind_flags[] = {
	{ "tls", CFG_BIND_F_TLS },
	{ "keepalive", CFG_BIND_F_KEEPALIVE },
	{ "original-dst", CFG_BIND_F_ORIGDST },
	{ "v6only", CFG_BIND_F_V6ONLY },
	{ "accept-proxy", CFG_BIND_F_ACCEPT_PROXY },
	{ "strict-sni", CFG_BIND_F_STRICT_SNI },
};
#define CFG_NBIND_FLAGS (sizeof(cfg_bind_flags) / sizeof(cfg_bind_flags[0]))

static int cfg_reason(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cfg_errat(char *err, size_t errlen, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int cfg_fail(struct cfg_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int cfg_check_field(struct cfg_parser *p, const char *kw,
    const char *name, const char *value);

/* ---- messages ---- */

/* A reason without file:line, for the helpers cli.c shares. Returns -1. */
static int
cfg_reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void
cfg_vmsg(char *err, size_t errlen, const char *file, int line,
    const char *fmt, va_list ap)
{
	int n;

	/* Line 0 is the command line: there is no line to name. */
	if (line > 0)
		n = snprintf(err, errlen, "%s:%d: ", file, line);
	else
		n = snprintf(err, errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= errlen)
		return;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

/* "file:line: reason" into <err>. Returns -1. */
static int
cfg_errat(char *err, size_t errlen, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_vmsg(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same at the line being parsed. Returns -1. */
static int
cfg_fail(struct cfg_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_vmsg(p->err, p->errlen, p->c->file, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- values ---- */

/* Reads the decimal digits at <s>. strtoull alone would also take blanks,
 * a sign and "0x", so the first character must be a digit. On overflow
 * strtoull gives ULLONG_MAX, which every caller's range then refuses.
 * Returns the end of the digits, or NULL when there is none. */
static const char *
cfg_digits(const char *s, unsigned long long *v)
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
	const char *end = cfg_digits(s, &v);

	if (end == NULL || *end != '\0')
		return cfg_reason(err, errlen, "bad number '%s'", s);
	if (v < min || v > max)
		return cfg_reason(err, errlen, "'%s' is out of range %u..%u",
		    s, min, max);
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
	const char *end = cfg_digits(s, &v);
	size_t i;

	for (i = 0; end != NULL && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > UINT_MAX / units[i].ms)
			return cfg_reason(err, errlen,
			    "duration '%s' is too long (at most 49d)", s);
		*ms = (unsigned int)v * units[i].ms;
		return 0;
	}
	return cfg_reason(err, errlen, "bad duration '%s' (a number and "
	    "ms, s, m, h or d; no unit: ms)", s);
}

/* Sets <ss> from <host> (no port): '*', a dotted IPv4 address, an IPv6
 * address (<v6>: it was in brackets) or a name. Returns 0 or -1 with the
 * reason in <why>. */
static int
cfg_resolve(const char *host, int v6, int passive,
    struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct addrinfo hints, *res;
	int rc;

	memset(ss, 0, sizeof(*ss));
	if (!v6 && (strcmp(host, "*") == 0 ||
	    strspn(host, "0123456789.") == strlen(host))) {
		if (host[0] == '*' && !passive)
			return cfg_reason(why, whylen,
			    "'*' is only valid for bind");
		/* inet_pton, not getaddrinfo: glibc's takes "1.2.3" as
		 * 1.2.0.3, which is never what was meant. */
		if (host[0] != '*' &&
		    inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return cfg_reason(why, whylen,
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
			return cfg_reason(why, whylen,
			    "bad IPv6 address '%s'", host);
		return cfg_reason(why, whylen, "cannot resolve '%s': %s",
		    host, gai_strerror(rc));
	}
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return cfg_reason(why, whylen, "odd address for '%s'", host);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Splits "ADDR:PORT" and checks the syntax; the details go to <why>.
 * With <name> (NI_MAXHOST bytes), a host name is not resolved: it goes
 * to <name>, the port to <port>, and <len> is 0. */
static int
cfg_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int passive, char *name, uint16_t *port_out, char *why, size_t whylen)
{
	char host[NI_MAXHOST];
	const char *hbeg = s, *hend, *port;
	unsigned int pnum;
	int v6 = s[0] == '[';

	if (v6) {
		hbeg = s + 1;
		if ((hend = strchr(hbeg, ']')) == NULL)
			return cfg_reason(why, whylen, "missing ']'");
		if (hend[1] != ':' && hend[1] != '\0')
			return cfg_reason(why, whylen,
			    "expected ':PORT' after ']'");
		port = hend[1] == ':' ? hend + 2 : hend + 1;
	} else {
		if ((hend = strrchr(s, ':')) == NULL)
			return cfg_reason(why, whylen,
			    "missing port (ADDR:PORT)");
		if (memchr(s, ':', (size_t)(hend - s)) != NULL)
			return cfg_reason(why, whylen, "an IPv6 address needs "
			    "brackets, e.g. '[::1]:443'");
		port = hend + 1;
	}
	if (*port == '\0')
		return cfg_reason(why, whylen, "missing port (ADDR:PORT)");
	if (cfg_parse_uint(port, 1, 65535, &pnum, NULL, 0) < 0)
		return cfg_reason(why, whylen, "bad port '%s' (1..65535)",
		    port);
	if (hend == hbeg)
		return cfg_reason(why, whylen, "missing address%s",
		    passive && !v6 ? " (use '*' for any)" : "");
	if ((size_t)(hend - hbeg) >= sizeof(host))
		return cfg_reason(why, whylen, "address too long");
	memcpy(host, hbeg, (size_t)(hend - hbeg));
	host[hend - hbeg] = '\0';
	if (port_out != NULL)
		*port_out = (uint16_t)pnum;
	if (name != NULL && !v6 && strspn(host, "0123456789.") !=
	    strlen(host)) {
		if (strcmp(host, "*") == 0)
			return cfg_reason(why, whylen,
			    "'*' is only valid for bind");
		memset(ss, 0, sizeof(*ss));
		*len = 0;
		memcpy(name, host, strlen(host) + 1);
		return 0;
	}
	if (cfg_resolve(host, v6, passive, ss, len, why, whylen) < 0)
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

	if (cfg_addr(s, ss, len, passive, NULL, NULL, why, sizeof(why)) < 0)
		return cfg_reason(err, errlen, "bad address '%s': %s", s, why);
	return 0;
}

int
cfg_parse_server_addr(const char *s, struct cfg_server *srv, char *err,
    size_t errlen)
{
	char why[NI_MAXHOST + 64], name[NI_MAXHOST];

	if (cfg_addr(s, &srv->addr, &srv->addrlen, 0, name, &srv->port, why,
	    sizeof(why)) < 0)
		return cfg_reason(err, errlen, "bad address '%s': %s", s, why);
	free(srv->text);
	free(srv->host);
	srv->host = NULL;
	if ((srv->text = strdup(s)) == NULL ||
	    (srv->addrlen == 0 && (srv->host = strdup(name)) == NULL))
		return cfg_reason(err, errlen, "out of memory");
	return 0;
}

/* "10.0.0.0/8", "2001:db8::/32" or a bare address (all bits). */
static int
cfg_parse_net(const char *s, struct cfg_net *n, char *why, size_t whylen)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned int bits, i;

	memset(n, 0, sizeof(*n));
	if (hlen >= sizeof(host))
		return cfg_reason(why, whylen, "bad address '%s'", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	n->family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(n->family, host, n->addr) != 1)
		return cfg_reason(why, whylen, "bad address '%s'", s);
	bits = n->family == AF_INET ? 32 : 128;
	if (slash != NULL && cfg_parse_uint(slash + 1, 0, bits, &n->prefix,
	    NULL, 0) < 0)
		return cfg_reason(why, whylen, "bad prefix length in '%s' "
		    "(0..%u)", s, bits);
	if (slash == NULL)
		n->prefix = bits;
	/* Host bits set are a typo more often than not. */
	for (i = n->prefix; i < bits; i++)
		if (n->addr[i / 8] & (0x80 >> (i % 8)))
			return cfg_reason(why, whylen, "'%s' has host bits "
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

static const char *
cfg_mode_name(enum cfg_mode m)
{
	return m == CFG_MODE_HTTP ? "http" : "tcp";
}

/* ---- building ---- */

/* Returns <arr> (holding <n> elements of <size> bytes) grown by one zeroed
 * element, or NULL with <arr> untouched. */
static void *
cfg_grow(void *arr, size_t n, size_t size)
{
	char *a = reallocarray(arr, n + 1, size);

	if (a != NULL)
		memset(a + n * size, 0, size);
	return a;
}

static int
cfg_set_str(struct cfg_parser *p, char **dst, const char *s)
{
	char *dup = strdup(s);

	if (dup == NULL)
		return cfg_fail(p, "out of memory");
	free(*dst);
	*dst = dup;
	return 0;
}

static struct cfg_frontend *
cfg_cur_fe(struct cfg_parser *p)
{
	return &p->c->frontends[p->c->nfrontends - 1];
}

static struct cfg_backend *
cfg_cur_be(struct cfg_parser *p)
{
	return &p->c->backends[p->c->nbackends - 1];
}

static struct cfg_timeouts *
cfg_cur_timeouts(struct cfg_parser *p)
{
	if (p->sec == CFG_S_FRONTEND)
		return &cfg_cur_fe(p)->timeouts;
	if (p->sec == CFG_S_BACKEND)
		return &cfg_cur_be(p)->timeouts;
	return &p->c->defaults;
}

static unsigned int *
cfg_tmo_field(struct cfg_timeouts *t, const struct cfg_tmo *k)
{
	return (unsigned int *)(void *)((char *)t + k->off);
}

static unsigned int
cfg_tmo_get(const struct cfg_timeouts *t, const struct cfg_tmo *k)
{
	return *(const unsigned int *)(const void *)((const char *)t + k->off);
}

/* "defaults or a backend": where a keyword of mask <where> is valid. */
static const char *
cfg_where(unsigned int where, char *buf, size_t len)
{
	static const char *names[] = {
		"global", "defaults", "a frontend", "a backend"
	};
	size_t i, n = 0, done = 0, off = 0;

	for (i = 0; i < 4; i++)
		n += (where >> i) & 1;
	buf[0] = '\0';
	for (i = 0; i < 4 && off < len; i++) {
		if (!((where >> i) & 1))
			continue;
		done++;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    done == 1 ? "" : done == n ? " or " : ", ", names[i]);
	}
	return buf;
}

/* ---- keywords ---- */

static int
cfg_kw_uint(struct cfg_parser *p, char **av, unsigned int min,
    unsigned int max, unsigned int *out)
{
	char why[128];

	if (cfg_parse_uint(av[1], min, max, out, why, sizeof(why)) < 0)
		return cfg_fail(p, "%s: %s", av[0], why);
	return 0;
}

/* A timeout of 0 would read as "not set" and silently become the
 * default, so it is refused. */
static int
cfg_kw_duration(struct cfg_parser *p, const char *what, const char *s,
    unsigned int *out)
{
	char why[128];
	unsigned int ms = 0;

	if (cfg_parse_duration(s, &ms, why, sizeof(why)) < 0)
		return cfg_fail(p, "%s: %s", what, why);
	if (ms == 0)
		return cfg_fail(p, "%s: must be more than 0", what);
	*out = ms;
	return 0;
}

static int
cfg_kw_section(struct cfg_parser *p, char **av)
{
	p->sec = strcmp(av[0], "global") == 0 ? CFG_S_GLOBAL : CFG_S_DEFAULTS;
	return 0;
}

static int
cfg_kw_frontend(struct cfg_parser *p, char **av)
{
	struct cfg *c = p->c;
	struct cfg_frontend *fes;
	size_t i;

	if (av[1][0] == '\0')
		return cfg_fail(p, "frontend: empty name");
	for (i = 0; i < c->nfrontends; i++)
		if (strcmp(c->frontends[i].name, av[1]) == 0)
			return cfg_fail(p, "duplicate frontend '%s' (first "
			    "declared at line %d)", av[1],
			    c->frontends[i].line);
	if ((fes = cfg_grow(c->frontends, c->nfrontends, sizeof(*fes))) == NULL)
		return cfg_fail(p, "out of memory");
	c->frontends = fes;
	fes[c->nfrontends].file = c->file;
	fes[c->nfrontends].line = p->line;
	c->nfrontends++;
	p->sec = CFG_S_FRONTEND;
	return cfg_set_str(p, &fes[c->nfrontends - 1].name, av[1]);
}

static int
cfg_kw_backend(struct cfg_parser *p, char **av)
{
	struct cfg *c = p->c;
	struct cfg_backend *bes;
	size_t i;

	if (av[1][0] == '\0')
		return cfg_fail(p, "backend: empty name");
	for (i = 0; i < c->nbackends; i++)
		if (strcmp(c->backends[i].name, av[1]) == 0)
			return cfg_fail(p, "duplicate backend '%s' (first "
			    "declared at line %d)", av[1], c->backends[i].line);
	if ((bes = cfg_grow(c->backends, c->nbackends, sizeof(*bes))) == NULL)
		return cfg_fail(p, "out of memory");
	c->backends = bes;
	bes[c->nbackends].file = c->file;
	bes[c->nbackends].line = p->line;
	c->nbackends++;
	p->sec = CFG_S_BACKEND;
	return cfg_set_str(p, &bes[c->nbackends - 1].name, av[1]);
}

static int
cfg_kw_workers(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, 1, CFG_WORKERS_MAX, &p->c->workers);
}

static int
cfg_kw_maxconn(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, 1, CFG_MAXCONN_MAX,
	    p->sec == CFG_S_GLOBAL ? &p->c->maxconn : &cfg_cur_fe(p)->maxconn);
}

static int
cfg_kw_bufsize(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, CFG_BUFSIZE_MIN, CFG_BUFSIZE_MAX,
	    &p->c->bufsize);
}

static int
cfg_kw_grace(struct cfg_parser *p, char **av)
{
	return cfg_kw_duration(p, "grace", av[1], &p->c->grace);
}

static int
cfg_kw_log(struct cfg_parser *p, char **av)
{
	struct cfg *c = p->c;
	size_t i;

	/* Reset, so that the last "log" line alone says what holds. */
	c->log_facility = LOG_DAEMON;
	if (strcmp(av[1], "syslog") == 0) {
		c->log = CFG_LOG_SYSLOG;
		if (av[2] == NULL)
			return 0;
		for (i = 0; i < CFG_NFACILITIES; i++) {
			if (strcmp(av[2], cfg_facilities[i].name) == 0) {
				c->log_facility = cfg_facilities[i].facility;
				return 0;
			}
		}
		return cfg_fail(p, "log: unknown facility '%s' (daemon, user "
		    "or local0..local7)", av[2]);
	}
	if (strcmp(av[1], "stderr") == 0)
		c->log = CFG_LOG_STDERR;
	else if (strcmp(av[1], "none") == 0)
		c->log = CFG_LOG_NONE;
	else
		return cfg_fail(p, "log: expected stderr, syslog or none, "
		    "got '%s'", av[1]);
	if (av[2] != NULL)
		return cfg_fail(p, "log: extra argument '%s' (only syslog "
		    "takes a facility)", av[2]);
	return 0;
}

static int
cfg_kw_user(struct cfg_parser *p, char **av)
{
	/* Checked now rather than after binding, when it is too late to
	 * say which line was wrong. */
	if (getpwnam(av[1]) == NULL)
		return cfg_fail(p, "user: no such user '%s'", av[1]);
	return cfg_set_str(p, &p->c->user, av[1]);
}

static int
cfg_kw_mode(struct cfg_parser *p, char **av)
{
	enum cfg_mode m;

	if (strcmp(av[1], "tcp") == 0)
		m = CFG_MODE_TCP;
	else if (strcmp(av[1], "http") == 0)
		m = CFG_MODE_HTTP;
	else
		return cfg_fail(p, "mode: expected tcp or http, got '%s'",
		    av[1]);
	if (p->sec == CFG_S_FRONTEND) {
		cfg_cur_fe(p)->mode = m;
		cfg_cur_fe(p)->mode_set = 1;
	} else if (p->sec == CFG_S_BACKEND) {
		cfg_cur_be(p)->mode = m;
		cfg_cur_be(p)->mode_set = 1;
	} else {
		p->c->default_mode = m;
	}
	return 0;
}

static int
cfg_kw_timeout(struct cfg_parser *p, char **av)
{
	const struct cfg_tmo *k;
	char what[64], where[64];
	size_t i;

	for (i = 0; i < CFG_NTMOS; i++) {
		k = &cfg_tmos[i];
		if (strcmp(av[1], k->name) != 0)
			continue;
		if (!(k->where & p->sec))
			return cfg_fail(p, "timeout '%s' is only valid in %s",
			    k->name, cfg_where(k->where, where, sizeof(where)));
		snprintf(what, sizeof(what), "timeout %s", k->name);
		return cfg_kw_duration(p, what, av[2],
		    cfg_tmo_field(cfg_cur_timeouts(p), k));
	}
	return cfg_fail(p, "unknown timeout '%s' (connect, client, server, "
	    "tunnel, handshake, http-request, http-keep-alive or "
	    "server-idle)", av[1]);
}

static int
cfg_bind_cert(struct cfg_parser *p, struct cfg_bind *b, const char *file)
{
	struct cfg_cert *certs;

	if ((certs = cfg_grow(b->certs, b->ncerts, sizeof(*certs))) == NULL)
		return cfg_fail(p, "out of memory");
	b->certs = certs;
	b->ncerts++;
	b->flags |= CFG_BIND_F_TLS;
	return cfg_set_str(p, &certs[b->ncerts - 1].cert, file);
}

static int
cfg_bind_key(struct cfg_parser *p, struct cfg_bind *b, const char *file)
{
	struct cfg_cert *last = b->ncerts ? &b->certs[b->ncerts - 1] : NULL;

	if (last == NULL)
		return cfg_fail(p, "bind: 'key' must follow a 'cert'");
	if (last->key != NULL)
		return cfg_fail(p, "bind: second 'key' for cert '%s'",
		    last->cert);
	return cfg_set_str(p, &last->key, file);
}

/* Client certificates, and the OCSP response of the last "cert". */
static const char *const cfg_client_cert_opts[] = {
	"verify", "ca-file", "crl-file", "ocsp-response",
};
static const char *const cfg_verifies[] = {
	[CFG_VERIFY_NONE] = "none", [CFG_VERIFY_OPTIONAL] = "optional",
	[CFG_VERIFY_REQUIRED] = "required",
};

static int
cfg_is_client_cert_opt(const char *opt)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(opt, cfg_client_cert_opts[i]) == 0)
			return 1;
	return 0;
}

static int
cfg_client_cert_opt(struct cfg_parser *p, struct cfg_bind *b,
    const char *opt, const char *arg)
{
	size_t i;

	if (strcmp(opt, "ca-file") == 0)
		return cfg_set_str(p, &b->ca_file, arg);
	if (strcmp(opt, "crl-file") == 0)
		return cfg_set_str(p, &b->crl_file, arg);
	if (strcmp(opt, "ocsp-response") == 0) {
		if (b->ncerts == 0)
			return cfg_fail(p, "bind: 'ocsp-response' must follow "
			    "a 'cert'");
		if (b->certs[b->ncerts - 1].ocsp != NULL)
			return cfg_fail(p, "bind: second 'ocsp-response' for "
			    "cert '%s'", b->certs[b->ncerts - 1].cert);
		return cfg_set_str(p, &b->certs[b->ncerts - 1].ocsp, arg);
	}
	for (i = 0; i < 3; i++)
		if (strcmp(arg, cfg_verifies[i]) == 0) {
			b->verify = (enum cfg_verify)i;
			return 0;
		}
	return cfg_fail(p, "bind: verify: expected none, optional or "
	    "required, got '%s'", arg);
}

/* The TLS settings of a bind, or the global defaults of all. */
static const char *const cfg_tls_opts[] = {
	"ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites", "curves",
	"tls-ticket-keys", "tls-ticket-secret", "tls-ticket-period",
};
#define CFG_NTLS_OPTS (sizeof(cfg_tls_opts) / sizeof(cfg_tls_opts[0]))

static const struct {
	const char *name;
	unsigned int version;
} cfg_tls_versions[] = {
	{ "TLSv1.0", 0x0301 }, { "TLSv1.1", 0x0302 }, { "TLSv1.2", 0x0303 },
	{ "TLSv1.3", 0x0304 },
};
#define CFG_NTLS_VERSIONS \
	(sizeof(cfg_tls_versions) / sizeof(cfg_tls_versions[0]))

static int
cfg_is_tls_opt(const char *opt)
{
	size_t i;

	for (i = 0; i < CFG_NTLS_OPTS; i++)
		if (strcmp(opt, cfg_tls_opts[i]) == 0)
			return 1;
	return 0;
}

static int
cfg_tls_opt(struct cfg_parser *p, struct cfg_tls *t, const char *opt,
    const char *arg)
{
	unsigned int *ver;
	size_t i;

	if (strcmp(opt, "ciphers") == 0)
		return cfg_set_str(p, &t->ciphers, arg);
	if (strcmp(opt, "ciphersuites") == 0)
		return cfg_set_str(p, &t->ciphersuites, arg);
	if (strcmp(opt, "curves") == 0)
		return cfg_set_str(p, &t->curves, arg);
	if (strcmp(opt, "tls-ticket-keys") == 0)
		return cfg_set_str(p, &t->ticket_keys, arg);
	if (strcmp(opt, "tls-ticket-secret") == 0)
		return cfg_set_str(p, &t->ticket_secret, arg);
	if (strcmp(opt, "tls-ticket-period") == 0) {
		if (cfg_kw_duration(p, opt, arg, &t->ticket_period) < 0)
			return -1;
		if (t->ticket_period < 1000 || t->ticket_period % 1000 != 0)
			return cfg_fail(p, "%s: whole seconds, 1s at least",
			    opt);
		return 0;
	}
	ver = strcmp(opt, "ssl-min-ver") == 0 ? &t->min_ver : &t->max_ver;
	for (i = 0; i < CFG_NTLS_VERSIONS; i++)
		if (strcmp(arg, cfg_tls_versions[i].name) == 0) {
			*ver = cfg_tls_versions[i].version;
			if (t->min_ver != 0 && t->max_ver != 0 &&
			    t->min_ver > t->max_ver)
				return cfg_fail(p, "%s: ssl-min-ver is above "
				    "ssl-max-ver", opt);
			return 0;
		}
	return cfg_fail(p, "%s: expected TLSv1.0, TLSv1.1, TLSv1.2 or "
	    "TLSv1.3, got '%s'", opt, arg);
}

static int
cfg_kw_tls_session_cache(struct cfg_parser *p, char **av)
{
	p->c->tls_session_cache_set = 1;
	return cfg_kw_uint(p, av, 0, 10000000, &p->c->tls_session_cache);
}

static const char *const cfg_ktls_modes[] = {
	[CFG_KTLS_AUTO] = "auto", [CFG_KTLS_OFF] = "off", [CFG_KTLS_ON] = "on",
};

static int
cfg_kw_ktls(struct cfg_parser *p, char **av)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcmp(av[1], cfg_ktls_modes[i]) == 0) {
			p->c->ktls = (enum cfg_ktls)i;
			return 0;
		}
	return cfg_fail(p, "ktls: expected auto, off or on, got '%s'", av[1]);
}

const char *const cfg_cert_hdr_fields[CFG_NCERT_HDRS] = {
	"verify", "subject", "issuer", "serial", "sha256",
};
const char *const cfg_cert_hdr_defaults[CFG_NCERT_HDRS] = {
	"X-SSL-Client-Verify", "X-SSL-Client-Subject", "X-SSL-Client-Issuer",
	"X-SSL-Client-Serial", "X-SSL-Client-SHA256",
};

static int
cfg_kw_client_cert_header(struct cfg_parser *p, char **av)
{
	static const char *const framing[] = {
		"content-length", "transfer-encoding", "host", "connection",
		"keep-alive", "proxy-connection", "te", "trailer", "upgrade",
		"expect", "x-forwarded-for", "x-forwarded-proto", "forwarded",
	};
	struct cfg_frontend *fe = cfg_cur_fe(p);
	size_t i, j;

	for (i = 0; i < CFG_NCERT_HDRS; i++)
		if (strcmp(av[1], cfg_cert_hdr_fields[i]) == 0)
			break;
	if (i == CFG_NCERT_HDRS)
		return cfg_fail(p, "client-cert-header: expected verify, "
		    "subject, issuer, serial or sha256, got '%s'", av[1]);
	if (cfg_check_field(p, "client-cert-header", av[2], NULL) < 0)
		return -1;
	/* The field replaces any the client sends: never one that frames
	 * or routes the request, or that gatehouse writes itself. */
	for (j = 0; j < sizeof(framing) / sizeof(framing[0]); j++)
		if (strcasecmp(av[2], framing[j]) == 0)
			return cfg_fail(p, "client-cert-header: '%s' cannot "
			    "carry a certificate field", av[2]);
	for (j = 0; j < CFG_NCERT_HDRS; j++)
		if (j != i && strcasecmp(av[2], fe->cert_hdr[j] != NULL ?
		    fe->cert_hdr[j] : cfg_cert_hdr_defaults[j]) == 0)
			return cfg_fail(p, "client-cert-header: '%s' already "
			    "carries the %s field", av[2],
			    cfg_cert_hdr_fields[j]);
	return cfg_set_str(p, &fe->cert_hdr[i], av[2]);
}

static int
cfg_kw_tls(struct cfg_parser *p, char **av)
{
	return cfg_tls_opt(p, &p->c->tls, av[0], av[1]);
}

/* "10.0.0.0/8,192.0.2.1": who may send a PROXY header. */
static int
cfg_bind_proxy_from(struct cfg_parser *p, struct cfg_bind *b,
    const char *list)
{
	char item[128], why[160];
	struct cfg_net *nets;
	const char *s = list, *end;
	size_t n;

	for (;;) {
		end = strchr(s, ',');
		n = end != NULL ? (size_t)(end - s) : strlen(s);
		if (n == 0 || n >= sizeof(item))
			return cfg_fail(p, "bind: proxy-from: bad list '%s'",
			    list);
		memcpy(item, s, n);
		item[n] = '\0';
		if ((nets = cfg_grow(b->proxy_from, b->nproxy_from,
		    sizeof(*nets))) == NULL)
			return cfg_fail(p, "out of memory");
		b->proxy_from = nets;
		if (cfg_parse_net(item, &nets[b->nproxy_from++], why,
		    sizeof(why)) < 0)
			return cfg_fail(p, "bind: proxy-from: %s", why);
		if (end == NULL)
			return 0;
		s = end + 1;
	}
}

static int
cfg_kw_bind(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_cur_fe(p);
	struct cfg_bind *binds, *b;
	const char *opt, *tlsonly = NULL;
	char why[NI_MAXHOST + 128];
	size_t i, j;
	int rc;

	if ((binds = cfg_grow(fe->binds, fe->nbinds, sizeof(*b))) == NULL)
		return cfg_fail(p, "out of memory");
	fe->binds = binds;
	b = &binds[fe->nbinds++];
	b->file = p->c->file;
	b->line = p->line;
	if (cfg_set_str(p, &b->text, av[1]) < 0)
		return -1;
	if (cfg_parse_addr(av[1], &b->addr, &b->addrlen, 1, why,
	    sizeof(why)) < 0)
		return cfg_fail(p, "bind: %s", why);

	for (i = 2; (opt = av[i]) != NULL; i++) {
		for (j = 0; j < CFG_NBIND_FLAGS; j++)
			if (strcmp(opt, cfg_bind_flags[j].name) == 0)
				break;
		if (j < CFG_NBIND_FLAGS) {
			b->flags |= cfg_bind_flags[j].flag;
			continue;
		}
		if (strcmp(opt, "cert") != 0 && strcmp(opt, "key") != 0 &&
		    !cfg_is_tls_opt(opt) && !cfg_is_client_cert_opt(opt) &&
		    strcmp(opt, "alpn") != 0 && strcmp(opt, "proxy-from") != 0 &&
		    strcmp(opt, "crt-dir") != 0)
			return cfg_fail(p, "bind: unknown option '%s'", opt);
		if (av[++i] == NULL)
			return cfg_fail(p, "bind: '%s' needs an argument", opt);
		if (cfg_is_tls_opt(opt)) {
			rc = cfg_tls_opt(p, &b->tls, opt, av[i]);
			tlsonly = opt;
		} else if (cfg_is_client_cert_opt(opt)) {
			rc = cfg_client_cert_opt(p, b, opt, av[i]);
			tlsonly = opt;
		} else if (strcmp(opt, "proxy-from") == 0)
			rc = cfg_bind_proxy_from(p, b, av[i]);
		else if (strcmp(opt, "crt-dir") == 0) {
			b->flags |= CFG_BIND_F_TLS;
			rc = cfg_set_str(p, &b->crt_dir, av[i]);
		}
		else if (strcmp(opt, "cert") == 0)
			rc = cfg_bind_cert(p, b, av[i]);
		else if (strcmp(opt, "key") == 0)
			rc = cfg_bind_key(p, b, av[i]);
		else
			rc = cfg_set_str(p, &b->alpn, av[i]);
		if (rc < 0)
			return -1;
	}

	/* Options that would be silently ignored are refused. */
	if (tlsonly == NULL)
		tlsonly = b->alpn ? "alpn" : (b->flags &
		    CFG_BIND_F_STRICT_SNI) ? "strict-sni" : NULL;
	if (tlsonly != NULL && !(b->flags & CFG_BIND_F_TLS))
		return cfg_fail(p, "bind: '%s' needs a tls bind", tlsonly);
	if ((b->flags & CFG_BIND_F_V6ONLY) && b->addr.ss_family != AF_INET6)
		return cfg_fail(p, "bind: 'v6only' needs an IPv6 address");
	if (b->nproxy_from > 0 && !(b->flags & CFG_BIND_F_ACCEPT_PROXY))
		return cfg_fail(p, "bind: 'proxy-from' needs 'accept-proxy'");
	return 0;
}

static int
cfg_kw_default_backend(struct cfg_parser *p, char **av)
{
	return cfg_set_str(p, &cfg_cur_fe(p)->default_backend_name, av[1]);
}

static const char *const cfg_balances[] = {
	[CFG_LB_ROUNDROBIN] = "roundrobin", [CFG_LB_LEASTCONN] = "leastconn",
	[CFG_LB_SOURCE] = "source", [CFG_LB_URI] = "uri",
	[CFG_LB_HDR] = "hdr", [CFG_LB_RANDOM] = "random",
};
#define CFG_NBALANCES (sizeof(cfg_balances) / sizeof(cfg_balances[0]))

/* "roundrobin", ..., "hdr(NAME)". */
static int
cfg_kw_balance(struct cfg_parser *p, char **av)
{
	struct cfg_backend *be = cfg_cur_be(p);
	size_t i, n;

	if (strncmp(av[1], "hdr(", 4) == 0) {
		n = strlen(av[1]);
		if (n < 6 || av[1][n - 1] != ')')
			return cfg_fail(p, "balance: expected hdr(NAME), got "
			    "'%s'", av[1]);
		be->balance = CFG_LB_HDR;
		free(be->balance_hdr);
		if ((be->balance_hdr = strndup(av[1] + 4, n - 5)) == NULL)
			return cfg_fail(p, "out of memory");
		return cfg_check_field(p, "balance", be->balance_hdr, NULL);
	}
	for (i = 0; i < CFG_NBALANCES; i++)
		if (i != CFG_LB_HDR && strcmp(av[1], cfg_balances[i]) == 0) {
			be->balance = (enum cfg_balance)i;
			return 0;
		}
	return cfg_fail(p, "balance: unknown algorithm '%s' (roundrobin, "
	    "leastconn, source, uri, hdr(NAME), random)", av[1]);
}

/* Server options without an argument. */
static const struct {
	const char *name;
	unsigned int flag;
} cfg_srv_flags[] = {
	{ "backup", CFG_SRV_F_BACKUP },
	{ "disabled", CFG_SRV_F_DISABLED },
	{ "check", CFG_SRV_F_CHECK },
	{ "ssl", CFG_SRV_F_SSL },
	{ "send-proxy", CFG_SRV_F_PROXY_V1 },
	{ "send-proxy-v2", CFG_SRV_F_PROXY_V2 },
	{ "resolve-optional", CFG_SRV_F_RESOLVE_OPT },
};
#define CFG_NSRV_FLAGS (sizeof(cfg_srv_flags) / sizeof(cfg_srv_flags[0]))

/* One option of "server" at av[*i] (and its argument, av[*i] moved on). */
static int
cfg_server_opt(struct cfg_parser *p, struct cfg_server *s, char **av,
    size_t *i)
{
	const char *opt = av[*i], *arg;
	char why[128];
	size_t j;

	for (j = 0; j < CFG_NSRV_FLAGS; j++)
		if (strcmp(opt, cfg_srv_flags[j].name) == 0) {
			s->flags |= cfg_srv_flags[j].flag;
			return 0;
		}
	if (strcmp(opt, "weight") != 0 && strcmp(opt, "maxconn") != 0 &&
	    strcmp(opt, "verify") != 0 && strcmp(opt, "ca-file") != 0 &&
	    strcmp(opt, "crt") != 0 && strcmp(opt, "key") != 0 &&
	    strcmp(opt, "sni") != 0)
		return cfg_fail(p, "server: unknown option '%s'", opt);
	if ((arg = av[++*i]) == NULL)
		return cfg_fail(p, "server: '%s' needs an argument", opt);
	if (strcmp(opt, "weight") == 0 || strcmp(opt, "maxconn") == 0) {
		if (cfg_parse_uint(arg, 0, opt[0] == 'w' ? CFG_WEIGHT_MAX :
		    CFG_MAXCONN_MAX, opt[0] == 'w' ? &s->weight : &s->maxconn,
		    why, sizeof(why)) < 0)
			return cfg_fail(p, "server: %s: %s", opt, why);
		return 0;
	}
	if (strcmp(opt, "verify") == 0) {
		if (strcmp(arg, "none") == 0)
			s->flags |= CFG_SRV_F_NO_VERIFY;
		else if (strcmp(arg, "required") == 0)
			s->flags &= ~CFG_SRV_F_NO_VERIFY;
		else
			return cfg_fail(p, "server: verify: expected none or "
			    "required, got '%s'", arg);
		return 0;
	}
	if (strcmp(opt, "sni") == 0 && strcmp(arg, "client") == 0) {
		s->flags |= CFG_SRV_F_SNI_CLIENT;
		return 0;
	}
	return cfg_set_str(p, strcmp(opt, "ca-file") == 0 ? &s->ca_file :
	    strcmp(opt, "crt") == 0 ? &s->crt : strcmp(opt, "key") == 0 ?
	    &s->key : &s->sni, arg);
}

static int
cfg_kw_server(struct cfg_parser *p, char **av)
{
	struct cfg_backend *be = cfg_cur_be(p);
	struct cfg_server *servers, *s;
	char why[NI_MAXHOST + 128];
	size_t i;

	if (av[1][0] == '\0')
		return cfg_fail(p, "server: empty name");
	for (i = 0; i < be->nservers; i++)
		if (strcmp(be->servers[i].name, av[1]) == 0)
			return cfg_fail(p, "duplicate server '%s' in backend "
			    "'%s'", av[1], be->name);
	if ((servers = cfg_grow(be->servers, be->nservers, sizeof(*s))) == NULL)
		return cfg_fail(p, "out of memory");
	be->servers = servers;
	s = &servers[be->nservers++];
	s->weight = CFG_DEF_WEIGHT;
	s->file = p->c->file;
	s->line = p->line;
	if (cfg_set_str(p, &s->name, av[1]) < 0)
		return -1;
	if (cfg_parse_server_addr(av[2], s, why, sizeof(why)) < 0)
		return cfg_fail(p, "server: %s", why);
	for (i = 3; av[i] != NULL; i++)
		if (cfg_server_opt(p, s, av, &i) < 0)
			return -1;
	/* TLS options without TLS would be silently ignored. */
	if (!(s->flags & CFG_SRV_F_SSL) && (s->ca_file != NULL ||
	    s->crt != NULL || s->key != NULL || s->sni != NULL ||
	    (s->flags & (CFG_SRV_F_NO_VERIFY | CFG_SRV_F_SNI_CLIENT))))
		return cfg_fail(p, "server: 'verify', 'ca-file', 'crt', 'key' "
		    "and 'sni' need 'ssl'");
	if (s->key != NULL && s->crt == NULL)
		return cfg_fail(p, "server: 'key' needs 'crt'");
	if ((s->flags & CFG_SRV_F_PROXY_V1) && (s->flags & CFG_SRV_F_PROXY_V2))
		return cfg_fail(p, "server: 'send-proxy' or 'send-proxy-v2', "
		    "not both");
	if ((s->flags & CFG_SRV_F_RESOLVE_OPT) && s->host == NULL)
		return cfg_fail(p, "server: 'resolve-optional' needs a host "
		    "name, not an address");
	return 0;
}

static int
cfg_kw_retries(struct cfg_parser *p, char **av)
{
	cfg_cur_be(p)->retries_set = 1;
	return cfg_kw_uint(p, av, 0, 100, &cfg_cur_be(p)->retries);
}

/* "check [tcp | http [METHOD] PATH] [expect [status] LO[-HI]]
 * [interval D] [timeout D] [rise N] [fall N]" */
static int
cfg_kw_check(struct cfg_parser *p, char **av)
{
	struct cfg_check *k = &cfg_cur_be(p)->check;
	unsigned int *u;
	size_t i = 1;
	char *dash, why[128];

	if (av[i] != NULL && strcmp(av[i], "tcp") == 0)
		i++;
	else if (av[i] != NULL && strcmp(av[i], "http") == 0) {
		k->http = 1;
		i++;
		if (av[i] != NULL && av[i + 1] != NULL && av[i][0] != '/' &&
		    av[i + 1][0] == '/') {
			if (cfg_check_field(p, "check", av[i], NULL) < 0 ||
			    cfg_set_str(p, &k->method, av[i++]) < 0)
				return -1;
		}
		if (av[i] == NULL || av[i][0] != '/')
			return cfg_fail(p, "check: http needs a path "
			    "starting with '/'");
		if (strpbrk(av[i], " \t\r\n") != NULL)
			return cfg_fail(p, "check: bad path '%s'", av[i]);
		if (cfg_set_str(p, &k->path, av[i++]) < 0)
			return -1;
	}
	for (; av[i] != NULL; i++) {
		if (strcmp(av[i], "expect") == 0) {
			if (av[i + 1] != NULL && strcmp(av[i + 1], "status") == 0)
				i++;
			if (av[++i] == NULL)
				return cfg_fail(p, "check: expect needs a "
				    "status or a range (200-399)");
			if ((dash = strchr(av[i], '-')) != NULL)
				*dash = '\0';
			if (cfg_parse_uint(av[i], 100, 599, &k->status_min,
			    why, sizeof(why)) < 0 || cfg_parse_uint(dash != NULL ?
			    dash + 1 : av[i], k->status_min, 599,
			    &k->status_max, why, sizeof(why)) < 0)
				return cfg_fail(p, "check: expect: %s", why);
			if (!k->http)
				return cfg_fail(p, "check: expect needs an http "
				    "check");
			continue;
		}
		if (av[i + 1] == NULL)
			return cfg_fail(p, "check: '%s' needs an argument",
			    av[i]);
		if (strcmp(av[i], "interval") == 0 ||
		    strcmp(av[i], "timeout") == 0) {
			if (cfg_kw_duration(p, av[i], av[i + 1],
			    av[i][0] == 'i' ? &k->interval : &k->timeout) < 0)
				return -1;
		} else if (strcmp(av[i], "rise") == 0 ||
		    strcmp(av[i], "fall") == 0) {
			u = av[i][0] == 'r' ? &k->rise : &k->fall;
			if (cfg_parse_uint(av[i + 1], 1, 1000, u, why,
			    sizeof(why)) < 0)
				return cfg_fail(p, "check: %s: %s", av[i], why);
		} else
			return cfg_fail(p, "check: unknown option '%s'", av[i]);
		i++;
	}
	return 0;
}

static int
cfg_kw_observe(struct cfg_parser *p, char **av)
{
	if (strcmp(av[1], "layer4") == 0)
		cfg_cur_be(p)->observe = CFG_OBSERVE_LAYER4;
	else if (strcmp(av[1], "layer7") == 0)
		cfg_cur_be(p)->observe = CFG_OBSERVE_LAYER7;
	else
		return cfg_fail(p, "observe: expected layer4 or layer7, got "
		    "'%s'", av[1]);
	return 0;
}

static int
cfg_kw_error_limit(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, 1, 100000, &cfg_cur_be(p)->error_limit);
}

static int
cfg_kw_resolve_interval(struct cfg_parser *p, char **av)
{
	return cfg_kw_duration(p, av[0], av[1], &p->c->resolve_interval);
}

static int
cfg_kw_nameserver(struct cfg_parser *p, char **av)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[NI_MAXHOST + 128], name[NI_MAXHOST], **ns;

	/* An address, never a name: nothing resolves the resolver. */
	if (cfg_addr(av[1], &ss, &len, 0, name, NULL, why, sizeof(why)) < 0)
		return cfg_fail(p, "nameserver: bad address '%s': %s", av[1],
		    why);
	if (len == 0)
		return cfg_fail(p, "nameserver: '%s' is not an address", av[1]);
	if ((ns = cfg_grow(p->c->nameservers, p->c->nnameservers,
	    sizeof(*ns))) == NULL)
		return cfg_fail(p, "out of memory");
	p->c->nameservers = ns;
	p->c->nnameservers++;
	return cfg_set_str(p, &ns[p->c->nnameservers - 1], av[1]);
}

/* ---- mode http keywords ---- */

static int
cfg_kw_http_max_line(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, 64, CFG_BUFSIZE_MAX, &p->c->http_max_line);
}

static int
cfg_kw_http_max_headers(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, 1, CFG_HTTP_MAX_HEADERS,
	    &p->c->http_max_headers);
}

static int
cfg_kw_http_reserve(struct cfg_parser *p, char **av)
{
	return cfg_kw_uint(p, av, 128, CFG_BUFSIZE_MAX / 2,
	    &p->c->http_reserve);
}

static int
cfg_kw_keepalive_pool(struct cfg_parser *p, char **av)
{
	cfg_cur_be(p)->keepalive_pool_set = 1;
	return cfg_kw_uint(p, av, 0, 100000, &cfg_cur_be(p)->keepalive_pool);
}

/* A field name is a token (RFC 9110 5.1); a value has no control byte. */
static int
cfg_check_field(struct cfg_parser *p, const char *kw, const char *name,
    const char *value)
{
	const unsigned char *c;

	if (*name == '\0')
		return cfg_fail(p, "%s: empty field name", kw);
	for (c = (const unsigned char *)name; *c != '\0'; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}",
		    *c) != NULL)
			return cfg_fail(p, "%s: bad field name '%s'", kw,
			    name);
	for (c = (const unsigned char *)value; c != NULL && *c != '\0'; c++)
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			return cfg_fail(p, "%s: control byte in the value of "
			    "'%s'", kw, name);
	return 0;
}

static const struct {
	const char *name;
	enum cfg_cond_kind kind;
	int nargs;              /* -1: one or two */
} cfg_conds[] = {
	{ "host", CFG_COND_HOST, 1 },
	{ "host-suffix", CFG_COND_HOST_SUFFIX, 1 },
	{ "path", CFG_COND_PATH, 1 },
	{ "path-prefix", CFG_COND_PATH_PREFIX, 1 },
	{ "header", CFG_COND_HEADER, -1 },
	{ "method", CFG_COND_METHOD, 1 },
	{ "tls", CFG_COND_TLS, 0 },
};
#define CFG_NCONDS (sizeof(cfg_conds) / sizeof(cfg_conds[0]))

/* Reads "[if|unless [!]COND [ARG [ARG]]]" at <av> (NULL: no condition)
 * into <c>; nothing may follow. */
static int
cfg_parse_cond(struct cfg_parser *p, const char *kw, char **av,
    struct cfg_cond *c)
{
	const char *name;
	size_t i, n;

	if (av[0] == NULL)
		return 0;
	if (strcmp(av[0], "if") != 0 && strcmp(av[0], "unless") != 0)
		return cfg_fail(p, "%s: unexpected '%s' (expected if or "
		    "unless)", kw, av[0]);
	c->neg = av[0][0] == 'u';
	av++;
	if (av[0] != NULL && strcmp(av[0], "!") == 0) {
		c->neg = !c->neg;
		av++;
	}
	if ((name = av[0]) == NULL)
		return cfg_fail(p, "%s: missing condition after if or unless",
		    kw);
	if (name[0] == '!') {
		c->neg = !c->neg;
		name++;
	}
	for (i = 0; i < CFG_NCONDS; i++)
		if (strcmp(name, cfg_conds[i].name) == 0)
			break;
	if (i == CFG_NCONDS)
		return cfg_fail(p, "%s: unknown condition '%s' (host, "
		    "host-suffix, path, path-prefix, header, method or tls)",
		    kw, name);
	c->kind = cfg_conds[i].kind;
	for (n = 0; av[1 + n] != NULL; n++)
		;
	if ((cfg_conds[i].nargs >= 0 && n != (size_t)cfg_conds[i].nargs) ||
	    (cfg_conds[i].nargs < 0 && (n < 1 || n > 2)))
		return cfg_fail(p, "%s: condition '%s' takes %s", kw, name,
		    cfg_conds[i].nargs == 0 ? "no argument" :
		    cfg_conds[i].nargs == 1 ? "one argument" :
		    "a field name and an optional value");
	if (c->kind == CFG_COND_HEADER && cfg_check_field(p, kw, av[1],
	    av[2]) < 0)
		return -1;
	if ((n > 0 && cfg_set_str(p, &c->arg, av[1]) < 0) ||
	    (n > 1 && cfg_set_str(p, &c->arg2, av[2]) < 0))
		return -1;
	return 0;
}

static int
cfg_kw_use_backend(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_cur_fe(p);
	struct cfg_route *r;

	if (av[2] == NULL)
		return cfg_fail(p, "use-backend: missing condition: usage is "
		    "'use-backend NAME if|unless COND' (use default-backend "
		    "for the rest)");
	if ((r = cfg_grow(fe->routes, fe->nroutes, sizeof(*r))) == NULL)
		return cfg_fail(p, "out of memory");
	fe->routes = r;
	r = &r[fe->nroutes++];
	if (cfg_set_str(p, &r->backend_name, av[1]) < 0)
		return -1;
	return cfg_parse_cond(p, "use-backend", av + 2, &r->cond);
}

static struct cfg_rule *
cfg_new_rule(struct cfg_parser *p, struct cfg_rule **rules, size_t *n)
{
	struct cfg_rule *r;

	if ((r = cfg_grow(*rules, *n, sizeof(*r))) == NULL) {
		cfg_fail(p, "out of memory");
		return NULL;
	}
	*rules = r;
	return &r[(*n)++];
}

/* "redirect https [code N] [if|unless COND]", at <av> = "redirect". */
static int
cfg_redirect(struct cfg_parser *p, char **av, struct cfg_rule *r)
{
	if (av[1] == NULL || strcmp(av[1], "https") != 0)
		return cfg_fail(p, "redirect: usage is 'redirect https [code "
		    "301|302|307|308] [if|unless COND]'");
	r->act = CFG_RULE_REDIRECT;
	r->code = 301;
	av += 2;
	if (av[0] != NULL && strcmp(av[0], "code") == 0) {
		if (av[1] == NULL || (strcmp(av[1], "301") != 0 &&
		    strcmp(av[1], "302") != 0 && strcmp(av[1], "307") != 0 &&
		    strcmp(av[1], "308") != 0))
			return cfg_fail(p, "redirect: code must be 301, 302, "
			    "307 or 308");
		r->code = (unsigned int)atoi(av[1]);
		av += 2;
	}
	return cfg_parse_cond(p, "redirect", av, &r->cond);
}

static int
cfg_kw_redirect(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_cur_fe(p);
	struct cfg_rule *r;

	if ((r = cfg_new_rule(p, &fe->req_rules, &fe->nreq_rules)) == NULL)
		return -1;
	return cfg_redirect(p, av, r);
}

/* http-request and http-response: ACTION [ARGS] [if|unless COND]. */
static int
cfg_kw_http_rule(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_cur_fe(p);
	int req = strcmp(av[0], "http-request") == 0;
	const char *act = av[1];
	struct cfg_rule *r;
	size_t nargs;

	r = req ? cfg_new_rule(p, &fe->req_rules, &fe->nreq_rules) :
	    cfg_new_rule(p, &fe->res_rules, &fe->nres_rules);
	if (r == NULL)
		return -1;
	if (req && strcmp(act, "redirect") == 0)
		return cfg_redirect(p, av + 1, r);
	if (req && strcmp(act, "deny") == 0) {
		r->act = CFG_RULE_DENY;
		return cfg_parse_cond(p, av[0], av + 2, &r->cond);
	}
	if (strcmp(act, "add-header") == 0)
		r->act = CFG_RULE_ADD;
	else if (strcmp(act, "set-header") == 0)
		r->act = CFG_RULE_SET;
	else if (strcmp(act, "del-header") == 0)
		r->act = CFG_RULE_DEL;
	else
		return cfg_fail(p, "%s: unknown action '%s' (add-header, "
		    "set-header, del-header%s)", av[0], act,
		    req ? ", deny or redirect" : "");
	nargs = r->act == CFG_RULE_DEL ? 1 : 2;
	if (av[2] == NULL || (nargs == 2 && av[3] == NULL))
		return cfg_fail(p, "%s %s: usage is '%s %s NAME%s'", av[0], act,
		    av[0], act, nargs == 2 ? " VALUE" : "");
	if (cfg_check_field(p, av[0], av[2], nargs == 2 ? av[3] : NULL) < 0 ||
	    cfg_set_str(p, &r->name, av[2]) < 0 ||
	    (nargs == 2 && cfg_set_str(p, &r->value, av[3]) < 0))
		return -1;
	if (!req && av[2 + nargs] != NULL)
		return cfg_fail(p, "%s: unexpected '%s' (response rules take "
		    "no condition)", av[0], av[2 + nargs]);
	return cfg_parse_cond(p, av[0], av + 2 + nargs, &r->cond);
}

static int
cfg_kw_hsts(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_cur_fe(p);
	unsigned int age;
	char v[128];
	size_t i, off;

	if (cfg_kw_uint(p, av, 0, 1000000000, &age) < 0)
		return -1;
	off = (size_t)snprintf(v, sizeof(v), "max-age=%u", age);
	for (i = 2; av[i] != NULL; i++) {
		if (strcmp(av[i], "include-subdomains") == 0)
			off += (size_t)snprintf(v + off, sizeof(v) - off,
			    "; includeSubDomains");
		else if (strcmp(av[i], "preload") == 0)
			off += (size_t)snprintf(v + off, sizeof(v) - off,
			    "; preload");
		else
			return cfg_fail(p, "hsts: unknown option '%s' "
			    "(include-subdomains or preload)", av[i]);
	}
	return cfg_set_str(p, &fe->hsts, v);
}

static int
cfg_kw_option(struct cfg_parser *p, char **av)
{
	if (strcmp(av[1], "forwarded") != 0)
		return cfg_fail(p, "option: unknown option '%s' (forwarded)",
		    av[1]);
	cfg_cur_fe(p)->forwarded = 1;
	return 0;
}

/* The statuses gatehouse itself answers with. */
static const unsigned int cfg_err_statuses[] = {
	400, 403, 404, 408, 413, 414, 431, 500, 501, 502, 503, 504, 505,
};

static int
cfg_kw_errorfile(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_cur_fe(p);
	struct cfg_errorfile *e;
	unsigned int status;
	size_t i;

	if (cfg_kw_uint(p, av, 100, 599, &status) < 0)
		return -1;
	for (i = 0; i < sizeof(cfg_err_statuses) / sizeof(*cfg_err_statuses);
	    i++)
		if (cfg_err_statuses[i] == status)
			break;
	if (i == sizeof(cfg_err_statuses) / sizeof(*cfg_err_statuses))
		return cfg_fail(p, "errorfile: gatehouse never answers %u "
		    "(400, 403, 404, 408, 413, 414, 431, 500, 501, 502, 503, "
		    "504 or 505)", status);
	for (i = 0; i < fe->nerrorfiles; i++)
		if (fe->errorfiles[i].status == status)
			return cfg_fail(p, "errorfile: second file for %u",
			    status);
	if ((e = cfg_grow(fe->errorfiles, fe->nerrorfiles, sizeof(*e))) ==
	    NULL)
		return cfg_fail(p, "out of memory");
	fe->errorfiles = e;
	e = &e[fe->nerrorfiles++];
	e->status = status;
	return cfg_set_str(p, &e->path, av[2]);
}

static int
cfg_kw_max_body(struct cfg_parser *p, char **av)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "", 1 }, { "k", 1024 }, { "m", 1048576 },
	    { "g", 1073741824 } };
	unsigned long long v;
	const char *end;
	size_t i;

	if ((end = cfg_digits(av[1], &v)) == NULL)
		return cfg_fail(p, "max-body-size: expected a size, got '%s'",
		    av[1]);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]) || v == 0 ||
	    v > UINT64_MAX / units[i].mult)
		return cfg_fail(p, "max-body-size: expected a size above 0 "
		    "(with k, m or g), got '%s'", av[1]);
	cfg_cur_fe(p)->max_body = v * units[i].mult;
	return 0;
}

/* The variables of log-format, as proto_http.c expands them. */
static const char *const cfg_log_vars[] = {
	"client", "frontend", "backend", "server", "tls", "cipher", "request",
	"host", "status", "bytes", "ttfb", "duration", "end", "why",
};

static int
cfg_kw_log_format(struct cfg_parser *p, char **av)
{
	const char *s;
	size_t i, n;

	for (s = av[1]; (s = strchr(s, '$')) != NULL; s += n) {
		for (n = 1; (s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'; n++)
			;
		for (i = 0; i < sizeof(cfg_log_vars) / sizeof(*cfg_log_vars);
		    i++)
			if (strlen(cfg_log_vars[i]) == n - 1 &&
			    strncmp(cfg_log_vars[i], s + 1, n - 1) == 0)
				break;
		if (i == sizeof(cfg_log_vars) / sizeof(*cfg_log_vars))
			return cfg_fail(p, "log-format: unknown variable "
			    "'$%.*s'", (int)(n - 1), s + 1);
	}
	return cfg_set_str(p, &cfg_cur_fe(p)->log_format, av[1]);
}

#define G CFG_S_GLOBAL
#define D CFG_S_DEFAULTS
#define F CFG_S_FRONTEND
#define B CFG_S_BACKEND
static const struct cfg_kw {
	const char *name;
	unsigned int where;     /* CFG_S_*; 0: anywhere (opens a section) */
	int min, max;           /* words after the keyword; max -1: no limit */
	const char *usage;
	int (*fn)(struct cfg_parser *p, char **av);
} cfg_kws[] = {
	{ "global", 0, 0, 0, "global", cfg_kw_section },
	{ "defaults", 0, 0, 0, "defaults", cfg_kw_section },
	{ "frontend", 0, 1, 1, "frontend NAME", cfg_kw_frontend },
	{ "backend", 0, 1, 1, "backend NAME", cfg_kw_backend },
	{ "workers", G, 1, 1, "workers N", cfg_kw_workers },
	{ "maxconn", G | F, 1, 1, "maxconn N", cfg_kw_maxconn },
	{ "bufsize", G, 1, 1, "bufsize N", cfg_kw_bufsize },
	{ "grace", G, 1, 1, "grace DURATION", cfg_kw_grace },
	{ "log", G, 1, 2, "log stderr | log syslog [FACILITY] | log none",
	    cfg_kw_log },
	{ "user", G, 1, 1, "user NAME", cfg_kw_user },
	{ "mode", D | F | B, 1, 1, "mode tcp|http", cfg_kw_mode },
	{ "timeout", D | F | B, 2, 2, "timeout NAME DURATION",
	    cfg_kw_timeout },
	{ "bind", F, 1, -1, "bind ADDR:PORT [OPTION]...", cfg_kw_bind },
	{ "default-backend", F, 1, 1, "default-backend NAME",
	    cfg_kw_default_backend },
	{ "balance", B, 1, 1, "balance roundrobin|leastconn|source|uri|"
	    "hdr(NAME)|random", cfg_kw_balance },
	{ "server", B, 2, -1, "server NAME ADDR:PORT [OPTION]...",
	    cfg_kw_server },
	{ "retries", B, 1, 1, "retries N", cfg_kw_retries },
	{ "check", B, 0, -1, "check [tcp | http [METHOD] PATH] "
	    "[expect LO[-HI]] [interval D] [timeout D] [rise N] [fall N]",
	    cfg_kw_check },
	{ "observe", B, 1, 1, "observe layer4|layer7", cfg_kw_observe },
	{ "error-limit", B, 1, 1, "error-limit N", cfg_kw_error_limit },
	{ "resolve-interval", G, 1, 1, "resolve-interval DURATION",
	    cfg_kw_resolve_interval },
	{ "nameserver", G, 1, 1, "nameserver ADDR:PORT",
	    cfg_kw_nameserver },
	{ "ssl-min-ver", G, 1, 1, "ssl-min-ver TLSv1.x", cfg_kw_tls },
	{ "ssl-max-ver", G, 1, 1, "ssl-max-ver TLSv1.x", cfg_kw_tls },
	{ "ciphers", G, 1, 1, "ciphers LIST", cfg_kw_tls },
	{ "ciphersuites", G, 1, 1, "ciphersuites LIST", cfg_kw_tls },
	{ "curves", G, 1, 1, "curves LIST", cfg_kw_tls },
	{ "tls-session-cache", G, 1, 1, "tls-session-cache N",
	    cfg_kw_tls_session_cache },
	{ "tls-ticket-keys", G, 1, 1, "tls-ticket-keys FILE", cfg_kw_tls },
	{ "tls-ticket-secret", G, 1, 1, "tls-ticket-secret FILE",
	    cfg_kw_tls },
	{ "tls-ticket-period", G, 1, 1, "tls-ticket-period DURATION",
	    cfg_kw_tls },
	{ "ktls", G, 1, 1, "ktls auto|off|on", cfg_kw_ktls },
	{ "client-cert-header", F, 2, 2, "client-cert-header FIELD NAME",
	    cfg_kw_client_cert_header },
	{ "http-max-line", G, 1, 1, "http-max-line BYTES",
	    cfg_kw_http_max_line },
	{ "http-max-headers", G, 1, 1, "http-max-headers N",
	    cfg_kw_http_max_headers },
	{ "http-rewrite-reserve", G, 1, 1, "http-rewrite-reserve BYTES",
	    cfg_kw_http_reserve },
	{ "keepalive-pool", B, 1, 1, "keepalive-pool N",
	    cfg_kw_keepalive_pool },
	{ "use-backend", F, 1, -1, "use-backend NAME if|unless COND",
	    cfg_kw_use_backend },
	{ "redirect", F, 1, -1, "redirect https [code N] [if|unless COND]",
	    cfg_kw_redirect },
	{ "http-request", F, 1, -1, "http-request ACTION [ARG]... "
	    "[if|unless COND]", cfg_kw_http_rule },
	{ "http-response", F, 1, -1, "http-response ACTION [ARG]...",
	    cfg_kw_http_rule },
	{ "hsts", F, 1, 3, "hsts MAX-AGE [include-subdomains] [preload]",
	    cfg_kw_hsts },
	{ "option", F, 1, 1, "option forwarded", cfg_kw_option },
	{ "errorfile", F, 2, 2, "errorfile STATUS FILE", cfg_kw_errorfile },
	{ "max-body-size", F, 1, 1, "max-body-size SIZE", cfg_kw_max_body },
	{ "log-format", F, 1, 1, "log-format STRING", cfg_kw_log_format },
};
#undef G
#undef D
#undef F
#undef B
#define CFG_NKWS (sizeof(cfg_kws) / sizeof(cfg_kws[0]))

/* Runs one statement, <av> holding <ac> words and a NULL. */
static int
cfg_statement(struct cfg_parser *p, int ac, char **av)
{
	const struct cfg_kw *k = NULL;
	char where[64];
	size_t i;

	for (i = 0; i < CFG_NKWS && k == NULL; i++)
		if (strcmp(av[0], cfg_kws[i].name) == 0)
			k = &cfg_kws[i];
	if (k == NULL)
		return cfg_fail(p, "unknown keyword '%s'", av[0]);
	if (k->where != 0 && p->sec == 0)
		return cfg_fail(p, "'%s' before any section (start one with "
		    "global, defaults, frontend or backend)", av[0]);
	if (k->where != 0 && !(k->where & p->sec))
		return cfg_fail(p, "'%s' is only valid in %s", av[0],
		    cfg_where(k->where, where, sizeof(where)));
	if (ac - 1 < k->min)
		return cfg_fail(p, "missing argument: usage is '%s'", k->usage);
	if (k->max >= 0 && ac - 1 > k->max)
		return cfg_fail(p, "extra argument '%s': usage is '%s'",
		    av[k->max + 1], k->usage);
	return k->fn(p, av);
}

static int
cfg_isblank(char ch)
{
	/* '\r' too, so that CRLF files read like LF ones. */
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Splits the line <s> (<len> bytes) into words: written NUL-terminated
 * into <out>, which has room for len + 1 bytes (a word never grows when
 * unquoted, and each needs one separator or the end), and pointed to by
 * <words> (room for CFG_WORDS_MAX). Returns the count or -1. */
static int
cfg_split(struct cfg_parser *p, const char *s, size_t len, char *out,
    char **words)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		if (cfg_isblank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (n == CFG_WORDS_MAX)
			return cfg_fail(p, "too many words (at most %d)",
			    CFG_WORDS_MAX);
		words[n++] = out;
		if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\') {
					if (i + 1 == len || (s[i + 1] != '"' &&
					    s[i + 1] != '\\'))
						return cfg_fail(p, "bad escape "
						    "in quotes (only \\\" and "
						    "\\\\)");
					i++;
				}
				*out++ = s[i];
			}
			if (i == len)
				return cfg_fail(p, "missing closing quote");
			i++;
			if (i < len && !cfg_isblank(s[i]) && s[i] != '#')
				return cfg_fail(p, "missing blank after "
				    "closing quote");
		} else {
			for (; i < len && !cfg_isblank(s[i]) && s[i] != '#';
			    i++) {
				if (s[i] == '"')
					return cfg_fail(p, "unexpected quote "
					    "inside a word (quote the whole "
					    "word)");
				*out++ = s[i];
			}
		}
		*out++ = '\0';
	}
	return n;
}

static int
cfg_parse(struct cfg_parser *p, const char *buf, size_t len)
{
	const char *pos = buf, *end = buf + len, *nl;
	char *words[CFG_WORDS_MAX + 1];
	char *scratch;
	size_t n;
	int nw, rc = 0;

	if ((scratch = malloc(CFG_LINE_MAX + 1)) == NULL)
		return cfg_fail(p, "out of memory");
	for (p->line = 1; pos < end && rc == 0; p->line++) {
		nl = memchr(pos, '\n', (size_t)(end - pos));
		n = (size_t)((nl != NULL ? nl : end) - pos);
		if (n > CFG_LINE_MAX)
			rc = cfg_fail(p, "line too long (more than %d bytes)",
			    CFG_LINE_MAX);
		else if (memchr(pos, '\0', n) != NULL)
			rc = cfg_fail(p, "NUL byte in line");
		else if ((nw = cfg_split(p, pos, n, scratch, words)) < 0)
			rc = -1;
		else if (nw > 0) {
			words[nw] = NULL;
			rc = cfg_statement(p, nw, words);
		}
		pos = nl != NULL ? nl + 1 : end;
	}
	free(scratch);
	return rc;
}

/* ---- loading ---- */

struct cfg *
cfg_load_buf(const char *name, const char *buf, size_t len, char *err,
    size_t errlen)
{
	struct cfg_parser p = { .err = err, .errlen = errlen };
	struct cfg *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->file = strdup(name)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto err_free_cfg;
	}
	p.c = c;
	if (cfg_parse(&p, buf, len) < 0 || cfg_finish(c, err, errlen) < 0)
		goto err_free_cfg;
	return c;
err_free_cfg:
	cfg_free(c);
	return NULL;
}

/* Reads all of <path> into a new buffer. Returns 0 or -1 with <err>. */
static int
cfg_read_file(const char *path, char **out, size_t *outlen, char *err,
    size_t errlen)
{
	FILE *f;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		return cfg_errat(err, errlen, path, 0, "cannot open: %s",
		    strerror(errno));
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 16384;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				cfg_errat(err, errlen, path, 0,
				    "out of memory");
				goto err_free_buf;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		cfg_errat(err, errlen, path, 0, "cannot read: %s",
		    strerror(errno));
		goto err_free_buf;
	}
	fclose(f);
	*out = buf;
	*outlen = len;
	return 0;
err_free_buf:
	free(buf);
	fclose(f);
	return -1;
}

struct cfg *
cfg_load_file(const char *path, char *err, size_t errlen)
{
	struct cfg *c;
	char *buf = NULL;
	size_t len = 0;

	if (cfg_read_file(path, &buf, &len, err, errlen) < 0)
		return NULL;
	c = cfg_load_buf(path, buf, len, err, errlen);
	free(buf);
	return c;
}

/* ---- checking ---- */

static void
cfg_inherit(struct cfg_timeouts *t, const struct cfg_timeouts *from)
{
	unsigned int *f;
	size_t i;

	for (i = 0; i < CFG_NTMOS; i++)
		if (*(f = cfg_tmo_field(t, &cfg_tmos[i])) == 0)
			*f = cfg_tmo_get(from, &cfg_tmos[i]);
}

static unsigned int
cfg_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	/* Kept within what "workers" accepts, so that a dump loads back. */
	if (n < 1)
		return 1;
	return n > CFG_WORKERS_MAX ? CFG_WORKERS_MAX : (unsigned int)n;
}

/* <file> (of option <opt>) can be read. */
static int
cfg_finish_readable(const struct cfg_bind *b, const char *opt,
    const char *file, char *err, size_t errlen)
{
	if (file == NULL || access(file, R_OK) == 0)
		return 0;
	return cfg_errat(err, errlen, b->file, b->line, "bind '%s': cannot "
	    "read %s '%s': %s", b->text, opt, file, strerror(errno));
}

static int
cfg_finish_bind(const struct cfg *c, const struct cfg_bind *b, char *err,
    size_t errlen)
{
	const char *keys = b->tls.ticket_keys ? b->tls.ticket_keys :
	    c->tls.ticket_keys;
	const char *secret = b->tls.ticket_secret ? b->tls.ticket_secret :
	    c->tls.ticket_secret;
	size_t i;
	DIR *d;

	if (b->verify != CFG_VERIFY_NONE && b->ca_file == NULL)
		return cfg_errat(err, errlen, b->file, b->line, "bind '%s': "
		    "verify %s needs a ca-file", b->text,
		    b->verify == CFG_VERIFY_OPTIONAL ? "optional" :
		    "required");
	if (b->verify == CFG_VERIFY_NONE && (b->ca_file || b->crl_file))
		return cfg_errat(err, errlen, b->file, b->line, "bind '%s': "
		    "'%s' needs verify optional or required", b->text,
		    b->ca_file ? "ca-file" : "crl-file");
	if ((b->flags & CFG_BIND_F_TLS) && keys != NULL && secret != NULL)
		return cfg_errat(err, errlen, b->file, b->line, "bind '%s': "
		    "tls-ticket-keys and tls-ticket-secret exclude each other",
		    b->text);
	if (cfg_finish_readable(b, "ca-file", b->ca_file, err, errlen) < 0 ||
	    cfg_finish_readable(b, "crl-file", b->crl_file, err, errlen) < 0)
		return -1;
	if ((b->flags & CFG_BIND_F_TLS) && (cfg_finish_readable(b,
	    "tls-ticket-keys", keys, err, errlen) < 0 ||
	    cfg_finish_readable(b, "tls-ticket-secret", secret, err,
	    errlen) < 0))
		return -1;

	if ((b->flags & CFG_BIND_F_TLS) && b->ncerts == 0 &&
	    b->crt_dir == NULL)
		return cfg_errat(err, errlen, b->file, b->line,
		    "bind '%s': tls needs at least one cert", b->text);
	if (b->crt_dir != NULL) {
		if ((d = opendir(b->crt_dir)) == NULL)
			return cfg_errat(err, errlen, b->file, b->line,
			    "bind '%s': cannot read crt-dir '%s': %s", b->text,
			    b->crt_dir, strerror(errno));
		closedir(d);
	}
	for (i = 0; i < b->ncerts; i++)
		if (cfg_finish_readable(b, "cert", b->certs[i].cert, err,
		    errlen) < 0 || cfg_finish_readable(b, "key",
		    b->certs[i].key, err, errlen) < 0 ||
		    cfg_finish_readable(b, "ocsp-response", b->certs[i].ocsp,
		    err, errlen) < 0)
			return -1;
	return 0;
}

static struct cfg_backend *
cfg_find_backend(struct cfg *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nbackends; i++)
		if (strcmp(c->backends[i].name, name) == 0)
			return &c->backends[i];
	return NULL;
}

/* The backend <name> that frontend <fe> sends to, of the same mode. */
static struct cfg_backend *
cfg_fe_backend(struct cfg *c, struct cfg_frontend *fe, const char *name,
    char *err, size_t errlen)
{
	struct cfg_backend *be = cfg_find_backend(c, name);

	if (be == NULL) {
		cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': unknown backend '%s'", fe->name, name);
		return NULL;
	}
	if (be->mode != fe->mode) {
		cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s' is mode %s but its backend '%s' is mode %s",
		    fe->name, cfg_mode_name(fe->mode), be->name,
		    cfg_mode_name(be->mode));
		return NULL;
	}
	return be;
}

/* Reads an errorfile's body; it must leave room for the status line and
 * header in one buffer. */
static int
cfg_read_errorfile(const struct cfg *c, const struct cfg_frontend *fe,
    struct cfg_errorfile *e, char *err, size_t errlen)
{
	char why[512];

	if (cfg_read_file(e->path, &e->body, &e->len, why, sizeof(why)) < 0)
		return cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': errorfile %u: %s", fe->name, e->status,
		    why);
	if (e->len > c->bufsize / 2)
		return cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': errorfile %u: '%s' is %zu bytes, more than "
		    "half of bufsize (%u)", fe->name, e->status, e->path,
		    e->len, c->bufsize / 2);
	return 0;
}

/* Whether the comma separated <list> holds <word>. */
static int
cfg_list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The first mode http keyword a mode tcp frontend holds, or NULL. */
static const char *
cfg_http_only(const struct cfg_frontend *fe)
{
	return fe->nroutes ? "use-backend" : fe->nreq_rules ? "http-request" :
	    fe->nres_rules ? "http-response" : fe->nerrorfiles ? "errorfile" :
	    fe->hsts ? "hsts" : fe->forwarded ? "option forwarded" :
	    fe->max_body ? "max-body-size" : fe->log_format ? "log-format" :
	    fe->cert_hdr[0] || fe->cert_hdr[1] || fe->cert_hdr[2] ||
	    fe->cert_hdr[3] || fe->cert_hdr[4] ? "client-cert-header" : NULL;
}

static int
cfg_finish_frontend(struct cfg *c, struct cfg_frontend *fe, char *err,
    size_t errlen)
{
	const char *kw;
	size_t i;

	if (fe->nbinds == 0)
		return cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s' has no bind", fe->name);
	for (i = 0; i < fe->nbinds; i++) {
		if (cfg_finish_bind(c, &fe->binds[i], err, errlen) < 0)
			return -1;
		if (fe->binds[i].verify != CFG_VERIFY_NONE)
			fe->client_certs = 1;
	}
	if (fe->mode == CFG_MODE_TCP && (kw = cfg_http_only(fe)) != NULL)
		return cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': '%s' needs mode http", fe->name, kw);
	/* A client offered h2 would speak HTTP/2 to an HTTP/1.x reader. */
	for (i = 0; i < fe->nbinds && fe->mode == CFG_MODE_HTTP; i++)
		if (fe->binds[i].alpn != NULL &&
		    cfg_list_has(fe->binds[i].alpn, "h2"))
			return cfg_errat(err, errlen, fe->binds[i].file,
			    fe->binds[i].line, "bind '%s': alpn offers h2, but "
			    "mode http speaks HTTP/1.x only", fe->binds[i].text);
	/* In mode http a request no rule routes gets 404. */
	if (fe->default_backend_name == NULL && (fe->mode == CFG_MODE_TCP ||
	    fe->nroutes == 0))
		return cfg_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s' has no default-backend", fe->name);
	if (fe->default_backend_name != NULL && (fe->default_backend =
	    cfg_fe_backend(c, fe, fe->default_backend_name, err, errlen)) ==
	    NULL)
		return -1;
	for (i = 0; i < fe->nroutes; i++)
		if ((fe->routes[i].backend = cfg_fe_backend(c, fe,
		    fe->routes[i].backend_name, err, errlen)) == NULL)
			return -1;
	for (i = 0; i < fe->nerrorfiles; i++)
		if (cfg_read_errorfile(c, fe, &fe->errorfiles[i], err,
		    errlen) < 0)
			return -1;
	return 0;
}

static int
cfg_finish_backend(struct cfg_backend *be, char *err, size_t errlen)
{
	struct cfg_check *k = &be->check;

	if (be->nservers == 0)
		return cfg_errat(err, errlen, be->file, be->line,
		    "backend '%s' has no server", be->name);
	if (be->mode == CFG_MODE_TCP && (be->balance == CFG_LB_URI ||
	    be->balance == CFG_LB_HDR))
		return cfg_errat(err, errlen, be->file, be->line,
		    "backend '%s': balance %s needs mode http", be->name,
		    cfg_balances[be->balance]);
	if (be->mode == CFG_MODE_TCP && be->observe == CFG_OBSERVE_LAYER7)
		return cfg_errat(err, errlen, be->file, be->line,
		    "backend '%s': observe layer7 needs mode http", be->name);
	if (!be->retries_set)
		be->retries = CFG_DEF_RETRIES;
	if (be->error_limit == 0)
		be->error_limit = CFG_DEF_ERROR_LIMIT;
	/* Waiting for a slot is bounded like waiting for a connect. */
	if (be->timeouts.queue == 0)
		be->timeouts.queue = be->timeouts.connect;
	if (k->http && k->method == NULL && (k->method = strdup("GET")) ==
	    NULL)
		return cfg_errat(err, errlen, be->file, be->line,
		    "out of memory");
	if (k->status_min == 0) {
		k->status_min = 200;
		k->status_max = 399;
	}
	if (k->interval == 0)
		k->interval = CFG_DEF_CHECK_INTERVAL;
	if (k->timeout == 0)
		k->timeout = k->interval;
	if (k->rise == 0)
		k->rise = CFG_DEF_CHECK_RISE;
	if (k->fall == 0)
		k->fall = CFG_DEF_CHECK_FALL;
	return 0;
}

int
cfg_finish(struct cfg *c, char *err, size_t errlen)
{
	struct cfg_frontend *fe;
	struct cfg_backend *be;
	size_t i;

	if (c->workers == 0) {
		c->workers = cfg_ncpus();
		c->workers_auto = 1;
	}
	if (c->bufsize == 0)
		c->bufsize = CFG_DEF_BUFSIZE;
	if (c->http_max_line == 0)
		c->http_max_line = CFG_DEF_HTTP_MAX_LINE;
	if (c->http_max_headers == 0)
		c->http_max_headers = CFG_DEF_HTTP_MAX_HEADERS;
	if (c->http_reserve == 0)
		c->http_reserve = CFG_DEF_HTTP_RESERVE;
	if (c->http_reserve > c->bufsize / 2)
		return cfg_errat(err, errlen, c->file, 0, "http-rewrite-reserve "
		    "%u is more than half of bufsize %u", c->http_reserve,
		    c->bufsize);
	if (c->grace == 0)
		c->grace = CFG_DEF_T_GRACE;
	if (c->log_facility == 0)
		c->log_facility = LOG_DAEMON;
	if (c->resolve_interval == 0)
		c->resolve_interval = CFG_DEF_RESOLVE_INTERVAL;
	if (!c->tls_session_cache_set)
		c->tls_session_cache = CFG_DEF_TLS_SESSION_CACHE;
	cfg_inherit(&c->defaults, &cfg_def_timeouts);

	if (c->nfrontends == 0)
		return cfg_errat(err, errlen, c->file, 0,
		    "no frontend defined");
	for (i = 0; i < c->nbackends; i++) {
		be = &c->backends[i];
		if (!be->mode_set)
			be->mode = c->default_mode;
		if (!be->keepalive_pool_set)
			be->keepalive_pool = CFG_DEF_KEEPALIVE_POOL;
		cfg_inherit(&be->timeouts, &c->defaults);
		if (cfg_finish_backend(be, err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < c->nfrontends; i++) {
		fe = &c->frontends[i];
		if (!fe->mode_set)
			fe->mode = c->default_mode;
		cfg_inherit(&fe->timeouts, &c->defaults);
		if (cfg_finish_frontend(c, fe, err, errlen) < 0)
			return -1;
	}

	return 0;
}

/* ---- dumping ---- */

/* Writes <s> as one word, quoted when a bare word would not read back. */
static void
cfg_dump_word(FILE *out, const char *s)
{
	if (*s != '\0' && strpbrk(s, " \t\r\"#") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void
cfg_dump_kw(FILE *out, const char *kw, const char *word)
{
	fprintf(out, "    %s ", kw);
	cfg_dump_word(out, word);
	fputc('\n', out);
}

/* In the largest unit that is exact, as people write it. */
static void
cfg_dump_duration(FILE *out, unsigned int ms)
{
	static const struct {
		const char *unit;
		unsigned int ms;
	} units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms % units[i].ms == 0) {
			fprintf(out, "%u%s", ms / units[i].ms, units[i].unit);
			return;
		}
	}
	fprintf(out, "%ums", ms);
}

static void
cfg_dump_timeouts(FILE *out, const struct cfg_timeouts *t,
    unsigned int sec)
{
	unsigned int ms;
	size_t i;

	for (i = 0; i < CFG_NTMOS; i++) {
		ms = cfg_tmo_get(t, &cfg_tmos[i]);
		if (!(cfg_tmos[i].where & sec) || ms == 0)
			continue;
		fprintf(out, "    timeout %s ", cfg_tmos[i].name);
		cfg_dump_duration(out, ms);
		fputc('\n', out);
	}
}

/* <t> as options (" ciphers X") or as lines ("    ciphers X\n"). */
static void
cfg_dump_tls(FILE *out, const struct cfg_tls *t, const char *pre,
    const char *post)
{
	const char *words[] = { t->ciphers, t->ciphersuites, t->curves,
	    t->ticket_keys, t->ticket_secret };
	const unsigned int vers[] = { t->min_ver, t->max_ver };
	size_t i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < CFG_NTLS_VERSIONS; j++)
			if (vers[i] == cfg_tls_versions[j].version)
				fprintf(out, "%s%s %s%s", pre, cfg_tls_opts[i],
				    cfg_tls_versions[j].name, post);
	for (i = 0; i < 5; i++) {
		if (words[i] == NULL)
			continue;
		fprintf(out, "%s%s ", pre, cfg_tls_opts[i + 2]);
		cfg_dump_word(out, words[i]);
		fputs(post, out);
	}
	if (t->ticket_period != 0) {
		fprintf(out, "%stls-ticket-period ", pre);
		cfg_dump_duration(out, t->ticket_period);
		fputs(post, out);
	}
}

static void
cfg_dump_opt(FILE *out, const char *opt, const char *word)
{
	if (word == NULL)
		return;
	fprintf(out, " %s ", opt);
	cfg_dump_word(out, word);
}

static void
cfg_dump_bind(FILE *out, const struct cfg_bind *b)
{
	size_t i;

	fputs("    bind ", out);
	cfg_dump_word(out, b->text);
	for (i = 0; i < b->ncerts; i++) {
		fputs(" cert ", out);
		cfg_dump_word(out, b->certs[i].cert);
		if (b->certs[i].key != NULL) {
			fputs(" key ", out);
			cfg_dump_word(out, b->certs[i].key);
		}
		cfg_dump_opt(out, "ocsp-response", b->certs[i].ocsp);
	}
	if (b->verify != CFG_VERIFY_NONE)
		fprintf(out, " verify %s", cfg_verifies[b->verify]);
	cfg_dump_opt(out, "ca-file", b->ca_file);
	cfg_dump_opt(out, "crl-file", b->crl_file);
	for (i = 0; i < CFG_NBIND_FLAGS; i++)
		if (b->flags & cfg_bind_flags[i].flag)
			fprintf(out, " %s", cfg_bind_flags[i].name);
	cfg_dump_tls(out, &b->tls, " ", "");
	if (b->alpn != NULL) {
		fputs(" alpn ", out);
		cfg_dump_word(out, b->alpn);
	}
	if (b->crt_dir != NULL) {
		fputs(" crt-dir ", out);
		cfg_dump_word(out, b->crt_dir);
	}
	for (i = 0; i < b->nproxy_from; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(b->proxy_from[i].family, b->proxy_from[i].addr, a,
		    sizeof(a));
		fprintf(out, "%s%s/%u", i == 0 ? " proxy-from " : ",", a,
		    b->proxy_from[i].prefix);
	}
	fputc('\n', out);
}

static void
cfg_dump_server(FILE *out, const struct cfg_server *s)
{
	size_t i;

	fputs("    server ", out);
	cfg_dump_word(out, s->name);
	fputc(' ', out);
	cfg_dump_word(out, s->text);
	if (s->weight != CFG_DEF_WEIGHT)
		fprintf(out, " weight %u", s->weight);
	if (s->maxconn != 0)
		fprintf(out, " maxconn %u", s->maxconn);
	for (i = 0; i < CFG_NSRV_FLAGS; i++)
		if (s->flags & cfg_srv_flags[i].flag)
			fprintf(out, " %s", cfg_srv_flags[i].name);
	if (s->flags & CFG_SRV_F_NO_VERIFY)
		fputs(" verify none", out);
	if (s->flags & CFG_SRV_F_SNI_CLIENT)
		fputs(" sni client", out);
	cfg_dump_opt(out, "ca-file", s->ca_file);
	cfg_dump_opt(out, "crt", s->crt);
	cfg_dump_opt(out, "key", s->key);
	cfg_dump_opt(out, "sni", s->sni);
	fputc('\n', out);
}

static void
cfg_dump_backend(FILE *out, const struct cfg_backend *be)
{
	static const char *observe[] = { NULL, "layer4", "layer7" };
	const struct cfg_check *k = &be->check;
	size_t i;

	if (be->balance == CFG_LB_HDR)
		fprintf(out, "    balance hdr(%s)\n", be->balance_hdr);
	else
		fprintf(out, "    balance %s\n", cfg_balances[be->balance]);
	if (be->retries_set || be->retries != 0)
		fprintf(out, "    retries %u\n", be->retries);
	fputs("    check", out);
	if (k->http)
		fprintf(out, " http %s %s", k->method != NULL ? k->method :
		    "GET", k->path);
	else
		fputs(" tcp", out);
	if (k->http && k->status_min != 0)
		fprintf(out, " expect %u-%u", k->status_min, k->status_max);
	if (k->interval != 0) {
		fputs(" interval ", out);
		cfg_dump_duration(out, k->interval);
	}
	if (k->timeout != 0) {
		fputs(" timeout ", out);
		cfg_dump_duration(out, k->timeout);
	}
	if (k->rise != 0)
		fprintf(out, " rise %u", k->rise);
	if (k->fall != 0)
		fprintf(out, " fall %u", k->fall);
	fputc('\n', out);
	if (be->observe != CFG_OBSERVE_NONE)
		fprintf(out, "    observe %s\n", observe[be->observe]);
	if (be->error_limit != 0)
		fprintf(out, "    error-limit %u\n", be->error_limit);
	for (i = 0; i < be->nservers; i++)
		cfg_dump_server(out, &be->servers[i]);
}

static void
cfg_dump_cond(FILE *out, const struct cfg_cond *c)
{
	size_t i;

	if (c->kind == CFG_COND_ALWAYS)
		return;
	for (i = 0; i < CFG_NCONDS; i++)
		if (cfg_conds[i].kind == c->kind)
			fprintf(out, " if %s%s", c->neg ? "!" : "",
			    cfg_conds[i].name);
	if (c->arg != NULL) {
		fputc(' ', out);
		cfg_dump_word(out, c->arg);
	}
	if (c->arg2 != NULL) {
		fputc(' ', out);
		cfg_dump_word(out, c->arg2);
	}
}

static void
cfg_dump_rules(FILE *out, const char *kw, const struct cfg_rule *r,
    size_t n)
{
	static const char *acts[] = { "add-header", "set-header",
	    "del-header", "deny", "redirect https" };
	size_t i;

	for (i = 0; i < n; i++, r++) {
		fprintf(out, "    %s %s", kw, acts[r->act]);
		if (r->act == CFG_RULE_REDIRECT)
			fprintf(out, " code %u", r->code);
		if (r->name != NULL) {
			fputc(' ', out);
			cfg_dump_word(out, r->name);
		}
		if (r->value != NULL) {
			fputc(' ', out);
			cfg_dump_word(out, r->value);
		}
		cfg_dump_cond(out, &r->cond);
		fputc('\n', out);
	}
}

static void
cfg_dump_http(FILE *out, const struct cfg_frontend *fe)
{
	size_t i;

	cfg_dump_rules(out, "http-request", fe->req_rules, fe->nreq_rules);
	cfg_dump_rules(out, "http-response", fe->res_rules, fe->nres_rules);
	for (i = 0; i < fe->nroutes; i++) {
		fputs("    use-backend ", out);
		cfg_dump_word(out, fe->routes[i].backend_name);
		cfg_dump_cond(out, &fe->routes[i].cond);
		fputc('\n', out);
	}
	for (i = 0; i < fe->nerrorfiles; i++) {
		fprintf(out, "    errorfile %u ", fe->errorfiles[i].status);
		cfg_dump_word(out, fe->errorfiles[i].path);
		fputc('\n', out);
	}
	if (fe->hsts != NULL) {
		/* Back from the header value to the keyword's words. */
		fprintf(out, "    hsts %lu%s%s\n",
		    strtoul(fe->hsts + strlen("max-age="), NULL, 10),
		    strstr(fe->hsts, "includeSubDomains") ?
		    " include-subdomains" : "",
		    strstr(fe->hsts, "preload") ? " preload" : "");
	}
	if (fe->forwarded)
		fputs("    option forwarded\n", out);
	if (fe->max_body != 0)
		fprintf(out, "    max-body-size %" PRIu64 "\n", fe->max_body);
	if (fe->log_format != NULL)
		cfg_dump_kw(out, "log-format", fe->log_format);
	for (i = 0; i < CFG_NCERT_HDRS; i++)
		if (fe->cert_hdr[i] != NULL)
			fprintf(out, "    client-cert-header %s %s\n",
			    cfg_cert_hdr_fields[i], fe->cert_hdr[i]);
}

void
cfg_dump(const struct cfg *c, FILE *out)
{
	const struct cfg_frontend *fe;
	const struct cfg_backend *be;
	size_t i, j;

	/* Zeroes are "not set" and left out, so that a configuration not
	 * yet through cfg_finish() dumps into one that loads. */
	fputs("global\n", out);
	/* A count found on this machine is not written down for another. */
	if (c->workers != 0 && !c->workers_auto)
		fprintf(out, "    workers %u\n", c->workers);
	if (c->maxconn != 0)
		fprintf(out, "    maxconn %u\n", c->maxconn);
	if (c->bufsize != 0)
		fprintf(out, "    bufsize %u\n", c->bufsize);
	if (c->http_max_line != 0)
		fprintf(out, "    http-max-line %u\n", c->http_max_line);
	if (c->http_max_headers != 0)
		fprintf(out, "    http-max-headers %u\n", c->http_max_headers);
	if (c->http_reserve != 0)
		fprintf(out, "    http-rewrite-reserve %u\n", c->http_reserve);
	if (c->grace != 0) {
		fputs("    grace ", out);
		cfg_dump_duration(out, c->grace);
		fputc('\n', out);
	}
	if (c->log == CFG_LOG_SYSLOG) {
		fputs("    log syslog", out);
		for (i = 0; i < CFG_NFACILITIES; i++)
			if (cfg_facilities[i].facility == c->log_facility)
				fprintf(out, " %s", cfg_facilities[i].name);
		fputc('\n', out);
	} else {
		fprintf(out, "    log %s\n",
		    c->log == CFG_LOG_NONE ? "none" : "stderr");
	}
	if (c->user != NULL)
		cfg_dump_kw(out, "user", c->user);
	if (c->resolve_interval != 0) {
		fputs("    resolve-interval ", out);
		cfg_dump_duration(out, c->resolve_interval);
		fputc('\n', out);
	}
	for (i = 0; i < c->nnameservers; i++)
		cfg_dump_kw(out, "nameserver", c->nameservers[i]);
	cfg_dump_tls(out, &c->tls, "    ", "\n");
	if (c->tls_session_cache_set || c->tls_session_cache != 0)
		fprintf(out, "    tls-session-cache %u\n", c->tls_session_cache);
	if (c->ktls != CFG_KTLS_AUTO)
		fprintf(out, "    ktls %s\n", cfg_ktls_modes[c->ktls]);

	fprintf(out, "\ndefaults\n    mode %s\n",
	    cfg_mode_name(c->default_mode));
	cfg_dump_timeouts(out, &c->defaults, CFG_S_DEFAULTS);

	for (i = 0; i < c->nfrontends; i++) {
		fe = &c->frontends[i];
		fputs("\nfrontend ", out);
		cfg_dump_word(out, fe->name);
		fprintf(out, "\n    mode %s\n", cfg_mode_name(fe->mode));
		if (fe->maxconn != 0)
			fprintf(out, "    maxconn %u\n", fe->maxconn);
		cfg_dump_timeouts(out, &fe->timeouts, CFG_S_FRONTEND);
		for (j = 0; j < fe->nbinds; j++)
			cfg_dump_bind(out, &fe->binds[j]);
		if (fe->default_backend_name != NULL)
			cfg_dump_kw(out, "default-backend",
			    fe->default_backend_name);
		cfg_dump_http(out, fe);
	}

	for (i = 0; i < c->nbackends; i++) {
		be = &c->backends[i];
		fputs("\nbackend ", out);
		cfg_dump_word(out, be->name);
		fprintf(out, "\n    mode %s\n", cfg_mode_name(be->mode));
		cfg_dump_timeouts(out, &be->timeouts, CFG_S_BACKEND);
		if (be->keepalive_pool_set || be->keepalive_pool != 0)
			fprintf(out, "    keepalive-pool %u\n",
			    be->keepalive_pool);
		cfg_dump_backend(out, be);
	}
}

/* ---- freeing ---- */

static void
cfg_free_tls(struct cfg_tls *t)
{
	free(t->ciphers);
	free(t->ciphersuites);
	free(t->curves);
	free(t->ticket_keys);
	free(t->ticket_secret);
}

static void
cfg_free_bind(struct cfg_bind *b)
{
	size_t i;

	for (i = 0; i < b->ncerts; i++) {
		free(b->certs[i].cert);
		free(b->certs[i].key);
		free(b->certs[i].ocsp);
	}
	free(b->certs);
	free(b->ca_file);
	free(b->crl_file);
	free(b->text);
	cfg_free_tls(&b->tls);
	free(b->alpn);
	free(b->proxy_from);
	free(b->crt_dir);
}

static void
cfg_free_cond(struct cfg_cond *c)
{
	free(c->arg);
	free(c->arg2);
}

static void
cfg_free_rules(struct cfg_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].value);
		cfg_free_cond(&r[i].cond);
	}
	free(r);
}

static void
cfg_free_frontend(struct cfg_frontend *fe)
{
	size_t i;

	for (i = 0; i < fe->nbinds; i++)
		cfg_free_bind(&fe->binds[i]);
	free(fe->binds);
	free(fe->name);
	free(fe->default_backend_name);
	cfg_free_rules(fe->req_rules, fe->nreq_rules);
	cfg_free_rules(fe->res_rules, fe->nres_rules);
	for (i = 0; i < fe->nroutes; i++) {
		free(fe->routes[i].backend_name);
		cfg_free_cond(&fe->routes[i].cond);
	}
	free(fe->routes);
	for (i = 0; i < fe->nerrorfiles; i++) {
		free(fe->errorfiles[i].path);
		free(fe->errorfiles[i].body);
	}
	free(fe->errorfiles);
	free(fe->hsts);
	free(fe->log_format);
	for (i = 0; i < CFG_NCERT_HDRS; i++)
		free(fe->cert_hdr[i]);
}

void
cfg_free(struct cfg *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nfrontends; i++)
		cfg_free_frontend(&c->frontends[i]);
	free(c->frontends);
	for (i = 0; i < c->nbackends; i++) {
		struct cfg_backend *be = &c->backends[i];

		for (j = 0; j < be->nservers; j++) {
			free(be->servers[j].name);
			free(be->servers[j].text);
			free(be->servers[j].host);
			free(be->servers[j].ca_file);
			free(be->servers[j].crt);
			free(be->servers[j].key);
			free(be->servers[j].sni);
		}
		free(be->servers);
		free(be->name);
		free(be->balance_hdr);
		free(be->check.method);
		free(be->check.path);
	}
	for (i = 0; i < c->nnameservers; i++)
		free(c->nameservers[i]);
	free(c->nameservers);
	free(c->backends);
	free(c->user);
	cfg_free_tls(&c->tls);
	free(c->file);
	free(c);
}
