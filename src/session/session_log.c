/* How sessions end, by name, and the log line of a connection. */
#include <inttypes.h>

#include "backend.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "session.h"
#include "ssl_sock.h"

static const char *const session_end_names[SE_COUNT] = {
	[SE_NONE] = "-",
	[SE_DONE] = "done",
	[SE_CLIENT_CLOSE] = "client-close",
	[SE_SERVER_CLOSE] = "server-close",
	[SE_CLIENT_ERROR] = "client-error",
	[SE_SERVER_ERROR] = "server-error",
	[SE_CONNECT_REFUSED] = "connect-refused",
	[SE_CONNECT_ERROR] = "connect-error",
	[SE_CONNECT_TIMEOUT] = "connect-timeout",
	[SE_TLS_ERROR] = "tls-error",
	[SE_NO_SERVER] = "no-server",
	[SE_QUEUE_TIMEOUT] = "queue-timeout",
	[SE_CLIENT_TIMEOUT] = "client-timeout",
	[SE_SERVER_TIMEOUT] = "server-timeout",
	[SE_TUNNEL_TIMEOUT] = "tunnel-timeout",
	[SE_HTTP_REQUEST_TIMEOUT] = "http-request-timeout",
	[SE_KEEP_ALIVE_TIMEOUT] = "keep-alive-timeout",
	[SE_LINGER] = "linger",
	[SE_SHUTDOWN] = "shutdown",
	[SE_REDIRECT] = "redirect",
	[SE_DENIED] = "denied",
	[SE_NO_ROUTE] = "no-route",
	[SE_BAD_REQUEST] = "bad-request",
	[SE_BAD_RESPONSE] = "bad-response",
};

const char *
session_end_name(enum sess_end e)
{
	return (unsigned int)e < SE_COUNT && session_end_names[e] != NULL ?
	    session_end_names[e] : "-";
}

void
session_log_conn(const struct session *s)
{
	char addr[UTIL_ADDRSTRLEN];
	const char *tls;

	if (!log_wants(LOG_INFO))
		return;
	tls = ssl_sock_version(s->cli->conn);
	log_info("%s fe=%s be=%s/%s%s%s in=%" PRIu64 " out=%" PRIu64
	    " dur=%" PRIu64 "ms end=%s%s%s",
	    util_addr_str(&s->cli->conn->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be != NULL ? s->be->cfg->name : "-",
	    s->srv != NULL ? s->srv->cfg->name : "-",
	    tls != NULL ? " tls=" : "", tls != NULL ? tls : "",
	    s->req.total, s->res.total, util_now_ms() - s->t_start,
	    session_end_name(s->term), s->why != NULL ? ": " : "",
	    s->why != NULL ? s->why : "");
}
