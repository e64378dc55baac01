/* Backends at run time: server state shared by every worker (atomics,
 * and a lock for the smooth round robin and each name's address), the
 * balancing algorithms, and each worker's pool of idle server
 * connections. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "conn.h"
#include "log.h"
#include "ssl_sock.h"
#include "worker.h"

/* Points on the hash ring per unit of weight: enough that each server's
 * share stays within a few percent of its weight. */
#define BACKEND_POINTS  64

static int
backend_point_cmp(const void *a, const void *b)
{
	const struct backend_point *pa = a, *pb = b;

	if (pa->hash != pb->hash)
		return pa->hash < pb->hash ? -1 : 1;
	return pa->srv < pb->srv ? -1 : pa->srv > pb->srv;
}

/* The ring: each server's points come from its name, so adding, removing
 * or reordering other servers moves none of them. */
static int
backend_build_ring(struct backend *b)
{
	char key[256];
	size_t i, n = 0;
	unsigned int j;
	int len;

	for (i = 0; i < b->nservers; i++)
		n += (size_t)b->servers[i].cfg->weight * BACKEND_POINTS;
	if (n == 0)
		return 0;
	if ((b->ring = calloc(n, sizeof(*b->ring))) == NULL)
		return -ENOMEM;
	for (i = 0; i < b->nservers; i++) {
		for (j = 0; j < b->servers[i].cfg->weight * BACKEND_POINTS;
		    j++) {
			len = snprintf(key, sizeof(key), "%s#%u",
			    b->servers[i].cfg->name, j);
			b->ring[b->nring].hash = util_hash(key,
			    (size_t)len < sizeof(key) ? (size_t)len :
			    sizeof(key) - 1);
			b->ring[b->nring++].srv = (uint32_t)i;
		}
	}
	qsort(b->ring, b->nring, sizeof(*b->ring), backend_point_cmp);
	return 0;
}

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
		b->idx = (unsigned int)i;
		b->nservers = b->cfg->nservers;
		pthread_mutex_init(&b->lock, NULL);
		if ((b->servers = calloc(b->nservers,
		    sizeof(*b->servers))) == NULL)
			goto err_free_backends;
		for (j = 0; j < b->nservers; j++) {
			struct server *srv = &b->servers[j];

			srv->cfg = &b->cfg->servers[j];
			srv->be = b;
			srv->idx = idx++;
			pthread_mutex_init(&srv->addr_lock, NULL);
			srv->addr = srv->cfg->addr;
			srv->addrlen = srv->cfg->addrlen;
			/* A name is up once resolve.c gave it an address. */
			atomic_init(&srv->up, srv->addrlen != 0 ||
			    srv->cfg->host != NULL);
		}
		if ((b->cfg->balance == CFG_LB_SOURCE ||
		    b->cfg->balance == CFG_LB_URI ||
		    b->cfg->balance == CFG_LB_HDR) && backend_build_ring(b) < 0)
			goto err_free_backends;
	}
	*out = all;
	*nservers = idx;
	return 0;
err_free_backends:
	backend_free_all(all, i + 1);
	return -ENOMEM;
}

