/* The checks that need the whole file, and the defaults: cfg_finish(),
 * run by both loaders and by cli.c after the one-line options. Sections
 * inherit the defaults section's timeouts, frontends find their backends,
 * binds their files. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg_int.h"

static const struct cfg_timeouts cfg_check_def_timeouts = {
	.connect = CFG_DEF_T_CONNECT, .client = CFG_DEF_T_CLIENT,
	.server = CFG_DEF_T_SERVER, .handshake = CFG_DEF_T_HANDSHAKE,
	.http_request = CFG_DEF_T_HTTP_REQUEST,
	.http_keepalive = CFG_DEF_T_HTTP_KEEPALIVE,
	.server_idle = CFG_DEF_T_SERVER_IDLE,
};

static void
cfg_check_inherit(struct cfg_timeouts *t, const struct cfg_timeouts *from)
{
	unsigned int *f;
	size_t i;

	for (i = 0; i < cfg_kw_global_ntmos; i++)
		if (*(f = cfg_kw_global_tmo_field(t,
		    &cfg_kw_global_tmos[i])) == 0)
			*f = cfg_kw_global_tmo_get(from,
			    &cfg_kw_global_tmos[i]);
}

static unsigned int
cfg_check_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	/* Kept within what "workers" accepts, so that a dump loads back. */
	if (n < 1)
		return 1;
	return n > CFG_WORKERS_MAX ? CFG_WORKERS_MAX : (unsigned int)n;
}

/* <file> (of option <opt>) can be read. */
static int
cfg_check_readable(const struct cfg_bind *b, const char *opt,
    const char *file, char *err, size_t errlen)
{
	if (file == NULL || access(file, R_OK) == 0)
		return 0;
	return cfg_parse_errat(err, errlen, b->file, b->line, "bind '%s': "
	    "cannot read %s '%s': %s", b->text, opt, file, strerror(errno));
}

static int
cfg_check_bind(const struct cfg *c, const struct cfg_bind *b, char *err,
    size_t errlen)
{
	/* A bind's own ticket setting, keys or secret, replaces both
	 * global ones, as tls_bind_tickets() picks them. */
	int own = b->tls.ticket_keys != NULL || b->tls.ticket_secret != NULL;
	const char *keys = own ? b->tls.ticket_keys : c->tls.ticket_keys;
	const char *secret = own ? b->tls.ticket_secret :
	    c->tls.ticket_secret;
	size_t i;
	DIR *d;

	if (b->verify != CFG_VERIFY_NONE && b->ca_file == NULL)
		return cfg_parse_errat(err, errlen, b->file, b->line, "bind "
		    "'%s': verify %s needs a ca-file", b->text,
		    b->verify == CFG_VERIFY_OPTIONAL ? "optional" : "required");
	if (b->verify == CFG_VERIFY_NONE && (b->ca_file || b->crl_file))
		return cfg_parse_errat(err, errlen, b->file, b->line, "bind "
		    "'%s': '%s' needs verify optional or required", b->text,
		    b->ca_file ? "ca-file" : "crl-file");
	if ((b->flags & CFG_BIND_F_TLS) && keys != NULL && secret != NULL)
		return cfg_parse_errat(err, errlen, b->file, b->line, "bind "
		    "'%s': "
		    "tls-ticket-keys and tls-ticket-secret exclude each other",
		    b->text);
	if (cfg_check_readable(b, "ca-file", b->ca_file, err, errlen) < 0 ||
	    cfg_check_readable(b, "crl-file", b->crl_file, err, errlen) < 0)
		return -1;
	if ((b->flags & CFG_BIND_F_TLS) && (cfg_check_readable(b,
	    "tls-ticket-keys", keys, err, errlen) < 0 ||
	    cfg_check_readable(b, "tls-ticket-secret", secret, err,
	    errlen) < 0))
		return -1;

	if ((b->flags & CFG_BIND_F_TLS) && b->ncerts == 0 &&
	    b->crt_dir == NULL)
		return cfg_parse_errat(err, errlen, b->file, b->line,
		    "bind '%s': tls needs at least one cert", b->text);
	if (b->crt_dir != NULL) {
		if ((d = opendir(b->crt_dir)) == NULL)
			return cfg_parse_errat(err, errlen, b->file, b->line,
			    "bind '%s': cannot read crt-dir '%s': %s", b->text,
			    b->crt_dir, strerror(errno));
		closedir(d);
	}
	for (i = 0; i < b->ncerts; i++)
		if (cfg_check_readable(b, "cert", b->certs[i].cert, err,
		    errlen) < 0 || cfg_check_readable(b, "key",
		    b->certs[i].key, err, errlen) < 0 ||
		    cfg_check_readable(b, "ocsp-response", b->certs[i].ocsp,
		    err, errlen) < 0)
			return -1;
	return 0;
}

