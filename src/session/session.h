/* The session: the supervisor of one proxied connection. It owns the client
 * and server connections, the request (client to server) and response
 * (server to client) channels, the timer and what the log line says. It is
 * the only place where conns and channels meet.
 *
 * The session knows no protocol. The protocol accept (src/proto_*.c)
 * makes the session with the hooks of its mode (struct session_ops): the
 * analyzers it runs on the channels, what getting a server means, the
 * deadlines and answers of its own, the turn-over between messages and
 * the log line. Hooks that a mode does not need are NULL.
 *
 * Files: session.c (life, the pump), session_fwd.c (moving bytes),
 * session_srv.c (the server side: pick, queue, connect, retry),
 * session_timer.c (deadlines), session_log.c (the end causes, the log
 * line of a connection). */
#ifndef GH_SESSION_H
#define GH_SESSION_H

#include <stdint.h>

#include <event2/event_struct.h>

#include "channel.h"
#include "util.h"

struct backend;
struct conn;
struct endpoint;
struct frontend;
struct server;
struct session;
struct worker;

#define SS_F_CONNECTED  0x0001  /* the server connection is established */
#define SS_F_SPLICE     0x0002  /* both ends raw: splice(2) through pipes */
#define SS_F_SLOT       0x0010  /* holds a slot on srv (backend_pick) */
#define SS_F_QUEUED     0x0020  /* waits in w->queues for a slot */
#define SS_F_SPLICE_RES 0x0040  /* the server raw, the client's TLS records
                                   made by the kernel (kTLS): splice from
                                   server to client */
#define SS_F_LB_KEY     0x0080  /* lb_hash holds the protocol's balancing
                                   key (balance uri, hdr) */

/* Why a session (or, in mode http, a request) ended: the log's "end=". */
enum sess_end {
	SE_NONE = 0,
	SE_DONE,                /* mode http: the response went out whole */
	SE_CLIENT_CLOSE,
	SE_SERVER_CLOSE,
	SE_CLIENT_ERROR,
	SE_SERVER_ERROR,
	SE_CONNECT_REFUSED,
	SE_CONNECT_ERROR,
	SE_CONNECT_TIMEOUT,
	SE_TLS_ERROR,           /* the TLS handshake to the server failed */
	SE_NO_SERVER,
	SE_QUEUE_TIMEOUT,
	SE_CLIENT_TIMEOUT,
	SE_SERVER_TIMEOUT,
	SE_TUNNEL_TIMEOUT,
	SE_HTTP_REQUEST_TIMEOUT,
	SE_KEEP_ALIVE_TIMEOUT,
	SE_LINGER,              /* mode http: the closing client's FIN did
	                           not come in time */
	SE_SHUTDOWN,            /* closed idle by a stopping worker */
	SE_REDIRECT,
	SE_DENIED,
	SE_NO_ROUTE,
	SE_BAD_REQUEST,
	SE_BAD_RESPONSE,
	SE_COUNT
};

/* The log's name of <e> ("client-close", ...). */
const char *session_end_name(enum sess_end e);

/* What a protocol installs. Every hook that returns int returns 0, or -1
 * when it closed the session. */
struct session_ops {
	size_t size;            /* of the session object: the protocol's
	                           state follows struct session */
	/* Runs the analyzers whose bits are set in ch->an. */
	int (*analyze)(struct session *s, struct channel *ch);
	/* After bytes moved both ways: 1 when the pump must run again (a
	 * next message may be waiting), else 0 or -1. */
	int (*turn)(struct session *s);
	/* The session needs a server (it starts, or leaves the queue). */
	int (*serve)(struct session *s);
	/* No server can be had (s->term, s->why say why). */
	int (*no_server)(struct session *s);
	/* The server failed (s->term, s->why) with <rc> set: 1 when the
	 * protocol took it over (its result in *rc), 0 to close. */
	int (*srv_failed)(struct session *s, int *rc);
	/* The protocol's own deadline for where it stands, or 0. */
	uint64_t (*deadline)(const struct session *s, enum sess_end *term);
	/* The deadline <term> passed: 1 when the protocol answered it (the
	 * result in *rc), 0 to close the session. */
	int (*timeout)(struct session *s, enum sess_end term, int *rc);
	/* At the end, before anything is freed: logs, lets go of what it
	 * holds (a kept server connection may outlive the client). */
	void (*end)(struct session *s);
	/* Whether a stopping worker may close <s> now: nothing in flight. */
	int (*idle)(const struct session *s);
};

