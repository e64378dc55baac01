/* What the session's files share among themselves (session.c,
 * session_fwd.c, session_srv.c, session_timer.c, session_log.c); the
 * protocols use session.h only. */
#ifndef GH_SESSION_INT_H
#define GH_SESSION_INT_H

#include <stdint.h>
#include <sys/time.h>

#include "conn.h"
#include "session.h"

/* Moves bytes through <ch> until nothing more can move now (session_fwd.c):
 * request, client to server; response, server to client. On a held
 * channel the analyzers run first on each turn. Returns 0, -1 when an
 * analyzer closed the session, or 1 when <*failed> failed with errno
 * <*err>: the caller decides what that means, then calls again. */
int session_forward(struct session *s, struct channel *ch, uint64_t now,
    struct endpoint **failed, int *err);

/* The events <c> needs given where both channels stand. */
void session_want(struct endpoint *c, struct channel *in,
    struct channel *out);

/* Gives back the splice pipe of <ch> (closed when it still holds bytes). */
void session_drop_pipe(struct worker *w, struct channel *ch);

/* The server connection's endpoint, once connected. */
static inline struct endpoint *
session_srv(const struct session *s)
{
	return (s->flags & SS_F_CONNECTED) ? &s->srv_conn->ep : NULL;
}

/* How often queued sessions look for a slot freed by another worker. */
extern const struct timeval session_queue_tv;

/* The deadline that applies now, in ms (monotonic), and what passing it
 * means (session_timer.c). */
uint64_t session_deadline(const struct session *s, enum sess_end *term);

/* session_srv.c: the mechanics of the server side; the decisions are
 * session.c's. */
/* The server connection is ready for the client's bytes. */
void session_srv_established(struct session *s);
/* Sends the PROXY header the server asks for. Returns 0 or -errno. */
int session_send_proxy(struct session *s, struct conn *c);
/* Starts TLS to s->srv on <c>; <done> is called when it ends. */
int session_srv_tls(struct session *s, struct conn *c,
    void (*done)(struct conn *c, const char *reason, void *arg));
/* Logs that the connect to s->srv failed (<err>, or s->why), as <term>. */
void session_log_connect_fail(struct session *s, int err, enum sess_end term);
/* The same, and tells the server (passive checks). */
void session_connect_report(struct session *s, int err, enum sess_end term);

#endif
