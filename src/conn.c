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
		c->flags |= CO_F_RDY_R;
	if (what & EV_WRITE) {
		c->flags |= CO_F_RDY_W;
		if (c->flags & CO_F_RECV_WANTS_W)
			c->flags = (c->flags & ~CO_F_RECV_WANTS_W) | CO_F_RDY_R;
	}
	c->cb(c, what);
}

struct conn *
conn_new(struct worker *w, int fd)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->w = w;
	c->xprt = &xprt_raw;
	c->flags = CO_F_RDY_R | CO_F_RDY_W;
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
	if (c->flags & CO_F_WANT_R)
		event_del(&c->ev_r);
	if (c->flags & CO_F_WANT_W)
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
	if (rd && !(c->flags & CO_F_WANT_R)) {
		event_add(&c->ev_r, NULL);
		c->flags |= CO_F_WANT_R;
	} else if (!rd && (c->flags & CO_F_WANT_R)) {
		event_del(&c->ev_r);
		c->flags &= ~CO_F_WANT_R;
	}
	if (wr && !(c->flags & CO_F_WANT_W)) {
		event_add(&c->ev_w, NULL);
		c->flags |= CO_F_WANT_W;
	} else if (!wr && (c->flags & CO_F_WANT_W)) {
		event_del(&c->ev_w);
		c->flags &= ~CO_F_WANT_W;
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
	c->flags |= CO_F_CONNECTING;
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
	c->flags &= ~CO_F_CONNECTING;
	return 0;
}
