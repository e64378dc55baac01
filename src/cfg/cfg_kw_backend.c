/* The keywords of a backend: balancing, servers and their options,
 * retries, active and passive checks, the server connection pool. */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

const char *const cfg_kw_backend_balances[] = {
	[CFG_LB_ROUNDROBIN] = "roundrobin", [CFG_LB_LEASTCONN] = "leastconn",
	[CFG_LB_SOURCE] = "source", [CFG_LB_URI] = "uri",
	[CFG_LB_HDR] = "hdr", [CFG_LB_RANDOM] = "random",
};
#define CFG_NBALANCES \
	(sizeof(cfg_kw_backend_balances) / sizeof(cfg_kw_backend_balances[0]))

/* "roundrobin", ..., "hdr(NAME)". */
static int
cfg_kw_backend_balance(struct cfg_parser *p, char **av)
{
	struct cfg_backend *be = cfg_parse_cur_be(p);
	size_t i, n;

	if (strncmp(av[1], "hdr(", 4) == 0) {
		n = strlen(av[1]);
		if (n < 6 || av[1][n - 1] != ')')
			return cfg_parse_fail(p, "balance: expected hdr(NAME), "
			    "got '%s'", av[1]);
		be->balance = CFG_LB_HDR;
		free(be->balance_hdr);
		if ((be->balance_hdr = strndup(av[1] + 4, n - 5)) == NULL)
			return cfg_parse_fail(p, "out of memory");
		return cfg_parse_field(p, "balance", be->balance_hdr, NULL);
	}
	for (i = 0; i < CFG_NBALANCES; i++)
		if (i != CFG_LB_HDR &&
		    strcmp(av[1], cfg_kw_backend_balances[i]) == 0) {
			be->balance = (enum cfg_balance)i;
			return 0;
		}
	return cfg_parse_fail(p, "balance: unknown algorithm '%s' (roundrobin, "
	    "leastconn, source, uri, hdr(NAME), random)", av[1]);
}

/* Server options without an argument. */
const struct cfg_kw_backend_srv_flag cfg_kw_backend_srv_flags[] = {
	{ "backup", CFG_SRV_F_BACKUP },
	{ "disabled", CFG_SRV_F_DISABLED },
	{ "check", CFG_SRV_F_CHECK },
	{ "ssl", CFG_SRV_F_SSL },
	{ "send-proxy", CFG_SRV_F_PROXY_V1 },
	{ "send-proxy-v2", CFG_SRV_F_PROXY_V2 },
	{ "resolve-optional", CFG_SRV_F_RESOLVE_OPT },
};

/* One option of "server" at av[*i] (and its argument, av[*i] moved on). */
static int
cfg_kw_backend_server_opt(struct cfg_parser *p, struct cfg_server *s, char **av,
    size_t *i)
{
	const char *opt = av[*i], *arg;
	char why[128];
	size_t j;

	for (j = 0; j < cfg_kw_backend_nsrv_flags; j++)
		if (strcmp(opt, cfg_kw_backend_srv_flags[j].name) == 0) {
			s->flags |= cfg_kw_backend_srv_flags[j].flag;
			return 0;
		}
	if (strcmp(opt, "weight") != 0 && strcmp(opt, "maxconn") != 0 &&
	    strcmp(opt, "verify") != 0 && strcmp(opt, "ca-file") != 0 &&
	    strcmp(opt, "crt") != 0 && strcmp(opt, "key") != 0 &&
	    strcmp(opt, "sni") != 0)
		return cfg_parse_fail(p, "server: unknown option '%s'", opt);
	if ((arg = av[++*i]) == NULL)
		return cfg_parse_fail(p, "server: '%s' needs an argument", opt);
	if (strcmp(opt, "weight") == 0 || strcmp(opt, "maxconn") == 0) {
		if (cfg_parse_uint(arg, 0, opt[0] == 'w' ? CFG_WEIGHT_MAX :
		    CFG_MAXCONN_MAX, opt[0] == 'w' ? &s->weight : &s->maxconn,
		    why, sizeof(why)) < 0)
			return cfg_parse_fail(p, "server: %s: %s", opt, why);
		return 0;
	}
	if (strcmp(opt, "verify") == 0) {
		if (strcmp(arg, "none") == 0)
			s->flags |= CFG_SRV_F_NO_VERIFY;
		else if (strcmp(arg, "required") == 0)
			s->flags &= ~CFG_SRV_F_NO_VERIFY;
		else
			return cfg_parse_fail(p, "server: verify: expected "
			    "none or required, got '%s'", arg);
		return 0;
	}
	if (strcmp(opt, "sni") == 0 && strcmp(arg, "client") == 0) {
		s->flags |= CFG_SRV_F_SNI_CLIENT;
		return 0;
	}
	return cfg_parse_set_str(p, strcmp(opt, "ca-file") == 0 ? &s->ca_file :
	    strcmp(opt, "crt") == 0 ? &s->crt : strcmp(opt, "key") == 0 ?
	    &s->key : &s->sni, arg);
}

