/* Sessions: connect to a server, then move bytes both ways with
 * backpressure until both directions are closed. In mode http both
 * channels are held (CH_F_HOLD): the analyzers of http_req.c and
 * http_resp.c say how far bytes may move, and the session acts on what
 * they find: it gets a server for each request (an idle pooled one, or a
 * new connection), answers errors, and at the end of each response turns
 * the connection over to the next request or closes it.
 *
 * Every wake-up, from either connection, runs session_pump(): each
 * direction drains what its channel holds, then fills it from the producer,
 * until a socket says EAGAIN, the channel is full, or the producer is at
 * EOF. The CO_F_RDY_* flags remember which socket may still be read or
 * written, so that a wake-up for one side costs no system call on the
 * other. Interest in events is only what the state asks for: read when
 * there is room and the socket was drained, write when data waits. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "proxy_proto.h"
#include "session.h"
#include "ssl_sock.h"
#include "worker.h"

/* Bytes a splice pipe may hold; the kernel's default pipe is 64 KiB. */
#define SPLICE_MAX      (64 * 1024)
/* mode http: how long a closing client connection is read (and what it
 * sends dropped) after the last response, waiting for its FIN. */
#define SESSION_LINGER_MS 1000

static void session_arm_timer(struct session *s);
static void session_release_srv(struct session *s, int reuse);
static void session_unqueue(struct session *s);
static void session_release_slot(struct session *s);
static void session_drop_replay(struct session *s);
static int session_http_replay(struct session *s, const char *why,
    int *rc);
static struct conn *session_detach_srv(struct session *s,
    struct server *srv);

/* A pipe still holding bytes cannot be reused: those are closed. */
static void
session_drop_pipe(struct worker *w, struct channel *ch)
{
	if (ch->pipe[0] == -1)
		return;
	if (ch->pipe_data == 0) {
		pipes_put(&w->pipes, ch->pipe);
		return;
	}
	close(ch->pipe[0]);
	close(ch->pipe[1]);
	w->pipes.out--;
}

