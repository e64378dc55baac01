/* Start-up: the command line and configuration, the run-time objects that
 * every worker shares, the listening sockets, the worker threads; then the
 * main thread only waits for signals. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#include "backend.h"
#include "health.h"
#include "cli.h"
#include "listener.h"
#include "log.h"
#include "resolve.h"
#include "ssl_ctx.h"
#include "ssl_explain.h"
#include "ssl_sock.h"
#include "ssl_ticket.h"
#include "worker.h"

/* Whether TLS records go to the kernel (kTLS): decided at start. */
static int main_ktls;

/* Where bind <b> was declared, for messages: "file:line" for a file,
 * "(command line)" for the one-liner. */
static const char *
main_where(const struct cfg_bind *b, char *buf, size_t len)
{
	if (b->line > 0)
		snprintf(buf, len, "%s:%d", b->file, b->line);
	else
		snprintf(buf, len, "%s", b->file);
	return buf;
}

static int
main_pem_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".pem") == 0;
}

/* The *.pem files of bind <b>'s crt-dir (none without one), in name
 * order, as "dir/name" paths: <*paths> and each of its <*n> strings are
 * the caller's to free. Returns 0, or -1 with "where: bind ...: reason"
 * in <err>. */
static int
main_crt_dir(const struct cfg_bind *b, char ***paths, size_t *n, char *err,
    size_t errlen)
{
	struct dirent **ents = NULL;
	char where[256];
	int i, nents = 0, rc = 0;

	*paths = NULL;
	*n = 0;
	if (b->crt_dir == NULL)
		return 0;
	if ((nents = scandir(b->crt_dir, &ents, main_pem_filter,
	    alphasort)) < 0) {
		snprintf(err, errlen, "%s: bind %s: crt-dir %s: %s",
		    main_where(b, where, sizeof(where)), b->text, b->crt_dir,
		    strerror(errno));
		return -1;
	}
	if ((*paths = calloc((size_t)nents + 1, sizeof(**paths))) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < nents; i++, (*n)++)
		if (asprintf(&(*paths)[i], "%s/%s", b->crt_dir,
		    ents[i]->d_name) < 0)
			rc = -1;
	for (i = 0; i < nents; i++)
		free(ents[i]);
	free(ents);
	if (rc < 0) {
		while (*paths != NULL && *n > 0)
			free((*paths)[--*n]);
		free(*paths);
		*paths = NULL;
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

/* The TLS context of bind <b>, loaded from its files: its "cert"s, then
 * the *.pem files of its crt-dir in name order. */
static SSL_CTX *
main_ssl_ctx(const struct cfg *c, const struct cfg_frontend *fe,
    const struct cfg_bind *b, struct ssl_tickets *tickets, char *err,
    size_t errlen)
{
	/* What the bind does not set, the global section may; the version
	 * range goes as a whole (a bind's ssl-min-ver TLSv1.3 under a
	 * global ssl-max-ver TLSv1.2 would allow nothing). */
	const struct cfg_tls *vr = b->tls.min_ver || b->tls.max_ver ?
	    &b->tls : &c->tls;
	struct ssl_ctx_opts o = {
		.ciphers = b->tls.ciphers ? b->tls.ciphers : c->tls.ciphers,
		.ciphersuites = b->tls.ciphersuites ? b->tls.ciphersuites :
		    c->tls.ciphersuites,
		.curves = b->tls.curves ? b->tls.curves : c->tls.curves,
		.min_ver = (int)vr->min_ver, .max_ver = (int)vr->max_ver,
		.alpn = b->alpn, .strict_sni = !!(b->flags &
		    CFG_BIND_F_STRICT_SNI),
		.session_cache = c->tls_session_cache,
		.tickets = tickets, .verify = (enum ssl_verify)b->verify,
		.ca_file = b->ca_file, .crl_file = b->crl_file,
		/* Splicing is what kTLS brings, and only mode tcp splices;
		 * elsewhere gatehouse's batched records are cheaper. */
		.ktls = main_ktls && fe->mode == CFG_MODE_TCP,
	};
	struct ssl_cert_opts *certs;
	char why[512], where[256], **dir;
	SSL_CTX *ctx = NULL;
	size_t i, ndir, n = 0;

	main_where(b, where, sizeof(where));
	if (main_crt_dir(b, &dir, &ndir, err, errlen) < 0)
		return NULL;
	if ((certs = calloc(b->ncerts + ndir + 1, sizeof(*certs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (n = 0; n < b->ncerts; n++) {
		certs[n].cert = b->certs[n].cert;
		certs[n].key = b->certs[n].key;
		certs[n].ocsp = b->certs[n].ocsp;
	}
	for (i = 0; i < ndir; i++, n++)
		certs[n].cert = dir[i];
	if (n == 0) {
		snprintf(err, errlen, "%s: bind %s: crt-dir %s has no .pem file",
		    where, b->text, b->crt_dir);
		goto out;
	}
	o.certs = certs;
	o.ncerts = n;
	if ((ctx = ssl_ctx_new_server(&o, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: bind %s: %s", where, b->text, why);
out:
	for (i = 0; i < ndir; i++)
		free(dir[i]);
	free(dir);
	free(certs);
	return ctx;
}

/* --explain <name>: every TLS bind of every frontend, with its
 * certificates as main_ssl_ctx() would load them. Returns the exit
 * status. */
static int
main_explain(const struct cfg *c, const char *name)
{
	struct main_explain {
		char where[256];
		char **dir;             /* its crt-dir's files */
		size_t ndir;
	} *me;
	struct ssl_explain_bind *eb;
	struct ssl_explain_cert *ec;
	const struct cfg_bind *b;
	char err[1024];
	size_t i, j, k, nb = 0;
	int rc = 1;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++)
			nb += !!(c->frontends[i].binds[j].flags &
			    CFG_BIND_F_TLS);
	eb = calloc(nb + 1, sizeof(*eb));
	me = calloc(nb + 1, sizeof(*me));
	for (i = nb = 0; eb != NULL && me != NULL && i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++) {
			b = &c->frontends[i].binds[j];
			if (!(b->flags & CFG_BIND_F_TLS))
				continue;
			if (main_crt_dir(b, &me[nb].dir, &me[nb].ndir, err,
			    sizeof(err)) < 0) {
				fprintf(stderr, "%s\n", err);
				goto out;
			}
			eb[nb].ncerts = b->ncerts + me[nb].ndir;
			if ((ec = calloc(eb[nb].ncerts + 1,
			    sizeof(*ec))) == NULL) {
				nb++;
				goto err_oom;
			}
			for (k = 0; k < b->ncerts; k++) {
				ec[k].cert = b->certs[k].cert;
				ec[k].key = b->certs[k].key;
				ec[k].ocsp = b->certs[k].ocsp;
			}
			for (k = 0; k < me[nb].ndir; k++)
				ec[b->ncerts + k].cert = me[nb].dir[k];
			eb[nb].certs = ec;
			eb[nb].where = main_where(b, me[nb].where,
			    sizeof(me[nb].where));
			eb[nb].addr = b->text;
			eb[nb].frontend = c->frontends[i].name;
			eb[nb++].strict_sni = !!(b->flags &
			    CFG_BIND_F_STRICT_SNI);
		}
	if (eb == NULL || me == NULL)
		goto err_oom;
	if ((rc = ssl_explain(stdout, name, eb, nb, time(NULL))) < 0) {
		fprintf(stderr, "gatehouse: --explain: '%s' is not a host "
		    "name\n", name);
		rc = 2;
	}
	goto out;
err_oom:
	fprintf(stderr, "gatehouse: out of memory\n");
out:
	for (i = 0; me != NULL && i < nb; i++) {
		free((void *)eb[i].certs);
		for (k = 0; k < me[i].ndir; k++)
			free(me[i].dir[k]);
		free(me[i].dir);
	}
	free(eb);
	free(me);
	return rc;
}

/* The TLS context of each "ssl" server, from its files. */
static int
main_server_ssl(struct backend *b, char *err, size_t errlen)
{
	char why[512];
	size_t i;

	for (i = 0; i < b->nservers; i++) {
		const struct cfg_server *cs = b->servers[i].cfg;
		struct ssl_client_opts o = {
			.verify = !(cs->flags & CFG_SRV_F_NO_VERIFY),
			.ca_file = cs->ca_file, .crt = cs->crt, .key = cs->key,
			.alpn = b->cfg->mode == CFG_MODE_HTTP ? "http/1.1" :
			    NULL,
		};

		if (!(cs->flags & CFG_SRV_F_SSL))
			continue;
		if ((b->servers[i].ssl_ctx = ssl_ctx_new_client(&o, why,
		    sizeof(why))) == NULL) {
			snprintf(err, errlen, "%s:%d: server %s: %s", cs->file,
			    cs->line, cs->name, why);
			return -1;
		}
	}
	return 0;
}

static void
main_runtime_free(struct runtime *rt)
{
	const struct cfg *c = rt->cfg;
	size_t i, j;

	if (rt->frontends != NULL)
		for (i = 0; i < c->nfrontends; i++) {
			if (rt->frontends[i].ssl_ctx == NULL)
				continue;
			for (j = 0; j < c->frontends[i].nbinds; j++) {
				SSL_CTX_free(rt->frontends[i].ssl_ctx[j]);
				if (rt->frontends[i].tickets != NULL)
					ssl_tickets_free(
					    rt->frontends[i].tickets[j]);
			}
			free(rt->frontends[i].ssl_ctx);
			free(rt->frontends[i].tickets);
			free(rt->frontends[i].routes);
		}
	free(rt->frontends);
	backend_free_all(rt->backends, c->nbackends);
	pthread_mutex_destroy(&rt->tls_lock);
}

/* The ticket keys of TLS bind <b>: its own settings, else the global
 * ones. */
static struct ssl_tickets *
main_tickets(const struct cfg *c, const struct cfg_bind *b, char *err,
    size_t errlen)
{
	const struct cfg_tls *t = &b->tls;
	unsigned int period = t->ticket_period ? t->ticket_period :
	    c->tls.ticket_period;
	struct ssl_tickets *tk;
	char why[512], where[256];

	if ((tk = ssl_tickets_new(t->ticket_keys || t->ticket_secret ?
	    t->ticket_keys : c->tls.ticket_keys, t->ticket_keys ||
	    t->ticket_secret ? t->ticket_secret : c->tls.ticket_secret,
	    period / 1000, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: bind %s: %s", main_where(b, where,
		    sizeof(where)), b->text, why);
	return tk;
}

/* Builds what the workers share: backends, frontends, TLS contexts.
 * Returns 0, or -1 with "file:line: reason" in <err>. */
static int
main_runtime_init(struct runtime *rt, const struct cfg *c, char *err,
    size_t errlen)
{
	size_t i, j;

	memset(rt, 0, sizeof(*rt));
	rt->cfg = c;
	pthread_mutex_init(&rt->tls_lock, NULL);
	if (backend_init_all(c, &rt->backends, &rt->nservers) < 0 ||
	    (rt->frontends = calloc(c->nfrontends,
	    sizeof(*rt->frontends))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err_free_runtime;
	}
	for (i = 0; i < c->nbackends; i++)
		if (main_server_ssl(&rt->backends[i], err, errlen) < 0)
			goto err_free_runtime;
	if (resolve_start(rt, err, errlen) < 0)
		goto err_free_runtime;
	for (i = 0; i < c->nfrontends; i++) {
		const struct cfg_frontend *cf = &c->frontends[i];
		struct frontend *fe = &rt->frontends[i];

		fe->cfg = cf;
		fe->proto = cf->mode == CFG_MODE_HTTP ? &proto_http :
		    &proto_tcp;
		fe->backend = backend_of(rt->backends, c->nbackends,
		    cf->default_backend);
		if ((fe->ssl_ctx = calloc(cf->nbinds,
		    sizeof(*fe->ssl_ctx))) == NULL ||
		    (fe->tickets = calloc(cf->nbinds,
		    sizeof(*fe->tickets))) == NULL ||
		    (fe->routes = calloc(cf->nroutes + 1,
		    sizeof(*fe->routes))) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto err_free_runtime;
		}
		for (j = 0; j < cf->nbinds; j++)
			if ((cf->binds[j].flags & CFG_BIND_F_TLS) &&
			    ((fe->tickets[j] = main_tickets(c, &cf->binds[j],
			    err, errlen)) == NULL ||
			    (fe->ssl_ctx[j] = main_ssl_ctx(c, cf, &cf->binds[j],
			    fe->tickets[j], err, errlen)) == NULL))
				goto err_free_runtime;
		for (j = 0; j < cf->nroutes; j++)
			fe->routes[j] = backend_of(rt->backends, c->nbackends,
			    cf->routes[j].backend);
	}
	return 0;
err_free_runtime:
	main_runtime_free(rt);
	return -1;
}

/* Every client connection may need a server socket and, when splicing, a
 * pipe (two descriptors) in each direction; a quarter of them splicing at
 * once is plenty (above that, sessions copy through buffers instead). So a
 * connection costs 2 + 4/4 = 3 descriptors, plus a fixed part.
 * An explicit maxconn that the limit cannot hold is an error; without one,
 * maxconn is what the hard limit allows, at most CFG_DEF_MAXCONN. */
static int
main_raise_nofile(const struct cfg *c, struct runtime *rt)
{
	size_t nbinds = 0, i;
	struct rlimit rl;
	rlim_t fixed, need, pooled = 0;

	for (i = 0; i < c->nfrontends; i++)
		nbinds += c->frontends[i].nbinds;
	for (i = 0; i < c->nbackends; i++)
		pooled += (rlim_t)c->backends[i].keepalive_pool *
		    c->backends[i].nservers;
	fixed = (rlim_t)(nbinds + 3 + 16 + pooled) * c->workers + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_err("getrlimit");
		return -1;
	}
	rt->maxconn = c->maxconn;
	if (rt->maxconn == 0) {
		rt->maxconn = CFG_DEF_MAXCONN;
		if (rl.rlim_max != RLIM_INFINITY &&
		    rl.rlim_max < fixed + 3 * (rlim_t)rt->maxconn)
			rt->maxconn = rl.rlim_max > fixed + 3 ?
			    (unsigned int)((rl.rlim_max - fixed) / 3) : 1;
	}
	rt->max_pipes = rt->maxconn / 4 / c->workers + 1;
	need = fixed + 2 * (rlim_t)rt->maxconn +
	    2 * (rlim_t)rt->max_pipes * c->workers;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_err("maxconn %u needs %llu open files, and the limit "
		    "cannot be raised to that (lower maxconn, or raise the "
		    "hard limit: ulimit -Hn)", rt->maxconn,
		    (unsigned long long)need);
		return -1;
	}
	return 0;
}

static int
main_open_listeners(struct worker *w, struct runtime *rt)
{
	const struct cfg *c = rt->cfg;
	char where[256];
	size_t i, j;
	int fd;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++) {
			const struct cfg_bind *b = &c->frontends[i].binds[j];
			struct listener *l;

			if ((fd = listener_open(b, CFG_DEF_BACKLOG)) < 0) {
				errno = -fd;
				log_err("%s: cannot bind %s",
				    main_where(b, where, sizeof(where)), b->text);
				return -1;
			}
			if ((l = calloc(1, sizeof(*l))) == NULL) {
				close(fd);
				return -1;
			}
			l->fd = fd;
			l->bind = b;
			l->fe = &rt->frontends[i];
			l->ssl_ctx = l->fe->ssl_ctx[j];
			l->bind_idx = j;
			if (l->ssl_ctx != NULL)
				SSL_CTX_up_ref(l->ssl_ctx);
			l->w = w;
			list_append(&w->listeners, &l->list);
		}
	return 0;
}

static int
main_drop_privileges(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		log_errx("user %s: no such user", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		log_err("cannot become user %s", user);
		return -1;
	}
	return 0;
}

/* SIGHUP: every TLS bind's certificates, keys, OCSP responses and
 * ticket keys are read again; new handshakes use them, those under way
 * and established connections are not touched. A bind whose files are
 * wrong keeps what it has, and the reason is logged. */
static void
main_reload(struct runtime *rt, struct worker *ws, unsigned int n)
{
	const struct cfg *c = rt->cfg;
	size_t i, j, done = 0, failed = 0;
	char err[1024];
	SSL_CTX *ctx;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++) {
			const struct cfg_bind *b = &c->frontends[i].binds[j];
			struct frontend *fe = &rt->frontends[i];

			if (!(b->flags & CFG_BIND_F_TLS))
				continue;
			if (ssl_tickets_reload(fe->tickets[j], err,
			    sizeof(err)) < 0 || (ctx = main_ssl_ctx(c,
			    &c->frontends[i], b, fe->tickets[j], err,
			    sizeof(err))) == NULL) {
				log_errx("reload: %s; bind %s keeps what it "
				    "had", err, b->text);
				failed++;
				continue;
			}
			pthread_mutex_lock(&rt->tls_lock);
			SSL_CTX_free(fe->ssl_ctx[j]);
			fe->ssl_ctx[j] = ctx;
			pthread_mutex_unlock(&rt->tls_lock);
			done++;
		}
	for (i = 0; i < n; i++)
		worker_reload_tls(&ws[i]);
	log_info("SIGHUP: reloaded the TLS files of %zu bind(s)%s", done,
	    failed ? ", some failed (see above)" : "");
}

/* Once a second: ticket keys rotate. */
static void
main_tick(struct runtime *rt)
{
	const struct cfg *c = rt->cfg;
	time_t now = time(NULL);
	size_t i, j;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++)
			if (rt->frontends[i].tickets[j] != NULL)
				ssl_tickets_tick(rt->frontends[i].tickets[j],
				    now);
}

/* Waits for SIGTERM or SIGINT, asks the workers to drain, and returns
 * when they have all stopped. A second signal ends the grace at once.
 * SIGHUP reloads the TLS files. */
static void
main_wait(struct runtime *rt, struct worker *ws, unsigned int n,
    const sigset_t *set)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 }, sec = { 1, 0 };
	unsigned int i, stops = 0;
	int sig;

	for (;;) {
		sig = sigtimedwait(set, NULL, stops ? &tick : &sec);
		if (sig == -1 && !stops)
			main_tick(rt);
		if (sig == SIGHUP && !stops) {
			main_reload(rt, ws, n);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: %s", strsignal(sig), stops == 0 ?
			    "stopping, letting connections finish" :
			    "closing remaining connections now");
			stops++;
			for (i = 0; i < n; i++)
				worker_stop(&ws[i]);
		}
		if (stops && atomic_load(&rt->workers_done) == n)
			return;
	}
}

/* What each mode http frontend answered, for the last lines of the log. */
static void
main_http_counts(struct runtime *rt)
{
	struct frontend *fe;
	size_t i;

	for (i = 0; i < rt->cfg->nfrontends; i++) {
		fe = &rt->frontends[i];
		if (fe->cfg->mode != CFG_MODE_HTTP)
			continue;
		log_info("frontend %s: responses 1xx %lu, 2xx %lu, 3xx %lu, "
		    "4xx %lu, 5xx %lu; gatehouse's own %lu", fe->cfg->name,
		    atomic_load(&fe->http_class[1]),
		    atomic_load(&fe->http_class[2]),
		    atomic_load(&fe->http_class[3]),
		    atomic_load(&fe->http_class[4]),
		    atomic_load(&fe->http_class[5]), atomic_load(&fe->http_own));
	}
}

/* kTLS for mode tcp TLS binds, when the kernel has it and "ktls off"
 * does not say otherwise; the log says which. */
static void
main_ktls_decide(const struct cfg *c)
{
	char why[160];
	size_t i, j;
	int tls = 0;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++)
			if (c->frontends[i].mode == CFG_MODE_TCP &&
			    (c->frontends[i].binds[j].flags & CFG_BIND_F_TLS))
				tls = 1;
	if (!tls)
		return;
	if (c->ktls == CFG_KTLS_OFF)
		log_info("kTLS: off (ktls off): OpenSSL makes the TLS records");
	else if (!(main_ktls = ssl_ktls_probe(why, sizeof(why))) &&
	    c->ktls == CFG_KTLS_ON) {
		main_ktls = 1;
		log_info("kTLS: asked for (ktls on), but %s: OpenSSL makes "
		    "the TLS records of each connection", why);
	} else if (!main_ktls)
		log_info("kTLS: not used, %s: OpenSSL makes the TLS records",
		    why);
	else
		log_info("kTLS: in use on mode tcp TLS binds: the kernel "
		    "makes the TLS records sent to clients, and server data "
		    "is spliced to them");
}

static int
main_run(const struct cfg *c)
{
	struct worker *ws = NULL;
	struct runtime rt;
	unsigned int i, ninit = 0, started = 0;
	sigset_t set;
	char err[1024];
	int rc = 1;

	log_init(c->log == CFG_LOG_SYSLOG, c->log_facility, "gatehouse");
	log_set_quiet(c->log == CFG_LOG_NONE);
	signal(SIGPIPE, SIG_IGN);
	main_ktls_decide(c);
	if (main_runtime_init(&rt, c, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		return 1;
	}
	if (main_raise_nofile(c, &rt) < 0)
		goto out_free_runtime;
	if ((ws = calloc(c->workers, sizeof(*ws))) == NULL)
		goto out_free_runtime;
	for (i = 0; i < c->workers; i++) {
		ninit++;
		if (worker_init(&ws[i], i, &rt) < 0) {
			log_errx("worker %u: cannot set up its event loop", i);
			goto out_free_workers;
		}
		if (main_open_listeners(&ws[i], &rt) < 0)
			goto out_free_workers;
	}
	if (c->user != NULL && main_drop_privileges(c->user) < 0)
		goto out_free_workers;
	/* Signals are taken by the main thread only: the workers inherit a
	 * mask that blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (started = 0; started < c->workers; started++)
		if (worker_start(&ws[started]) < 0) {
			log_errx("cannot start worker thread %u", started);
			for (i = 0; i < started; i++)
				worker_stop(&ws[i]);
			goto out_join;
		}
	if (health_start(&rt, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		for (i = 0; i < started; i++)
			worker_stop(&ws[i]);
		goto out_join;
	}
	log_info("gatehouse %s: %u worker(s), %zu frontend(s), maxconn %u",
	    PACKAGE_VERSION, c->workers, c->nfrontends, rt.maxconn);
	main_wait(&rt, ws, c->workers, &set);
	rc = 0;
out_join:
	for (i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	health_stop();
	if (rc == 0) {
		main_http_counts(&rt);
		log_info("stopped");
	}
out_free_workers:
	for (i = 0; i < ninit; i++)
		worker_free(&ws[i]);
	free(ws);
out_free_runtime:
	main_runtime_free(&rt);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli_opts o;
	struct runtime rt;
	char err[1024];
	int rc;

	cli_parse(argc, argv, &o);
	switch (o.action) {
	case CLI_USAGE:
		if (o.err[0] != '\0')
			fprintf(stderr, "gatehouse: %s\n", o.err);
		cli_usage(stderr, "gatehouse");
		return 2;
	case CLI_HELP:
		cli_usage(stdout, "gatehouse");
		return 0;
	case CLI_VERSION:
		printf("gatehouse %s\n", PACKAGE_VERSION);
		return 0;
	case CLI_CFG_ERROR:
		fprintf(stderr, "%s\n", o.err);
		return 1;
	case CLI_DUMP:
		cfg_dump(o.cfg, stdout);
		cfg_free(o.cfg);
		return 0;
	case CLI_EXPLAIN:
		ssl_init();
		rc = main_explain(o.cfg, o.explain);
		cfg_free(o.cfg);
		return rc;
	case CLI_CHECK:
		/* Loading the certificates is part of the check. */
		ssl_init();
		if (main_runtime_init(&rt, o.cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			cfg_free(o.cfg);
			return 1;
		}
		main_runtime_free(&rt);
		printf("configuration is valid\n");
		cfg_free(o.cfg);
		return 0;
	case CLI_RUN:
		break;
	}
	ssl_init();
	if (ssl_sock_init() < 0)
		return 1;
	rc = main_run(o.cfg);
	cfg_free(o.cfg);
	return rc;
}
