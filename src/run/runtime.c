/* One generation of the running program (runtime.h): built from one
 * struct cfg, checked whole before anything binds, then bound, started,
 * stopped, joined and freed. main() and the Check suites drive it the
 * same way; "gatehouse -c" is runtime_new() and runtime_free(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backend.h"
#include "health.h"
#include "listener.h"
#include "log.h"
#include "proto.h"
#include "resolve.h"
#include "runtime.h"
#include "ssl_ctx.h"
#include "ssl_ticket.h"
#include "tls.h"
#include "worker.h"

/* The TLS context of each "ssl" server, from its files. */
static int
runtime_server_ssl(struct backend *b, char *err, size_t errlen)
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

/* The frontends of <rt>: protocol, backends, and each TLS bind's ticket
 * keys and context. */
static int
runtime_frontends(struct runtime *rt, char *err, size_t errlen)
{
	const struct cfg *c = rt->cfg;
	size_t i, j;

	if ((rt->frontends = calloc(c->nfrontends + 1,
	    sizeof(*rt->frontends))) == NULL)
		goto err_nomem;
	for (i = 0; i < c->nfrontends; i++) {
		const struct cfg_frontend *cf = &c->frontends[i];
		struct frontend *fe = &rt->frontends[i];

		fe->cfg = cf;
		fe->proto = cf->mode == CFG_MODE_HTTP ? &proto_http :
		    &proto_tcp;
		fe->backend = backend_of(rt->backends, c->nbackends,
		    cf->default_backend);
		if ((fe->ssl_ctx = calloc(cf->nbinds + 1,
		    sizeof(*fe->ssl_ctx))) == NULL ||
		    (fe->tickets = calloc(cf->nbinds + 1,
		    sizeof(*fe->tickets))) == NULL ||
		    (fe->routes = calloc(cf->nroutes + 1,
		    sizeof(*fe->routes))) == NULL)
			goto err_nomem;
		for (j = 0; j < cf->nbinds; j++)
			if ((cf->binds[j].flags & CFG_BIND_F_TLS) &&
			    ((fe->tickets[j] = tls_bind_tickets(c,
			    &cf->binds[j], err, errlen)) == NULL ||
			    (fe->ssl_ctx[j] = tls_bind_ctx(c, cf,
			    &cf->binds[j], fe->tickets[j], rt->ktls, err,
			    errlen)) == NULL))
				return -1;
		for (j = 0; j < cf->nroutes; j++)
			fe->routes[j] = backend_of(rt->backends, c->nbackends,
			    cf->routes[j].backend);
	}
	return 0;
err_nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Every client connection may need a server socket and, when splicing, a
 * pipe (two descriptors) in each direction; a quarter of them splicing at
 * once is plenty (above that, sessions copy through buffers instead). So a
 * connection costs 2 + 4/4 = 3 descriptors, plus a fixed part.
 * An explicit maxconn that the limit cannot hold is an error; without one,
 * maxconn is what the hard limit allows, at most CFG_DEF_MAXCONN. The
 * soft limit is raised (the hard one too where the process may) to what
 * is needed: the limit is the process's, so that is done for -c too,
 * which exits right after, and the answer is the one start would get.
 * Two runtimes at once (a reload) each raise it to their own need: the
 * new one takes over the old one's listeners, not more of them. */
static int
runtime_nofile(struct runtime *rt, char *err, size_t errlen)
{
	const struct cfg *c = rt->cfg;
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
		snprintf(err, errlen, "getrlimit: %s", strerror(errno));
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
	rt->nofile = (unsigned long long)need;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		snprintf(err, errlen, "maxconn %u needs %llu open files, and "
		    "the limit cannot be raised to that (lower maxconn, or "
		    "raise the hard limit: ulimit -Hn): %s", rt->maxconn,
		    (unsigned long long)need, strerror(errno));
		return -1;
	}
	return 0;
}