void
session_close(struct session *s, const char *term)
{
	struct worker *w = s->w;
	char addr[UTIL_ADDRSTRLEN];
	const char *tls;

	if (s->term == NULL)
		s->term = term;
	tls = ssl_sock_version(s->cli);
	if (s->flags & SS_F_HTTP) {
		/* One line per request; an idle connection says nothing. */
		if (s->txn.flags & TX_F_HAS_REQ) {
			if (s->txn.why == NULL)
				s->txn.why = s->why;
			http_log(s, s->term);
		}
	} else if (log_wants(LOG_INFO))
		log_info("%s fe=%s be=%s/%s%s%s in=%" PRIu64 " out=%" PRIu64
	    " dur=%" PRIu64 "ms end=%s%s%s",
	    util_addr_str(&s->cli->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be != NULL ? s->be->cfg->name : "-",
	    s->srv != NULL ? s->srv->cfg->name : "-",
	    tls != NULL ? " tls=" : "", tls != NULL ? tls : "",
	    s->req.total, s->res.total, util_now_ms() - s->t_start, s->term,
	    s->why != NULL ? ": " : "", s->why != NULL ? s->why : "");
	session_unqueue(s);
	session_release_slot(s);
	session_drop_replay(s);
	/* A kept server connection outlives its client. */
	if ((s->flags & SS_F_HTTP) && s->txn.res == HTTP_S_IDLE)
		session_release_srv(s, 1);
	if (s->srv_conn != NULL)
		conn_free(session_detach_srv(s, s->srv));
	conn_free(s->cli);
	s->req.buf.data = s->res.buf.data = 0;
	channel_release(&s->req, &w->bufs);
	channel_release(&s->res, &w->bufs);
	session_drop_pipe(w, &s->req);
	session_drop_pipe(w, &s->res);
	event_del(&s->timer);
	list_del(&s->list);
	listener_conn_gone(w, s->fe);
	free(s);
}

static int session_http_error(struct session *s, unsigned int status,
    const char *term, const char *why);

/* After an I/O error on <c>: ends the session and returns -1, or in mode
 * http, when the server failed before its response began, answers 502
 * and returns 0. */
static int
session_error(struct session *s, struct conn *c, int err)
{
	int rc;

	/* An error overrides whichever side had closed first. */
	s->why = strerror(err);
	s->term = c == s->cli ? "client-error" : "server-error";
	if ((s->flags & SS_F_HTTP) && c != s->cli &&
	    s->txn.res == HTTP_S_HDR) {
		if (session_http_replay(s, s->why, &rc))
			return rc;
		return session_http_error(s, 502, s->term, s->why);
	}
	session_close(s, s->term);
	return -1;
}

/* Bytes of <ch> that may leave now. */
static size_t
session_sendable(const struct channel *ch)
{
	if (!(ch->flags & CH_F_HOLD))
		return channel_data(ch);
	return ch->fwd < ch->buf.data ? ch->fwd : ch->buf.data;
}

static void
session_active(struct session *s, struct conn *c, uint64_t now)
{
	if (c == s->cli)
		s->t_cli = now;
	else
		s->t_srv = now;
}

/* Sends what <ch> holds to <to>, from its pipe or its buffer. Returns 0,
 * or -errno on a write error. */
static int
session_drain(struct session *s, struct channel *ch, struct conn *to,
    uint64_t now)
{
	ssize_t n;

	while ((to->flags & CO_F_RDY_W) && session_sendable(ch) > 0) {
		if (ch->pipe_data > 0)
			n = splice(ch->pipe[0], NULL, to->fd, NULL,
			    ch->pipe_data, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		else
			n = conn_send(to, channel_head(ch),
			    session_sendable(ch));
		if (n > 0) {
			if (ch->pipe_data > 0) {
				ch->pipe_data -= (size_t)n;
				ch->flags &= ~CH_F_PIPE_FULL;
			} else {
				channel_consumed(ch, (size_t)n);
				if (ch->flags & CH_F_HOLD)
					ch->fwd -= (size_t)n;
			}
			session_active(s, to, now);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			to->flags &= ~CO_F_RDY_W;
			break;
		}
		return n == 0 ? -EPIPE : -errno;
	}
	if (to->xprt->flush(to) == -EAGAIN)
		to->flags &= ~CO_F_RDY_W;
	if (ch->pipe[0] != -1 && ch->pipe_data == 0)
		pipes_put(&s->w->pipes, ch->pipe);
	channel_release(ch, &s->w->bufs);
	return 0;
}

/* Reads once from <from> into <ch>: into its pipe when the session
 * splices and a pipe can be had, else into its buffer. Returns the bytes
 * read, 0 on EOF, -EAGAIN when nothing can be read now, or -errno. */
static ssize_t
session_fill(struct session *s, struct channel *ch, struct conn *from)
{
	size_t room;
	char *tail;
	ssize_t n;

	if (((s->flags & SS_F_SPLICE) || ((s->flags & SS_F_SPLICE_RES) &&
	    ch == &s->res)) && ch->buf.data == 0 &&
	    (ch->pipe[0] != -1 || pipes_get(&s->w->pipes, ch->pipe) == 0)) {
		if (ch->pipe_data >= SPLICE_MAX)
			return -EAGAIN;
		n = splice(from->fd, NULL, ch->pipe[1], NULL,
		    SPLICE_MAX - ch->pipe_data, SPLICE_F_MOVE |
		    SPLICE_F_NONBLOCK);
		if (n > 0) {
			ch->pipe_data += (size_t)n;
			ch->total += (uint64_t)n;
		} else if (n == -1 && errno == EAGAIN && ch->pipe_data > 0) {
			/* The pipe is full, not the socket empty. */
			ch->flags |= CH_F_PIPE_FULL;
			return -EAGAIN;
		}
	} else {
		if (channel_take_buf(ch, &s->w->bufs) < 0)
			return -ENOMEM;
		if ((room = channel_room(ch, &tail)) == 0)
			return -EAGAIN;
		n = conn_recv(from, tail, room);
		if (n > 0)
			channel_produced(ch, (size_t)n);
		/* A short read drained the socket: the next read would only
		 * say EAGAIN, and the level-triggered loop wakes us if more
		 * comes. Not so when the transport keeps data of its own. */
		if (n > 0 && (size_t)n < room && !from->xprt->pending(from))
			from->flags &= ~CO_F_RDY_R;
	}
	if (n >= 0)
		return n;
	if (errno == EAGAIN)
		from->flags &= ~CO_F_RDY_R;
	return -errno;
}

static int session_analyze(struct session *s, struct channel *ch);

/* The server connection, once connected. */
static struct conn *
session_srv(const struct session *s)
{
	return (s->flags & SS_F_CONNECTED) ? s->srv_conn : NULL;
}

/* Moves bytes through <ch> (request: client to server; response: server
 * to client) until nothing more can move now. Without a connected server
 * the request channel only fills (the client may speak first) and the
 * response channel only drains (gatehouse's own answers). On a held
 * channel the analyzer runs first on each turn. Returns 0, or -1 when
 * the session was closed. */
static int
session_forward(struct session *s, struct channel *ch, uint64_t now)
{
	int req = ch == &s->req;
	struct conn *from, *to;
	ssize_t n;
	int rc;

	for (;;) {
		if ((ch->flags & CH_F_HOLD) && session_analyze(s, ch) < 0)
			return -1;
		from = req ? s->cli : session_srv(s);
		to = req ? session_srv(s) : s->cli;
		if (to != NULL && (rc = session_drain(s, ch, to, now)) < 0) {
			if (session_error(s, to, -rc) < 0)
				return -1;
			continue;
		}
		if (from == NULL || (ch->flags & (CH_F_SHUTR |
		    CH_F_PIPE_FULL)) || !(from->flags & CO_F_RDY_R))
			break;
		n = session_fill(s, ch, from);
		if (n > 0) {
			session_active(s, from, now);
			continue;
		}
		if (n == 0) {
			ch->flags |= CH_F_SHUTR;
			from->flags &= ~CO_F_RDY_R;
			/* The analyzer sees the end too (a body read until
			 * close ends here). */
			if ((ch->flags & CH_F_HOLD) &&
			    session_analyze(s, ch) < 0)
				return -1;
			break;
		}
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN)
			break;
		if (session_error(s, from, (int)-n) < 0)
			return -1;
	}
	channel_release(ch, &s->w->bufs);
	/* EOF from the producer and everything delivered: pass it on. In
	 * mode http a message ends by its framing, not by a half-close,
	 * until the connection became a tunnel. */
	to = req ? session_srv(s) : s->cli;
	if (to != NULL && (ch->flags & (CH_F_SHUTR | CH_F_SHUTW)) ==
	    CH_F_SHUTR && channel_data(ch) == 0 && (!(s->flags & SS_F_HTTP) ||
	    s->txn.res == HTTP_S_TUNNEL)) {
		rc = to->xprt->shutw(to);
		if (rc < 0 && rc != -EAGAIN) {
			session_error(s, to, -rc);
			return -1;
		}
		ch->flags |= CH_F_SHUTW;
	}
	return 0;
}

/* The events <c> needs given where both channels stand. */
static void
session_want(struct conn *c, struct channel *in,
    struct channel *out)
{
	int rd, wr;

	rd = !(in->flags & (CH_F_SHUTR | CH_F_PIPE_FULL)) &&
	    !(c->flags & CO_F_RDY_R) && in->buf.data < in->read_limit;
	wr = ((out != NULL && session_sendable(out) > 0) ||
	    (c->flags & (CO_F_OUT_PENDING | CO_F_RECV_WANTS_W))) &&
	    !(c->flags & CO_F_RDY_W);
	conn_want(c, rd, wr);
}

static int session_http_turn(struct session *s);

static void
session_pump(struct session *s)
{
	uint64_t now = util_now_ms();
	struct conn *srv;
	int rc;

	do {
		if (session_forward(s, &s->req, now) < 0 ||
		    session_forward(s, &s->res, now) < 0)
			return;
		rc = (s->flags & SS_F_HTTP) ? session_http_turn(s) : 0;
		if (rc < 0)
			return;
	} while (rc > 0);
	if ((srv = session_srv(s)) == NULL) {
		/* mode tcp: a client that leaves while waiting for a server
		 * slot has nothing left to wait for. */
		if ((s->flags & SS_F_QUEUED) && !(s->flags & SS_F_HTTP) &&
		    (s->req.flags & CH_F_SHUTR)) {
			session_close(s, "client-close");
			return;
		}
		session_want(s->cli, &s->req, &s->res);
		return;
	}
	/* The side that closed first names the end (in mode http, a
	 * request's end is named by session_http_turn()). */
	if (s->term == NULL && (s->req.flags & CH_F_SHUTR) &&
	    !(s->flags & SS_F_HTTP))
		s->term = "client-close";
	else if (s->term == NULL && (s->res.flags & CH_F_SHUTR) &&
	    !(s->flags & SS_F_HTTP))
		s->term = "server-close";
	if ((s->req.flags & CH_F_SHUTW) && (s->res.flags & CH_F_SHUTW) &&
	    !((s->cli->flags | srv->flags) & CO_F_OUT_PENDING)) {
		session_close(s, s->term);
		return;
	}
	session_want(s->cli, &s->req, &s->res);
	session_want(srv, &s->res, &s->req);
}

static void
session_cli_io(struct conn *c, short what)
{
	(void)what;
	session_pump(c->owner);
}

/* ---- getting a server ---- */

/* How often queued sessions look for a slot freed by another worker (a
 * slot freed by this one wakes them at once). */
static const struct timeval session_queue_tv = { 0, 50000 };

static int session_connect(struct session *s);
static int session_http_connect(struct session *s);

/* What the hash algorithms hash for this session, or NULL (round robin
 * instead): the client address, or what http_req.c found in the request
 * (the path, a field's value). */
static const uint32_t *
session_lb_hash(const struct session *s, uint32_t *h)
{
	const union sockaddr_any *a = &s->cli->peer;

	switch (s->be->cfg->balance) {
	case CFG_LB_SOURCE:
		if (a->sa.sa_family == AF_INET)
			*h = backend_hash(&a->in.sin_addr, 4);
		else if (a->sa.sa_family == AF_INET6)
			*h = backend_hash(&a->in6.sin6_addr, 16);
		else
			return NULL;
		return h;
	case CFG_LB_URI:
	case CFG_LB_HDR:
		if (!(s->txn.flags & TX_F_LB_KEY))
			return NULL;
		*h = s->txn.lb_hash;
		return h;
	default:
		return NULL;
	}
}

/* Picks a server (another than <avoid> if it can) and takes a slot on
 * it. Returns 1 with
 * s->srv set, 0 when every usable server is full and the session waits
 * in its worker's queue, -1 when no server is up (s->term, s->why). */
static int
session_assign(struct session *s, const struct server *avoid)
{
	struct worker *w = s->w;
	enum backend_miss miss;
	struct server *srv;
	uint32_t h;

	srv = backend_pick(s->be, session_lb_hash(s, &h), avoid, &miss);
	/* A retry goes to another server when there is one, else to the
	 * same one again. */
	if (srv == NULL && avoid != NULL && miss == BE_MISS_NONE)
		srv = backend_pick(s->be, session_lb_hash(s, &h), NULL, &miss);
	if (srv != NULL) {
		s->srv = srv;
		s->flags |= SS_F_SLOT;
		return 1;
	}
	if (miss == BE_MISS_NONE) {
		s->term = "no-server";
		s->why = "no server is up";
		return -1;
	}
	/* Waiting, it has no server (the log says "-"). */
	if (s->srv_conn == NULL)
		s->srv = NULL;
	if (!(s->flags & SS_F_QUEUED)) {
		s->flags |= SS_F_QUEUED;
		list_append(&w->queues[s->be->idx], &s->queue);
		s->t_connect = util_now_ms();
		if (w->nqueued++ == 0)
			evtimer_add(&w->queue_ev, &session_queue_tv);
		session_arm_timer(s);
	}
	return 0;
}

static void
session_unqueue(struct session *s)
{
	if (!(s->flags & SS_F_QUEUED))
		return;
	s->flags &= ~SS_F_QUEUED;
	list_del(&s->queue);
	s->w->nqueued--;
}

/* Gives the slot back; a session of this worker waiting for this
 * backend tries for it on the next turn of the loop (not from here:
 * this may run while another session is being closed). */
static void
session_release_slot(struct session *s)
{
	struct worker *w = s->w;

	if (!(s->flags & SS_F_SLOT))
		return;
	s->flags &= ~SS_F_SLOT;
	backend_release(s->srv);
	if (!LIST_EMPTY(&w->queues[s->srv->be->idx]))
		event_active(&w->queue_ev, EV_TIMEOUT, 1);
}

static void
session_drop_replay(struct session *s)
{
	if (s->replay == NULL)
		return;
	pool_put(&s->w->bufs, s->replay);
	s->replay = NULL;
}

/* No server for this request or connection: 503 in mode http, a close
 * in mode tcp. Returns 0, or -1 when the session was closed. */
static int
session_no_server(struct session *s)
{
	if (!(s->flags & SS_F_HTTP)) {
		session_close(s, s->term);
		return -1;
	}
	return session_http_error(s, 503, s->term, s->why != NULL ? s->why :
	    "no server could be reached");
}

/* A server for a waiting session: connects, or stays queued. Returns 0,
 * or -1 when the session was closed. */
static int
session_serve(struct session *s)
{
	int rc;

	if (s->flags & SS_F_HTTP)
		return session_http_connect(s);
	if ((rc = session_assign(s, NULL)) == 1)
		return session_connect(s);
	return rc == 0 ? 0 : session_no_server(s);
}

void
session_queue_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct session *s;
	uint64_t since;
	size_t i;

	(void)fd; (void)what;
	for (i = 0; i < w->cfg->nbackends; i++) {
		/* Oldest first; the first one still without a slot stays
		 * at the head and the others keep waiting behind it. */
		while (!LIST_EMPTY(&w->queues[i])) {
			s = container_of(w->queues[i].next, struct session,
			    queue);
			since = s->t_connect;
			session_unqueue(s);
			if (session_serve(s) == 0) {
				if (s->flags & SS_F_QUEUED) {
					/* Back to the head, not the tail, and
					 * waiting since it first came. */
					list_del(&s->queue);
					list_append(w->queues[i].next,
					    &s->queue);
					s->t_connect = since;
					session_arm_timer(s);
					break;
				}
				session_pump(s);
			}
		}
	}
	if (w->nqueued > 0)
		evtimer_add(&w->queue_ev, &session_queue_tv);
}

