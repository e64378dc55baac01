/* The keywords of global and defaults, and those valid in several kinds
 * of section (maxconn, mode, timeout): process settings, logging, the
 * global TLS defaults, name resolution, HTTP limits. */
#include <netdb.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cfg_int.h"

/* The timeouts, where each may be set, and where it lives. */
const struct cfg_tmo cfg_kw_global_tmos[] = {
	{ "connect", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, connect), 0 },
	{ "client", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, client), 0 },
	{ "server", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, server), 0 },
	{ "tunnel", CFG_S_DEFAULTS | CFG_S_FRONTEND | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, tunnel), 0 },
	{ "handshake", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, handshake), 0 },
	{ "http-request", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, http_request), 1 },
	{ "http-keep-alive", CFG_S_DEFAULTS | CFG_S_FRONTEND,
	    offsetof(struct cfg_timeouts, http_keepalive), 1 },
	{ "server-idle", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, server_idle), 1 },
	{ "queue", CFG_S_DEFAULTS | CFG_S_BACKEND,
	    offsetof(struct cfg_timeouts, queue), 0 },
};

const struct cfg_kw_global_facility cfg_kw_global_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

unsigned int *
cfg_kw_global_tmo_field(struct cfg_timeouts *t, const struct cfg_tmo *k)
{
	return (unsigned int *)(void *)((char *)t + k->off);
}

unsigned int
cfg_kw_global_tmo_get(const struct cfg_timeouts *t, const struct cfg_tmo *k)
{
	return *(const unsigned int *)(const void *)((const char *)t + k->off);
}

static int
cfg_kw_global_workers(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, 1, CFG_WORKERS_MAX, &p->c->workers);
}

static int
cfg_kw_global_maxconn(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, 1, CFG_MAXCONN_MAX,
	    p->sec == CFG_S_GLOBAL ? &p->c->maxconn :
	    &cfg_parse_cur_fe(p)->maxconn);
}

static int
cfg_kw_global_access_log(struct cfg_parser *p, char **av)
{
	if (strcmp(av[1], "on") != 0 && strcmp(av[1], "off") != 0)
		return cfg_parse_fail(p, "access-log: expected on or off, got "
		    "'%s'", av[1]);
	cfg_parse_cur_fe(p)->access_log_off = strcmp(av[1], "off") == 0;
	return 0;
}

static int
cfg_kw_global_bufsize(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, CFG_BUFSIZE_MIN, CFG_BUFSIZE_MAX,
	    &p->c->bufsize);
}

static int
cfg_kw_global_grace(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_duration(p, "grace", av[1], &p->c->grace);
}

static int
cfg_kw_global_log(struct cfg_parser *p, char **av)
{
	struct cfg *c = p->c;
	size_t i;

	/* Reset, so that the last "log" line alone says what holds. */
	c->log_facility = LOG_DAEMON;
	if (strcmp(av[1], "syslog") == 0) {
		c->log = CFG_LOG_SYSLOG;
		if (av[2] == NULL)
			return 0;
		for (i = 0; i < cfg_kw_global_nfacilities; i++) {
			if (strcmp(av[2],
			    cfg_kw_global_facilities[i].name) == 0) {
				c->log_facility =
				    cfg_kw_global_facilities[i].facility;
				return 0;
			}
		}
		return cfg_parse_fail(p, "log: unknown facility '%s' (daemon, "
		    "user or local0..local7)", av[2]);
	}
	if (strcmp(av[1], "stderr") == 0)
		c->log = CFG_LOG_STDERR;
	else if (strcmp(av[1], "none") == 0)
		c->log = CFG_LOG_NONE;
	else
		return cfg_parse_fail(p, "log: expected stderr, syslog or "
		    "none, got '%s'", av[1]);
	if (av[2] != NULL)
		return cfg_parse_fail(p, "log: extra argument '%s' (only "
		    "syslog takes a facility)", av[2]);
	return 0;
}

static int
cfg_kw_global_user(struct cfg_parser *p, char **av)
{
	/* Checked now rather than after binding, when it is too late to
	 * say which line was wrong. */
	if (getpwnam(av[1]) == NULL)
		return cfg_parse_fail(p, "user: no such user '%s'", av[1]);
	return cfg_parse_set_str(p, &p->c->user, av[1]);
}