void
backend_free_all(struct backend *b, size_t n)
{
	size_t i, j;

	if (b == NULL)
		return;
	for (i = 0; i < n; i++) {
		for (j = 0; b[i].servers != NULL && j < b[i].nservers; j++) {
			SSL_CTX_free(b[i].servers[j].ssl_ctx);
			pthread_mutex_destroy(&b[i].servers[j].addr_lock);
		}
		free(b[i].servers);
		free(b[i].ring);
		pthread_mutex_destroy(&b[i].lock);
	}
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

/* ---- server state ---- */

static int
server_is_up(const struct server *srv)
{
	return atomic_load_explicit(&srv->up, memory_order_relaxed) &&
	    !(srv->cfg->flags & CFG_SRV_F_DISABLED);
}

void
server_set_up(struct server *srv, int up, const char *why)
{
	struct backend *b = srv->be;
	unsigned int act = 0, bck = 0;
	size_t i;

	if (atomic_exchange(&srv->up, up) == up)
		return;
	if (up)
		atomic_store(&srv->errors, 0);
	for (i = 0; i < b->nservers; i++)
		if (server_is_up(&b->servers[i])) {
			if (b->servers[i].cfg->flags & CFG_SRV_F_BACKUP)
				bck++;
			else
				act++;
		}
	log_msg(up ? LOG_NOTICE : LOG_WARNING, "server %s/%s is %s (%s); %u "
	    "active and %u backup servers up", b->cfg->name, srv->cfg->name,
	    up ? "UP" : "DOWN", why, act, bck);
}

socklen_t
server_addr(struct server *srv, struct sockaddr_storage *out)
{
	socklen_t len;

	/* A literal address never changes: no lock on the common path. */
	if (srv->cfg->host == NULL) {
		*out = srv->addr;
		return srv->addrlen;
	}
	pthread_mutex_lock(&srv->addr_lock);
	*out = srv->addr;
	len = srv->addrlen;
	pthread_mutex_unlock(&srv->addr_lock);
	return len;
}

void
server_set_addr(struct server *srv, const struct sockaddr *sa,
    socklen_t len)
{
	pthread_mutex_lock(&srv->addr_lock);
	memcpy(&srv->addr, sa, len);
	srv->addrlen = len;
	pthread_mutex_unlock(&srv->addr_lock);
}

void
server_report(struct server *srv, int ok, const char *why)
{
	unsigned int limit = srv->be->cfg->error_limit;
	char msg[160];

	if (srv->be->cfg->observe == CFG_OBSERVE_NONE)
		return;
	if (ok) {
		if (atomic_load_explicit(&srv->errors,
		    memory_order_relaxed) != 0)
			atomic_store_explicit(&srv->errors, 0,
			    memory_order_relaxed);
		return;
	}
	if (atomic_fetch_add(&srv->errors, 1) + 1 != limit)
		return;
	snprintf(msg, sizeof(msg), "%u live errors in a row, the last: %s",
	    limit, why);
	server_set_up(srv, 0, msg);
}

/* ---- balancing ---- */

/* Takes a slot on <srv> unless it is at its maxconn. */
static int
server_take(struct server *srv)
{
	unsigned int max = srv->cfg->maxconn, cur;

	if (max == 0) {
		atomic_fetch_add_explicit(&srv->served, 1,
		    memory_order_relaxed);
		return 1;
	}
	cur = atomic_load_explicit(&srv->served, memory_order_relaxed);
	do {
		if (cur >= max)
			return 0;
	} while (!atomic_compare_exchange_weak(&srv->served, &cur, cur + 1));
	return 1;
}

void
backend_release(struct server *srv)
{
	atomic_fetch_sub_explicit(&srv->served, 1, memory_order_relaxed);
}

static int
server_full(const struct server *srv)
{
	return srv->cfg->maxconn != 0 && atomic_load_explicit(&srv->served,
	    memory_order_relaxed) >= srv->cfg->maxconn;
}

/* What a pick considers: the servers of one tier (backups or not) that
 * are up, have weight and are not <avoid>. */
struct backend_walk {
	struct backend *b;
	const struct server *avoid;
	int backup;
	int seen_full;          /* a candidate was at its maxconn */
};

static int
backend_candidate(struct backend_walk *wk, const struct server *srv)
{
	if (srv == wk->avoid || !server_is_up(srv) || srv->cfg->weight == 0 ||
	    !(srv->cfg->flags & CFG_SRV_F_BACKUP) != !wk->backup)
		return 0;
	if (server_full(srv)) {
		wk->seen_full = 1;
		return 0;
	}
	return 1;
}

/* Smooth weighted round robin (as nginx): each pick adds every
 * candidate's weight to its current weight, takes the highest and takes
 * the total off it. Weights 5,1,1 give a a b a c a a, not a a a a a b c. */
static struct server *
backend_pick_rr(struct backend_walk *wk)
{
	struct backend *b = wk->b;
	struct server *best = NULL, *srv;
	int total = 0;
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->nservers; i++) {
		srv = &b->servers[i];
		if (!backend_candidate(wk, srv))
			continue;
		srv->swrr_cur += (int)srv->cfg->weight;
		total += (int)srv->cfg->weight;
		if (best == NULL || srv->swrr_cur > best->swrr_cur)
			best = srv;
	}
	if (best != NULL)
		best->swrr_cur -= total;
	pthread_mutex_unlock(&b->lock);
	return best;
}

/* Whether <a> carries less per weight than <b>. */
static int
backend_lighter(const struct server *a, const struct server *b)
{
	uint64_t la = atomic_load_explicit(&a->served, memory_order_relaxed);
	uint64_t lb = atomic_load_explicit(&b->served, memory_order_relaxed);

	return (la + 1) * b->cfg->weight < (lb + 1) * a->cfg->weight;
}

/* The fewest requests in flight per weight, over every worker thread.
 * Each scan starts one server further, so ties spread evenly. */
static struct server *
backend_pick_leastconn(struct backend_walk *wk)
{
	struct backend *b = wk->b;
	struct server *best = NULL, *srv;
	unsigned int start = atomic_fetch_add_explicit(&b->rr_next, 1,
	    memory_order_relaxed);
	size_t i;

	for (i = 0; i < b->nservers; i++) {
		srv = &b->servers[(start % b->nservers + i) % b->nservers];
		if (backend_candidate(wk, srv) &&
		    (best == NULL || backend_lighter(srv, best)))
			best = srv;
	}
	return best;
}