static void
session_log_connect_fail(struct session *s, int err, const char *term)
{
	char addr[UTIL_ADDRSTRLEN];

	s->term = term;
	if (err != 0)
		s->why = strerror(err);
	log_info("%s fe=%s be=%s/%s connect to %s failed: %s",
	    util_addr_str(&s->cli->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be->cfg->name, s->srv->cfg->name,
	    s->srv->cfg->text, s->why != NULL ? s->why : term);
}

/* The connect to s->srv failed with <err> (0: see s->why): the server
 * is told (passive checks) and, while retries remain, another server is
 * tried. None of the client's bytes has left gatehouse yet, so nothing
 * is replayed. Returns 0, or -1 when the session was closed. */
static int
session_connect_failed(struct session *s, int err, const char *term)
{
	struct server *failed = s->srv;
	int rc;

	session_log_connect_fail(s, err, term);
	server_report(failed, 0, s->why != NULL ? s->why : term);
	if (s->srv_conn != NULL)
		conn_free(session_detach_srv(s, failed));
	session_release_slot(s);
	if (s->tries > s->be->cfg->retries)
		return session_no_server(s);
	if ((rc = session_assign(s, failed)) == 1)
		return session_connect(s);
	if (rc == 0)
		return 0;
	/* Say why the last connect failed rather than "none left". */
	s->term = term;
	return session_no_server(s);
}

/* The server connection is ready for the client's bytes. */
static void
session_srv_established(struct session *s)
{
	struct conn *c = s->srv_conn;

	s->flags |= SS_F_CONNECTED;
	s->term = s->why = NULL;
	s->t_srv = util_now_ms();
	/* Under layer7 only responses say a server is well again: a
	 * connect that succeeds must not clear a run of 5xx. */
	if (s->be->cfg->observe == CFG_OBSERVE_LAYER4)
		server_report(s->srv, 1, NULL);
	if (s->cli->xprt == &xprt_raw && c->xprt == &xprt_raw &&
	    !(s->flags & SS_F_HTTP))
		s->flags |= SS_F_SPLICE;
	else if (c->xprt == &xprt_raw && !(s->flags & SS_F_HTTP) &&
	    ssl_sock_ktls_send(s->cli))
		s->flags |= SS_F_SPLICE_RES;
	session_arm_timer(s);
}

/* Sends the PROXY header the server asks for: the client's addresses as
 * gatehouse received them, and (v2) what the client's TLS settled. It
 * goes first on a new socket, so it fits at once. Returns 0 or -errno. */
static int
session_send_proxy(struct session *s, struct conn *c)
{
	struct conn *cli = s->cli;
	struct pp_tlvs t = { 0 };
	struct ssl_client_cert cc;
	char hdr[PP_SEND_MAX];
	ssize_t n, len;

	/* The address the client reached (a PROXY header's, or REDIRECT's
	 * original one, when set at accept). */
	if (cli->local.sa.sa_family == AF_UNSPEC && getsockname(cli->fd,
	    &cli->local.sa, &(socklen_t){ sizeof(cli->local) }) == -1)
		return -errno;
	if (s->srv->cfg->flags & CFG_SRV_F_PROXY_V1)
		len = pp_encode_v1(hdr, sizeof(hdr), &cli->peer.sa,
		    &cli->local.sa);
	else {
		if ((t.ssl_version = ssl_sock_version(cli)) != NULL) {
			t.ssl = 1;
			t.ssl_cipher = ssl_sock_cipher(cli);
			t.alpn = ssl_sock_alpn(cli, &t.alpn_len);
			if ((t.authority = ssl_sock_sni(cli)) != NULL)
				t.authority_len = strlen(t.authority);
			ssl_sock_client_cert(cli, &cc);
			if ((t.cert = cc.present)) {
				t.verify = (unsigned long)cc.verify;
				t.cert_cn = cc.cn;
				t.cert_subject = cc.subject;
				t.cert_issuer = cc.issuer;
				t.cert_serial = cc.serial;
				t.cert_sha256 = cc.sha256;
			}
		}
		len = pp_encode_v2(hdr, sizeof(hdr), &cli->peer.sa,
		    &cli->local.sa, &t);
	}
	if (len < 0)
		return -EOVERFLOW;
	while ((n = send(c->fd, hdr, (size_t)len, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		return -errno;
	return n == len ? 0 : -EAGAIN;
}

static void session_srv_io(struct conn *c, short what);

static void
session_srv_hs_done(struct conn *c, const char *reason, void *arg)
{
	struct session *s = arg;

	c->cb = session_srv_io;
	if (reason != NULL) {
		s->why = reason;
		if (session_connect_failed(s, 0, "tls-error") < 0)
			return;
		/* <reason> lives as long as this call only; the failure
		 * was logged with it already. */
		if (s->why == reason)
			s->why = "TLS handshake failed";
		if (s->txn.why == reason)
			s->txn.why = "TLS handshake failed";
		session_pump(s);
		return;
	}
	session_srv_established(s);
	session_pump(s);
}

/* TLS to the server: the SNI name is the configured one, the client's
 * (sni client), or the server's host name; the certificate must name
 * the SNI name, else the host name, else the address. */
static int
session_srv_tls(struct session *s, struct conn *c)
{
	const struct cfg_server *cs = s->srv->cfg;
	const struct cfg_timeouts *t = &s->be->cfg->timeouts;
	char ip[UTIL_ADDRSTRLEN];
	struct sockaddr_storage ss;
	const char *sni = cs->sni, *name;
	uint64_t spent = util_now_ms() - s->t_connect;

	if (cs->flags & CFG_SRV_F_SNI_CLIENT)
		sni = ssl_sock_sni(s->cli);
	else if (sni == NULL)
		sni = cs->host;
	name = cs->sni != NULL ? cs->sni : cs->host;
	if (name == NULL && server_addr(s->srv, &ss) > 0)
		name = util_addr_ip((struct sockaddr *)&ss, ip, sizeof(ip));
	return ssl_sock_connect(c, s->srv->ssl_ctx, sni, name,
	    spent < t->connect ? (unsigned int)(t->connect - spent) : 1,
	    session_srv_hs_done, s);
}

static void
session_srv_io(struct conn *c, short what)
{
	struct session *s = c->owner;
	unsigned int f = s->srv->cfg->flags;
	int rc;

	if (c->flags & CO_F_CONNECTING) {
		if (!(what & EV_WRITE))
			return;
		if ((rc = conn_connect_result(c)) < 0 ||
		    ((f & (CFG_SRV_F_PROXY_V1 | CFG_SRV_F_PROXY_V2)) &&
		    (rc = session_send_proxy(s, c)) < 0)) {
			if (session_connect_failed(s, -rc, rc ==
			    -ECONNREFUSED ? "connect-refused" :
			    "connect-error") == 0)
				session_pump(s);
			return;
		}
		if (f & CFG_SRV_F_SSL) {
			/* The handshake calls session_srv_hs_done(). */
			if ((rc = session_srv_tls(s, c)) < 0 &&
			    session_connect_failed(s, -rc, "tls-error") == 0)
				session_pump(s);
			return;
		}
		session_srv_established(s);
	}
	session_pump(s);
}

/* Makes <c>, a connection to s->srv, the session's server connection. */
static void
session_attach_srv(struct session *s, struct conn *c)
{
	c->cb = session_srv_io;
	c->owner = s;
	s->srv_conn = c;
	atomic_fetch_add_explicit(&s->srv->cur_conns, 1, memory_order_relaxed);
}

/* Takes the server connection (to <srv>) from the session and returns
 * it; the caller pools or closes it. */
static struct conn *
session_detach_srv(struct session *s, struct server *srv)
{
	struct conn *c = s->srv_conn;

	atomic_fetch_sub_explicit(&srv->cur_conns, 1, memory_order_relaxed);
	s->srv_conn = NULL;
	s->flags &= ~SS_F_CONNECTED;
	return c;
}

/* Starts a connect to s->srv, whose slot the session holds. Returns 0
 * when one is under way (or another server's, after a failure), -1 when
 * the session was closed. */
static int
session_connect(struct session *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct conn *c;
	int fd, rc;

	s->tries++;
	s->why = NULL;
	if ((len = server_addr(s->srv, &ss)) == 0) {
		s->why = "no address";
		return session_connect_failed(s, 0, "connect-error");
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || (c = conn_new(s->w, fd)) == NULL) {
		/* Out of descriptors or memory: another server would fare
		 * no better, and this one is not to blame. */
		session_log_connect_fail(s, fd == -1 ? errno : ENOMEM,
		    "connect-error");
		if (fd != -1)
			close(fd);
		session_release_slot(s);
		return session_no_server(s);
	}
	if ((rc = conn_connect(c, (const struct sockaddr *)&ss, len)) < 0) {
		conn_free(c);
		return session_connect_failed(s, -rc, rc == -ECONNREFUSED ?
		    "connect-refused" : "connect-error");
	}
	session_attach_srv(s, c);
	atomic_fetch_add_explicit(&s->srv->total_conns, 1,
	    memory_order_relaxed);
	s->t_connect = util_now_ms();
	conn_want(c, 0, 1);
	session_arm_timer(s);
	return 0;
}

/* The deadline that applies now, in ms (monotonic), and what passing it
 * means. */
static uint64_t
session_deadline(const struct session *s, const char **term)
{
	const struct cfg_timeouts *fe = &s->fe->cfg->timeouts;
	const struct cfg_timeouts *be;
	const struct http_txn *t = &s->txn;
	unsigned int tunnel;
	uint64_t dc, ds;

	if ((s->flags & SS_F_HTTP) && t->res != HTTP_S_TUNNEL) {
		if (s->flags & SS_F_CLOSING) {
			*term = "linger";
			return s->t_idle + SESSION_LINGER_MS;
		}
		if (t->req == HTTP_S_HDR && !(t->flags & TX_F_HAS_REQ) &&
		    t->nreq > 0) {
			*term = "keep-alive-timeout";
			return s->t_idle + fe->http_keepalive;
		}
		if (t->req == HTTP_S_HDR) {
			*term = "http-request-timeout";
			return (t->nreq == 0 ? s->t_start : t->t_req) +
			    fe->http_request;
		}
	}
	be = &s->be->cfg->timeouts;
	tunnel = be->tunnel ? be->tunnel : fe->tunnel;
	if (s->flags & SS_F_QUEUED) {
		*term = "queue-timeout";
		return s->t_connect + be->queue;
	}
	if (!(s->flags & SS_F_CONNECTED)) {
		*term = "connect-timeout";
		return s->t_connect + be->connect;
	}
	if ((s->flags & SS_F_HTTP) && t->res == HTTP_S_HDR &&
	    t->req == HTTP_S_DONE) {
		*term = "server-timeout";
		return s->t_srv + be->server;
	}
	if (tunnel != 0 && (!(s->flags & SS_F_HTTP) ||
	    t->res == HTTP_S_TUNNEL)) {
		*term = "tunnel-timeout";
		return (s->t_cli > s->t_srv ? s->t_cli : s->t_srv) + tunnel;
	}
	dc = s->t_cli + fe->client;
	ds = s->t_srv + be->server;
	*term = dc <= ds ? "client-timeout" : "server-timeout";
	return dc <= ds ? dc : ds;
}

static void
session_arm_timer(struct session *s)
{
	const char *term;
	uint64_t when = session_deadline(s, &term), now = util_now_ms();
	uint64_t ms = when > now ? when - now : 0;
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(&s->timer, &tv);
}

/* Activity only moves deadlines later, so the timer is armed lazily: on
 * expiry it checks the real deadline and re-arms if it moved. */
static void
session_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;
	const char *term;

	(void)fd; (void)what;
	if (session_deadline(s, &term) > util_now_ms()) {
		session_arm_timer(s);
		return;
	}
	if (s->flags & SS_F_QUEUED) {
		session_unqueue(s);
		s->term = term;
		s->why = "no server slot freed in time";
		if (session_no_server(s) == 0)
			session_pump(s);
		return;
	}
	if (!(s->flags & SS_F_CONNECTED) && s->srv_conn != NULL) {
		s->why = "timed out";
		if (session_connect_failed(s, 0, term) == 0)
			session_pump(s);
		return;
	}
	if ((s->flags & SS_F_HTTP) && !(s->flags & SS_F_CLOSING)) {
		/* A request begun gets 408; a connection that said nothing
		 * is closed without a word (a browser's spare one). */
		if (strcmp(term, "http-request-timeout") == 0 &&
		    (s->txn.flags & TX_F_HAS_REQ)) {
			if (session_http_error(s, 408, term, "request header "
			    "not received in time") == 0)
				session_pump(s);
			return;
		}
		if (strcmp(term, "server-timeout") == 0 &&
		    s->txn.res == HTTP_S_HDR) {
			if (session_http_error(s, 504, term, "no response "
			    "in time") == 0)
				session_pump(s);
			return;
		}
	}
	s->term = term;
	session_close(s, term);
}

/* ---- mode http ---- */

/* Whether the server connection can carry another request, as far as
 * the server side says: connected, nothing received past the last
 * response, not closed. (Whether the last request went out whole is the
 * caller's to check: when a new request asks, its bytes are let through
 * already.) */
static int
session_srv_clean(const struct session *s)
{
	const struct conn *c = s->srv_conn;

	return c != NULL && (s->flags & SS_F_CONNECTED) &&
	    s->res.buf.data == s->res.fwd && !(s->res.flags & CH_F_SHUTR) &&
	    !(c->flags & (CO_F_EOF | CO_F_ERROR | CO_F_SHUTW |
	    CO_F_OUT_PENDING));
}

/* Lets go of the server connection: back to the idle pool when <reuse>
 * allows and it is clean, else closed. Request bytes let through but not
 * yet sent, and anything the server sent past its response, go with it. */
static void
session_release_srv(struct session *s, int reuse)
{
	struct conn *c = s->srv_conn;

	if (c == NULL)
		return;
	reuse = reuse && s->req.fwd == 0 && session_srv_clean(s);
	session_detach_srv(s, s->srv);
	channel_consumed(&s->req, s->req.fwd);
	s->req.fwd = 0;
	channel_truncate(&s->res, s->res.fwd);
	s->req.flags &= ~CH_F_SHUTW;
	s->res.flags &= ~(CH_F_SHUTR | CH_F_SHUTW);
	if (!reuse || backend_pool_put(s->w, s->srv, c) < 0)
		conn_free(c);
	channel_release(&s->req, &s->w->bufs);
	channel_release(&s->res, &s->w->bufs);
}

/* Answers the current request with gatehouse's own <status> response,
 * after dropping the server and whatever the client sends from now on.
 * Returns 0, or -1 when the session had to be closed instead (a response
 * was already under way, or no buffer could be had). */
static int
session_http_error(struct session *s, unsigned int status, const char *term,
    const char *why)
{
	struct http_txn *t = &s->txn;

	s->term = term;
	t->status = status;
	if (why != NULL)
		t->why = why;
	t->flags |= TX_F_SRV_CLOSE;
	/* A server that resets, closes, times out or talks garbage counts
	 * against it (passive checks); refusals are counted at connect. */
	if ((status == 502 || status == 504) && (s->flags & SS_F_SLOT))
		server_report(s->srv, 0, t->why != NULL ? t->why : term);
	session_unqueue(s);
	session_release_slot(s);
	session_drop_replay(s);
	session_release_srv(s, 0);
	channel_truncate(&s->req, 0);
	s->req.fwd = 0;
	t->req = HTTP_S_DISCARD;
	if ((t->flags & TX_F_RES_SENT) || http_reply(s) < 0) {
		session_close(s, term);
		return -1;
	}
	return 0;
}

/* A request header went through the analyzer: a server for it. The
 * balancing picks the server; the connection is the one this session
 * kept from its last request when it goes to the same server (as most
 * do: no pool traffic at all), else an idle one from the pool, else a
 * new one. */
/* Keeps a copy of the request about to go when it may be sent again:
 * an idempotent method (RFC 9110 9.2.2), no body, retries allowed. */
static void
session_keep_replay(struct session *s)
{
	size_t n = s->req.fwd;

	if (!(s->txn.flags & TX_F_IDEMPOTENT) || s->txn.req != HTTP_S_DONE ||
	    s->be->cfg->retries == 0 || n == 0 || n > s->w->bufs.size)
		return;
	if (s->replay == NULL && (s->replay = pool_get(&s->w->bufs)) == NULL)
		return;
	memcpy(s->replay, channel_head(&s->req), n);
	s->replay_len = n;
}

/* The server failed (<why>) after the request went out and before any
 * byte of its response: an idempotent request is sent again to another
 * server while retries remain (the others get 502). Returns 1 when it
 * was (0 from *rc, or -1 when the session was closed meanwhile), 0 when
 * it cannot be. */
static int
session_http_replay(struct session *s, const char *why, int *rc)
{
	struct server *failed = s->srv;
	char addr[UTIL_ADDRSTRLEN];
	int r;

	if (s->replay == NULL || s->res.buf.data > 0 ||
	    s->txn.res != HTTP_S_HDR || !(s->flags & SS_F_SLOT) ||
	    s->tries > s->be->cfg->retries)
		return 0;
	log_info("%s fe=%s be=%s/%s %s before responding: request sent "
	    "again", util_addr_str(&s->cli->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be->cfg->name, failed->cfg->name, why);
	server_report(failed, 0, why);
	session_release_slot(s);
	session_release_srv(s, 0);
	if (channel_take_buf(&s->req, &s->w->bufs) < 0 ||
	    channel_replace(&s->req, 0, 0, s->replay, s->replay_len) < 0)
		return 0;
	s->req.fwd = s->replay_len;
	if ((r = session_assign(s, failed)) == 1)
		*rc = session_connect(s);
	else
		*rc = r == 0 ? 0 : session_no_server(s);
	return 1;
}

static int
session_http_connect(struct session *s)
{
	struct server *kept = s->srv_conn != NULL ? s->srv : NULL;
	struct conn *c;
	int rc;

	s->tries = 0;
	session_keep_replay(s);
	rc = session_assign(s, NULL);
	if (rc == 1 && kept == s->srv && session_srv_clean(s)) {
		s->tries = 1;
		s->t_srv = util_now_ms();
		session_arm_timer(s);
		return 0;
	}
	if (kept != NULL) {
		/* To the pool, under the server it belongs to; the new
		 * request's bytes stay. */
		c = session_detach_srv(s, kept);
		if (backend_pool_put(s->w, kept, c) < 0)
			conn_free(c);
	}
	if (rc < 0)
		return session_no_server(s);
	if (rc == 0) {
		s->srv = NULL;
		return 0;
	}
	if ((c = backend_pool_get(s->w, s->srv)) != NULL) {
		s->tries = 1;
		session_attach_srv(s, c);
		c->flags |= CO_F_RDY_W;
		s->flags |= SS_F_CONNECTED;
		s->t_srv = util_now_ms();
		/* timeout server may come before the request timeout the
		 * timer waits for. */
		session_arm_timer(s);
		return 0;
	}
	return session_connect(s);
}

/* Runs the analyzer of <ch> and does what it asks. Returns 0, or -1 when
 * the session was closed. */
static int
session_analyze(struct session *s, struct channel *ch)
{
	struct http_txn *t = &s->txn;
	enum an_ret rc;

	if (ch == &s->req) {
		/* After a header, once more: its body may be there too. */
		while ((rc = http_req_analyze(s)) == AN_DONE)
			if (session_http_connect(s) < 0)
				return -1;
		if (rc == AN_ERROR)
			return session_http_error(s, t->status,
			    t->status < 400 ? "redirect" : t->status == 403 ?
			    "denied" : t->status == 404 ? "no-route" :
			    "bad-request", NULL);
		return 0;
	}
	/* Once the response began, the request is never sent again: its
	 * copy goes back to the pool rather than wait for the end. */
	if (s->replay != NULL && s->res.buf.data > 0)
		session_drop_replay(s);
	if ((rc = http_resp_analyze(s)) == AN_ERROR)
		return session_http_error(s, t->status, "bad-response", NULL);
	if (rc == AN_DONE && t->res == HTTP_S_TUNNEL) {
		/* 101: from here on, bytes both ways as in mode tcp. */
		s->req.flags &= ~CH_F_HOLD;
		s->res.flags &= ~CH_F_HOLD;
		s->req.read_limit = s->res.read_limit = s->w->cfg->bufsize;
		session_arm_timer(s);
	}
	return 0;
}

/* Where the exchange stands once bytes have moved: ends, turns over to
 * the next request, or closes. Returns 1 when the next request may
 * already be waiting in the buffer, 0 to wait for events, -1 when the
 * session was closed. */
static int
session_http_turn(struct session *s)
{
	struct http_txn *t = &s->txn;
	int reuse, rc;

	if (t->res == HTTP_S_TUNNEL)
		return 0;
	/* A kept server connection that closes or speaks out of turn
	 * between two requests is let go. */
	if (t->res == HTTP_S_IDLE && s->srv_conn != NULL &&
	    !session_srv_clean(s))
		session_release_srv(s, 0);
	if (t->res != HTTP_S_DONE) {
		if ((s->res.flags & CH_F_SHUTR) && s->srv_conn != NULL &&
		    t->res != HTTP_S_IDLE) {
			if (t->res == HTTP_S_BODY_CLOSE)
				t->res = HTTP_S_DONE;
			else if (t->res == HTTP_S_HDR) {
				if (session_http_replay(s, "server closed",
				    &rc))
					return rc < 0 ? -1 : 1;
				return session_http_error(s, 502,
				    "server-close", "server closed before "
				    "responding") < 0 ? -1 : 1;
			}
			else {
				t->why = "server closed in the body";
				session_close(s, "server-close");
				return -1;
			}
		}
		if ((s->req.flags & CH_F_SHUTR) && t->req != HTTP_S_DONE &&
		    t->req != HTTP_S_DISCARD && channel_data(&s->req) == 0) {
			session_close(s, "client-close");
			return -1;
		}
		if (t->res != HTTP_S_DONE)
			return 0;
	}
	if (!(s->flags & SS_F_CLOSING)) {
		/* A client that shut its side after pipelined requests
		 * still gets an answer to each. */
		if (t->req != HTTP_S_DONE || ((s->req.flags & CH_F_SHUTR) &&
		    channel_data(&s->req) - s->req.fwd == 0))
			t->flags |= TX_F_CLI_CLOSE;
		/* A clean server connection stays with the session for its
		 * next request; otherwise, or when the client goes, it goes
		 * to the pool or is closed. */
		session_drop_replay(s);
		if (s->flags & SS_F_SLOT) {
			if (s->be->cfg->observe == CFG_OBSERVE_LAYER7)
				server_report(s->srv, t->status < 500,
				    "a 5xx response");
			session_release_slot(s);
		}
		reuse = !(t->flags & TX_F_SRV_CLOSE) &&
		    t->req == HTTP_S_DONE && s->req.fwd == 0;
		if (!reuse || (t->flags & TX_F_CLI_CLOSE) ||
		    !session_srv_clean(s))
			session_release_srv(s, reuse);
		channel_truncate(&s->res, s->res.fwd);
		http_log(s, s->term != NULL ? s->term : "done");
		t->flags &= ~TX_F_HAS_REQ;
		s->term = s->why = NULL;
		s->t_idle = util_now_ms();
		if (!(t->flags & TX_F_CLI_CLOSE) && !s->w->stopping) {
			t->nreq++;
			http_txn_reset(t);
			session_arm_timer(s);
			return 1;
		}
		s->flags |= SS_F_CLOSING;
		t->req = HTTP_S_DISCARD;
		channel_truncate(&s->req, 0);
		session_arm_timer(s);
	}
	/* Closing: the last response out, then FIN, then wait for the
	 * client's, so that no reset destroys the response in flight. */
	if (channel_data(&s->res) > 0 || (s->cli->flags & CO_F_OUT_PENDING))
		return 0;
	if (!(s->res.flags & CH_F_SHUTW)) {
		s->res.flags |= CH_F_SHUTW;
		if (s->cli->xprt->shutw(s->cli) == -EAGAIN)
			return 0;
	}
	if (s->req.flags & CH_F_SHUTR) {
		session_close(s, "done");
		return -1;
	}
	return 0;
}

void
session_stop_idle(struct worker *w)
{
	struct list *e, *next;
	struct session *s;

	for (e = w->sessions.next; e != &w->sessions; e = next) {
		next = e->next;
		s = container_of(e, struct session, list);
		if ((s->flags & SS_F_HTTP) && !(s->flags & SS_F_CLOSING) &&
		    s->txn.req == HTTP_S_HDR && !(s->txn.flags & TX_F_HAS_REQ))
			session_close(s, "shutdown");
	}
}

int
session_new(struct worker *w, struct frontend *fe, struct conn *cli)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	s->id = w->next_sid++;
	s->w = w;
	s->fe = fe;
	s->be = fe->backend;
	s->cli = cli;
	s->t_start = s->t_cli = util_now_ms();
	channel_init(&s->req, w->cfg->bufsize);
	channel_init(&s->res, w->cfg->bufsize);
	evtimer_assign(&s->timer, w->base, session_timeout, s);
	list_append(&w->sessions, &s->list);
	LIST_INIT(&s->queue);
	cli->owner = s;
	cli->cb = session_cli_io;
	if (fe->cfg->mode == CFG_MODE_HTTP) {
		/* The header block must fit with room to rewrite it. */
		s->flags |= SS_F_HTTP;
		s->req.flags = s->res.flags = CH_F_HOLD;
		s->req.read_limit = s->res.read_limit = w->cfg->bufsize -
		    w->cfg->http_reserve;
		http_txn_reset(&s->txn);
		session_arm_timer(s);
		session_pump(s);
		return 0;
	}
	if (session_serve(s) < 0)
		return 0;
	/* A TLS client's first bytes may already sit decrypted in OpenSSL. */
	session_pump(s);
	return 0;
}
