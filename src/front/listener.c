#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "worker.h"

/* A TCP socket for <b>'s family with SO_REUSEADDR, V6ONLY as <b> says,
 * and SO_REUSEPORT when <reuseport>. Returns the fd or -errno. */
static int
listener_socket(const struct cfg_bind *b, int reuseport)
{
	int fd, one = 1, err;

	fd = socket(b->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1))
		goto err_close;
	if (b->addr.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &(int){ (b->flags & CFG_BIND_F_V6ONLY) != 0 }, sizeof(int)) == -1)
		goto err_close;
	return fd;
err_close:
	err = errno;
	close(fd);
	return -err;
}

/* The probe: a socket bound with SO_REUSEADDR but without SO_REUSEPORT
 * conflicts with every socket listening on the address, SO_REUSEPORT or
 * not, and with nothing else: not with connections in TIME_WAIT, nor with
 * our own SO_REUSEPORT sockets, which bind and listen while it is held
 * (so a port 0 stays ours from the probe to them). EADDRINUSE here means
 * another program, or another gatehouse, listens there; a second
 * gatehouse would otherwise join the first's SO_REUSEPORT group and
 * share the port silently.
 * Weighed and left: one socket per address shared by all workers (every
 * worker woken for each connection: no EPOLLEXCLUSIVE through libevent);
 * asking the kernel (sock_diag) for the port's listeners once ours listen
 * (exact, but netlink for a rare case). What remains is a window of
 * microseconds, from the probe's bind to our first listen(), in which a
 * process of the same user doing the same could pass too. */
int
listener_probe(const struct cfg_bind *b, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int fd, err;

	if ((fd = listener_socket(b, 0)) < 0)
		return fd;
	*len = sizeof(*ss);
	if (bind(fd, (const struct sockaddr *)&b->addr, b->addrlen) == -1 ||
	    getsockname(fd, (struct sockaddr *)ss, len) == -1) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int
listener_open(const struct cfg_bind *b, const struct sockaddr *sa,
    socklen_t len, int backlog)
{
	int fd, err;

	if ((fd = listener_socket(b, 1)) < 0)
		return fd;
	/* A TLS client speaks first: wake us only once its ClientHello is
	 * there, saving an empty turn of the loop per connection. */
	if ((b->flags & CFG_BIND_F_TLS) &&
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &(int){ 1 },
	    sizeof(int)) == -1)
		goto err_close;
	if (bind(fd, sa, len) == -1 || listen(fd, backlog) == -1)
		goto err_close;
	return fd;
err_close:
	err = errno;
	close(fd);
	return -err;
}

void
listener_pause(struct listener *l)
{
	if (l->flags & LI_F_PAUSED)
		return;
	event_del(&l->ev);
	l->flags |= LI_F_PAUSED;
	l->w->hooks->paused(l->w);
}

void
listener_resume(struct listener *l)
{
	if (!(l->flags & LI_F_PAUSED) || l->fd == -1)
		return;
	event_add(&l->ev, NULL);
	l->flags &= ~LI_F_PAUSED;
}

void
listener_close(struct listener *l)
{
	if (l->fd == -1)
		return;
	/* A worker that never started has not assigned the event. */
	if (!(l->flags & LI_F_PAUSED) && event_initialized(&l->ev))
		event_del(&l->ev);
	close(l->fd);
	l->fd = -1;
}

void
listener_conn_gone(struct worker *w, struct frontend *fe)
{
	atomic_fetch_sub_explicit(&w->rt->cur_conns, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&fe->cur_conns, 1, memory_order_relaxed);
	w->hooks->conn_gone(w);
}
