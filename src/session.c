/* Sessions in mode tcp: connect to a server, then move bytes both ways
 * with backpressure until both directions are closed.
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
#include "session.h"
#include "ssl_sock.h"
#include "worker.h"

/* Bytes a splice pipe may hold; the kernel's default pipe is 64 KiB. */
#define SPLICE_MAX      (64 * 1024)

static void session_arm_timer(struct session *s);

/* A pipe still holding bytes cannot be reused: those are closed. */
static void
session_drop_pipe(struct worker *w, struct channel *ch)
{
	if (ch->pipe[0] == -1)
		return;
	if (ch->pipe_data == 0) {
		worker_pipe_put(w, ch->pipe);
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
	log_info("%s fe=%s be=%s/%s%s%s in=%" PRIu64 " out=%" PRIu64
	    " dur=%" PRIu64 "ms end=%s%s%s",
	    util_addr_str(&s->cli->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be->cfg->name,
	    s->srv != NULL ? s->srv->cfg->name : "-",
	    tls != NULL ? " tls=" : "", tls != NULL ? tls : "",
	    s->req.total, s->res.total, util_now_ms() - s->t_start, s->term,
	    s->why != NULL ? ": " : "", s->why != NULL ? s->why : "");
	if (s->srv_conn != NULL)
		atomic_fetch_sub_explicit(&s->srv->cur_conns, 1,
		    memory_order_relaxed);
	conn_free(s->srv_conn);
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

/* Ends the session after an I/O error on <c>. */
static void
session_error(struct session *s, struct conn *c, int err)
{
	/* An error overrides whichever side had closed first. */
	s->why = strerror(err);
	s->term = c == s->cli ? "client-error" : "server-error";
	session_close(s, s->term);
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

	while ((to->flags & CO_F_RDY_W) && channel_data(ch) > 0) {
		if (ch->pipe_data > 0)
			n = splice(ch->pipe[0], NULL, to->fd, NULL,
			    ch->pipe_data, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		else
			n = conn_send(to, channel_head(ch), ch->buf.data);
		if (n > 0) {
			if (ch->pipe_data > 0) {
				ch->pipe_data -= (size_t)n;
				ch->flags &= ~CH_F_PIPE_FULL;
			} else
				channel_consumed(ch, (size_t)n);
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
		worker_pipe_put(s->w, ch->pipe);
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

	if ((s->flags & SS_F_SPLICE) && ch->buf.data == 0 &&
	    (ch->pipe[0] != -1 || worker_pipe_get(s->w, ch->pipe) == 0)) {
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

/* Moves bytes from <from> to <to> through <ch> until nothing more can
 * move now. <to> is NULL while the server is not connected yet: then the
 * channel only fills (the client may speak first). Returns 0, or -1 when
 * the session was closed. */
static int
session_forward(struct session *s, struct channel *ch, struct conn *from,
    struct conn *to, uint64_t now)
{
	ssize_t n;
	int rc;

	for (;;) {
		if (to != NULL && (rc = session_drain(s, ch, to, now)) < 0) {
			session_error(s, to, -rc);
			return -1;
		}
		if ((ch->flags & (CH_F_SHUTR | CH_F_PIPE_FULL)) ||
		    !(from->flags & CO_F_RDY_R))
			break;
		n = session_fill(s, ch, from);
		if (n > 0) {
			session_active(s, from, now);
			continue;
		}
		if (n == 0) {
			ch->flags |= CH_F_SHUTR;
			from->flags &= ~CO_F_RDY_R;
			break;
		}
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN)
			break;
		session_error(s, from, (int)-n);
		return -1;
	}
	channel_release(ch, &s->w->bufs);
	/* EOF from the producer and everything delivered: pass it on. */
	if (to != NULL && (ch->flags & (CH_F_SHUTR | CH_F_SHUTW)) ==
	    CH_F_SHUTR && channel_data(ch) == 0) {
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
	wr = ((out != NULL && channel_data(out) > 0) ||
	    (c->flags & (CO_F_OUT_PENDING | CO_F_RECV_WANTS_W))) &&
	    !(c->flags & CO_F_RDY_W);
	conn_want(c, rd, wr);
}

static void
session_pump(struct session *s)
{
	uint64_t now = util_now_ms();
	struct conn *srv = (s->flags & SS_F_CONNECTED) ? s->srv_conn : NULL;

	if (session_forward(s, &s->req, s->cli, srv, now) < 0)
		return;
	if (srv == NULL) {
		session_want(s->cli, &s->req, NULL);
		return;
	}
	if (session_forward(s, &s->res, srv, s->cli, now) < 0)
		return;
	/* The side that closed first names the end. */
	if (s->term == NULL && (s->req.flags & CH_F_SHUTR))
		s->term = "client-close";
	else if (s->term == NULL && (s->res.flags & CH_F_SHUTR))
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

static int session_connect(struct session *s);

static void
session_log_connect_fail(struct session *s, int err, const char *term)
{
	char addr[UTIL_ADDRSTRLEN];

	s->term = term;
	s->why = err != 0 ? strerror(err) : NULL;
	log_info("%s fe=%s be=%s/%s connect to %s failed: %s",
	    util_addr_str(&s->cli->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be->cfg->name, s->srv->cfg->name,
	    s->srv->cfg->text, s->why != NULL ? s->why : term);
}

/* The connect to s->srv failed with <err> (0: timed out): try the next
 * server. None of the client's bytes has left gatehouse yet, so nothing is
 * replayed. */
static void
session_connect_failed(struct session *s, int err, const char *term)
{
	session_log_connect_fail(s, err, term);
	atomic_fetch_sub_explicit(&s->srv->cur_conns, 1, memory_order_relaxed);
	conn_free(s->srv_conn);
	s->srv_conn = NULL;
	if (session_connect(s) < 0)
		session_close(s, s->term);
}

static void
session_srv_io(struct conn *c, short what)
{
	struct session *s = c->owner;
	int rc;

	if (c->flags & CO_F_CONNECTING) {
		if (!(what & EV_WRITE))
			return;
		if ((rc = conn_connect_result(c)) < 0) {
			session_connect_failed(s, -rc, rc == -ECONNREFUSED ?
			    "connect-refused" : "connect-error");
			return;
		}
		s->flags |= SS_F_CONNECTED;
		s->term = s->why = NULL;
		s->t_srv = util_now_ms();
		if (s->cli->xprt == &xprt_raw && c->xprt == &xprt_raw)
			s->flags |= SS_F_SPLICE;
		session_arm_timer(s);
	}
	session_pump(s);
}

/* Starts a connect to the next server of the walk. Returns 0 when one is
 * under way, -1 when every server was tried (s->term says why). */
static int
session_connect(struct session *s)
{
	const struct cfg_server *cs;
	struct conn *c;
	int fd, rc;

	while ((s->srv = backend_pick(s->be, s->rr_start, s->attempt)) !=
	    NULL) {
		s->attempt++;
		cs = s->srv->cfg;
		fd = socket(cs->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1 || (c = conn_new(s->w, fd)) == NULL) {
			/* Out of descriptors or memory: another server
			 * would fare no better. */
			session_log_connect_fail(s, fd == -1 ? errno : ENOMEM,
			    "connect-error");
			if (fd != -1)
				close(fd);
			break;
		}
		if ((rc = conn_connect(c, (const struct sockaddr *)&cs->addr,
		    cs->addrlen)) < 0) {
			session_log_connect_fail(s, -rc, rc == -ECONNREFUSED ?
			    "connect-refused" : "connect-error");
			conn_free(c);
			continue;
		}
		c->cb = session_srv_io;
		c->owner = s;
		s->srv_conn = c;
		atomic_fetch_add_explicit(&s->srv->cur_conns, 1,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&s->srv->total_conns, 1,
		    memory_order_relaxed);
		s->t_connect = util_now_ms();
		conn_want(c, 0, 1);
		session_arm_timer(s);
		return 0;
	}
	if (s->term == NULL)
		s->term = "no-server";
	return -1;
}

/* The deadline that applies now, in ms (monotonic), and what passing it
 * means. */
static uint64_t
session_deadline(const struct session *s, const char **term)
{
	const struct cfg_timeouts *fe = &s->fe->cfg->timeouts;
	const struct cfg_timeouts *be = &s->be->cfg->timeouts;
	unsigned int tunnel = be->tunnel ? be->tunnel : fe->tunnel;
	uint64_t dc, ds;

	if (!(s->flags & SS_F_CONNECTED)) {
		*term = "connect-timeout";
		return s->t_connect + be->connect;
	}
	if (tunnel != 0) {
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
	if (!(s->flags & SS_F_CONNECTED)) {
		session_connect_failed(s, 0, term);
		return;
	}
	s->term = term;
	session_close(s, term);
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
	cli->owner = s;
	cli->cb = session_cli_io;
	s->rr_start = backend_rr_start(s->be);
	if (session_connect(s) < 0) {
		session_close(s, s->term);
		return 0;
	}
	/* A TLS client's first bytes may already sit decrypted in OpenSSL. */
	session_pump(s);
	return 0;
}
