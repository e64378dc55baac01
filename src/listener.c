#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "worker.h"

int
listener_open(const struct cfg_bind *b, int backlog)
{
	int fd, one = 1, err;

	fd = socket(b->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1)
		goto err_close;
	if (b->addr.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &(int){ (b->flags & CFG_BIND_F_V6ONLY) != 0 }, sizeof(int)) == -1)
		goto err_close;
	/* A TLS client speaks first: wake us only once its ClientHello is
	 * there, saving an empty turn of the loop per connection. */
	if ((b->flags & CFG_BIND_F_TLS) &&
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &(int){ 1 },
	    sizeof(int)) == -1)
		goto err_close;
	if (bind(fd, (const struct sockaddr *)&b->addr, b->addrlen) == -1 ||
	    listen(fd, backlog) == -1)
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
	worker_schedule_resume(l->w);
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
	worker_conn_done(w);
}
