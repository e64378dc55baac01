/* mode http: the protocol accept, the analyzers' glue, and the life of a
 * connection between requests.
 *
 * Both channels are held by the analyzers of http_req.c (AN_REQ_HTTP) and
 * http_resp.c (AN_RES_HTTP): they say how far bytes may move, and this
 * file acts on what they find: it gets a server for each request (the
 * connection kept from the last one, an idle pooled one, or a new one),
 * answers errors, sends an idempotent request again when its server fails
 * before answering, and at the end of each response turns the connection
 * over to the next request or closes it. One access log line per
 * request. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "conn.h"
#include "http_ana.h"
#include "listener.h"
#include "log.h"
#include "proto.h"
#include "session.h"
#include "ssl_sock.h"
#include "worker.h"

/* How long a closing client connection is read (and what it sends
 * dropped) after the last response, waiting for its FIN. */
#define HTTP_LINGER_MS  1000

#define HS_F_CLOSING    0x0001  /* the last response is going out; then
                                   the client is shut, and its input
                                   dropped until it closes or the linger
                                   time is over */

/* A mode http session: the session, then the protocol's state. */
struct http_sess {
	struct session s;
	struct http_txn txn;            /* the current request */
	unsigned int flags;             /* HS_F_* */
	uint64_t t_idle;                /* waiting for a request since, or
	                                   closing since */
	char *replay;                   /* a copy of an idempotent bodiless
	                                   request sent to a server, until its
	                                   response begins (from w->bufs) */
	size_t replay_len;
};

static struct http_sess *
http_sess(const struct session *s)
{
	return container_of(s, struct http_sess, s);
}

/* What the analyzers see of <h>. */
static void
http_sess_ana(struct http_sess *h, struct http_ana *a)
{
	struct session *s = &h->s;
	const struct cfg_frontend *fe = s->fe->cfg;

	*a = (struct http_ana){
		.txn = &h->txn, .req = &s->req, .res = &s->res,
		.bufs = &s->w->bufs, .msg = s->w->msg,
		.scratch = s->w->scratch, .cfg = s->w->cfg, .fe = fe,
		.cli = { &s->cli->conn->peer.sa,
		    s->cli->conn->xprt != &xprt_raw,
		    fe->client_certs ? ssl_sock_client_cert(s->cli->conn) :
		    NULL },
		.stopping = s->w->stopping,
	};
}

/* ---- the access log ---- */

/* Appends the value of log-format variable <name> (<len> bytes) of <h>. */
static void
http_log_var(struct log_line *l, const struct http_sess *h, const char *name,
    size_t len, uint64_t now)
{
	const struct session *s = &h->s;
	const struct http_txn *t = &h->txn;
	const char *v = "-";

#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
	if (IS("client")) {
		log_line_addr(l, &s->cli->conn->peer.sa);
		return;
	}
	if (IS("status") || IS("bytes") || (IS("ttfb") && t->t_res != 0) ||
	    IS("duration")) {
		log_line_u64(l, IS("status") ? t->status : IS("bytes") ?
		    t->res_bytes : IS("ttfb") ? t->t_res - t->t_req :
		    now - t->t_req);
		return;
	}
	if (IS("frontend"))
		v = s->fe->cfg->name;
	else if (IS("backend") && s->be != NULL)
		v = s->be->cfg->name;
	else if (IS("server") && s->srv != NULL)
		v = s->srv->cfg->name;
	else if (IS("tls") && ssl_sock_version(s->cli->conn) != NULL)
		v = ssl_sock_version(s->cli->conn);
	else if (IS("cipher") && ssl_sock_cipher(s->cli->conn) != NULL)
		v = ssl_sock_cipher(s->cli->conn);
	else if (IS("request") && t->line[0] != '\0')
		v = t->line;
	else if (IS("host") && t->host[0] != '\0')
		v = t->host;
	else if (IS("end"))
		v = session_end_name(s->term);
	else if (IS("why") && t->why != NULL)
		v = t->why;
#undef IS
	log_line_str(l, v);
}

/* Expands $name (letters and '_') in <fmt>; anything else is copied. */
static void
http_log_format(const struct http_sess *h, const char *fmt)
{
	uint64_t now = util_now_ms();
	struct log_line l;
	const char *p;
	size_t n;

	l.len = 0;
	for (p = fmt; *p != '\0'; p += n) {
		if (*p != '$') {
			n = strcspn(p, "$");
			log_line_mem(&l, p, n);
			continue;
		}
		for (n = 1; (p[n] >= 'a' && p[n] <= 'z') || p[n] == '_'; n++)
			;
		http_log_var(&l, h, p + 1, n - 1, now);
	}
	log_access(&l);
}

