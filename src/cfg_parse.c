/* Reading the configuration: sections, the dispatch of each line to the
 * keyword tables of the families (cfg_kw_*.c), loading a file or a
 * buffer, the helpers every family uses, and freeing.
 *
 * A line is split into words (cfg_lex.c), the first word picks a keyword,
 * and its table entry says in which sections it is valid and how many
 * arguments it takes, so that every handler only deals with meaning. The
 * checks that need the whole file are cfg_check.c's cfg_finish(). */
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

static int
cfg_parse_kw_section(struct cfg_parser *p, char **av)
{
	p->sec = strcmp(av[0], "global") == 0 ? CFG_S_GLOBAL : CFG_S_DEFAULTS;
	return 0;
}

static int
cfg_parse_kw_frontend(struct cfg_parser *p, char **av)
{
	struct cfg *c = p->c;
	struct cfg_frontend *fes;
	size_t i;

	if (av[1][0] == '\0')
		return cfg_parse_fail(p, "frontend: empty name");
	for (i = 0; i < c->nfrontends; i++)
		if (strcmp(c->frontends[i].name, av[1]) == 0)
			return cfg_parse_fail(p, "duplicate frontend '%s' "
			    "(first declared at line %d)", av[1],
			    c->frontends[i].line);
	if ((fes = cfg_parse_grow(c->frontends, c->nfrontends,
	    sizeof(*fes))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	c->frontends = fes;
	fes[c->nfrontends].file = c->file;
	fes[c->nfrontends].line = p->line;
	c->nfrontends++;
	p->sec = CFG_S_FRONTEND;
	return cfg_parse_set_str(p, &fes[c->nfrontends - 1].name, av[1]);
}

static int
cfg_parse_kw_backend(struct cfg_parser *p, char **av)
{
	struct cfg *c = p->c;
	struct cfg_backend *bes;
	size_t i;

	if (av[1][0] == '\0')
		return cfg_parse_fail(p, "backend: empty name");
	for (i = 0; i < c->nbackends; i++)
		if (strcmp(c->backends[i].name, av[1]) == 0)
			return cfg_parse_fail(p, "duplicate backend '%s' "
			    "(first "
			    "declared at line %d)", av[1], c->backends[i].line);
	if ((bes = cfg_parse_grow(c->backends, c->nbackends,
	    sizeof(*bes))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	c->backends = bes;
	bes[c->nbackends].file = c->file;
	bes[c->nbackends].line = p->line;
	c->nbackends++;
	p->sec = CFG_S_BACKEND;
	return cfg_parse_set_str(p, &bes[c->nbackends - 1].name, av[1]);
}

static int
cfg_parse_kw_default_backend(struct cfg_parser *p, char **av)
{
	cfg_parse_cur_fe(p)->default_backend_line = p->line;
	return cfg_parse_set_str(p, &cfg_parse_cur_fe(p)->default_backend_name,
	    av[1]);
}

#define G CFG_S_GLOBAL
#define D CFG_S_DEFAULTS
#define F CFG_S_FRONTEND
#define B CFG_S_BACKEND
/* The keywords that open a section, and default-backend. */
static const struct cfg_kw cfg_parse_kws[] = {
	{ "global", 0, 0, 0, "global", cfg_parse_kw_section },
	{ "defaults", 0, 0, 0, "defaults", cfg_parse_kw_section },
	{ "frontend", 0, 1, 1, "frontend NAME", cfg_parse_kw_frontend },
	{ "backend", 0, 1, 1, "backend NAME", cfg_parse_kw_backend },
	{ "default-backend", F, 1, 1, "default-backend NAME",
	    cfg_parse_kw_default_backend },
};
#undef G
#undef D
#undef F
#undef B
static const size_t cfg_parse_nkws =
    sizeof(cfg_parse_kws) / sizeof(cfg_parse_kws[0]);

/* Every keyword family; a keyword is in one only. */
static const struct {
	const struct cfg_kw *kws;
	const size_t *n;
} cfg_parse_families[] = {
	{ cfg_parse_kws, &cfg_parse_nkws },
	{ cfg_kw_global_kws, &cfg_kw_global_nkws },
	{ cfg_kw_bind_kws, &cfg_kw_bind_nkws },
	{ cfg_kw_backend_kws, &cfg_kw_backend_nkws },
	{ cfg_kw_http_kws, &cfg_kw_http_nkws },
};
#define CFG_PARSE_NFAMILIES \
	(sizeof(cfg_parse_families) / sizeof(cfg_parse_families[0]))

/* Runs one statement, <av> holding <ac> words and a NULL. */
static int
cfg_parse_statement(struct cfg_parser *p, int ac, char **av)
{
	const struct cfg_kw *k = NULL;
	char where[64];
	size_t i, j;

	for (i = 0; i < CFG_PARSE_NFAMILIES && k == NULL; i++)
		for (j = 0; j < *cfg_parse_families[i].n && k == NULL; j++)
			if (strcmp(av[0],
			    cfg_parse_families[i].kws[j].name) == 0)
				k = &cfg_parse_families[i].kws[j];
	if (k == NULL)
		return cfg_parse_fail(p, "unknown keyword '%s'", av[0]);
	if (k->where != 0 && p->sec == 0)
		return cfg_parse_fail(p, "'%s' before any section (start one "
		    "with global, defaults, frontend or backend)", av[0]);
	if (k->where != 0 && !(k->where & p->sec))
		return cfg_parse_fail(p, "'%s' is only valid in %s", av[0],
		    cfg_parse_where(k->where, where, sizeof(where)));
	if (ac - 1 < k->min)
		return cfg_parse_fail(p, "missing argument: usage is '%s'",
		    k->usage);
	if (k->max >= 0 && ac - 1 > k->max)
		return cfg_parse_fail(p, "extra argument '%s': usage is '%s'",
		    av[k->max + 1], k->usage);
	return k->fn(p, av);
}

static int
cfg_parse(struct cfg_parser *p, const char *buf, size_t len)
{
	const char *pos = buf, *end = buf + len, *nl;
	char *words[CFG_LEX_WORDS_MAX + 1];
	char *scratch, why[128];
	size_t n;
	int nw, rc = 0;

	if ((scratch = malloc(CFG_LINE_MAX + 1)) == NULL)
		return cfg_parse_fail(p, "out of memory");
	for (p->line = 1; pos < end && rc == 0; p->line++) {
		nl = memchr(pos, '\n', (size_t)(end - pos));
		n = (size_t)((nl != NULL ? nl : end) - pos);
		if (n > CFG_LINE_MAX)
			rc = cfg_parse_fail(p, "line too long (more than %d "
			    "bytes)", CFG_LINE_MAX);
		else if (memchr(pos, '\0', n) != NULL)
			rc = cfg_parse_fail(p, "NUL byte in line");
		else if ((nw = cfg_lex_split(pos, n, scratch, words, why,
		    sizeof(why))) < 0)
			rc = cfg_parse_fail(p, "%s", why);
		else if (nw > 0) {
			words[nw] = NULL;
			rc = cfg_parse_statement(p, nw, words);
		}
		pos = nl != NULL ? nl + 1 : end;
	}
	free(scratch);
	return rc;
}

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

struct cfg *
cfg_load_file(const char *path, char *err, size_t errlen)
{
	struct cfg *c;
	char *buf = NULL;
	size_t len = 0;

	if (cfg_parse_read_file(path, &buf, &len, err, errlen) < 0)
		return NULL;
	c = cfg_load_buf(path, buf, len, err, errlen);
	free(buf);
	return c;
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