struct session {
	uint64_t id;
	const struct session_ops *ops;
	struct worker *w;
	struct frontend *fe;
	struct backend *be;
	struct server *srv;             /* the server being tried or used;
	                                   in mode http between requests,
	                                   the one of the kept connection */
	struct endpoint *cli;            /* the client side: a connection, or
	                                   a stream of one */
	struct conn *srv_conn;
	struct channel req;             /* client to server */
	struct channel res;             /* server to client */
	unsigned int flags;             /* SS_F_* */
	unsigned int tries;             /* connects tried for this request
	                                   (mode http) or connection */
	uint32_t lb_hash;               /* SS_F_LB_KEY */
	uint64_t t_start;               /* ms, monotonic */
	uint64_t t_connect;             /* when the current connect began, or
	                                   the wait in the queue */
	uint64_t t_cli, t_srv;          /* last activity on each side */
	struct event timer;
	enum sess_end term;             /* why it ended, for the log */
	const char *why;                /* detail: an errno text or NULL */
	struct list list;               /* in w->sessions */
	struct list queue;              /* in w->queues[be->idx] if queued */
};

/* Makes a session of ops->size bytes for <cli> on frontend <fe>, with
 * the hooks of its protocol; <cli> calls the session from now on. The
 * caller then sets the channels up and starts it (session_start).
 * Returns the session, or NULL when memory is exhausted (the caller
 * still owns <cli>). */
struct session *session_new(struct worker *w, struct frontend *fe,
    struct endpoint *cli, const struct session_ops *ops);

/* Starts <s>: a server at once when the protocol asks for one, then
 * bytes move. */
void session_start(struct session *s, int serve);

/* Idle for SESSION_IDLE_MS: a session whose connections moved nothing
 * for that long lets go of their TLS record buffers (a keep-alive
 * between requests, a quiet tunnel); busy ones keep them, so that the
 * steady state allocates nothing per record. Called by the worker every
 * SESSION_IDLE_MS / 2. */
#define SESSION_IDLE_MS 500
void session_idle_sweep(struct worker *w, uint64_t now);

/* At shutdown: ends the sessions with nothing in flight. */
void session_stop_idle(struct worker *w);

/* The timer callback of w->queue_ev: queued sessions try again. */
void session_queue_cb(int fd, short what, void *arg);

/* Ends <s> at once: closes both connections, logs, frees. */
void session_close(struct session *s, enum sess_end term);

/* ---- for the protocols: the server side (session_srv.c) ---- */

/* Picks a server (another than <avoid> if it can) and takes a slot on
 * it. Returns 1 with s->srv set, 0 when every usable server is full and
 * the session waits in its worker's queue, -1 when no server is up
 * (s->term, s->why). */
int session_assign(struct session *s, const struct server *avoid);
/* Starts a connect to s->srv, whose slot the session holds. Returns 0
 * when one is under way (or another server's, after a failure), -1 when
 * the session was closed. */
int session_connect(struct session *s);
/* Gives the slot back; queued sessions of this worker try next turn. */
void session_release_slot(struct session *s);
void session_unqueue(struct session *s);
/* Makes <c>, a connection to s->srv, the session's server connection. */
void session_attach_srv(struct session *s, struct conn *c);
/* Takes the server connection (to <srv>) from the session and returns
 * it; the caller pools or closes it. */
struct conn *session_detach_srv(struct session *s, struct server *srv);
/* The protocol's no_server hook, or a close. */
int session_no_server(struct session *s);

/* The access log line of a connection as mode tcp writes it, when its
 * frontend logs (session_log.c). */
void session_log_conn(const struct session *s);
/* The parts every access line shares: "ADDR fe=F be=B/S[ tls=V[/C]]"
 * first, with the cipher when <cipher>; then " dur=<dur>ms end=E[: WHY]",
 * after which the line is sent. */
struct log_line;
void session_log_head(struct log_line *l, const struct session *s,
    int cipher);
void session_log_tail(struct log_line *l, uint64_t dur, enum sess_end term,
    const char *why);

/* Arms the timer for the deadline that applies now (session_timer.c). */
void session_arm_timer(struct session *s);

#endif
