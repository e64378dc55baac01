/* Sessions: the supervisor of one proxied connection. Every wake-up, from
 * either connection, runs session_pump(): both directions move what they
 * can (session_fwd.c), the protocol turns over what ended (its turn hook),
 * and the session waits for the events its state asks for. It ends when
 * both directions are closed, or when a side fails, a deadline passes
 * (session_timer.c) or the protocol closes it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "conn.h"
#include "log.h"
#include "listener.h"
#include "session_int.h"
#include "ssl_sock.h"
#include "worker.h"

void
session_close(struct session *s, enum sess_end term)
{
	struct worker *w = s->w;

	if (s->term == SE_NONE)
		s->term = term;
	if (s->ops->end != NULL)
		s->ops->end(s);
	session_unqueue(s);
	session_release_slot(s);
	if (s->srv_conn != NULL)
		conn_free(session_detach_srv(s, s->srv));
	s->cli->ops->free(s->cli);
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

/* After an I/O error <err> on <c>: ends the session and returns -1, or
 * lets the protocol answer a failed server (0). */
static int
session_error(struct session *s, struct endpoint *c, int err)
{
	int rc;

	/* An error overrides whichever side had closed first. */
	s->why = strerror(err);
	s->term = c == s->cli ? SE_CLIENT_ERROR : SE_SERVER_ERROR;
	if (c != s->cli && s->ops->srv_failed != NULL &&
	    s->ops->srv_failed(s, &rc))
		return rc;
	session_close(s, s->term);
	return -1;
}

/* One direction, with what its failures mean. Returns 0, or -1 when the
 * session was closed. */
static int
session_move(struct session *s, struct channel *ch, uint64_t now)
{
	struct endpoint *failed;
	int err, rc;

	while ((rc = session_forward(s, ch, now, &failed, &err)) == 1)
		if (session_error(s, failed, err) < 0)
			return -1;
	return rc;
}

/* Moves bytes until nothing more can move now, then waits for events. */
static void
session_pump(struct session *s)
{
	uint64_t now = util_now_ms();
	struct endpoint *srv;
	int rc;

	do {
		if (session_move(s, &s->req, now) < 0 ||
		    session_move(s, &s->res, now) < 0)
			return;
		rc = s->ops->turn != NULL ? s->ops->turn(s) : 0;
		if (rc < 0)
			return;
	} while (rc > 0);
	if ((srv = session_srv(s)) == NULL) {
		/* A client that leaves while waiting for a server slot has
		 * nothing left to wait for, unless an analyzer holds what it
		 * sent (a request still gets its answer). */
		if ((s->flags & SS_F_QUEUED) && s->req.an == 0 &&
		    (s->req.flags & CH_F_SHUTR)) {
			session_close(s, SE_CLIENT_CLOSE);
			return;
		}
		session_want(s->cli, &s->req, &s->res);
		return;
	}
	/* The side that closed first names the end (a protocol with a turn
	 * hook names the end of each message itself). */
	if (s->term == SE_NONE && s->ops->turn == NULL) {
		if (s->req.flags & CH_F_SHUTR)
			s->term = SE_CLIENT_CLOSE;
		else if (s->res.flags & CH_F_SHUTR)
			s->term = SE_SERVER_CLOSE;
	}
	if ((s->req.flags & CH_F_SHUTW) && (s->res.flags & CH_F_SHUTW) &&
	    !((s->cli->flags | srv->flags) & CO_F_OUT_PENDING)) {
		session_close(s, s->term);
		return;
	}
	session_want(s->cli, &s->req, &s->res);
	session_want(srv, &s->res, &s->req);
}

static void
session_cli_io(struct endpoint *e, short what)
{
	(void)what;
	session_pump(e->owner);
}

/* ---- the server side's decisions ---- */

