/* --dump-config: a configuration written back as a file that
 * cfg_load_file() reads into an equal configuration. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

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
    unsigned int sec, enum cfg_mode mode)
{
	unsigned int ms;
	size_t i;

	/* A mode http timeout has no effect in a mode tcp section (and would
	 * be warned about when the dump is read back). */
	for (i = 0; i < cfg_kw_global_ntmos; i++) {
		ms = cfg_kw_global_tmo_get(t, &cfg_kw_global_tmos[i]);
		if (!(cfg_kw_global_tmos[i].where & sec) || ms == 0 ||
		    (sec != CFG_S_DEFAULTS && mode == CFG_MODE_TCP &&
		    cfg_kw_global_tmos[i].http))
			continue;
		fprintf(out, "    timeout %s ", cfg_kw_global_tmos[i].name);
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
		for (j = 0; j < cfg_kw_bind_ntls_versions; j++)
			if (vers[i] == cfg_kw_bind_tls_versions[j].version)
				fprintf(out, "%s%s %s%s", pre,
				    cfg_kw_bind_tls_opts[i],
				    cfg_kw_bind_tls_versions[j].name, post);
	for (i = 0; i < 5; i++) {
		if (words[i] == NULL)
			continue;
		fprintf(out, "%s%s ", pre, cfg_kw_bind_tls_opts[i + 2]);
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
		fprintf(out, " verify %s", cfg_kw_bind_verifies[b->verify]);
	cfg_dump_opt(out, "ca-file", b->ca_file);
	cfg_dump_opt(out, "crl-file", b->crl_file);
	for (i = 0; i < cfg_kw_bind_nflags; i++)
		if (b->flags & cfg_kw_bind_flags[i].flag)
			fprintf(out, " %s", cfg_kw_bind_flags[i].name);
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
	for (i = 0; i < cfg_kw_backend_nsrv_flags; i++)
		if (s->flags & cfg_kw_backend_srv_flags[i].flag)
			fprintf(out, " %s", cfg_kw_backend_srv_flags[i].name);
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
		fprintf(out, "    balance %s\n",
		    cfg_kw_backend_balances[be->balance]);
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
	for (i = 0; i < cfg_kw_http_nconds; i++)
		if (cfg_kw_http_conds[i].kind == c->kind)
			fprintf(out, " if %s%s", c->neg ? "!" : "",
			    cfg_kw_http_conds[i].name);
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
		for (i = 0; i < cfg_kw_global_nfacilities; i++)
			if (cfg_kw_global_facilities[i].facility ==
			    c->log_facility)
				fprintf(out, " %s",
				    cfg_kw_global_facilities[i].name);
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
		fprintf(out, "    tls-session-cache %u\n",
		    c->tls_session_cache);
	if (c->ktls != CFG_KTLS_AUTO)
		fprintf(out, "    ktls %s\n",
		    cfg_kw_global_ktls_modes[c->ktls]);

	fprintf(out, "\ndefaults\n    mode %s\n",
	    cfg_lex_mode_name(c->default_mode));
	cfg_dump_timeouts(out, &c->defaults, CFG_S_DEFAULTS,
	    c->default_mode);

	for (i = 0; i < c->nfrontends; i++) {
		fe = &c->frontends[i];
		fputs("\nfrontend ", out);
		cfg_dump_word(out, fe->name);
		fprintf(out, "\n    mode %s\n", cfg_lex_mode_name(fe->mode));
		if (fe->maxconn != 0)
			fprintf(out, "    maxconn %u\n", fe->maxconn);
		if (fe->access_log_off)
			fputs("    access-log off\n", out);
		cfg_dump_timeouts(out, &fe->timeouts, CFG_S_FRONTEND,
		    fe->mode);
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
		fprintf(out, "\n    mode %s\n", cfg_lex_mode_name(be->mode));
		cfg_dump_timeouts(out, &be->timeouts, CFG_S_BACKEND,
		    be->mode);
		if ((be->keepalive_pool_set || be->keepalive_pool != 0) &&
		    be->mode == CFG_MODE_HTTP)
			fprintf(out, "    keepalive-pool %u\n",
			    be->keepalive_pool);
		cfg_dump_backend(out, be);
	}
}