static struct cfg_backend *
cfg_check_find_backend(struct cfg *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nbackends; i++)
		if (strcmp(c->backends[i].name, name) == 0)
			return &c->backends[i];
	return NULL;
}

/* The backend <name> that frontend <fe> sends to, of the same mode, named
 * at line <line> (0: the frontend's own line). An unknown name is reported
 * where it was written. */
static struct cfg_backend *
cfg_check_fe_backend(struct cfg *c, struct cfg_frontend *fe, const char *name,
    int line, char *err, size_t errlen)
{
	struct cfg_backend *be = cfg_check_find_backend(c, name);

	if (be == NULL) {
		cfg_parse_errat(err, errlen, fe->file, line != 0 ? line :
		    fe->line, "frontend '%s': unknown backend '%s'", fe->name,
		    name);
		return NULL;
	}
	if (be->mode != fe->mode) {
		cfg_parse_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s' is mode %s but its backend '%s' is mode %s",
		    fe->name, cfg_lex_mode_name(fe->mode), be->name,
		    cfg_lex_mode_name(be->mode));
		return NULL;
	}
	return be;
}

/* Reads an errorfile's body; it must leave room for the status line and
 * header in one buffer. */
static int
cfg_check_errorfile(const struct cfg *c, const struct cfg_frontend *fe,
    struct cfg_errorfile *e, char *err, size_t errlen)
{
	char why[512];

	if (cfg_parse_read_file(e->path, &e->body, &e->len, why,
	    sizeof(why)) < 0)
		return cfg_parse_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': errorfile %u: %s", fe->name, e->status,
		    why);
	if (e->len > c->bufsize / 2)
		return cfg_parse_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': errorfile %u: '%s' is %zu bytes, more than "
		    "half of bufsize (%u)", fe->name, e->status, e->path,
		    e->len, c->bufsize / 2);
	return 0;
}

/* Whether the comma separated <list> holds <word>. */
static int
cfg_check_list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The first mode http keyword a mode tcp frontend holds, or NULL. */
static const char *
cfg_check_http_only(const struct cfg_frontend *fe)
{
	return fe->nroutes ? "use-backend" : fe->nreq_rules ? "http-request" :
	    fe->nres_rules ? "http-response" : fe->nerrorfiles ? "errorfile" :
	    fe->hsts ? "hsts" : fe->forwarded ? "option forwarded" :
	    fe->max_body ? "max-body-size" : fe->log_format ? "log-format" :
	    fe->cert_hdr[0] || fe->cert_hdr[1] || fe->cert_hdr[2] ||
	    fe->cert_hdr[3] || fe->cert_hdr[4] ? "client-cert-header" : NULL;
}

