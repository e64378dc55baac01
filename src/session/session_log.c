/* How sessions end, by name, and the log line of a connection. */
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
session_log_head(struct log_line *l, const struct session *s, int cipher)
{
	const char *tls = ssl_sock_version(s->cli->conn);

	log_line_addr(l, &s->cli->conn->peer.sa);
	log_line_str(l, " fe=");
	log_line_str(l, s->fe->cfg->name);
	log_line_str(l, " be=");
	log_line_str(l, s->be != NULL ? s->be->cfg->name : "-");
	log_line_mem(l, "/", 1);
	log_line_str(l, s->srv != NULL ? s->srv->cfg->name : "-");
	if (tls == NULL)
		return;
	log_line_str(l, " tls=");
	log_line_str(l, tls);
	if (cipher) {
		log_line_mem(l, "/", 1);
		log_line_str(l, ssl_sock_cipher(s->cli->conn));
	}
}

void
session_log_tail(struct log_line *l, uint64_t dur, enum sess_end term,
    const char *why)
{
	log_line_str(l, " dur=");
	log_line_u64(l, dur);
	log_line_str(l, "ms end=");
	log_line_str(l, session_end_name(term));
	if (why != NULL) {
		log_line_str(l, ": ");
		log_line_str(l, why);
	}
	log_access(l);
}

void
session_log_conn(const struct session *s)
{
	struct log_line l;

	if (s->fe->cfg->access_log_off || !log_wants(LOG_INFO))
		return;
	l.len = 0;
	session_log_head(&l, s, 0);
	log_line_str(&l, " in=");
	log_line_u64(&l, s->req.total);
	log_line_str(&l, " out=");
	log_line_u64(&l, s->res.total);
	session_log_tail(&l, util_now_ms() - s->t_start, s->term, s->why);
}
