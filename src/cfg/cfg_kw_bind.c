/* The "bind" line of a frontend and its options: address, flags,
 * certificates, client certificates, TLS settings (shared with the global
 * ones), who may send a PROXY header. */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

/* Flag options of "bind": those that take no argument. */
const struct cfg_kw_bind_flag cfg_kw_bind_flags[] = {
	{ "tls", CFG_BIND_F_TLS },
	{ "keepalive", CFG_BIND_F_KEEPALIVE },
	{ "original-dst", CFG_BIND_F_ORIGDST },
	{ "v6only", CFG_BIND_F_V6ONLY },
	{ "accept-proxy", CFG_BIND_F_ACCEPT_PROXY },
	{ "strict-sni", CFG_BIND_F_STRICT_SNI },
};

static int
cfg_kw_bind_cert(struct cfg_parser *p, struct cfg_bind *b, const char *file)
{
	struct cfg_cert *certs;

	if ((certs = cfg_parse_grow(b->certs, b->ncerts,
	    sizeof(*certs))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	b->certs = certs;
	b->ncerts++;
	b->flags |= CFG_BIND_F_TLS;
	return cfg_parse_set_str(p, &certs[b->ncerts - 1].cert, file);
}

static int
cfg_kw_bind_key(struct cfg_parser *p, struct cfg_bind *b, const char *file)
{
	struct cfg_cert *last = b->ncerts ? &b->certs[b->ncerts - 1] : NULL;

	if (last == NULL)
		return cfg_parse_fail(p, "bind: 'key' must follow a 'cert'");
	if (last->key != NULL)
		return cfg_parse_fail(p, "bind: second 'key' for cert '%s'",
		    last->cert);
	return cfg_parse_set_str(p, &last->key, file);
}

/* Client certificates, and the OCSP response of the last "cert". */
static const char *const cfg_kw_bind_client_cert_opts[] = {
	"verify", "ca-file", "crl-file", "ocsp-response",
};
const char *const cfg_kw_bind_verifies[] = {
	[CFG_VERIFY_NONE] = "none", [CFG_VERIFY_OPTIONAL] = "optional",
	[CFG_VERIFY_REQUIRED] = "required",
};

static int
cfg_kw_bind_is_client_cert_opt(const char *opt)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(opt, cfg_kw_bind_client_cert_opts[i]) == 0)
			return 1;
	return 0;
}

static int
cfg_kw_bind_client_cert_opt(struct cfg_parser *p, struct cfg_bind *b,
    const char *opt, const char *arg)
{
	size_t i;

	if (strcmp(opt, "ca-file") == 0)
		return cfg_parse_set_str(p, &b->ca_file, arg);
	if (strcmp(opt, "crl-file") == 0)
		return cfg_parse_set_str(p, &b->crl_file, arg);
	if (strcmp(opt, "ocsp-response") == 0) {
		if (b->ncerts == 0)
			return cfg_parse_fail(p, "bind: 'ocsp-response' must "
			    "follow a 'cert'");
		if (b->certs[b->ncerts - 1].ocsp != NULL)
			return cfg_parse_fail(p, "bind: second 'ocsp-response' "
			    "for cert '%s'", b->certs[b->ncerts - 1].cert);
		return cfg_parse_set_str(p, &b->certs[b->ncerts - 1].ocsp, arg);
	}
	for (i = 0; i < 3; i++)
		if (strcmp(arg, cfg_kw_bind_verifies[i]) == 0) {
			b->verify = (enum cfg_verify)i;
			return 0;
		}
	return cfg_parse_fail(p, "bind: verify: expected none, optional or "
	    "required, got '%s'", arg);
}

/* The TLS settings of a bind, or the global defaults of all. */
const char *const cfg_kw_bind_tls_opts[] = {
	"ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites", "curves",
	"tls-ticket-keys", "tls-ticket-secret", "tls-ticket-period",
};
#define CFG_NTLS_OPTS \
	(sizeof(cfg_kw_bind_tls_opts) / sizeof(cfg_kw_bind_tls_opts[0]))