static int
cfg_check_frontend(struct cfg *c, struct cfg_frontend *fe, char *err,
    size_t errlen)
{
	const char *kw;
	size_t i;

	if (fe->nbinds == 0)
		return cfg_parse_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s' has no bind", fe->name);
	for (i = 0; i < fe->nbinds; i++) {
		if (cfg_check_bind(c, &fe->binds[i], err, errlen) < 0)
			return -1;
		if (fe->binds[i].verify != CFG_VERIFY_NONE)
			fe->client_certs = 1;
	}
	if (fe->mode == CFG_MODE_TCP && (kw = cfg_check_http_only(fe)) != NULL)
		return cfg_parse_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s': '%s' needs mode http", fe->name, kw);
	/* A client offered h2 would speak HTTP/2 to an HTTP/1.x reader. */
	for (i = 0; i < fe->nbinds && fe->mode == CFG_MODE_HTTP; i++)
		if (fe->binds[i].alpn != NULL &&
		    cfg_check_list_has(fe->binds[i].alpn, "h2"))
			return cfg_parse_errat(err, errlen, fe->binds[i].file,
			    fe->binds[i].line, "bind '%s': alpn offers h2, but "
			    "mode http speaks HTTP/1.x only",
			    fe->binds[i].text);
	/* In mode http a request no rule routes gets 404. */
	if (fe->default_backend_name == NULL && (fe->mode == CFG_MODE_TCP ||
	    fe->nroutes == 0))
		return cfg_parse_errat(err, errlen, fe->file, fe->line,
		    "frontend '%s' has no default-backend", fe->name);
	if (fe->default_backend_name != NULL && (fe->default_backend =
	    cfg_check_fe_backend(c, fe, fe->default_backend_name,
	    fe->default_backend_line, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < fe->nroutes; i++)
		if ((fe->routes[i].backend = cfg_check_fe_backend(c, fe,
		    fe->routes[i].backend_name, fe->routes[i].line, err,
		    errlen)) == NULL)
			return -1;
	for (i = 0; i < fe->nerrorfiles; i++)
		if (cfg_check_errorfile(c, fe, &fe->errorfiles[i], err,
		    errlen) < 0)
			return -1;
	return 0;
}

static int
cfg_check_backend(struct cfg_backend *be, char *err, size_t errlen)
{
	struct cfg_check *k = &be->check;

	if (be->nservers == 0)
		return cfg_parse_errat(err, errlen, be->file, be->line,
		    "backend '%s' has no server", be->name);
	if (be->mode == CFG_MODE_TCP && (be->balance == CFG_LB_URI ||
	    be->balance == CFG_LB_HDR))
		return cfg_parse_errat(err, errlen, be->file, be->line,
		    "backend '%s': balance %s needs mode http", be->name,
		    cfg_kw_backend_balances[be->balance]);
	if (be->mode == CFG_MODE_TCP && be->observe == CFG_OBSERVE_LAYER7)
		return cfg_parse_errat(err, errlen, be->file, be->line,
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
		return cfg_parse_errat(err, errlen, be->file, be->line,
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

/* Adds "file:line: warning: reason" to c->warnings. Returns 0, or -1
 * with "out of memory" in <err>. */
static int cfg_check_warn(struct cfg *c, char *err, size_t errlen,
    const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
cfg_check_warn(struct cfg *c, char *err, size_t errlen, const char *file,
    int line, const char *fmt, ...)
{
	char msg[512], **w;
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: warning: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((w = cfg_parse_grow(c->warnings, c->nwarnings,
	    sizeof(*w))) == NULL)
		return cfg_parse_errat(err, errlen, file, line,
		    "out of memory");
	c->warnings = w;
	if ((w[c->nwarnings] = strdup(msg)) == NULL)
		return cfg_parse_errat(err, errlen, file, line,
		    "out of memory");
	c->nwarnings++;
	return 0;
}

/* The keywords <kws> of a section of mode <mode> that only mode http
 * uses: each a warning in mode tcp, not an error, since the file still
 * means what it says for everything else. */
static int
cfg_check_mode_kws(struct cfg *c, const char *file, enum cfg_mode mode,
    const struct cfg_kwline *kws, size_t n, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n && mode == CFG_MODE_TCP; i++)
		if (cfg_check_warn(c, err, errlen, file, kws[i].line,
		    "%s%s%s has no effect in mode tcp", kws[i].kw,
		    kws[i].arg != NULL ? " " : "",
		    kws[i].arg != NULL ? kws[i].arg : "") < 0)
			return -1;
	return 0;
}

/* The family, port and address of bind <b>; an IPv4-mapped IPv6 address
 * is taken as the IPv4 address it maps. Sets <any> for a wildcard. */
static int
cfg_check_bind_addr(const struct cfg_bind *b, uint16_t *port,
    const unsigned char **addr, size_t *len, int *any)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	static const unsigned char zero[16];

	if (b->addr.ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)&b->addr;
		*port = sin6->sin6_port;
		*addr = sin6->sin6_addr.s6_addr;
		*len = 16;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			*addr += 12;
			*len = 4;
		}
	} else {
		sin = (const struct sockaddr_in *)(const void *)&b->addr;
		*port = sin->sin_port;
		*addr = (const unsigned char *)&sin->sin_addr;
		*len = 4;
	}
	*any = memcmp(*addr, zero, *len) == 0;
	return *len == 4 ? AF_INET : AF_INET6;
}

/* Whether <a> and <b> would listen on the same address: the same port,
 * and the same address, or a wildcard of the same family (the kernel
 * gives the wildcard every address of its port), or a [::] without
 * v6only, which takes every IPv4 address of its port too. */
static int
cfg_check_same_addr(const struct cfg_bind *a, const struct cfg_bind *b)
{
	const unsigned char *aa, *ba;
	size_t alen, blen;
	uint16_t ap, bp;
	int af, bf, aany, bany;

	af = cfg_check_bind_addr(a, &ap, &aa, &alen, &aany);
	bf = cfg_check_bind_addr(b, &bp, &ba, &blen, &bany);
	if (ap != bp)
		return 0;
	if (af == bf)
		return aany || bany || memcmp(aa, ba, alen) == 0;
	if (af == AF_INET6)
		return aany && !(a->flags & CFG_BIND_F_V6ONLY);
	return bany && !(b->flags & CFG_BIND_F_V6ONLY);
}

/* No two binds, of one frontend or of two, on the same address: with
 * SO_REUSEPORT the kernel would let both listen and share the
 * connections between them. The later one is reported, naming the
 * first. */
static int
cfg_check_addrs(const struct cfg *c, char *err, size_t errlen)
{
	const struct cfg_bind *a, *b;
	size_t fi, bi, fj, bj;
	char first[512];

	for (fi = 0; fi < c->nfrontends; fi++)
		for (bi = 0; bi < c->frontends[fi].nbinds; bi++) {
			b = &c->frontends[fi].binds[bi];
			for (fj = 0; fj <= fi; fj++)
				for (bj = 0; bj < (fj == fi ? bi :
				    c->frontends[fj].nbinds); bj++) {
					a = &c->frontends[fj].binds[bj];
					if (!cfg_check_same_addr(a, b))
						continue;
					if (a->line > 0)
						snprintf(first, sizeof(first),
						    "%s:%d", a->file, a->line);
					else
						snprintf(first, sizeof(first),
						    "bind %s", a->text);
					return cfg_parse_errat(err, errlen,
					    b->file, b->line, "bind %s: "
					    "address already used by %s",
					    b->text, first);
				}
		}
	return 0;
}

int
cfg_finish(struct cfg *c, char *err, size_t errlen)
{
	struct cfg_frontend *fe;
	struct cfg_backend *be;
	size_t i, j;
	int rc;

	/* Run again (cli.c, tests), it finds the same warnings again. */
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	c->warnings = NULL;
	c->nwarnings = 0;

	if (c->workers == 0) {
		c->workers = cfg_check_ncpus();
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
		return cfg_parse_errat(err, errlen, c->file, 0,
		    "http-rewrite-reserve "
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
	cfg_check_inherit(&c->defaults, &cfg_check_def_timeouts);

	if (c->nfrontends == 0)
		return cfg_parse_errat(err, errlen, c->file, 0,
		    "no frontend defined");
	for (i = 0; i < c->nbackends; i++) {
		be = &c->backends[i];
		if (!be->mode_set)
			be->mode = c->default_mode;
		if (!be->keepalive_pool_set)
			be->keepalive_pool = CFG_DEF_KEEPALIVE_POOL;
		cfg_check_inherit(&be->timeouts, &c->defaults);
		if (cfg_check_backend(be, err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < c->nfrontends; i++) {
		fe = &c->frontends[i];
		if (!fe->mode_set)
			fe->mode = c->default_mode;
		cfg_check_inherit(&fe->timeouts, &c->defaults);
		if (cfg_check_frontend(c, fe, err, errlen) < 0)
			return -1;
	}
	if (cfg_check_addrs(c, err, errlen) < 0)
		return -1;
	/* In the order of the file: frontends and backends by line. */
	for (i = 0, j = 0; i < c->nfrontends || j < c->nbackends;) {
		fe = i < c->nfrontends ? &c->frontends[i] : NULL;
		be = j < c->nbackends ? &c->backends[j] : NULL;
		if (fe != NULL && (be == NULL || fe->line < be->line)) {
			i++;
			rc = cfg_check_mode_kws(c, fe->file, fe->mode,
			    fe->http_kws, fe->nhttp_kws, err, errlen);
		} else {
			j++;
			rc = cfg_check_mode_kws(c, be->file, be->mode,
			    be->http_kws, be->nhttp_kws, err, errlen);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

