/* Generic TCP accept: the same for every listener, driven by its flags.
 * Takes a connection only when the global and frontend limits have room
 * (above them the listener pauses, so the kernel's backlog holds the
 * clients: we never accept just to drop). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "listener.h"
#include "log.h"
#include "ssl_sock.h"
#include "worker.h"

/* At most this many accepts per wake-up, so one busy listener cannot
 * starve the connections already established. */
#define ACCEPT_BURST 64
/* From <linux/netfilter_ipv4.h>, which cannot be included with glibc's
 * <netinet/in.h>. */
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif

static int
accept_has_room(struct listener *l)
{
	unsigned int fe_max = l->fe->cfg->maxconn;

	if (atomic_load_explicit(&l->w->rt->cur_conns,
	    memory_order_relaxed) >= l->w->rt->maxconn)
		return 0;
	return fe_max == 0 || atomic_load_explicit(&l->fe->cur_conns,
	    memory_order_relaxed) < fe_max;
}

static void
accept_hs_done(struct conn *c, const char *reason, void *arg)
{
	struct listener *l = arg;
	char addr[UTIL_ADDRSTRLEN];

	list_del(&c->list);
	if (reason == NULL) {
		listener_conn_ready(l, c);
		return;
	}
	log_info("%s fe=%s TLS handshake failed: %s",
	    util_addr_str(&c->peer.sa, addr, sizeof(addr)),
	    l->fe->cfg->name, reason);
	conn_free(c);
	listener_conn_gone(l->w, l->fe);
}

/* Applies the listener's flags to a freshly accepted socket. */
static int
accept_setup(struct listener *l, struct conn *c)
{
	socklen_t len = sizeof(c->local);
	int one = 1;

	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		return -errno;
	if ((l->bind->flags & CFG_BIND_F_KEEPALIVE) &&
	    setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one,
	    sizeof(one)) == -1)
		return -errno;
	/* Without NAT the original destination is the local address. */
	if ((l->bind->flags & CFG_BIND_F_ORIGDST) &&
	    (c->peer.sa.sa_family != AF_INET ||
	    getsockopt(c->fd, SOL_IP, SO_ORIGINAL_DST, &c->local,
	    &len) == -1) &&
	    getsockname(c->fd, &c->local.sa, &(socklen_t){ sizeof(c->local) })
	    == -1)
		return -errno;
	return 0;
}

void
tcp_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct listener *l = arg;
	struct worker *w = l->w;
	union sockaddr_any peer;
	socklen_t plen;
	struct conn *c;
	int fd, i, rc;

	(void)what;
	for (i = 0; i < ACCEPT_BURST; i++) {
		if (!accept_has_room(l)) {
			listener_pause(l);
			return;
		}
		plen = sizeof(peer);
		fd = accept4(lfd, &peer.sa, &plen, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors or memory: breathe,
				 * rather than spin on a full backlog. */
				log_warn("fe=%s accept", l->fe->cfg->name);
				listener_pause(l);
			}
			return;
		}
		atomic_fetch_add_explicit(&w->rt->cur_conns, 1,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&l->fe->cur_conns, 1,
		    memory_order_relaxed);
		w->nconns++;
		if ((c = conn_new(w, fd)) == NULL) {
			close(fd);
			listener_conn_gone(w, l->fe);
			continue;
		}
		c->peer = peer;
		if ((rc = accept_setup(l, c)) < 0) {
			errno = -rc;
			log_warn("fe=%s accepted socket setup", l->fe->cfg->name);
			conn_free(c);
			listener_conn_gone(w, l->fe);
			continue;
		}
		if (l->ssl_ctx == NULL) {
			listener_conn_ready(l, c);
			continue;
		}
		/* Until the handshake is over, the connection belongs to
		 * the listener. */
		c->owner = l;
		list_append(&w->handshakes, &c->list);
		if (ssl_sock_accept(c, l->ssl_ctx,
		    l->fe->cfg->timeouts.handshake, accept_hs_done, l) < 0) {
			list_del(&c->list);
			conn_free(c);
			listener_conn_gone(w, l->fe);
		}
	}
}

void
accept_abort_handshake(struct conn *c)
{
	struct listener *l = c->owner;

	list_del(&c->list);
	conn_free(c);
	listener_conn_gone(l->w, l->fe);
}

void
listener_conn_ready(struct listener *l, struct conn *c)
{
	if (l->fe->proto->accept(l->w, l->fe, c) < 0) {
		conn_free(c);
		listener_conn_gone(l->w, l->fe);
	}
}
