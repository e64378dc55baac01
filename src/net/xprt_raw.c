/* The raw transport: plain read(2)/write(2) on the socket. Splicing is done
 * by the session directly on the fds when both ends are raw. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"

static ssize_t
raw_recv(struct conn *c, void *buf, size_t len)
{
	ssize_t n;

	while ((n = read(c->fd, buf, len)) == -1 && errno == EINTR)
		;
	return n;
}

static ssize_t
raw_send(struct conn *c, const void *buf, size_t len)
{
	ssize_t n;

	while ((n = send(c->fd, buf, len, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	return n;
}

static int
raw_flush(struct conn *c)
{
	(void)c;
	return 0;
}

static int
raw_pending(const struct conn *c)
{
	(void)c;
	return 0;
}

static int
raw_shutw(struct conn *c)
{
	/* ENOTCONN: the peer is already gone, which is what we wanted. */
	if (shutdown(c->fd, SHUT_WR) == -1 && errno != ENOTCONN)
		return -errno;
	return 0;
}

const struct xprt_ops xprt_raw = {
	.name = "raw",
	.recv = raw_recv,
	.send = raw_send,
	.flush = raw_flush,
	.shutw = raw_shutw,
	.pending = raw_pending,
	.close = NULL,
};
