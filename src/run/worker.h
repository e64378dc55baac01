/* Worker threads. Each has its own event_base, its own listening sockets,
 * its own buffer and pipe pools; a connection lives and dies on one. The
 * run-time state shared by all workers is their struct runtime
 * (runtime.h): read-only but for its atomic counters. */
#ifndef GH_WORKER_H
#define GH_WORKER_H

#include <pthread.h>
#include <stdatomic.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "cfg.h"
#include "channel.h"
#include "pipes.h"
#include "runtime.h"
#include "util.h"

struct backend;
struct frontend;
struct http_msg;
struct listener_hooks;

/* The idle connections of one server in one worker (backend.c). */
struct worker_idle {
	struct list list;               /* struct conn, oldest first */
	unsigned int n;
};

struct worker {
	unsigned int id;
	pthread_t thread;
	struct event_base *base;
	struct runtime *rt;
	const struct cfg *cfg;
	struct pool bufs;               /* channel buffers, cfg->bufsize */
	struct pool tlsbufs;            /* TLS output, one record and more */
	struct pipe_pool pipes;
	struct list listeners;          /* struct listener */
	const struct listener_hooks *hooks;     /* what listener.c calls */
	struct list sessions;           /* struct session */
	struct list handshakes;         /* struct conn in a TLS handshake */
	unsigned int nconns;            /* client conns alive here */
	int stopping;                   /* draining for exit */
	int stop_fd[2];                 /* others write a byte here to stop
	                                   us ('s', 'n': now) or reload ('r') */
	struct event stop_ev;
	struct event grace_ev;
	struct event resume_ev;         /* re-tries paused listeners */
	uint64_t next_sid;              /* session ids: id * 2^40 + n */
	struct worker_idle *idle;       /* rt->nservers pools */
	unsigned int nidle;             /* pooled connections, all servers */
	struct event idle_ev;           /* closes those idle too long */
	struct event tls_idle_ev;       /* idle sessions let go of their TLS
	                                   buffers (session_idle_sweep) */
	struct list *queues;            /* per backend: sessions waiting for
	                                   a server slot, oldest first */
	unsigned int nqueued;
	struct event queue_ev;          /* re-tries them (slots freed by
	                                   other workers) */
	/* mode http: what an analyzer uses within one call */
	struct http_msg *msg;           /* the parsed header block */
	char *scratch;                  /* a rewritten header block */
};

/* Prepares <w> (event base, pools) for runtime <rt>. Returns 0 or -errno. */
int worker_init(struct worker *w, unsigned int id, struct runtime *rt);
void worker_free(struct worker *w);

int worker_start(struct worker *w);
/* Asks <w> to stop accepting and to end once its connections are done
 * (or its grace is over; at once with <now>), from any thread: async-
 * signal and thread safe. */
void worker_stop(struct worker *w, int now);
/* Tells <w> to take its listeners' TLS contexts again from their
 * frontends (after a reload); thread safe. */
void worker_reload_tls(struct worker *w);

#endif