static int
cfg_kw_global_mode(struct cfg_parser *p, char **av)
{
	enum cfg_mode m;

	if (strcmp(av[1], "tcp") == 0)
		m = CFG_MODE_TCP;
	else if (strcmp(av[1], "http") == 0)
		m = CFG_MODE_HTTP;
	else
		return cfg_parse_fail(p, "mode: expected tcp or http, got '%s'",
		    av[1]);
	if (p->sec == CFG_S_FRONTEND) {
		cfg_parse_cur_fe(p)->mode = m;
		cfg_parse_cur_fe(p)->mode_set = 1;
	} else if (p->sec == CFG_S_BACKEND) {
		cfg_parse_cur_be(p)->mode = m;
		cfg_parse_cur_be(p)->mode_set = 1;
	} else {
		p->c->default_mode = m;
	}
	return 0;
}

/* "connect, client, ... or queue": every name of cfg_kw_global_tmos[], for
 * the message of an unknown one. Returns <buf>. */
static const char *
cfg_kw_global_tmo_names(char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < cfg_kw_global_ntmos && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i == 0 ? "" : i + 1 == cfg_kw_global_ntmos ? " or " : ", ",
		    cfg_kw_global_tmos[i].name);
	return buf;
}

static int
cfg_kw_global_timeout(struct cfg_parser *p, char **av)
{
	const struct cfg_tmo *k;
	char what[64], where[64], names[256];
	size_t i;

	for (i = 0; i < cfg_kw_global_ntmos; i++) {
		k = &cfg_kw_global_tmos[i];
		if (strcmp(av[1], k->name) != 0)
			continue;
		if (!(k->where & p->sec))
			return cfg_parse_fail(p, "timeout '%s' is only valid "
			    "in %s", k->name, cfg_parse_where(k->where, where,
			    sizeof(where)));
		if (k->http && cfg_parse_http_kw(p, "timeout", k->name) < 0)
			return -1;
		snprintf(what, sizeof(what), "timeout %s", k->name);
		return cfg_parse_kw_duration(p, what, av[2],
		    cfg_kw_global_tmo_field(cfg_parse_cur_timeouts(p), k));
	}
	return cfg_parse_fail(p, "unknown timeout '%s' (%s)", av[1],
	    cfg_kw_global_tmo_names(names, sizeof(names)));
}

static int
cfg_kw_global_tls_session_cache(struct cfg_parser *p, char **av)
{
	p->c->tls_session_cache_set = 1;
	return cfg_parse_kw_uint(p, av, 0, 10000000, &p->c->tls_session_cache);
}

const char *const cfg_kw_global_ktls_modes[] = {
	[CFG_KTLS_AUTO] = "auto", [CFG_KTLS_OFF] = "off", [CFG_KTLS_ON] = "on",
};

static int
cfg_kw_global_ktls(struct cfg_parser *p, char **av)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcmp(av[1], cfg_kw_global_ktls_modes[i]) == 0) {
			p->c->ktls = (enum cfg_ktls)i;
			return 0;
		}
	return cfg_parse_fail(p, "ktls: expected auto, off or on, got '%s'",
	    av[1]);
}

static int
cfg_kw_global_tls(struct cfg_parser *p, char **av)
{
	return cfg_kw_bind_tls_opt(p, &p->c->tls, av[0], av[1]);
}

static int
cfg_kw_global_resolve_interval(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_duration(p, av[0], av[1], &p->c->resolve_interval);
}

static int
cfg_kw_global_nameserver(struct cfg_parser *p, char **av)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[NI_MAXHOST + 128], name[NI_MAXHOST], **ns;

	/* An address, never a name: nothing resolves the resolver. */
	if (cfg_lex_addr(av[1], &ss, &len, 0, name, NULL, why, sizeof(why)) < 0)
		return cfg_parse_fail(p, "nameserver: bad address '%s': %s",
		    av[1], why);
	if (len == 0)
		return cfg_parse_fail(p, "nameserver: '%s' is not an address",
		    av[1]);
	if ((ns = cfg_parse_grow(p->c->nameservers, p->c->nnameservers,
	    sizeof(*ns))) == NULL)
		return cfg_parse_fail(p, "out of memory");
	p->c->nameservers = ns;
	p->c->nnameservers++;
	return cfg_parse_set_str(p, &ns[p->c->nnameservers - 1], av[1]);
}

