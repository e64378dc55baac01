#include <errno.h>
#include <stdlib.h>

#include "backend.h"
#include "conn.h"
#include "worker.h"

int
backend_init_all(const struct cfg *c, struct backend **out,
    unsigned int *nservers)
{
	struct backend *all;
	unsigned int idx = 0;
	size_t i, j;

	if ((all = calloc(c->nbackends ? c->nbackends : 1,
	    sizeof(*all))) == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nbackends; i++) {
		struct backend *b = &all[i];

		b->cfg = &c->backends[i];
		b->nservers = b->cfg->nservers;
		if ((b->servers = calloc(b->nservers,
		    sizeof(*b->servers))) == NULL)
			goto err_free_backends;
		for (j = 0; j < b->nservers; j++) {
			b->servers[j].cfg = &b->cfg->servers[j];
			b->servers[j].be = b;
			b->servers[j].idx = idx++;
		}
	}
	*out = all;
	*nservers = idx;
	return 0;
err_free_backends:
	backend_free_all(all, i);
	return -ENOMEM;
}

void
backend_free_all(struct backend *b, size_t n)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < n; i++)
		free(b[i].servers);
	free(b);
}

struct backend *
backend_of(struct backend *all, size_t n, const struct cfg_backend *cb)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (all[i].cfg == cb)
			return &all[i];
	return NULL;
}

unsigned int
backend_rr_start(struct backend *b)
{
	return atomic_fetch_add_explicit(&b->rr_next, 1, memory_order_relaxed);
}

struct server *
backend_pick(struct backend *b, unsigned int start, unsigned int attempt)
{
	if (attempt >= b->nservers)
		return NULL;
	/* start % n first: start + attempt may wrap around UINT_MAX. */
	return &b->servers[(start % b->nservers + attempt) % b->nservers];
}

/* How often idle connections are looked over. */
static const struct timeval backend_sweep_tv = { 1, 0 };

static void
backend_pool_drop(struct worker *w, struct conn *c)
{
	struct server *srv = c->owner;

	list_del(&c->list);
	w->idle[srv->idx].n--;
	w->nidle--;
	conn_free(c);
}

/* An idle connection has nothing to say: whatever wakes it (EOF, reset,
 * stray bytes) ends it. */
static void
backend_pool_io(struct conn *c, short what)
{
	(void)what;
	backend_pool_drop(c->w, c);
}

void
backend_pool_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	uint64_t now = util_now_ms();
	struct list *e, *next;
	struct server *srv;
	unsigned int i;

	(void)fd; (void)what;
	for (i = 0; i < w->rt->nservers; i++) {
		for (e = w->idle[i].list.next; e != &w->idle[i].list; e = next) {
			struct conn *c = container_of(e, struct conn, list);

			next = e->next;
			srv = c->owner;
			if (now - c->t_idle >= srv->be->cfg->timeouts.server_idle)
				backend_pool_drop(w, c);
		}
	}
	if (w->nidle > 0)
		evtimer_add(&w->idle_ev, &backend_sweep_tv);
}

struct conn *
backend_pool_get(struct worker *w, struct server *srv)
{
	struct worker_idle *p = &w->idle[srv->idx];
	struct conn *c;

	if (p->n == 0)
		return NULL;
	/* The most recent: the least likely to be timed out by the server. */
	c = container_of(p->list.prev, struct conn, list);
	list_del(&c->list);
	p->n--;
	w->nidle--;
	return c;
}

int
backend_pool_put(struct worker *w, struct server *srv, struct conn *c)
{
	struct worker_idle *p = &w->idle[srv->idx];

	if (p->n >= srv->be->cfg->keepalive_pool || w->stopping)
		return -1;
	c->owner = srv;
	c->cb = backend_pool_io;
	c->t_idle = util_now_ms();
	conn_want(c, 1, 0);
	list_append(&p->list, &c->list);
	p->n++;
	if (w->nidle++ == 0)
		evtimer_add(&w->idle_ev, &backend_sweep_tv);
	return 0;
}

void
backend_pool_flush(struct worker *w)
{
	unsigned int i;

	for (i = 0; w->idle != NULL && i < w->rt->nservers; i++)
		while (!LIST_EMPTY(&w->idle[i].list))
			backend_pool_drop(w, container_of(w->idle[i].list.next,
			    struct conn, list));
	if (w->base != NULL)
		evtimer_del(&w->idle_ev);
}
