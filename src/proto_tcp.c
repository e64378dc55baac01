/* mode tcp: the protocol accept is a session that connects at once and
 * forwards both directions as opaque bytes. */
#include "listener.h"
#include "session.h"

static int
proto_tcp_accept(struct worker *w, struct frontend *fe, struct conn *c)
{
	return session_new(w, fe, c);
}

const struct proto proto_tcp = {
	.name = "tcp",
	.accept = proto_tcp_accept,
};