static int
cfg_kw_backend_server(struct cfg_parser *p, char **av)
{
	struct cfg_backend *be = cfg_parse_cur_be(p);
	struct cfg_server *servers, *s;
	char why[NI_MAXHOST + 128];
	size_t i;

	if (av[1][0] == '\0')
		return cfg_parse_fail(p, "server: empty name");
	for (i = 0; i < be->nservers; i++)
		if (strcmp(be->servers[i].name, av[1]) == 0)
			return cfg_parse_fail(p, "duplicate server '%s' in "
			    "backend '%s'", av[1], be->name);
	if ((servers = cfg_parse_grow(be->servers, be->nservers,
	    sizeof(*s))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	be->servers = servers;
	s = &servers[be->nservers++];
	s->weight = CFG_DEF_WEIGHT;
	s->file = p->c->file;
	s->line = p->line;
	if (cfg_parse_set_str(p, &s->name, av[1]) < 0)
		return -1;
	if (cfg_parse_server_addr(av[2], s, why, sizeof(why)) < 0)
		return cfg_parse_fail(p, "server: %s", why);
	for (i = 3; av[i] != NULL; i++)
		if (cfg_kw_backend_server_opt(p, s, av, &i) < 0)
			return -1;
	/* TLS options without TLS would be silently ignored. */
	if (!(s->flags & CFG_SRV_F_SSL) && (s->ca_file != NULL ||
	    s->crt != NULL || s->key != NULL || s->sni != NULL ||
	    (s->flags & (CFG_SRV_F_NO_VERIFY | CFG_SRV_F_SNI_CLIENT))))
		return cfg_parse_fail(p, "server: 'verify', 'ca-file', 'crt', "
		    "'key' and 'sni' need 'ssl'");
	if (s->key != NULL && s->crt == NULL)
		return cfg_parse_fail(p, "server: 'key' needs 'crt'");
	if ((s->flags & CFG_SRV_F_PROXY_V1) && (s->flags & CFG_SRV_F_PROXY_V2))
		return cfg_parse_fail(p, "server: 'send-proxy' or "
		    "'send-proxy-v2', not both");
	if ((s->flags & CFG_SRV_F_RESOLVE_OPT) && s->host == NULL)
		return cfg_parse_fail(p, "server: 'resolve-optional' needs a "
		    "host name, not an address");
	return 0;
}

static int
cfg_kw_backend_retries(struct cfg_parser *p, char **av)
{
	cfg_parse_cur_be(p)->retries_set = 1;
	return cfg_parse_kw_uint(p, av, 0, 100, &cfg_parse_cur_be(p)->retries);
}

/* "check [tcp | http [METHOD] PATH] [expect [status] LO[-HI]]
 * [interval D] [timeout D] [rise N] [fall N]" */
static int
cfg_kw_backend_check(struct cfg_parser *p, char **av)
{
	struct cfg_check *k = &cfg_parse_cur_be(p)->check;
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
			if (cfg_parse_field(p, "check", av[i], NULL) < 0 ||
			    cfg_parse_set_str(p, &k->method, av[i++]) < 0)
				return -1;
		}
		if (av[i] == NULL || av[i][0] != '/')
			return cfg_parse_fail(p, "check: http needs a path "
			    "starting with '/'");
		if (strpbrk(av[i], " \t\r\n") != NULL)
			return cfg_parse_fail(p, "check: bad path '%s'", av[i]);
		if (cfg_parse_set_str(p, &k->path, av[i++]) < 0)
			return -1;
	}
	for (; av[i] != NULL; i++) {
		if (strcmp(av[i], "expect") == 0) {
			if (av[i + 1] != NULL &&
			    strcmp(av[i + 1], "status") == 0)
				i++;
			if (av[++i] == NULL)
				return cfg_parse_fail(p, "check: expect needs "
				    "a status or a range (200-399)");
			if ((dash = strchr(av[i], '-')) != NULL)
				*dash = '\0';
			if (cfg_parse_uint(av[i], 100, 599, &k->status_min,
			    why, sizeof(why)) < 0 ||
			    cfg_parse_uint(dash != NULL ?
			    dash + 1 : av[i], k->status_min, 599,
			    &k->status_max, why, sizeof(why)) < 0)
				return cfg_parse_fail(p, "check: expect: %s",
				    why);
			if (!k->http)
				return cfg_parse_fail(p, "check: expect needs "
				    "an http check");
			continue;
		}
		if (av[i + 1] == NULL)
			return cfg_parse_fail(p, "check: '%s' needs an "
			    "argument", av[i]);
		if (strcmp(av[i], "interval") == 0 ||
		    strcmp(av[i], "timeout") == 0) {
			if (cfg_parse_kw_duration(p, av[i], av[i + 1],
			    av[i][0] == 'i' ? &k->interval : &k->timeout) < 0)
				return -1;
		} else if (strcmp(av[i], "rise") == 0 ||
		    strcmp(av[i], "fall") == 0) {
			u = av[i][0] == 'r' ? &k->rise : &k->fall;
			if (cfg_parse_uint(av[i + 1], 1, 1000, u, why,
			    sizeof(why)) < 0)
				return cfg_parse_fail(p, "check: %s: %s", av[i],
				    why);
		} else
			return cfg_parse_fail(p, "check: unknown option '%s'",
			    av[i]);
		i++;
	}
	return 0;
}