int
session_no_server(struct session *s)
{
	if (s->ops->no_server != NULL)
		return s->ops->no_server(s);
	session_close(s, s->term);
	return -1;
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
			if (s->ops->serve(s) == 0) {
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

/* After session_connect_report(): while retries remain, another server
 * is tried. None of the client's bytes has left gatehouse yet, so nothing
 * is replayed. Returns 0, or -1 when the session was closed. */
static int
session_connect_retry(struct session *s, enum sess_end term)
{
	struct server *failed = s->srv;
	int rc;

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

static int
session_connect_failed(struct session *s, int err, enum sess_end term)
{
	session_connect_report(s, err, term);
	return session_connect_retry(s, term);
}

static void session_srv_io(struct conn *c, short what);

static void
session_srv_hs_done(struct conn *c, const char *reason, void *arg)
{
	struct session *s = arg;

	c->cb = session_srv_io;
	if (reason != NULL) {
		/* <reason> lives as long as this call only: it is logged,
		 * and what stays says less. */
		s->why = reason;
		session_connect_report(s, 0, SE_TLS_ERROR);
		s->why = "TLS handshake failed";
		if (session_connect_retry(s, SE_TLS_ERROR) == 0)
			session_pump(s);
		return;
	}
	session_srv_established(s);
	session_pump(s);
}

static void
session_srv_io(struct conn *c, short what)
{
	struct session *s = c->owner;
	unsigned int f = s->srv->cfg->flags;
	int rc;

	if (c->ep.flags & CO_F_CONNECTING) {
		if (!(what & EV_WRITE))
			return;
		if ((rc = conn_connect_result(c)) < 0 ||
		    ((f & (CFG_SRV_F_PROXY_V1 | CFG_SRV_F_PROXY_V2)) &&
		    (rc = session_send_proxy(s, c)) < 0)) {
			if (session_connect_failed(s, -rc, rc ==
			    -ECONNREFUSED ? SE_CONNECT_REFUSED :
			    SE_CONNECT_ERROR) == 0)
				session_pump(s);
			return;
		}
		if (f & CFG_SRV_F_SSL) {
			/* The handshake calls session_srv_hs_done(). */
			if ((rc = session_srv_tls(s, c, session_srv_hs_done)) < 0 &&
			    session_connect_failed(s, -rc, SE_TLS_ERROR) == 0)
				session_pump(s);
			return;
		}
		session_srv_established(s);
	}
	session_pump(s);
}

void
session_attach_srv(struct session *s, struct conn *c)
{
	c->cb = session_srv_io;
	c->owner = s;
	s->srv_conn = c;
	atomic_fetch_add_explicit(&s->srv->cur_conns, 1, memory_order_relaxed);
}

int
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
		return session_connect_failed(s, 0, SE_CONNECT_ERROR);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || (c = conn_new(s->w, fd)) == NULL) {
		/* Out of descriptors or memory: another server would fare
		 * no better, and this one is not to blame. */
		session_log_connect_fail(s, fd == -1 ? errno : ENOMEM,
		    SE_CONNECT_ERROR);
		if (fd != -1)
			close(fd);
		session_release_slot(s);
		return session_no_server(s);
	}
	if ((rc = conn_connect(c, (const struct sockaddr *)&ss, len)) < 0) {
		conn_free(c);
		return session_connect_failed(s, -rc, rc == -ECONNREFUSED ?
		    SE_CONNECT_REFUSED : SE_CONNECT_ERROR);
	}
	session_attach_srv(s, c);
	atomic_fetch_add_explicit(&s->srv->total_conns, 1,
	    memory_order_relaxed);
	s->t_connect = util_now_ms();
	conn_want(c, 0, 1);
	session_arm_timer(s);
	return 0;
}

/* Activity only moves deadlines later, so the timer is armed lazily: on
 * expiry it checks the real deadline and re-arms if it moved. */
static void
session_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;
	enum sess_end term;
	int rc;

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
	if (s->ops->timeout != NULL && s->ops->timeout(s, term, &rc)) {
		if (rc == 0)
			session_pump(s);
		return;
	}
	s->term = term;
	session_close(s, term);
}

void
session_idle_sweep(struct worker *w, uint64_t now)
{
	struct list *e;
	struct session *s;

	for (e = w->sessions.next; e != &w->sessions; e = e->next) {
		s = container_of(e, struct session, list);
		if (now - (s->t_cli > s->t_srv ? s->t_cli : s->t_srv) <
		    SESSION_IDLE_MS)
			continue;
		ssl_sock_idle(s->cli->conn);
		if (s->srv_conn != NULL)
			ssl_sock_idle(s->srv_conn);
	}
}

void
session_stop_idle(struct worker *w)
{
	struct list *e, *next;
	struct session *s;

	for (e = w->sessions.next; e != &w->sessions; e = next) {
		next = e->next;
		s = container_of(e, struct session, list);
		if (s->ops->idle != NULL && s->ops->idle(s))
			session_close(s, SE_SHUTDOWN);
	}
}

struct session *
session_new(struct worker *w, struct frontend *fe, struct endpoint *cli,
    const struct session_ops *ops)
{
	struct session *s;

	if ((s = calloc(1, ops->size)) == NULL)
		return NULL;
	s->id = w->next_sid++;
	s->ops = ops;
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
	return s;
}

void
session_start(struct session *s, int serve)
{
	if (serve) {
		if (s->ops->serve(s) < 0)
			return;
	} else
		session_arm_timer(s);
	/* A TLS client's first bytes may already sit decrypted in OpenSSL. */
	session_pump(s);
}
