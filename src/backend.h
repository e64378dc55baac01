/* Backends and servers at run time: the configuration plus the figures
 * shared by every worker thread (atomics only). */
#ifndef GH_BACKEND_H
#define GH_BACKEND_H

#include <stdatomic.h>

#include "cfg.h"

struct conn;
struct worker;

struct server {
	const struct cfg_server *cfg;
	struct backend *be;
	unsigned int idx;               /* among all servers: the slot of its
	                                   idle pool in each worker */
	atomic_uint cur_conns;          /* open connections, all workers */
	atomic_ulong total_conns;       /* connections made since start */
};

struct backend {
	const struct cfg_backend *cfg;
	struct server *servers;         /* one per cfg->servers entry */
	size_t nservers;
	atomic_uint rr_next;            /* round robin position */
};

/* Builds the run-time backends of <c>, one per cfg backend, in order,
 * and counts their servers in <nservers>. Returns 0 or -ENOMEM. */
int backend_init_all(const struct cfg *c, struct backend **out,
    unsigned int *nservers);
void backend_free_all(struct backend *b, size_t n);

/* The backend built from <cb>. */
struct backend *backend_of(struct backend *all, size_t n,
    const struct cfg_backend *cb);

/* Where a session starts its round robin walk: servers are tried from
 * here, in order, one more on each failed connect. */
unsigned int backend_rr_start(struct backend *b);

/* The server for attempt <attempt> (0 = first) of a walk begun at <start>;
 * NULL once every server was tried. Takes no reference on the server. */
struct server *backend_pick(struct backend *b, unsigned int start,
    unsigned int attempt);

/* Idle server connections (mode http keep-alive), per worker and server:
 * a connection whose response ended cleanly waits here for the next
 * request to that server. A pooled connection that becomes readable
 * (the server closed it or spoke out of turn) is closed, and so is one
 * idle for longer than the backend's "timeout server-idle". */

/* Takes an idle connection to <srv>, or NULL. */
struct conn *backend_pool_get(struct worker *w, struct server *srv);
/* Keeps <c> for reuse. Returns 0, or -1 when the pool is full (the caller
 * still owns <c>). */
int backend_pool_put(struct worker *w, struct server *srv, struct conn *c);
/* The timer callback of w->idle_ev: closes what was idle too long. */
void backend_pool_sweep(int fd, short what, void *arg);
/* Closes every pooled connection of <w>. */
void backend_pool_flush(struct worker *w);

#endif
