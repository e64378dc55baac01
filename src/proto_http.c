/* mode http: the protocol accept, the transaction between two requests,
 * and the access log. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "conn.h"
#include "http_ana.h"
#include "listener.h"
#include "log.h"
#include "session.h"
#include "ssl_sock.h"

static int
proto_http_accept(struct worker *w, struct frontend *fe, struct conn *c)
{
	return session_new(w, fe, c);
}

const struct proto proto_http = {
	.name = "http",
	.accept = proto_http_accept,
};

void
http_txn_reset(struct http_txn *t)
{
	unsigned int nreq = t->nreq;

	memset(t, 0, offsetof(struct http_txn, line));
	t->line[0] = t->host[0] = '\0';
	t->req = HTTP_S_HDR;
	t->res = HTTP_S_IDLE;
	t->nreq = nreq;
}

/* The value of log-format variable <name> for <s>, into <buf>. */
static const char *
http_log_var(struct session *s, const char *name, size_t len,
    const char *term, uint64_t now, char *buf, size_t size)
{
	struct http_txn *t = &s->txn;
	const char *v;

#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
	if (IS("client"))
		return util_addr_str(&s->cli->peer.sa, buf, size);
	if (IS("frontend"))
		return s->fe->cfg->name;
	if (IS("backend"))
		return s->be != NULL ? s->be->cfg->name : "-";
	if (IS("server"))
		return s->srv != NULL ? s->srv->cfg->name : "-";
	if (IS("tls"))
		return (v = ssl_sock_version(s->cli)) != NULL ? v : "-";
	if (IS("cipher"))
		return (v = ssl_sock_cipher(s->cli)) != NULL ? v : "-";
	if (IS("request"))
		return t->line[0] != '\0' ? t->line : "-";
	if (IS("host"))
		return t->host[0] != '\0' ? t->host : "-";
	if (IS("end"))
		return term;
	if (IS("why"))
		return t->why != NULL ? t->why : "-";
	if (IS("status"))
		snprintf(buf, size, "%u", t->status);
	else if (IS("bytes"))
		snprintf(buf, size, "%" PRIu64, t->res_bytes);
	else if (IS("ttfb") && t->t_res != 0)
		snprintf(buf, size, "%" PRIu64, t->t_res - t->t_req);
	else if (IS("duration"))
		snprintf(buf, size, "%" PRIu64, now - t->t_req);
	else
		return "-";
#undef IS
	return buf;
}

/* Expands $name (letters and '_') in <fmt>; anything else is copied. */
static void
http_log_format(struct session *s, const char *fmt, const char *term)
{
	char line[2048], buf[UTIL_ADDRSTRLEN];
	uint64_t now = util_now_ms();
	size_t off = 0, n;
	const char *p, *v;

	for (p = fmt; *p != '\0' && off < sizeof(line) - 1; ) {
		if (*p != '$') {
			line[off++] = *p++;
			continue;
		}
		for (n = 1; (p[n] >= 'a' && p[n] <= 'z') || p[n] == '_'; n++)
			;
		v = http_log_var(s, p + 1, n - 1, term, now, buf, sizeof(buf));
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s",
		    v);
		p += n;
	}
	line[off < sizeof(line) ? off : sizeof(line) - 1] = '\0';
	log_info("%s", line);
}

void
http_log(struct session *s, const char *term)
{
	struct http_txn *t = &s->txn;
	char addr[UTIL_ADDRSTRLEN];
	const char *tls = ssl_sock_version(s->cli);

	if (t->status >= 100 && t->status < 600)
		atomic_fetch_add_explicit(&s->fe->http_class[t->status / 100],
		    1, memory_order_relaxed);
	if (!log_wants(LOG_INFO))
		return;
	if (s->fe->cfg->log_format != NULL) {
		http_log_format(s, s->fe->cfg->log_format, term);
		return;
	}
	log_info("%s fe=%s be=%s/%s%s%s%s%s \"%s\" %u %" PRIu64
	    " ttfb=%" PRId64 "ms dur=%" PRIu64 "ms end=%s%s%s",
	    util_addr_str(&s->cli->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be != NULL ? s->be->cfg->name : "-",
	    s->srv != NULL ? s->srv->cfg->name : "-",
	    tls != NULL ? " tls=" : "", tls != NULL ? tls : "",
	    tls != NULL ? "/" : "", tls != NULL ? ssl_sock_cipher(s->cli) : "",
	    t->line[0] != '\0' ? t->line : "-", t->status, t->res_bytes,
	    t->t_res != 0 ? (int64_t)(t->t_res - t->t_req) : (int64_t)-1,
	    util_now_ms() - t->t_req, term, t->why != NULL ? ": " : "",
	    t->why != NULL ? t->why : "");
}
