/* Backends and servers at run time: the configuration plus the figures
 * shared by every worker thread (atomics only). */
#ifndef GH_BACKEND_H
#define GH_BACKEND_H

#include <stdatomic.h>

#include "cfg.h"

struct server {
	const struct cfg_server *cfg;
	atomic_uint cur_conns;          /* open connections, all workers */
	atomic_ulong total_conns;       /* connections made since start */
};

struct backend {
	const struct cfg_backend *cfg;
	struct server *servers;         /* one per cfg->servers entry */
	size_t nservers;
	atomic_uint rr_next;            /* round robin position */
};

/* Builds the run-time backends of <c>, one per cfg backend, in order.
 * Returns 0 or -ENOMEM. */
int backend_init_all(const struct cfg *c, struct backend **out);
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

#endif
