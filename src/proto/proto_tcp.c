/* mode tcp: the session connects at once and forwards both directions as
 * opaque bytes: no analyzer, splice(2) when both ends are raw sockets,
 * one log line per connection. */
#include <errno.h>

#include "listener.h"
#include "proto.h"
#include "session.h"

/* A server for the connection: a slot, then a connect; or the queue. */
static int
proto_tcp_serve(struct session *s)
{
	int rc;

	if ((rc = session_assign(s, NULL)) == 1)
		return session_connect(s);
	if (rc == 0)
		return 0;
	session_close(s, s->term);
	return -1;
}

static void
proto_tcp_end(struct session *s)
{
	session_log_conn(s);
}

static const struct session_ops proto_tcp_ops = {
	.size = sizeof(struct session),
	.serve = proto_tcp_serve,
	.end = proto_tcp_end,
};

static int
proto_tcp_accept(struct worker *w, struct frontend *fe, struct endpoint *c)
{
	struct session *s;

	if ((s = session_new(w, fe, c, &proto_tcp_ops)) == NULL)
		return -ENOMEM;
	session_start(s, 1);
	return 0;
}

const struct proto proto_tcp = {
	.name = "tcp",
	.accept = proto_tcp_accept,
};