static int
cfg_kw_backend_observe(struct cfg_parser *p, char **av)
{
	if (strcmp(av[1], "layer4") == 0)
		cfg_parse_cur_be(p)->observe = CFG_OBSERVE_LAYER4;
	else if (strcmp(av[1], "layer7") == 0)
		cfg_parse_cur_be(p)->observe = CFG_OBSERVE_LAYER7;
	else
		return cfg_parse_fail(p, "observe: expected layer4 or layer7, "
		    "got '%s'", av[1]);
	return 0;
}

static int
cfg_kw_backend_error_limit(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, 1, 100000,
	    &cfg_parse_cur_be(p)->error_limit);
}

static int
cfg_kw_backend_keepalive_pool(struct cfg_parser *p, char **av)
{
	cfg_parse_cur_be(p)->keepalive_pool_set = 1;
	if (cfg_parse_http_kw(p, "keepalive-pool", NULL) < 0)
		return -1;
	return cfg_parse_kw_uint(p, av, 0, 100000,
	    &cfg_parse_cur_be(p)->keepalive_pool);
}

const size_t cfg_kw_backend_nsrv_flags =
    sizeof(cfg_kw_backend_srv_flags) / sizeof(cfg_kw_backend_srv_flags[0]);

#define G CFG_S_GLOBAL
#define D CFG_S_DEFAULTS
#define F CFG_S_FRONTEND
#define B CFG_S_BACKEND
const struct cfg_kw cfg_kw_backend_kws[] = {
	{ "balance", B, 1, 1, "balance roundrobin|leastconn|source|uri|"
	    "hdr(NAME)|random", cfg_kw_backend_balance },
	{ "server", B, 2, -1, "server NAME ADDR:PORT [OPTION]...",
	    cfg_kw_backend_server },
	{ "retries", B, 1, 1, "retries N", cfg_kw_backend_retries },
	{ "check", B, 0, -1, "check [tcp | http [METHOD] PATH] "
	    "[expect LO[-HI]] [interval D] [timeout D] [rise N] [fall N]",
	    cfg_kw_backend_check },
	{ "observe", B, 1, 1, "observe layer4|layer7", cfg_kw_backend_observe },
	{ "error-limit", B, 1, 1, "error-limit N", cfg_kw_backend_error_limit },
	{ "keepalive-pool", B, 1, 1, "keepalive-pool N",
	    cfg_kw_backend_keepalive_pool },
};
#undef G
#undef D
#undef F
#undef B
const size_t cfg_kw_backend_nkws =
    sizeof(cfg_kw_backend_kws) / sizeof(cfg_kw_backend_kws[0]);
