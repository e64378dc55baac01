/* The mode http keywords of a frontend: conditions, routes, request and
 * response rules, redirects, HSTS, errorfiles, body limit, log format,
 * client certificate header fields. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_int.h"

const struct cfg_kw_http_cond_def cfg_kw_http_conds[] = {
	{ "host", CFG_COND_HOST, 1 },
	{ "host-suffix", CFG_COND_HOST_SUFFIX, 1 },
	{ "path", CFG_COND_PATH, 1 },
	{ "path-prefix", CFG_COND_PATH_PREFIX, 1 },
	{ "header", CFG_COND_HEADER, -1 },
	{ "method", CFG_COND_METHOD, 1 },
	{ "tls", CFG_COND_TLS, 0 },
};

/* Reads "[if|unless [!]COND [ARG [ARG]]]" at <av> (NULL: no condition)
 * into <c>; nothing may follow. */
static int
cfg_kw_http_cond(struct cfg_parser *p, const char *kw, char **av,
    struct cfg_cond *c)
{
	const char *name;
	size_t i, n;

	if (av[0] == NULL)
		return 0;
	if (strcmp(av[0], "if") != 0 && strcmp(av[0], "unless") != 0)
		return cfg_parse_fail(p, "%s: unexpected '%s' (expected if or "
		    "unless)", kw, av[0]);
	c->neg = av[0][0] == 'u';
	av++;
	if (av[0] != NULL && strcmp(av[0], "!") == 0) {
		c->neg = !c->neg;
		av++;
	}
	if ((name = av[0]) == NULL)
		return cfg_parse_fail(p, "%s: missing condition after if or "
		    "unless", kw);
	if (name[0] == '!') {
		c->neg = !c->neg;
		name++;
	}
	for (i = 0; i < cfg_kw_http_nconds; i++)
		if (strcmp(name, cfg_kw_http_conds[i].name) == 0)
			break;
	if (i == cfg_kw_http_nconds)
		return cfg_parse_fail(p, "%s: unknown condition '%s' (host, "
		    "host-suffix, path, path-prefix, header, method or tls)",
		    kw, name);
	c->kind = cfg_kw_http_conds[i].kind;
	for (n = 0; av[1 + n] != NULL; n++)
		;
	if ((cfg_kw_http_conds[i].nargs >= 0 &&
	    n != (size_t)cfg_kw_http_conds[i].nargs) ||
	    (cfg_kw_http_conds[i].nargs < 0 && (n < 1 || n > 2)))
		return cfg_parse_fail(p, "%s: condition '%s' takes %s", kw,
		    name, cfg_kw_http_conds[i].nargs == 0 ? "no argument" :
		    cfg_kw_http_conds[i].nargs == 1 ? "one argument" :
		    "a field name and an optional value");
	if (c->kind == CFG_COND_HEADER && cfg_parse_field(p, kw, av[1],
	    av[2]) < 0)
		return -1;
	if ((n > 0 && cfg_parse_set_str(p, &c->arg, av[1]) < 0) ||
	    (n > 1 && cfg_parse_set_str(p, &c->arg2, av[2]) < 0))
		return -1;
	return 0;
}

