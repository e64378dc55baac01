/* The session: the supervisor of one proxied connection. It owns the client
 * and server connections, the request (client to server) and response
 * (server to client) channels, the timer and what the log line says. It is
 * the only place where conns and channels meet. */
#ifndef GH_SESSION_H
#define GH_SESSION_H

#include <stdint.h>

#include <event2/event_struct.h>

#include "channel.h"
#include "http_ana.h"
#include "util.h"

struct backend;
struct conn;
struct frontend;
struct server;
struct worker;

#define SS_F_CONNECTED  0x0001  /* the server connection is established */
#define SS_F_SPLICE     0x0002  /* both ends raw: splice(2) through pipes */
#define SS_F_HTTP       0x0004  /* mode http: analyzers on both channels */
#define SS_F_CLOSING    0x0008  /* mode http: the last response is going
                                   out; then the client is shut, and its
                                   input dropped until it closes or the
                                   linger time is over */
#define SS_F_SLOT       0x0010  /* holds a slot on srv (backend_pick) */
#define SS_F_QUEUED     0x0020  /* waits in w->queues for a slot */
#define SS_F_SPLICE_RES 0x0040  /* the server raw, the client's TLS records
                                   made by the kernel (kTLS): splice from
                                   server to client */

struct session {
	uint64_t id;
	struct worker *w;
	struct frontend *fe;
	struct backend *be;
	struct server *srv;             /* the server being tried or used;
	                                   in mode http between requests,
	                                   the one of the kept connection */
	struct conn *cli;
	struct conn *srv_conn;
	struct channel req;             /* client to server */
	struct channel res;             /* server to client */
	unsigned int flags;             /* SS_F_* */
	unsigned int tries;             /* connects tried for this request
	                                   (mode http) or connection */
	uint64_t t_start;               /* ms, monotonic */
	uint64_t t_connect;             /* when the current connect began, or
	                                   the wait in the queue */
	uint64_t t_cli, t_srv;          /* last activity on each side */
	uint64_t t_idle;                /* mode http: waiting for a request
	                                   since, or closing since */
	struct http_txn txn;            /* mode http: the current request */
	char *replay;                   /* mode http: a copy of an idempotent
	                                   bodiless request sent to a server,
	                                   until its response begins (from
	                                   w->bufs) */
	size_t replay_len;
	struct event timer;
	const char *term;               /* why it ended, for the log */
	const char *why;                /* detail: an errno text or NULL */
	struct list list;               /* in w->sessions */
	struct list queue;              /* in w->queues[be->idx] if queued */
};

/* Makes a session for <cli> on frontend <fe>; in mode tcp it starts
 * connecting to a server of its backend at once, in mode http it waits
 * for the first request. Returns 0 and the session owns <cli> (even when
 * it has already ended), or -ENOMEM and the caller still does. */
int session_new(struct worker *w, struct frontend *fe, struct conn *cli);

/* At shutdown: ends the mode http sessions waiting for a next request
 * (the others close after their current response). */
void session_stop_idle(struct worker *w);

/* The timer callback of w->queue_ev: queued sessions try again. */
void session_queue_cb(int fd, short what, void *arg);

/* Ends <s> at once: closes both connections, logs, frees. */
void session_close(struct session *s, const char *term);

#endif