/* A per-thread xorshift: random picks need no shared state. */
static uint32_t
backend_random(void)
{
	static _Thread_local uint64_t x;

	if (x == 0)
		x = (uint64_t)(uintptr_t)&x ^ util_now_ms() ^
		    0x9e3779b97f4a7c15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)(x >> 32);
}

/* One candidate drawn with probability proportional to its weight. */
static struct server *
backend_draw(struct backend_walk *wk, unsigned int total)
{
	struct backend *b = wk->b;
	unsigned int r = backend_random() % total;
	size_t i;

	for (i = 0; i < b->nservers; i++) {
		if (!backend_candidate(wk, &b->servers[i]))
			continue;
		if (r < b->servers[i].cfg->weight)
			return &b->servers[i];
		r -= b->servers[i].cfg->weight;
	}
	return NULL;
}

/* Power of two choices: two weighted random draws, the lighter wins. As
 * even as leastconn under load, without every thread converging on the
 * same least loaded server between two updates. */
static struct server *
backend_pick_random(struct backend_walk *wk)
{
	struct backend *b = wk->b;
	struct server *x, *y;
	unsigned int total = 0;
	size_t i;

	for (i = 0; i < b->nservers; i++)
		if (backend_candidate(wk, &b->servers[i]))
			total += b->servers[i].cfg->weight;
	if (total == 0)
		return NULL;
	x = backend_draw(wk, total);
	y = backend_draw(wk, total);
	if (x == NULL || y == NULL)
		return x != NULL ? x : y;
	return backend_lighter(y, x) ? y : x;
}

/* The first candidate at or after <h> on the ring. A server that is down
 * gives its hashes to the next points: only its share moves. A full one
 * is waited for rather than skipped, so a key keeps its server. */
static struct server *
backend_pick_hash(struct backend_walk *wk, uint32_t h)
{
	struct backend *b = wk->b;
	size_t lo = 0, hi = b->nring, i;
	struct server *srv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->ring[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = 0; i < b->nring; i++) {
		srv = &b->servers[b->ring[(lo + i) % b->nring].srv];
		if (backend_candidate(wk, srv))
			return srv;
		if (wk->seen_full)
			return NULL;
	}
	return NULL;
}

static struct server *
backend_pick_tier(struct backend_walk *wk, const uint32_t *hash)
{
	switch (wk->b->cfg->balance) {
	case CFG_LB_LEASTCONN:
		return backend_pick_leastconn(wk);
	case CFG_LB_RANDOM:
		return backend_pick_random(wk);
	case CFG_LB_SOURCE:
	case CFG_LB_URI:
	case CFG_LB_HDR:
		if (hash != NULL && wk->b->nring > 0)
			return backend_pick_hash(wk, *hash);
		/* FALLTHROUGH: no key (no such field): round robin */
	case CFG_LB_ROUNDROBIN:
		break;
	}
	return backend_pick_rr(wk);
}

struct server *
backend_pick(struct backend *b, const uint32_t *hash,
    const struct server *avoid, enum backend_miss *miss)
{
	struct backend_walk wk = { .b = b, .avoid = avoid };
	struct server *srv;
	int tries;

	/* A slot may go between the look and the take: pick again. */
	for (tries = 0; tries < 4; tries++) {
		wk.backup = 0;
		wk.seen_full = 0;
		srv = backend_pick_tier(&wk, hash);
		if (srv == NULL && !wk.seen_full) {
			/* Backups only when no active server is up. */
			wk.backup = 1;
			srv = backend_pick_tier(&wk, hash);
		}
		if (srv == NULL)
			break;
		if (server_take(srv))
			return srv;
		wk.seen_full = 1;
	}
	*miss = wk.seen_full ? BE_MISS_FULL : BE_MISS_NONE;
	return NULL;
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
			if (now - c->t_idle >= srv->be->cfg->timeouts.server_idle ||
			    !server_is_up(srv))
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
	/* A server that went down keeps none of its idle connections. */
	if (!server_is_up(srv)) {
		while (!LIST_EMPTY(&p->list))
			backend_pool_drop(w, container_of(p->list.next,
			    struct conn, list));
		return NULL;
	}
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

	/* A connection that began with a client's PROXY header speaks for
	 * that client only. */
	if (p->n >= srv->be->cfg->keepalive_pool || w->stopping ||
	    !server_is_up(srv) || (srv->cfg->flags & (CFG_SRV_F_PROXY_V1 |
	    CFG_SRV_F_PROXY_V2)))
		return -1;
	c->owner = srv;
	c->cb = backend_pool_io;
	c->t_idle = util_now_ms();
	ssl_sock_idle(c);
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
