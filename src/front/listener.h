/* Frontends at run time, and listeners: one listening socket per bind per
 * worker (SO_REUSEPORT), so that each worker accepts on its own. */
#ifndef GH_LISTENER_H
#define GH_LISTENER_H

#include <stdatomic.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <openssl/ssl.h>

#include "cfg.h"
#include "util.h"

struct backend;
struct conn;
struct frontend;
struct proto;
struct ssl_tickets;
struct worker;

struct frontend {
	const struct cfg_frontend *cfg;
	const struct proto *proto;      /* from the frontend's mode */
	struct backend *backend;        /* the default backend (mode http:
	                                   NULL answers 404) */
	struct backend **routes;        /* one per cfg->routes entry */
	SSL_CTX **ssl_ctx;              /* one per bind, NULL for plain binds;
	                                   replaced by a reload, under
	                                   runtime.tls_lock */
	struct ssl_tickets **tickets;   /* one per TLS bind: its ticket keys */
	atomic_uint cur_conns;          /* client connections, all workers */
	/* mode http: responses by class (1xx to 5xx), and how many of them
	 * gatehouse wrote itself (errors, redirects) */
	atomic_ulong http_class[6];
	atomic_ulong http_own;
};

#define LI_F_PAUSED     0x0001  /* accept event removed: maxconn reached */

struct listener {
	int fd;
	unsigned int flags;             /* LI_F_* */
	struct event ev;
	const struct cfg_bind *bind;
	struct frontend *fe;
	SSL_CTX *ssl_ctx;               /* NULL: plain bind; a reference of
	                                   its own, taken again from the
	                                   frontend after a reload */
	struct worker *w;
	struct list list;               /* in the worker's listeners */
};

/* What the front layer tells the thread it runs on. The run layer
 * (worker.c) installs them in each worker, so that this layer never calls
 * up into it. */
struct listener_hooks {
	/* A client connection of <w> ended (its slots are given back). */
	void (*conn_gone)(struct worker *w);
	/* A listener of <w> paused for want of a slot: re-try soon. */
	void (*paused)(struct worker *w);
};

/* Binds a probe socket on <b>'s address without SO_REUSEPORT, to learn
 * whether something else listens there: -EADDRINUSE then. Returns the
 * fd (the caller closes it once its own sockets listen) and in <ss> the
 * address bound (the port chosen for port 0), or -errno. */
int listener_probe(const struct cfg_bind *b, struct sockaddr_storage *ss,
    socklen_t *len);

/* Opens a listening socket for <b> on <sa> (SO_REUSEADDR, SO_REUSEPORT,
 * non-blocking, close-on-exec). Returns the fd, or -errno. */
int listener_open(const struct cfg_bind *b, const struct sockaddr *sa,
    socklen_t len, int backlog);

void listener_pause(struct listener *l);
void listener_resume(struct listener *l);
/* Stops accepting and closes the socket. */
void listener_close(struct listener *l);

/* Starts accepting on <l> in its worker's event loop (src/front/accept.c):
 * tcp_accept() accepts while the limits allow, applies the bind's flags
 * to each socket and hands it on. */
void accept_start(struct listener *l);

/* Ends a connection still in its TLS handshake (at shutdown). */
void accept_abort_handshake(struct conn *c);


/* Every client connection ends here: gives its slot back to the global
 * and frontend limits, and resumes paused listeners. */
void listener_conn_gone(struct worker *w, struct frontend *fe);

#endif
