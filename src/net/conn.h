/* A connection: one socket, its libevent events, and the transport that
 * moves bytes over it (raw, or TLS slid underneath). Connections know
 * nothing of sessions: their owner gets a callback. */
#ifndef GH_CONN_H
#define GH_CONN_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/types.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "endpoint.h"
#include "util.h"

struct conn;
struct worker;

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* A transport. recv and send return a byte count, 0 on recv for EOF, or -1
 * with errno set (EAGAIN: try again on the next event). */
struct xprt_ops {
	const char *name;
	ssize_t (*recv)(struct conn *c, void *buf, size_t len);
	ssize_t (*send)(struct conn *c, const void *buf, size_t len);
	/* Writes what the transport holds back. 0 when nothing is left,
	 * -EAGAIN when the socket is full, another -errno on error. */
	int (*flush)(struct conn *c);
	/* Ends the write direction (TCP FIN, TLS close_notify then FIN).
	 * 0, or -EAGAIN when it must be called again once writable. */
	int (*shutw)(struct conn *c);
	/* Whether the transport holds received data the socket no longer
	 * shows (TLS records read ahead). */
	int (*pending)(const struct conn *c);
	/* Frees the transport's state; the fd is closed by conn_free(). */
	void (*close)(struct conn *c);
};

extern const struct xprt_ops xprt_raw;

struct conn {
	struct endpoint ep;             /* what a session sees; its flags are
	                                   the connection's (CO_F_*) */
	int fd;
	const struct xprt_ops *xprt;
	void *xprt_ctx;                 /* the transport's state (SSL) */
	struct worker *w;
	/* Called on readiness, on the owner's behalf; <what> is EV_READ or
	 * EV_WRITE. */
	void (*cb)(struct conn *c, short what);
	void *owner;
	struct event ev_r, ev_w;
	union sockaddr_any peer;        /* the client's address (client side) */
	union sockaddr_any local;       /* original destination (original-dst) */
	struct list list;               /* in the owner's list, if any */
	uint64_t t_idle;                /* pooled since (ms, monotonic) */
};

/* A connection over <fd> with the raw transport, no events added yet.
 * Returns NULL (and leaves <fd> open) when memory is exhausted. */
struct conn *conn_new(struct worker *w, int fd);

/* Closes the transport and the socket; NULL is fine. */
void conn_free(struct conn *c);

/* <c> as an endpoint: from now on readiness calls the endpoint's owner,
 * c->ep.cb(&c->ep, what), instead of c->cb. */
struct endpoint *conn_endpoint(struct conn *c);

/* Adds or removes read and write interest; only touches libevent when the
 * interest changes. */
void conn_want(struct conn *c, int rd, int wr);

/* Starts a non-blocking connect to <sa>. Returns 0 (connected or in
 * progress, CO_F_CONNECTING set) or -errno. */
int conn_connect(struct conn *c, const struct sockaddr *sa, socklen_t len);

/* After a write event on a connecting socket: 0 when connected, -errno
 * when the connect failed. */
int conn_connect_result(struct conn *c);

static inline ssize_t
conn_recv(struct conn *c, void *buf, size_t len)
{
	return c->xprt->recv(c, buf, len);
}

static inline ssize_t
conn_send(struct conn *c, const void *buf, size_t len)
{
	return c->xprt->send(c, buf, len);
}

#endif