const struct cfg_kw_bind_tls_version cfg_kw_bind_tls_versions[] = {
	{ "TLSv1.0", 0x0301 }, { "TLSv1.1", 0x0302 }, { "TLSv1.2", 0x0303 },
	{ "TLSv1.3", 0x0304 },
};

static int
cfg_kw_bind_is_tls_opt(const char *opt)
{
	size_t i;

	for (i = 0; i < CFG_NTLS_OPTS; i++)
		if (strcmp(opt, cfg_kw_bind_tls_opts[i]) == 0)
			return 1;
	return 0;
}

int
cfg_kw_bind_tls_opt(struct cfg_parser *p, struct cfg_tls *t, const char *opt,
    const char *arg)
{
	unsigned int *ver;
	size_t i;

	if (strcmp(opt, "ciphers") == 0)
		return cfg_parse_set_str(p, &t->ciphers, arg);
	if (strcmp(opt, "ciphersuites") == 0)
		return cfg_parse_set_str(p, &t->ciphersuites, arg);
	if (strcmp(opt, "curves") == 0)
		return cfg_parse_set_str(p, &t->curves, arg);
	if (strcmp(opt, "tls-ticket-keys") == 0)
		return cfg_parse_set_str(p, &t->ticket_keys, arg);
	if (strcmp(opt, "tls-ticket-secret") == 0)
		return cfg_parse_set_str(p, &t->ticket_secret, arg);
	if (strcmp(opt, "tls-ticket-period") == 0) {
		if (cfg_parse_kw_duration(p, opt, arg, &t->ticket_period) < 0)
			return -1;
		if (t->ticket_period < 1000 || t->ticket_period % 1000 != 0)
			return cfg_parse_fail(p, "%s: whole seconds, 1s at "
			    "least", opt);
		return 0;
	}
	ver = strcmp(opt, "ssl-min-ver") == 0 ? &t->min_ver : &t->max_ver;
	for (i = 0; i < cfg_kw_bind_ntls_versions; i++)
		if (strcmp(arg, cfg_kw_bind_tls_versions[i].name) == 0) {
			*ver = cfg_kw_bind_tls_versions[i].version;
			if (t->min_ver != 0 && t->max_ver != 0 &&
			    t->min_ver > t->max_ver)
				return cfg_parse_fail(p, "%s: ssl-min-ver is "
				    "above ssl-max-ver", opt);
			return 0;
		}
	return cfg_parse_fail(p, "%s: expected TLSv1.0, TLSv1.1, TLSv1.2 or "
	    "TLSv1.3, got '%s'", opt, arg);
}

/* "10.0.0.0/8,192.0.2.1": who may send a PROXY header. */
static int
cfg_kw_bind_proxy_from(struct cfg_parser *p, struct cfg_bind *b,
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
			return cfg_parse_fail(p, "bind: proxy-from: bad list "
			    "'%s'", list);
		memcpy(item, s, n);
		item[n] = '\0';
		if ((nets = cfg_parse_grow(b->proxy_from, b->nproxy_from,
		    sizeof(*nets))) == NULL)
			return cfg_parse_fail(p, "out of memory");
		b->proxy_from = nets;
		if (cfg_lex_net(item, &nets[b->nproxy_from++], why,
		    sizeof(why)) < 0)
			return cfg_parse_fail(p, "bind: proxy-from: %s", why);
		if (end == NULL)
			return 0;
		s = end + 1;
	}
}

