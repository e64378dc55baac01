/* Backends and servers at run time: the configuration plus the figures
 * shared by every worker thread (atomics only). */
#ifndef GH_BACKEND_H
#define GH_BACKEND_H

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/ssl.h>

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
	atomic_uint served;             /* requests (http) or connections
	                                   (tcp) in flight: maxconn, leastconn */
	atomic_int up;                  /* 1: may take traffic */
	atomic_uint errors;             /* consecutive live failures */
	int swrr_cur;                   /* smooth round robin: its current
	                                   weight (under be->lock) */
	SSL_CTX *ssl_ctx;               /* ssl servers: built at start */
	/* The address: set at start, replaced by re-resolution. */
	pthread_mutex_t addr_lock;
	struct sockaddr_storage addr;   /* addrlen 0: none yet (down) */
	socklen_t addrlen;
};

/* A point of the consistent hash ring: the server owning the hashes from
 * the previous point (excluded) up to this one. */
struct backend_point {
	uint32_t hash;
	uint32_t srv;                   /* index in servers[] */
};

struct backend {
	const struct cfg_backend *cfg;
	struct server *servers;         /* one per cfg->servers entry */
	size_t nservers;
	unsigned int idx;               /* among the backends: its queue in
	                                   each worker */
	pthread_mutex_t lock;           /* smooth round robin state */
	atomic_uint rr_next;            /* leastconn: where scans begin */
	struct backend_point *ring;     /* hash algorithms, sorted by hash */
	size_t nring;
};

/* Why backend_pick() found no server. */
enum backend_miss {
	BE_MISS_NONE = 0,               /* no server is up: 503 / close */
	BE_MISS_FULL                    /* every one usable is at maxconn:
	                                   wait in the queue */
};

/* Builds the run-time backends of <c>, one per cfg backend, in order,
 * and counts their servers in <nservers>. Returns 0 or -ENOMEM. */
int backend_init_all(const struct cfg *c, struct backend **out,
    unsigned int *nservers);
void backend_free_all(struct backend *b, size_t n);

/* The backend built from <cb>. */
struct backend *backend_of(struct backend *all, size_t n,
    const struct cfg_backend *cb);

/* Picks a server by the backend's algorithm among those up, not full and
 * not <avoid> (the one that just failed), backups only when no other is
 * up, and takes a slot on it (server->served). <hash> is the key's
 * util_hash() for the hash algorithms; NULL (no key, as a request
 * without the field) makes them fall back to round robin. Returns the
 * server, or NULL with the reason in <miss>. */
struct server *backend_pick(struct backend *b, const uint32_t *hash,
    const struct server *avoid, enum backend_miss *miss);

/* Gives back the slot backend_pick() took. */
void backend_release(struct server *srv);

/* The 32-bit hash of the hash algorithms, exposed for tests. */

/* Server state, from any thread. */

/* Sets whether <srv> takes traffic; logs the change with <why> ("check:
 * connection refused") and how many servers of its backend remain up.
 * A server going down has its pooled idle connections closed by each
 * worker as it next looks at them. */
void server_set_up(struct server *srv, int up, const char *why);

/* Copies the server's current address into <out>; returns its length, 0
 * when it has none (a name not resolved yet). */
socklen_t server_addr(struct server *srv, struct sockaddr_storage *out);
/* Replaces the address (re-resolution). */
void server_set_addr(struct server *srv, const struct sockaddr *sa,
    socklen_t len);

/* Passive checks: live traffic reports each connect or response outcome;
 * backend->cfg->error_limit failures in a row take the server down. */
void server_report(struct server *srv, int ok, const char *why);

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