/* The access log line of the request, ended by s->term. */
static void
http_log(const struct http_sess *h)
{
	const struct session *s = &h->s;
	const struct http_txn *t = &h->txn;
	struct log_line l;

	if (t->status >= 100 && t->status < 600)
		atomic_fetch_add_explicit(&s->fe->http_class[t->status / 100],
		    1, memory_order_relaxed);
	if (s->fe->cfg->access_log_off || !log_wants(LOG_INFO))
		return;
	if (s->fe->cfg->log_format != NULL) {
		http_log_format(h, s->fe->cfg->log_format);
		return;
	}
	l.len = 0;
	session_log_head(&l, s, 1);
	log_line_str(&l, " \"");
	log_line_str(&l, t->line[0] != '\0' ? t->line : "-");
	log_line_str(&l, "\" ");
	log_line_u64(&l, t->status);
	log_line_mem(&l, " ", 1);
	log_line_u64(&l, t->res_bytes);
	log_line_str(&l, " ttfb=");
	if (t->t_res != 0)
		log_line_u64(&l, t->t_res - t->t_req);
	else
		log_line_str(&l, "-1");
	log_line_str(&l, "ms");
	session_log_tail(&l, util_now_ms() - t->t_req, s->term, t->why);
}

/* ---- the server connection between requests ---- */

/* Whether the server connection can carry another request, as far as
 * the server side says: connected, nothing received past the last
 * response, not closed. (Whether the last request went out whole is the
 * caller's to check: when a new request asks, its bytes are let through
 * already.) */
static int
http_srv_clean(const struct session *s)
{
	const struct conn *c = s->srv_conn;

	return c != NULL && (s->flags & SS_F_CONNECTED) &&
	    s->res.buf.data == s->res.fwd && !(s->res.flags & CH_F_SHUTR) &&
	    !(c->ep.flags & (CO_F_EOF | CO_F_ERROR | CO_F_SHUTW |
	    CO_F_OUT_PENDING));
}

/* Lets go of the server connection: back to the idle pool when <reuse>
 * allows and it is clean, else closed. Request bytes let through but not
 * yet sent, and anything the server sent past its response, go with it. */