static int
cfg_kw_http_use_backend(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	struct cfg_route *r;

	if (av[2] == NULL)
		return cfg_parse_fail(p, "use-backend: missing condition: "
		    "usage is "
		    "'use-backend NAME if|unless COND' (use default-backend "
		    "for the rest)");
	if ((r = cfg_parse_grow(fe->routes, fe->nroutes, sizeof(*r))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	fe->routes = r;
	r = &r[fe->nroutes++];
	r->line = p->line;
	if (cfg_parse_set_str(p, &r->backend_name, av[1]) < 0)
		return -1;
	return cfg_kw_http_cond(p, "use-backend", av + 2, &r->cond);
}

static struct cfg_rule *
cfg_kw_http_new_rule(struct cfg_parser *p, struct cfg_rule **rules, size_t *n)
{
	struct cfg_rule *r;

	if ((r = cfg_parse_grow(*rules, *n, sizeof(*r))) == NULL) {
		cfg_parse_fail(p, "out of memory");
		return NULL;
	}
	*rules = r;
	return &r[(*n)++];
}

/* "redirect https [code N] [if|unless COND]", at <av> = "redirect". */
static int
cfg_kw_http_redirect_rule(struct cfg_parser *p, char **av, struct cfg_rule *r)
{
	if (av[1] == NULL || strcmp(av[1], "https") != 0)
		return cfg_parse_fail(p, "redirect: usage is 'redirect https "
		    "[code 301|302|307|308] [if|unless COND]'");
	r->act = CFG_RULE_REDIRECT;
	r->code = 301;
	av += 2;
	if (av[0] != NULL && strcmp(av[0], "code") == 0) {
		if (av[1] == NULL || (strcmp(av[1], "301") != 0 &&
		    strcmp(av[1], "302") != 0 && strcmp(av[1], "307") != 0 &&
		    strcmp(av[1], "308") != 0))
			return cfg_parse_fail(p, "redirect: code must be 301, "
			    "302, 307 or 308");
		r->code = (unsigned int)atoi(av[1]);
		av += 2;
	}
	return cfg_kw_http_cond(p, "redirect", av, &r->cond);
}

static int
cfg_kw_http_redirect(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	struct cfg_rule *r;

	if ((r = cfg_kw_http_new_rule(p, &fe->req_rules,
	    &fe->nreq_rules)) == NULL)
		return -1;
	return cfg_kw_http_redirect_rule(p, av, r);
}

/* http-request and http-response: ACTION [ARGS] [if|unless COND]. */
static int
cfg_kw_http_rule(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	int req = strcmp(av[0], "http-request") == 0;
	const char *act = av[1];
	struct cfg_rule *r;
	size_t nargs;

	r = req ? cfg_kw_http_new_rule(p, &fe->req_rules, &fe->nreq_rules) :
	    cfg_kw_http_new_rule(p, &fe->res_rules, &fe->nres_rules);
	if (r == NULL)
		return -1;
	if (req && strcmp(act, "redirect") == 0)
		return cfg_kw_http_redirect_rule(p, av + 1, r);
	if (req && strcmp(act, "deny") == 0) {
		r->act = CFG_RULE_DENY;
		return cfg_kw_http_cond(p, av[0], av + 2, &r->cond);
	}
	if (strcmp(act, "add-header") == 0)
		r->act = CFG_RULE_ADD;
	else if (strcmp(act, "set-header") == 0)
		r->act = CFG_RULE_SET;
	else if (strcmp(act, "del-header") == 0)
		r->act = CFG_RULE_DEL;
	else
		return cfg_parse_fail(p, "%s: unknown action '%s' (add-header, "
		    "set-header, del-header%s)", av[0], act,
		    req ? ", deny or redirect" : "");
	nargs = r->act == CFG_RULE_DEL ? 1 : 2;
	if (av[2] == NULL || (nargs == 2 && av[3] == NULL))
		return cfg_parse_fail(p, "%s %s: usage is '%s %s NAME%s'",
		    av[0], act, av[0], act, nargs == 2 ? " VALUE" : "");
	if (cfg_parse_field(p, av[0], av[2], nargs == 2 ? av[3] : NULL) < 0 ||
	    cfg_parse_set_str(p, &r->name, av[2]) < 0 ||
	    (nargs == 2 && cfg_parse_set_str(p, &r->value, av[3]) < 0))
		return -1;
	if (!req && av[2 + nargs] != NULL)
		return cfg_parse_fail(p, "%s: unexpected '%s' (response rules "
		    "take no condition)", av[0], av[2 + nargs]);
	return cfg_kw_http_cond(p, av[0], av + 2 + nargs, &r->cond);
}

static int
cfg_kw_http_hsts(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	unsigned int age;
	char v[128];
	size_t i, off;

	if (cfg_parse_kw_uint(p, av, 0, 1000000000, &age) < 0)
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
			return cfg_parse_fail(p, "hsts: unknown option '%s' "
			    "(include-subdomains or preload)", av[i]);
	}
	return cfg_parse_set_str(p, &fe->hsts, v);
}

static int
cfg_kw_http_option(struct cfg_parser *p, char **av)
{
	if (strcmp(av[1], "forwarded") != 0)
		return cfg_parse_fail(p, "option: unknown option '%s' "
		    "(forwarded)", av[1]);
	cfg_parse_cur_fe(p)->forwarded = 1;
	return 0;
}

/* The statuses gatehouse writes itself, the only ones an errorfile can
 * replace: http_parse.c's request errors (400, 414, 431, 501 for CONNECT,
 * 505), http_req.c's (403 deny, 404 no route, 413 max-body-size),
 * session.c's (408 request timeout, 502 server failure, 503 no server or
 * queue timeout, 504 response timeout). Nothing answers 500. */
static const unsigned int cfg_kw_http_err_statuses[] = {
	400, 403, 404, 408, 413, 414, 431, 501, 502, 503, 504, 505,
};
#define CFG_NERR_STATUSES \
	(sizeof(cfg_kw_http_err_statuses) / sizeof(cfg_kw_http_err_statuses[0]))

static int
cfg_kw_http_errorfile(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	struct cfg_errorfile *e;
	unsigned int status;
	char list[128];
	size_t i, off = 0;

	if (cfg_parse_kw_uint(p, av, 100, 599, &status) < 0)
		return -1;
	for (i = 0; i < CFG_NERR_STATUSES; i++)
		if (cfg_kw_http_err_statuses[i] == status)
			break;
	if (i == CFG_NERR_STATUSES) {
		for (i = 0; i < CFG_NERR_STATUSES && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%u", i == 0 ? "" : i + 1 == CFG_NERR_STATUSES ?
			    " or " : ", ", cfg_kw_http_err_statuses[i]);
		return cfg_parse_fail(p, "errorfile: gatehouse never answers "
		    "%u (%s)", status, list);
	}
	for (i = 0; i < fe->nerrorfiles; i++)
		if (fe->errorfiles[i].status == status)
			return cfg_parse_fail(p, "errorfile: second file for "
			    "%u", status);
	if ((e = cfg_parse_grow(fe->errorfiles, fe->nerrorfiles, sizeof(*e))) ==
	    NULL)
		return cfg_parse_fail(p, "out of memory");
	fe->errorfiles = e;
	e = &e[fe->nerrorfiles++];
	e->status = status;
	return cfg_parse_set_str(p, &e->path, av[2]);
}

static int
cfg_kw_http_max_body(struct cfg_parser *p, char **av)
{
	uint64_t v;
	int rc;

	if ((rc = cfg_lex_size(av[1], &v)) == -EINVAL)
		return cfg_parse_fail(p, "max-body-size: expected a size, got "
		    "'%s'", av[1]);
	if (rc < 0)
		return cfg_parse_fail(p, "max-body-size: expected a size above "
		    "0 (with k, m or g), got '%s'", av[1]);
	cfg_parse_cur_fe(p)->max_body = v;
	return 0;
}

/* The variables of log-format, as proto_http.c expands them. */
static const char *const cfg_kw_http_log_vars[] = {
	"client", "frontend", "backend", "server", "tls", "cipher", "request",
	"host", "status", "bytes", "ttfb", "duration", "end", "why",
};
#define CFG_NLOG_VARS \
	(sizeof(cfg_kw_http_log_vars) / sizeof(cfg_kw_http_log_vars[0]))

static int
cfg_kw_http_log_format(struct cfg_parser *p, char **av)
{
	const char *s;
	size_t i, n;

	for (s = av[1]; (s = strchr(s, '$')) != NULL; s += n) {
		for (n = 1; (s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'; n++)
			;
		for (i = 0; i < CFG_NLOG_VARS; i++)
			if (strlen(cfg_kw_http_log_vars[i]) == n - 1 &&
			    strncmp(cfg_kw_http_log_vars[i], s + 1, n - 1) == 0)
				break;
		if (i == CFG_NLOG_VARS)
			return cfg_parse_fail(p, "log-format: unknown variable "
			    "'$%.*s'", (int)(n - 1), s + 1);
	}
	return cfg_parse_set_str(p, &cfg_parse_cur_fe(p)->log_format, av[1]);
}

const char *const cfg_cert_hdr_fields[CFG_NCERT_HDRS] = {
	"verify", "subject", "issuer", "serial", "sha256",
};
const char *const cfg_cert_hdr_defaults[CFG_NCERT_HDRS] = {
	"X-SSL-Client-Verify", "X-SSL-Client-Subject", "X-SSL-Client-Issuer",
	"X-SSL-Client-Serial", "X-SSL-Client-SHA256",
};

static int
cfg_kw_http_client_cert_header(struct cfg_parser *p, char **av)
{
	static const char *const framing[] = {
		"content-length", "transfer-encoding", "host", "connection",
		"keep-alive", "proxy-connection", "te", "trailer", "upgrade",
		"expect", "x-forwarded-for", "x-forwarded-proto", "forwarded",
	};
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	size_t i, j;

	for (i = 0; i < CFG_NCERT_HDRS; i++)
		if (strcmp(av[1], cfg_cert_hdr_fields[i]) == 0)
			break;
	if (i == CFG_NCERT_HDRS)
		return cfg_parse_fail(p, "client-cert-header: expected verify, "
		    "subject, issuer, serial or sha256, got '%s'", av[1]);
	if (cfg_parse_field(p, "client-cert-header", av[2], NULL) < 0)
		return -1;
	/* The field replaces any the client sends: never one that frames
	 * or routes the request, or that gatehouse writes itself. */
	for (j = 0; j < sizeof(framing) / sizeof(framing[0]); j++)
		if (strcasecmp(av[2], framing[j]) == 0)
			return cfg_parse_fail(p, "client-cert-header: '%s' "
			    "cannot carry a certificate field", av[2]);
	for (j = 0; j < CFG_NCERT_HDRS; j++)
		if (j != i && strcasecmp(av[2], fe->cert_hdr[j] != NULL ?
		    fe->cert_hdr[j] : cfg_cert_hdr_defaults[j]) == 0)
			return cfg_parse_fail(p, "client-cert-header: '%s' "
			    "already carries the %s field", av[2],
			    cfg_cert_hdr_fields[j]);
	return cfg_parse_set_str(p, &fe->cert_hdr[i], av[2]);
}

const size_t cfg_kw_http_nconds =
    sizeof(cfg_kw_http_conds) / sizeof(cfg_kw_http_conds[0]);

#define G CFG_S_GLOBAL
#define D CFG_S_DEFAULTS
#define F CFG_S_FRONTEND
#define B CFG_S_BACKEND
const struct cfg_kw cfg_kw_http_kws[] = {
	{ "client-cert-header", F, 2, 2, "client-cert-header FIELD NAME",
	    cfg_kw_http_client_cert_header },
	{ "use-backend", F, 1, -1, "use-backend NAME if|unless COND",
	    cfg_kw_http_use_backend },
	{ "redirect", F, 1, -1, "redirect https [code N] [if|unless COND]",
	    cfg_kw_http_redirect },
	{ "http-request", F, 1, -1, "http-request ACTION [ARG]... "
	    "[if|unless COND]", cfg_kw_http_rule },
	{ "http-response", F, 1, -1, "http-response ACTION [ARG]...",
	    cfg_kw_http_rule },
	{ "hsts", F, 1, 3, "hsts MAX-AGE [include-subdomains] [preload]",
	    cfg_kw_http_hsts },
	{ "option", F, 1, 1, "option forwarded", cfg_kw_http_option },
	{ "errorfile", F, 2, 2, "errorfile STATUS FILE",
	    cfg_kw_http_errorfile },
	{ "max-body-size", F, 1, 1, "max-body-size SIZE",
	    cfg_kw_http_max_body },
	{ "log-format", F, 1, 1, "log-format STRING", cfg_kw_http_log_format },
};
#undef G
#undef D
#undef F
#undef B
const size_t cfg_kw_http_nkws =
    sizeof(cfg_kw_http_kws) / sizeof(cfg_kw_http_kws[0]);