static int
cfg_kw_bind_bind(struct cfg_parser *p, char **av)
{
	struct cfg_frontend *fe = cfg_parse_cur_fe(p);
	struct cfg_bind *binds, *b;
	const char *opt, *tlsonly = NULL;
	char why[NI_MAXHOST + 128];
	size_t i, j;
	int rc;

	if ((binds = cfg_parse_grow(fe->binds, fe->nbinds, sizeof(*b))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	fe->binds = binds;
	b = &binds[fe->nbinds++];
	b->file = p->c->file;
	b->line = p->line;
	if (cfg_parse_set_str(p, &b->text, av[1]) < 0)
		return -1;
	if (cfg_parse_addr(av[1], &b->addr, &b->addrlen, 1, why,
	    sizeof(why)) < 0)
		return cfg_parse_fail(p, "bind: %s", why);

	for (i = 2; (opt = av[i]) != NULL; i++) {
		for (j = 0; j < cfg_kw_bind_nflags; j++)
			if (strcmp(opt, cfg_kw_bind_flags[j].name) == 0)
				break;
		if (j < cfg_kw_bind_nflags) {
			b->flags |= cfg_kw_bind_flags[j].flag;
			continue;
		}
		if (strcmp(opt, "cert") != 0 && strcmp(opt, "key") != 0 &&
		    !cfg_kw_bind_is_tls_opt(opt) &&
		    !cfg_kw_bind_is_client_cert_opt(opt) &&
		    strcmp(opt, "alpn") != 0 &&
		    strcmp(opt, "proxy-from") != 0 &&
		    strcmp(opt, "crt-dir") != 0)
			return cfg_parse_fail(p, "bind: unknown option '%s'",
			    opt);
		if (av[++i] == NULL)
			return cfg_parse_fail(p, "bind: '%s' needs an argument",
			    opt);
		if (cfg_kw_bind_is_tls_opt(opt)) {
			rc = cfg_kw_bind_tls_opt(p, &b->tls, opt, av[i]);
			tlsonly = opt;
		} else if (cfg_kw_bind_is_client_cert_opt(opt)) {
			rc = cfg_kw_bind_client_cert_opt(p, b, opt, av[i]);
			tlsonly = opt;
		} else if (strcmp(opt, "proxy-from") == 0)
			rc = cfg_kw_bind_proxy_from(p, b, av[i]);
		else if (strcmp(opt, "crt-dir") == 0) {
			b->flags |= CFG_BIND_F_TLS;
			rc = cfg_parse_set_str(p, &b->crt_dir, av[i]);
		}
		else if (strcmp(opt, "cert") == 0)
			rc = cfg_kw_bind_cert(p, b, av[i]);
		else if (strcmp(opt, "key") == 0)
			rc = cfg_kw_bind_key(p, b, av[i]);
		else
			rc = cfg_parse_set_str(p, &b->alpn, av[i]);
		if (rc < 0)
			return -1;
	}

	/* Options that would be silently ignored are refused. */
	if (tlsonly == NULL)
		tlsonly = b->alpn ? "alpn" : (b->flags &
		    CFG_BIND_F_STRICT_SNI) ? "strict-sni" : NULL;
	if (tlsonly != NULL && !(b->flags & CFG_BIND_F_TLS))
		return cfg_parse_fail(p, "bind: '%s' needs a tls bind",
		    tlsonly);
	if ((b->flags & CFG_BIND_F_V6ONLY) && b->addr.ss_family != AF_INET6)
		return cfg_parse_fail(p, "bind: 'v6only' needs an IPv6 "
		    "address");
	if (b->nproxy_from > 0 && !(b->flags & CFG_BIND_F_ACCEPT_PROXY))
		return cfg_parse_fail(p, "bind: 'proxy-from' needs "
		    "'accept-proxy'");
	return 0;
}

const size_t cfg_kw_bind_nflags =
    sizeof(cfg_kw_bind_flags) / sizeof(cfg_kw_bind_flags[0]);
const size_t cfg_kw_bind_ntls_versions =
    sizeof(cfg_kw_bind_tls_versions) / sizeof(cfg_kw_bind_tls_versions[0]);

#define G CFG_S_GLOBAL
#define D CFG_S_DEFAULTS
#define F CFG_S_FRONTEND
#define B CFG_S_BACKEND
const struct cfg_kw cfg_kw_bind_kws[] = {
	{ "bind", F, 1, -1, "bind ADDR:PORT [OPTION]...", cfg_kw_bind_bind },
};
#undef G
#undef D
#undef F
#undef B
const size_t cfg_kw_bind_nkws =
    sizeof(cfg_kw_bind_kws) / sizeof(cfg_kw_bind_kws[0]);
