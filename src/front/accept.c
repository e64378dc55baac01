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
#include "proxy_proto.h"
#include "proto.h"
#include "ssl_sock.h"
#include "worker.h"

/* A connection of an accept-proxy listener until its PROXY header is
 * read (its owner meanwhile). Bytes that cannot end the header are taken
 * off the socket as they come, so a slow sender never leaves the socket
 * readable with nothing to do; the byte after the header is never read:
 * it belongs to the TLS handshake or the protocol. */
struct accept_pp {
	struct listener *l;
	struct event *timer;            /* timeout handshake */
	size_t len;
	char buf[PP_HDR_MAX];
};

static void accept_pp_io(struct conn *c, short what);

/* The transport of <c> is ready (its TLS handshake over, or at once on
 * a plain bind): the frontend's protocol takes it. */
static void
accept_conn_ready(struct listener *l, struct conn *c)
{
	if (l->fe->proto->accept(l->w, l->fe, conn_endpoint(c)) < 0) {
		conn_free(c);
		listener_conn_gone(l->w, l->fe);
	}
}

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
		accept_conn_ready(l, c);
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

/* After the generic part (and the PROXY header): the TLS handshake, or
 * the protocol at once. */
static void
accept_next(struct listener *l, struct conn *c)
{
	struct worker *w = l->w;

	if (l->ssl_ctx == NULL) {
		accept_conn_ready(l, c);
		return;
	}
	/* Until the handshake is over, the connection belongs to the
	 * listener. */
	c->owner = l;
	list_append(&w->handshakes, &c->list);
	if (ssl_sock_accept(c, l->ssl_ctx, &w->tlsbufs,
	    l->fe->cfg->timeouts.handshake, accept_hs_done, l) < 0) {
		list_del(&c->list);
		conn_free(c);
		listener_conn_gone(w, l->fe);
	}
}

/* Ends the wait for a PROXY header: <why> NULL, the connection goes on;
 * else it is closed with a log line. */
static void
accept_pp_end(struct conn *c, const char *why)
{
	struct accept_pp *pp = c->owner;
	struct listener *l = pp->l;
	char addr[UTIL_ADDRSTRLEN];

	list_del(&c->list);
	event_free(pp->timer);
	free(pp);
	if (why == NULL) {
		accept_next(l, c);
		return;
	}
	log_info("%s fe=%s PROXY header refused: %s",
	    util_addr_str(&c->peer.sa, addr, sizeof(addr)), l->fe->cfg->name,
	    why);
	conn_free(c);
	listener_conn_gone(l->w, l->fe);
}

static void
accept_pp_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	accept_pp_end(arg, "no PROXY header in time");
}

static void
accept_pp_io(struct conn *c, short what)
{
	struct accept_pp *pp = c->owner;
	struct pp_header h;
	ssize_t n, hlen;

	(void)what;
	while ((n = recv(c->fd, pp->buf + pp->len, sizeof(pp->buf) - pp->len,
	    MSG_PEEK)) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		accept_pp_end(c, n == 0 ? "closed before its PROXY header" :
		    strerror(errno));
		return;
	}
	if ((hlen = pp_decode(pp->buf, pp->len + (size_t)n, &h)) < 0) {
		accept_pp_end(c, h.why);
		return;
	}
	/* All of it is header (hlen 0: not ended yet), or up to its end. */
	n = hlen == 0 ? n : hlen - (ssize_t)pp->len;
	if (recv(c->fd, pp->buf + pp->len, (size_t)n, 0) != n) {
		accept_pp_end(c, "cannot read the PROXY header");
		return;
	}
	pp->len += (size_t)n;
	if (hlen == 0) {
		/* HAProxy too takes no more than its buffer; what senders
		 * put in TLVs fits in far less. */
		_Static_assert(sizeof(pp->buf) == 536, "the reason below");
		if (pp->len == sizeof(pp->buf))
			accept_pp_end(c, "longer than 536 bytes");
		return;
	}
	/* LOCAL (a health check of the sender itself) keeps the socket's
	 * own addresses. */
	if (!h.local) {
		memcpy(&c->peer, &h.src, sizeof(c->peer));
		memcpy(&c->local, &h.dst, sizeof(c->local));
	}
	accept_pp_end(c, NULL);
}

/* An accept-proxy connection: from a source allowed to send the header,
 * it waits for it (bounded by timeout handshake); others are closed. */
static void
accept_pp_start(struct listener *l, struct conn *c)
{
	const struct cfg_bind *b = l->bind;
	unsigned int ms = l->fe->cfg->timeouts.handshake;
	struct timeval tv = util_ms_tv(ms);
	char addr[UTIL_ADDRSTRLEN];
	struct accept_pp *pp;
	size_t i;

	for (i = 0; i < b->nproxy_from; i++)
		if (cfg_net_match(&b->proxy_from[i], &c->peer.sa))
			break;
	if (b->nproxy_from > 0 && i == b->nproxy_from) {
		log_info("%s fe=%s not allowed to send a PROXY header: closed",
		    util_addr_str(&c->peer.sa, addr, sizeof(addr)),
		    l->fe->cfg->name);
		goto err_close;
	}
	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		goto err_close;
	if ((pp->timer = evtimer_new(l->w->base, accept_pp_timeout, c)) ==
	    NULL) {
		free(pp);
		goto err_close;
	}
	pp->l = l;
	c->owner = pp;
	c->cb = accept_pp_io;
	list_append(&l->w->handshakes, &c->list);
	evtimer_add(pp->timer, &tv);
	conn_want(c, 1, 0);
	/* The header usually came with the connection. */
	accept_pp_io(c, EV_READ);
	return;
err_close:
	conn_free(c);
	listener_conn_gone(l->w, l->fe);
}

static void
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
		if (l->bind->flags & CFG_BIND_F_ACCEPT_PROXY)
			accept_pp_start(l, c);
		else
			accept_next(l, c);
	}
}

void
accept_abort_handshake(struct conn *c)
{
	struct listener *l = c->owner;

	if (c->cb == accept_pp_io) {
		struct accept_pp *pp = c->owner;

		l = pp->l;
		event_free(pp->timer);
		free(pp);
	}
	list_del(&c->list);
	conn_free(c);
	listener_conn_gone(l->w, l->fe);
}

void
accept_start(struct listener *l)
{
	event_assign(&l->ev, l->w->base, l->fd, EV_READ | EV_PERSIST,
	    tcp_accept, l);
	event_add(&l->ev, NULL);
}
