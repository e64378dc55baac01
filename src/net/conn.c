#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "worker.h"

static void
conn_io(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	if (what & EV_READ)
		c->ep.flags |= CO_F_RDY_R;
	if (what & EV_WRITE) {
		c->ep.flags |= CO_F_RDY_W;
		if (c->ep.flags & CO_F_RECV_WANTS_W)
			c->ep.flags = (c->ep.flags & ~CO_F_RECV_WANTS_W) | CO_F_RDY_R;
	}
	c->cb(c, what);
}

/* ---- a connection as an endpoint ---- */

static struct conn *
conn_of(const struct endpoint *e)
{
	return e->conn;
}

static ssize_t
conn_ep_recv(struct endpoint *e, void *buf, size_t len)
{
	return conn_recv(conn_of(e), buf, len);
}

static ssize_t
conn_ep_send(struct endpoint *e, const void *buf, size_t len)
{
	return conn_send(conn_of(e), buf, len);
}

static int
conn_ep_flush(struct endpoint *e)
{
	return conn_of(e)->xprt->flush(conn_of(e));
}

static int
conn_ep_shutw(struct endpoint *e)
{
	return conn_of(e)->xprt->shutw(conn_of(e));
}

static int
conn_ep_pending(const struct endpoint *e)
{
	return conn_of(e)->xprt->pending(conn_of(e));
}

static void
conn_ep_want(struct endpoint *e, int rd, int wr)
{
	conn_want(conn_of(e), rd, wr);
}

static void
conn_ep_free(struct endpoint *e)
{
	conn_free(conn_of(e));
}

static const struct endpoint_ops conn_ep_ops = {
	.recv = conn_ep_recv,
	.send = conn_ep_send,
	.flush = conn_ep_flush,
	.shutw = conn_ep_shutw,
	.pending = conn_ep_pending,
	.want = conn_ep_want,
	.free = conn_ep_free,
};

static void
conn_ep_io(struct conn *c, short what)
{
	c->ep.cb(&c->ep, what);
}

struct endpoint *
conn_endpoint(struct conn *c)
{
	c->cb = conn_ep_io;
	c->owner = NULL;
	return &c->ep;
}

struct conn *
conn_new(struct worker *w, int fd)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->ep.ops = &conn_ep_ops;
	c->ep.fd = fd;
	c->ep.conn = c;
	c->w = w;
	c->xprt = &xprt_raw;
	c->ep.flags = CO_F_RDY_R | CO_F_RDY_W;
	LIST_INIT(&c->list);
	event_assign(&c->ev_r, w->base, fd, EV_READ | EV_PERSIST, conn_io, c);
	event_assign(&c->ev_w, w->base, fd, EV_WRITE | EV_PERSIST, conn_io, c);
	return c;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->ep.flags & CO_F_WANT_R)
		event_del(&c->ev_r);
	if (c->ep.flags & CO_F_WANT_W)
		event_del(&c->ev_w);
	if (c->xprt->close != NULL)
		c->xprt->close(c);
	if (c->fd != -1)
		close(c->fd);
	free(c);
}

void
conn_want(struct conn *c, int rd, int wr)
{
	if (rd && !(c->ep.flags & CO_F_WANT_R)) {
		event_add(&c->ev_r, NULL);
		c->ep.flags |= CO_F_WANT_R;
	} else if (!rd && (c->ep.flags & CO_F_WANT_R)) {
		event_del(&c->ev_r);
		c->ep.flags &= ~CO_F_WANT_R;
	}
	if (wr && !(c->ep.flags & CO_F_WANT_W)) {
		event_add(&c->ev_w, NULL);
		c->ep.flags |= CO_F_WANT_W;
	} else if (!wr && (c->ep.flags & CO_F_WANT_W)) {
		event_del(&c->ev_w);
		c->ep.flags &= ~CO_F_WANT_W;
	}
}

int
conn_connect(struct conn *c, const struct sockaddr *sa, socklen_t len)
{
	int one = 1;

	/* Small writes of a forwarded stream must not wait for Nagle. */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		return -errno;
	if (connect(c->fd, sa, len) == -1 && errno != EINPROGRESS)
		return -errno;
	c->ep.flags |= CO_F_CONNECTING;
	return 0;
}

int
conn_connect_result(struct conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		return -err;
	c->ep.flags &= ~CO_F_CONNECTING;
	return 0;
}
