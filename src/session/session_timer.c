/* A session's one timer: the deadline that applies where it stands. The
 * protocol's own deadlines (a request header awaited, a keep-alive) come
 * first; then the queue, the connect, the tunnel, and the client's and
 * server's inactivity. */
#include "backend.h"
#include "listener.h"
#include "session_int.h"

uint64_t
session_deadline(const struct session *s, enum sess_end *term)
{
	const struct cfg_timeouts *fe = &s->fe->cfg->timeouts;
	const struct cfg_timeouts *be;
	unsigned int tunnel;
	uint64_t dc, ds;

	if (s->ops->deadline != NULL &&
	    (dc = s->ops->deadline(s, term)) != 0)
		return dc;
	be = &s->be->cfg->timeouts;
	tunnel = be->tunnel ? be->tunnel : fe->tunnel;
	if (s->flags & SS_F_QUEUED) {
		*term = SE_QUEUE_TIMEOUT;
		return s->t_connect + be->queue;
	}
	if (!(s->flags & SS_F_CONNECTED)) {
		*term = SE_CONNECT_TIMEOUT;
		return s->t_connect + be->connect;
	}
	if (tunnel != 0 && s->req.an == 0 && s->res.an == 0) {
		*term = SE_TUNNEL_TIMEOUT;
		return (s->t_cli > s->t_srv ? s->t_cli : s->t_srv) + tunnel;
	}
	dc = s->t_cli + fe->client;
	ds = s->t_srv + be->server;
	*term = dc <= ds ? SE_CLIENT_TIMEOUT : SE_SERVER_TIMEOUT;
	return dc <= ds ? dc : ds;
}

void
session_arm_timer(struct session *s)
{
	enum sess_end term;
	uint64_t when = session_deadline(s, &term), now = util_now_ms();
	struct timeval tv = util_ms_tv(when > now ? when - now : 0);

	evtimer_add(&s->timer, &tv);
}
