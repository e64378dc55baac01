/* The parser's helpers that every keyword family uses (messages, the
 * current section, growing arrays, values), reading a file, and freeing
 * a configuration. The lines themselves are read by cfg_load.c, which
 * sits above the families. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

/* ---- messages ---- */

static void
cfg_parse_vmsg(char *err, size_t errlen, const char *file, int line,
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
int
cfg_parse_errat(char *err, size_t errlen, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_parse_vmsg(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same at the line being parsed. Returns -1. */
int
cfg_parse_fail(struct cfg_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_parse_vmsg(p->err, p->errlen, p->c->file, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* Returns <arr> (holding <n> elements of <size> bytes) grown by one zeroed
 * element, or NULL with <arr> untouched. */
void *
cfg_parse_grow(void *arr, size_t n, size_t size)
{
	char *a = reallocarray(arr, n + 1, size);

	if (a != NULL)
		memset(a + n * size, 0, size);
	return a;
}

int
cfg_parse_set_str(struct cfg_parser *p, char **dst, const char *s)
{
	char *dup = strdup(s);

	if (dup == NULL)
		return cfg_parse_fail(p, "out of memory");
	free(*dst);
	*dst = dup;
	return 0;
}

struct cfg_frontend *
cfg_parse_cur_fe(struct cfg_parser *p)
{
	return &p->c->frontends[p->c->nfrontends - 1];
}

struct cfg_backend *
cfg_parse_cur_be(struct cfg_parser *p)
{
	return &p->c->backends[p->c->nbackends - 1];
}

struct cfg_timeouts *
cfg_parse_cur_timeouts(struct cfg_parser *p)
{
	if (p->sec == CFG_S_FRONTEND)
		return &cfg_parse_cur_fe(p)->timeouts;
	if (p->sec == CFG_S_BACKEND)
		return &cfg_parse_cur_be(p)->timeouts;
	return &p->c->defaults;
}

/* "defaults or a backend": where a keyword of mask <where> is valid. */
const char *
cfg_parse_where(unsigned int where, char *buf, size_t len)
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

/* Notes that keyword <kw> (<arg>: its first word, or NULL; both static)
 * at the current line only matters in mode http, for cfg_finish() to warn
 * about when the section turns out to be mode tcp. Only frontends and
 * backends have a mode of their own. */
int
cfg_parse_http_kw(struct cfg_parser *p, const char *kw, const char *arg)
{
	struct cfg_kwline **kws, *k;
	size_t *n;

	if (p->sec == CFG_S_FRONTEND) {
		kws = &cfg_parse_cur_fe(p)->http_kws;
		n = &cfg_parse_cur_fe(p)->nhttp_kws;
	} else if (p->sec == CFG_S_BACKEND) {
		kws = &cfg_parse_cur_be(p)->http_kws;
		n = &cfg_parse_cur_be(p)->nhttp_kws;
	} else
		return 0;
	if ((k = cfg_parse_grow(*kws, *n, sizeof(*k))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	*kws = k;
	k[*n].kw = kw;
	k[*n].arg = arg;
	k[*n].line = p->line;
	(*n)++;
	return 0;
}

int
cfg_parse_kw_uint(struct cfg_parser *p, char **av, unsigned int min,
    unsigned int max, unsigned int *out)
{
	char why[128];

	if (cfg_parse_uint(av[1], min, max, out, why, sizeof(why)) < 0)
		return cfg_parse_fail(p, "%s: %s", av[0], why);
	return 0;
}

/* A timeout of 0 would read as "not set" and silently become the
 * default, so it is refused. */
int
cfg_parse_kw_duration(struct cfg_parser *p, const char *what, const char *s,
    unsigned int *out)
{
	char why[128];
	unsigned int ms = 0;

	if (cfg_parse_duration(s, &ms, why, sizeof(why)) < 0)
		return cfg_parse_fail(p, "%s: %s", what, why);
	if (ms == 0)
		return cfg_parse_fail(p, "%s: must be more than 0", what);
	*out = ms;
	return 0;
}

/* A field name is a token (RFC 9110 5.1); a value has no control byte. */
int
cfg_parse_field(struct cfg_parser *p, const char *kw, const char *name,
    const char *value)
{
	const unsigned char *c;

	if (*name == '\0')
		return cfg_parse_fail(p, "%s: empty field name", kw);
	for (c = (const unsigned char *)name; *c != '\0'; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}",
		    *c) != NULL)
			return cfg_parse_fail(p, "%s: bad field name '%s'", kw,
			    name);
	for (c = (const unsigned char *)value; c != NULL && *c != '\0'; c++)
		if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
			return cfg_parse_fail(p, "%s: control byte in the "
			    "value of '%s'", kw, name);
	return 0;
}

/* Reads all of <path> into a new buffer. Returns 0 or -1 with <err>. */
int
cfg_parse_read_file(const char *path, char **out, size_t *outlen, char *err,
    size_t errlen)
{
	FILE *f;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		return cfg_parse_errat(err, errlen, path, 0, "cannot open: %s",
		    strerror(errno));
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 16384;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				cfg_parse_errat(err, errlen, path, 0,
				    "out of memory");
				goto err_free_buf;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		cfg_parse_errat(err, errlen, path, 0, "cannot read: %s",
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

static void
cfg_parse_free_tls(struct cfg_tls *t)
{
	free(t->ciphers);
	free(t->ciphersuites);
	free(t->curves);
	free(t->ticket_keys);
	free(t->ticket_secret);
}

static void
cfg_parse_free_bind(struct cfg_bind *b)
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
	cfg_parse_free_tls(&b->tls);
	free(b->alpn);
	free(b->proxy_from);
	free(b->crt_dir);
}

static void
cfg_parse_free_cond(struct cfg_cond *c)
{
	free(c->arg);
	free(c->arg2);
}

static void
cfg_parse_free_rules(struct cfg_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].value);
		cfg_parse_free_cond(&r[i].cond);
	}
	free(r);
}

static void
cfg_parse_free_frontend(struct cfg_frontend *fe)
{
	size_t i;

	for (i = 0; i < fe->nbinds; i++)
		cfg_parse_free_bind(&fe->binds[i]);
	free(fe->binds);
	free(fe->name);
	free(fe->default_backend_name);
	cfg_parse_free_rules(fe->req_rules, fe->nreq_rules);
	cfg_parse_free_rules(fe->res_rules, fe->nres_rules);
	for (i = 0; i < fe->nroutes; i++) {
		free(fe->routes[i].backend_name);
		cfg_parse_free_cond(&fe->routes[i].cond);
	}
	free(fe->routes);
	for (i = 0; i < fe->nerrorfiles; i++) {
		free(fe->errorfiles[i].path);
		free(fe->errorfiles[i].body);
	}
	free(fe->errorfiles);
	free(fe->hsts);
	free(fe->log_format);
	free(fe->http_kws);
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
		cfg_parse_free_frontend(&c->frontends[i]);
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
		free(be->http_kws);
	}
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	for (i = 0; i < c->nnameservers; i++)
		free(c->nameservers[i]);
	free(c->nameservers);
	free(c->backends);
	free(c->user);
	cfg_parse_free_tls(&c->tls);
	free(c->file);
	free(c);
}