static int
cfg_kw_global_http_max_line(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, 64, CFG_BUFSIZE_MAX,
	    &p->c->http_max_line);
}

static int
cfg_kw_global_http_max_headers(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, 1, CFG_HTTP_MAX_HEADERS,
	    &p->c->http_max_headers);
}

static int
cfg_kw_global_http_reserve(struct cfg_parser *p, char **av)
{
	return cfg_parse_kw_uint(p, av, 128, CFG_BUFSIZE_MAX / 2,
	    &p->c->http_reserve);
}

const size_t cfg_kw_global_ntmos =
    sizeof(cfg_kw_global_tmos) / sizeof(cfg_kw_global_tmos[0]);
const size_t cfg_kw_global_nfacilities =
    sizeof(cfg_kw_global_facilities) / sizeof(cfg_kw_global_facilities[0]);

#define G CFG_S_GLOBAL
#define D CFG_S_DEFAULTS
#define F CFG_S_FRONTEND
#define B CFG_S_BACKEND
const struct cfg_kw cfg_kw_global_kws[] = {
	{ "workers", G, 1, 1, "workers N", cfg_kw_global_workers },
	{ "maxconn", G | F, 1, 1, "maxconn N", cfg_kw_global_maxconn },
	{ "bufsize", G, 1, 1, "bufsize N", cfg_kw_global_bufsize },
	{ "grace", G, 1, 1, "grace DURATION", cfg_kw_global_grace },
	{ "log", G, 1, 2, "log stderr | log syslog [FACILITY] | log none",
	    cfg_kw_global_log },
	{ "access-log", F, 1, 1, "access-log on|off",
	    cfg_kw_global_access_log },
	{ "user", G, 1, 1, "user NAME", cfg_kw_global_user },
	{ "mode", D | F | B, 1, 1, "mode tcp|http", cfg_kw_global_mode },
	{ "timeout", D | F | B, 2, 2, "timeout NAME DURATION",
	    cfg_kw_global_timeout },
	{ "resolve-interval", G, 1, 1, "resolve-interval DURATION",
	    cfg_kw_global_resolve_interval },
	{ "nameserver", G, 1, 1, "nameserver ADDR:PORT",
	    cfg_kw_global_nameserver },
	{ "ssl-min-ver", G, 1, 1, "ssl-min-ver TLSv1.x", cfg_kw_global_tls },
	{ "ssl-max-ver", G, 1, 1, "ssl-max-ver TLSv1.x", cfg_kw_global_tls },
	{ "ciphers", G, 1, 1, "ciphers LIST", cfg_kw_global_tls },
	{ "ciphersuites", G, 1, 1, "ciphersuites LIST", cfg_kw_global_tls },
	{ "curves", G, 1, 1, "curves LIST", cfg_kw_global_tls },
	{ "tls-session-cache", G, 1, 1, "tls-session-cache N",
	    cfg_kw_global_tls_session_cache },
	{ "tls-ticket-keys", G, 1, 1, "tls-ticket-keys FILE",
	    cfg_kw_global_tls },
	{ "tls-ticket-secret", G, 1, 1, "tls-ticket-secret FILE",
	    cfg_kw_global_tls },
	{ "tls-ticket-period", G, 1, 1, "tls-ticket-period DURATION",
	    cfg_kw_global_tls },
	{ "ktls", G, 1, 1, "ktls auto|off|on", cfg_kw_global_ktls },
	{ "http-max-line", G, 1, 1, "http-max-line BYTES",
	    cfg_kw_global_http_max_line },
	{ "http-max-headers", G, 1, 1, "http-max-headers N",
	    cfg_kw_global_http_max_headers },
	{ "http-rewrite-reserve", G, 1, 1, "http-rewrite-reserve BYTES",
	    cfg_kw_global_http_reserve },
};
#undef G
#undef D
#undef F
#undef B
const size_t cfg_kw_global_nkws =
    sizeof(cfg_kw_global_kws) / sizeof(cfg_kw_global_kws[0]);