static void
http_release_srv(struct session *s, int reuse)
{
	struct conn *c = s->srv_conn;

	if (c == NULL)
		return;
	reuse = reuse && s->req.fwd == 0 && http_srv_clean(s);
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

static void
http_drop_replay(struct http_sess *h)
{
	if (h->replay == NULL)
		return;
	pool_put(&h->s.w->bufs, h->replay);
	h->replay = NULL;
}

/* Answers the current request with gatehouse's own <status> response,
 * after dropping the server and whatever the client sends from now on.
 * Returns 0, or -1 when the session had to be closed instead (a response
 * was already under way, or no buffer could be had). */
static int
http_error(struct http_sess *h, unsigned int status, enum sess_end term,
    const char *why)
{
	struct session *s = &h->s;
	struct http_txn *t = &h->txn;
	struct http_ana a;

	s->term = term;
	t->status = status;
	if (why != NULL)
		t->why = why;
	t->flags |= TX_F_SRV_CLOSE;
	/* A server that resets, closes, times out or talks garbage counts
	 * against it (passive checks); refusals are counted at connect. */
	if ((status == 502 || status == 504) && (s->flags & SS_F_SLOT))
		server_report(s->srv, 0, t->why != NULL ? t->why :
		    session_end_name(term));
	session_unqueue(s);
	session_release_slot(s);
	http_drop_replay(h);
	http_release_srv(s, 0);
	channel_truncate(&s->req, 0);
	s->req.fwd = 0;
	t->req = HTTP_S_DISCARD;
	http_sess_ana(h, &a);
	if ((t->flags & TX_F_RES_SENT) || http_reply(&a) < 0) {
		session_close(s, term);
		return -1;
	}
	atomic_fetch_add_explicit(&s->fe->http_own, 1, memory_order_relaxed);
	return 0;
}

/* Keeps a copy of the request about to go when it may be sent again:
 * an idempotent method (RFC 9110 9.2.2), no body, retries allowed. */
static void
http_keep_replay(struct http_sess *h)
{
	struct session *s = &h->s;
	size_t n = s->req.fwd;

	if (!(h->txn.flags & TX_F_IDEMPOTENT) || h->txn.req != HTTP_S_DONE ||
	    s->be->cfg->retries == 0 || n == 0 || n > s->w->bufs.size)
		return;
	if (h->replay == NULL && (h->replay = pool_get(&s->w->bufs)) == NULL)
		return;
	memcpy(h->replay, channel_head(&s->req), n);
	h->replay_len = n;
}

/* The server failed (<why>) after the request went out and before any
 * byte of its response: an idempotent request is sent again to another
 * server while retries remain (the others get 502). Returns 1 when it
 * was (0 from *rc, or -1 when the session was closed meanwhile), 0 when
 * it cannot be. */
static int
http_replay(struct http_sess *h, const char *why, int *rc)
{
	struct session *s = &h->s;
	struct server *failed = s->srv;
	char addr[UTIL_ADDRSTRLEN];
	int r;

	if (h->replay == NULL || s->res.buf.data > 0 ||
	    h->txn.res != HTTP_S_HDR || !(s->flags & SS_F_SLOT) ||
	    s->tries > s->be->cfg->retries)
		return 0;
	log_info("%s fe=%s be=%s/%s %s before responding: request sent "
	    "again", util_addr_str(&s->cli->conn->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be->cfg->name, failed->cfg->name, why);
	server_report(failed, 0, why);
	session_release_slot(s);
	http_release_srv(s, 0);
	if (channel_take_buf(&s->req, &s->w->bufs) < 0 ||
	    channel_replace(&s->req, 0, 0, h->replay, h->replay_len) < 0)
		return 0;
	s->req.fwd = h->replay_len;
	if ((r = session_assign(s, failed)) == 1)
		*rc = session_connect(s);
	else
		*rc = r == 0 ? 0 : session_no_server(s);
	return 1;
}

/* ---- the session's hooks ---- */

/* A request header went through the analyzer: a server for it. The
 * balancing picks the server; the connection is the one this session
 * kept from its last request when it goes to the same server (as most
 * do: no pool traffic at all), else an idle one from the pool, else a
 * new one. */
static int
http_serve(struct session *s)
{
	struct http_sess *h = http_sess(s);
	struct server *kept = s->srv_conn != NULL ? s->srv : NULL;
	struct conn *c;
	int rc;

	s->tries = 0;
	http_keep_replay(h);
	rc = session_assign(s, NULL);
	if (rc == 1 && kept == s->srv && http_srv_clean(s)) {
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
		c->ep.flags |= CO_F_RDY_W;
		s->flags |= SS_F_CONNECTED;
		s->t_srv = util_now_ms();
		/* timeout server may come before the request timeout the
		 * timer waits for. */
		session_arm_timer(s);
		return 0;
	}
	return session_connect(s);
}

static int
http_no_server(struct session *s)
{
	return http_error(http_sess(s), 503, s->term, s->why != NULL ?
	    s->why : "no server could be reached");
}

/* A server that fails before its response began: the request again, or
 * 502. */
static int
http_srv_failed(struct session *s, int *rc)
{
	struct http_sess *h = http_sess(s);

	if (h->txn.res != HTTP_S_HDR)
		return 0;
	if (!http_replay(h, s->why, rc))
		*rc = http_error(h, 502, s->term, s->why);
	return 1;
}

/* The status of a refused request says how it ended in the log. */
static enum sess_end
http_refusal(unsigned int status)
{
	if (status < 400)
		return SE_REDIRECT;
	if (status == 403)
		return SE_DENIED;
	return status == 404 ? SE_NO_ROUTE : SE_BAD_REQUEST;
}

/* Runs the analyzer of <ch> and does what it asks. */
static int
http_analyze(struct session *s, struct channel *ch)
{
	struct http_sess *h = http_sess(s);
	struct http_txn *t = &h->txn;
	struct http_ana a;
	enum an_ret rc;

	if (ch == &s->req) {
		http_sess_ana(h, &a);
		/* After a header, once more: its body may be there too. */
		while ((rc = http_req_analyze(&a)) == AN_DONE) {
			s->be = t->route < s->fe->cfg->nroutes ?
			    s->fe->routes[t->route] : s->fe->backend;
			s->flags &= ~SS_F_LB_KEY;
			if (t->flags & TX_F_LB_KEY) {
				s->lb_hash = t->lb_hash;
				s->flags |= SS_F_LB_KEY;
			}
			if (http_serve(s) < 0)
				return -1;
		}
		if (rc == AN_ERROR) {
			if (t->status == 404)
				s->be = NULL;   /* routed nowhere */
			return http_error(h, t->status,
			    http_refusal(t->status), NULL);
		}
		return 0;
	}
	/* Once the response began, the request is never sent again: its
	 * copy goes back to the pool rather than wait for the end. */
	if (h->replay != NULL && s->res.buf.data > 0)
		http_drop_replay(h);
	http_sess_ana(h, &a);
	if ((rc = http_resp_analyze(&a)) == AN_ERROR)
		return http_error(h, t->status, SE_BAD_RESPONSE, NULL);
	if (rc == AN_DONE && t->res == HTTP_S_TUNNEL) {
		/* 101: from here on, bytes both ways as in mode tcp. */
		s->req.an = s->res.an = 0;
		s->req.read_limit = s->res.read_limit = s->w->cfg->bufsize;
		session_arm_timer(s);
	}
	return 0;
}

/* Where the exchange stands once bytes have moved: ends, turns over to
 * the next request, or closes. */
static int
http_turn(struct session *s)
{
	struct http_sess *h = http_sess(s);
	struct http_txn *t = &h->txn;
	int reuse, rc;

	if (t->res == HTTP_S_TUNNEL)
		return 0;
	/* A kept server connection that closes or speaks out of turn
	 * between two requests is let go. */
	if (t->res == HTTP_S_IDLE && s->srv_conn != NULL &&
	    !http_srv_clean(s))
		http_release_srv(s, 0);
	if (t->res != HTTP_S_DONE) {
		if ((s->res.flags & CH_F_SHUTR) && s->srv_conn != NULL &&
		    t->res != HTTP_S_IDLE) {
			if (t->res == HTTP_S_BODY_CLOSE)
				t->res = HTTP_S_DONE;
			else if (t->res == HTTP_S_HDR) {
				if (http_replay(h, "server closed", &rc))
					return rc < 0 ? -1 : 1;
				return http_error(h, 502, SE_SERVER_CLOSE,
				    "server closed before responding") < 0 ?
				    -1 : 1;
			} else {
				t->why = "server closed in the body";
				session_close(s, SE_SERVER_CLOSE);
				return -1;
			}
		}
		/* A client gone before its request is whole: a header that
		 * cannot end any more (the analyzer saw the EOF), or a body
		 * whose rest will not come. */
		if ((s->req.flags & CH_F_SHUTR) && (t->req == HTTP_S_HDR ||
		    (t->req != HTTP_S_DONE && t->req != HTTP_S_DISCARD &&
		    channel_data(&s->req) == 0))) {
			session_close(s, SE_CLIENT_CLOSE);
			return -1;
		}
		if (t->res != HTTP_S_DONE)
			return 0;
	}
	if (!(h->flags & HS_F_CLOSING)) {
		/* A client that shut its side after pipelined requests
		 * still gets an answer to each. */
		if (t->req != HTTP_S_DONE || ((s->req.flags & CH_F_SHUTR) &&
		    channel_data(&s->req) - s->req.fwd == 0))
			t->flags |= TX_F_CLI_CLOSE;
		/* A clean server connection stays with the session for its
		 * next request; otherwise, or when the client goes, it goes
		 * to the pool or is closed. */
		http_drop_replay(h);
		if (s->flags & SS_F_SLOT) {
			if (s->be->cfg->observe == CFG_OBSERVE_LAYER7)
				server_report(s->srv, t->status < 500,
				    "a 5xx response");
			session_release_slot(s);
		}
		reuse = !(t->flags & TX_F_SRV_CLOSE) &&
		    t->req == HTTP_S_DONE && s->req.fwd == 0;
		if (!reuse || (t->flags & TX_F_CLI_CLOSE) ||
		    !http_srv_clean(s))
			http_release_srv(s, reuse);
		channel_truncate(&s->res, s->res.fwd);
		if (s->term == SE_NONE)
			s->term = SE_DONE;
		http_log(h);
		t->flags &= ~TX_F_HAS_REQ;
		s->term = SE_NONE;
		s->why = NULL;
		h->t_idle = util_now_ms();
		if (!(t->flags & TX_F_CLI_CLOSE) && !s->w->stopping) {
			t->nreq++;
			http_txn_reset(t);
			session_arm_timer(s);
			return 1;
		}
		h->flags |= HS_F_CLOSING;
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
		if (s->cli->ops->shutw(s->cli) == -EAGAIN)
			return 0;
	}
	if (s->req.flags & CH_F_SHUTR) {
		session_close(s, SE_DONE);
		return -1;
	}
	return 0;
}

/* The deadlines of mode http outside a tunnel: linger, keep-alive, the
 * request header, the response header. */
static uint64_t
http_deadline(const struct session *s, enum sess_end *term)
{
	const struct http_sess *h = http_sess(s);
	const struct cfg_timeouts *fe = &s->fe->cfg->timeouts;
	const struct http_txn *t = &h->txn;

	if (t->res == HTTP_S_TUNNEL)
		return 0;
	if (h->flags & HS_F_CLOSING) {
		*term = SE_LINGER;
		return h->t_idle + HTTP_LINGER_MS;
	}
	if (t->req == HTTP_S_HDR && !(t->flags & TX_F_HAS_REQ) &&
	    t->nreq > 0) {
		*term = SE_KEEP_ALIVE_TIMEOUT;
		return h->t_idle + fe->http_keepalive;
	}
	if (t->req == HTTP_S_HDR) {
		*term = SE_HTTP_REQUEST_TIMEOUT;
		return (t->nreq == 0 ? s->t_start : t->t_req) +
		    fe->http_request;
	}
	if ((s->flags & (SS_F_QUEUED | SS_F_CONNECTED)) == SS_F_CONNECTED &&
	    t->res == HTTP_S_HDR && t->req == HTTP_S_DONE) {
		*term = SE_SERVER_TIMEOUT;
		return s->t_srv + s->be->cfg->timeouts.server;
	}
	return 0;
}

/* A request begun gets 408; a connection that said nothing is closed
 * without a word (a browser's spare one); a response that does not come
 * gets 504. */
static int
http_timeout(struct session *s, enum sess_end term, int *rc)
{
	struct http_sess *h = http_sess(s);

	if (h->flags & HS_F_CLOSING)
		return 0;
	if (term == SE_HTTP_REQUEST_TIMEOUT && (h->txn.flags & TX_F_HAS_REQ)) {
		*rc = http_error(h, 408, term, "request header not received "
		    "in time");
		return 1;
	}
	if (term == SE_SERVER_TIMEOUT && h->txn.res == HTTP_S_HDR) {
		*rc = http_error(h, 504, term, "no response in time");
		return 1;
	}
	return 0;
}

/* One line per request; an idle connection says nothing. A kept server
 * connection outlives its client. */
static void
http_end(struct session *s)
{
	struct http_sess *h = http_sess(s);

	if (h->txn.flags & TX_F_HAS_REQ) {
		if (h->txn.why == NULL)
			h->txn.why = s->why;
		http_log(h);
	}
	http_drop_replay(h);
	if (h->txn.res == HTTP_S_IDLE)
		http_release_srv(s, 1);
}

/* Waiting for a next request, none begun. */
static int
http_idle(const struct session *s)
{
	const struct http_sess *h = http_sess(s);

	return !(h->flags & HS_F_CLOSING) && h->txn.req == HTTP_S_HDR &&
	    !(h->txn.flags & TX_F_HAS_REQ);
}

static const struct session_ops proto_http_ops = {
	.size = sizeof(struct http_sess),
	.analyze = http_analyze,
	.turn = http_turn,
	.serve = http_serve,
	.no_server = http_no_server,
	.srv_failed = http_srv_failed,
	.deadline = http_deadline,
	.timeout = http_timeout,
	.end = http_end,
	.idle = http_idle,
};

/* The session waits for the first request; the header block must fit
 * with room to rewrite it. */
static int
proto_http_accept(struct worker *w, struct frontend *fe, struct endpoint *c)
{
	struct session *s;

	if ((s = session_new(w, fe, c, &proto_http_ops)) == NULL)
		return -ENOMEM;
	s->req.an = AN_REQ_HTTP;
	s->res.an = AN_RES_HTTP;
	s->req.read_limit = s->res.read_limit = w->cfg->bufsize -
	    w->cfg->http_reserve;
	http_txn_reset(&http_sess(s)->txn);
	session_start(s, 0);
	return 0;
}

const struct proto proto_http = {
	.name = "http",
	.accept = proto_http_accept,
};