int
runtime_new(const struct cfg *c, struct runtime **out, char *err,
    size_t errlen)
{
	struct runtime *rt;
	size_t i;

	*out = NULL;
	if ((rt = calloc(1, sizeof(*rt))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rt->cfg = c;
	pthread_mutex_init(&rt->tls_lock, NULL);
	rt->ktls = tls_ktls_decide(c);
	if (backend_init_all(c, &rt->backends, &rt->nservers) < 0) {
		snprintf(err, errlen, "out of memory");
		goto err_free_runtime;
	}
	for (i = 0; i < c->nbackends; i++)
		if (runtime_server_ssl(&rt->backends[i], err, errlen) < 0)
			goto err_free_runtime;
	if (resolve_start(rt, err, errlen) < 0 ||
	    runtime_frontends(rt, err, errlen) < 0 ||
	    runtime_nofile(rt, err, errlen) < 0)
		goto err_free_runtime;
	if ((rt->workers = calloc(c->workers, sizeof(*rt->workers))) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto err_free_runtime;
	}
	for (; rt->nworkers < c->workers; rt->nworkers++)
		if (worker_init(&rt->workers[rt->nworkers], rt->nworkers,
		    rt) < 0) {
			/* What worker_init() did is undone by worker_free(). */
			rt->nworkers++;
			snprintf(err, errlen, "worker %u: cannot set up its "
			    "event loop", rt->nworkers - 1);
			goto err_free_runtime;
		}
	*out = rt;
	return 0;
err_free_runtime:
	runtime_free(rt);
	return -1;
}

/* One listener of bind <b> (frontend <fe>, bind <j>) in worker <w>, on
 * <ss>. */
static int
runtime_listen(struct runtime *rt, struct worker *w, size_t fe, size_t j,
    const struct sockaddr_storage *ss, socklen_t len)
{
	const struct cfg_bind *b = &rt->cfg->frontends[fe].binds[j];
	struct listener *l;
	int fd;

	if ((fd = listener_open(b, (const struct sockaddr *)ss, len,
	    CFG_DEF_BACKLOG)) < 0)
		return fd;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	l->fd = fd;
	l->bind = b;
	l->fe = &rt->frontends[fe];
	l->ssl_ctx = l->fe->ssl_ctx[j];
	if (l->ssl_ctx != NULL)
		SSL_CTX_up_ref(l->ssl_ctx);
	l->w = w;
	list_append(&w->listeners, &l->list);
	return 0;
}

int
runtime_bind(struct runtime *rt, char *err, size_t errlen)
{
	const struct cfg *c = rt->cfg;
	struct sockaddr_storage ss;
	char where[256];
	socklen_t len;
	size_t i, j;
	unsigned int k;
	int probe, rc;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++) {
			const struct cfg_bind *b = &c->frontends[i].binds[j];

			/* Held while ours bind and listen: see
			 * listener_probe(). */
			if ((rc = probe = listener_probe(b, &ss, &len)) >= 0)
				for (k = 0; k < rt->nworkers && rc >= 0; k++)
					rc = runtime_listen(rt, &rt->workers[k],
					    i, j, &ss, len);
			if (probe >= 0)
				close(probe);
			if (rc < 0) {
				snprintf(err, errlen, "%s: bind %s: %s",
				    tls_where(b, where, sizeof(where)), b->text,
				    rc == -EADDRINUSE ? "address already in "
				    "use" : strerror(-rc));
				return -1;
			}
		}
	return 0;
}

socklen_t
runtime_bound_addr(const struct runtime *rt, size_t fe, size_t bind,
    struct sockaddr_storage *ss)
{
	const struct cfg_bind *b;
	struct listener *l;
	struct list *e;
	socklen_t len = sizeof(*ss);

	if (rt->nworkers == 0 || fe >= rt->cfg->nfrontends ||
	    bind >= rt->cfg->frontends[fe].nbinds)
		return 0;
	b = &rt->cfg->frontends[fe].binds[bind];
	for (e = rt->workers[0].listeners.next;
	    e != &rt->workers[0].listeners; e = e->next) {
		l = container_of(e, struct listener, list);
		if (l->bind == b && l->fd != -1 &&
		    getsockname(l->fd, (struct sockaddr *)ss, &len) == 0)
			return len;
	}
	return 0;
}

int
runtime_start(struct runtime *rt, char *err, size_t errlen)
{
	int rc;

	/* The control loop is built before any thread runs: what fails
	 * there fails with nothing to stop. */
	if (health_new(rt, &rt->health, err, errlen) < 0)
		return -1;
	rt->resolver = resolve_schedule(rt, health_base(rt->health));
	if (health_nchecks(rt->health) == 0 && rt->resolver == NULL) {
		/* Nothing to watch: no thread. */
		health_free(rt->health);
		rt->health = NULL;
	}
	for (; rt->nstarted < rt->nworkers; rt->nstarted++)
		if ((rc = worker_start(&rt->workers[rt->nstarted])) < 0) {
			snprintf(err, errlen, "cannot start worker thread %u: "
			    "%s", rt->nstarted, strerror(-rc));
			runtime_stop(rt, 1);
			return -1;
		}
	if (rt->health != NULL && (rc = health_start(rt->health)) < 0) {
		snprintf(err, errlen, "cannot start the health check thread: "
		    "%s", strerror(-rc));
		runtime_stop(rt, 1);
		return -1;
	}
	return 0;
}

void
runtime_stop(struct runtime *rt, int now)
{
	unsigned int i;

	now |= rt->stops++ > 0;
	for (i = 0; i < rt->nstarted; i++)
		worker_stop(&rt->workers[i], now);
}

int
runtime_done(struct runtime *rt)
{
	return atomic_load(&rt->workers_done) == rt->nstarted;
}

void
runtime_join(struct runtime *rt)
{
	unsigned int i;

	for (i = 0; i < rt->nstarted; i++)
		pthread_join(rt->workers[i].thread, NULL);
	rt->nstarted = 0;
	atomic_store(&rt->workers_done, 0);
	health_stop(rt->health);
}

void
runtime_tls_changed(struct runtime *rt)
{
	unsigned int i;

	for (i = 0; i < rt->nstarted; i++)
		worker_reload_tls(&rt->workers[i]);
}

void
runtime_log_counts(const struct runtime *rt)
{
	const struct frontend *fe;
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

void
runtime_free(struct runtime *rt)
{
	const struct cfg *c;
	size_t i, j;

	if (rt == NULL)
		return;
	c = rt->cfg;
	/* The resolver first: it drains its requests on health's base. */
	resolve_free(rt->resolver);
	health_free(rt->health);
	for (i = 0; i < rt->nworkers; i++)
		worker_free(&rt->workers[i]);
	free(rt->workers);
	if (rt->frontends != NULL)
		for (i = 0; i < c->nfrontends; i++) {
			struct frontend *fe = &rt->frontends[i];

			for (j = 0; fe->ssl_ctx != NULL &&
			    j < c->frontends[i].nbinds; j++)
				SSL_CTX_free(fe->ssl_ctx[j]);
			for (j = 0; fe->tickets != NULL &&
			    j < c->frontends[i].nbinds; j++)
				ssl_tickets_free(fe->tickets[j]);
			free(fe->ssl_ctx);
			free(fe->tickets);
			free(fe->routes);
		}
	free(rt->frontends);
	backend_free_all(rt->backends, c->nbackends);
	pthread_mutex_destroy(&rt->tls_lock);
	free(rt);
}
