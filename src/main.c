/* Start-up: the command line and configuration, the run-time objects that
 * every worker shares, the listening sockets, the worker threads; then the
 * main thread only waits for signals. */
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
#include "proto.h"
#include "resolve.h"
#include "ssl_ctx.h"
#include "ssl_sock.h"
#include "ssl_ticket.h"
#include "tls.h"
#include "worker.h"


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
			    ((fe->tickets[j] = tls_bind_tickets(c, &cf->binds[j],
			    err, errlen)) == NULL ||
			    (fe->ssl_ctx[j] = tls_bind_ctx(c, cf, &cf->binds[j],
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
				    tls_where(b, where, sizeof(where)), b->text);
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
			tls_tick(rt);
		if (sig == SIGHUP && !stops) {
			tls_reload(rt);
			for (i = 0; i < n; i++)
				worker_reload_tls(&ws[i]);
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
	tls_ktls_decide(c);
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
	size_t i;
	int rc;

	cli_parse(argc, argv, &o);
	/* Harmless oddities of the file, for -c and start-up alike. */
	for (i = 0; o.cfg != NULL && i < o.cfg->nwarnings; i++)
		fprintf(stderr, "%s\n", o.cfg->warnings[i]);
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
		rc = tls_explain(o.cfg, o.explain);
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
