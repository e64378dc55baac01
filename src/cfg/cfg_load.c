/* Reading the configuration: the lines of a file or a buffer, each
 * dispatched to the keyword table of its family (cfg_kw_*.c), the
 * sections, then the checks that need the whole file (cfg_check.c's
 * cfg_finish()).
 *
 * A line is split into words (cfg_lex.c), the first word picks a keyword,
 * and its table entry says in which sections it is valid and how many
 * arguments it takes, so that every handler only deals with meaning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

static int
cfg_load_kw_section(struct cfg_parser *p, char **av)
{
	p->sec = strcmp(av[0], "global") == 0 ? CFG_S_GLOBAL : CFG_S_DEFAULTS;
	return 0;
}

static int
cfg_load_kw_frontend(struct cfg_parser *p, char **av)
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
cfg_load_kw_backend(struct cfg_parser *p, char **av)
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
cfg_load_kw_default_backend(struct cfg_parser *p, char **av)
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
static const struct cfg_kw cfg_load_kws[] = {
	{ "global", 0, 0, 0, "global", cfg_load_kw_section },
	{ "defaults", 0, 0, 0, "defaults", cfg_load_kw_section },
	{ "frontend", 0, 1, 1, "frontend NAME", cfg_load_kw_frontend },
	{ "backend", 0, 1, 1, "backend NAME", cfg_load_kw_backend },
	{ "default-backend", F, 1, 1, "default-backend NAME",
	    cfg_load_kw_default_backend },
};
#undef G
#undef D
#undef F
#undef B
static const size_t cfg_load_nkws =
    sizeof(cfg_load_kws) / sizeof(cfg_load_kws[0]);

/* Every keyword family; a keyword is in one only. */
static const struct {
	const struct cfg_kw *kws;
	const size_t *n;
} cfg_load_families[] = {
	{ cfg_load_kws, &cfg_load_nkws },
	{ cfg_kw_global_kws, &cfg_kw_global_nkws },
	{ cfg_kw_bind_kws, &cfg_kw_bind_nkws },
	{ cfg_kw_backend_kws, &cfg_kw_backend_nkws },
	{ cfg_kw_http_kws, &cfg_kw_http_nkws },
};
#define CFG_LOAD_NFAMILIES \
	(sizeof(cfg_load_families) / sizeof(cfg_load_families[0]))

/* Runs one statement, <av> holding <ac> words and a NULL. */
static int
cfg_load_statement(struct cfg_parser *p, int ac, char **av)
{
	const struct cfg_kw *k = NULL;
	char where[64];
	size_t i, j;

	for (i = 0; i < CFG_LOAD_NFAMILIES && k == NULL; i++)
		for (j = 0; j < *cfg_load_families[i].n && k == NULL; j++)
			if (strcmp(av[0],
			    cfg_load_families[i].kws[j].name) == 0)
				k = &cfg_load_families[i].kws[j];
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
cfg_load_lines(struct cfg_parser *p, const char *buf, size_t len)
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
			rc = cfg_load_statement(p, nw, words);
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
	if (cfg_load_lines(&p, buf, len) < 0 || cfg_finish(c, err, errlen) < 0)
		goto err_free_cfg;
	return c;
err_free_cfg:
	cfg_free(c);
	return NULL;
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
