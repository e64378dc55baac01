/* The http_resp analyzer: the response side of mode http, and the
 * responses gatehouse writes itself.
 *
 * A response is read as strictly as a request: what cannot be read one
 * way only never reaches the client, which gets 502 instead. Interim 1xx
 * responses go through ahead of the final one (not to HTTP/1.0 clients,
 * RFC 9110 15.2). The final header block is written back with its
 * hop-by-hop fields replaced by what this client connection does next. */
#include <stdio.h>
#include <string.h>

#include "http_ana.h"

static enum an_ret
http_resp_fail(struct http_txn *t, const char *why)
{
	t->status = 502;
	t->why = why;
	return AN_ERROR;
}

/* What every final response gets, gatehouse's own too (as nginx's
 * add_header ... always): the response rules' fields, and HSTS to a
 * client over TLS. */
static void
http_resp_added(struct http_out *o, const struct http_ana *a)
{
	http_rules_add(o, a->fe->res_rules, a->fe->nres_rules, NULL);
	if (a->fe->hsts != NULL && a->cli.tls) {
		http_out_str(o, "Strict-Transport-Security: ");
		http_out_str(o, a->fe->hsts);
		http_out_str(o, "\r\n");
	}
}

static void
http_resp_rewrite(struct http_ana *a, const struct http_msg *m,
    struct http_out *o)
{
	const struct cfg_frontend *fe = a->fe;
	struct http_txn *t = a->txn;
	const struct http_hdr *h;
	int hsts = fe->hsts != NULL && a->cli.tls;
	char line[] = "HTTP/1.1 000 ";
	unsigned int i;
	int cl = 0;

	line[9] = (char)('0' + m->status / 100 % 10);
	line[10] = (char)('0' + m->status / 10 % 10);
	line[11] = (char)('0' + m->status % 10);
	http_out_add(o, line, sizeof(line) - 1);
	http_out_add(o, m->reason.ptr, m->reason.len);
	http_out_str(o, "\r\n");
	for (i = 0; i < m->nhdrs; i++) {
		h = &m->hdrs[i];
		if (http_hop_by_hop(m, h->name, 0) ||
		    http_rules_drop(fe->res_rules, fe->nres_rules, h->name,
		    NULL) || (hsts && http_ieq(h->name,
		    "strict-transport-security")) || http_out_cl(o, m, h, &cl))
			continue;
		http_out_field(o, h->name, h->value);
	}
	http_resp_added(o, a);
	if (t->flags & TX_F_CLI_CLOSE)
		http_out_str(o, "Connection: close\r\n");
	else if (t->version == 10)
		http_out_str(o, "Connection: keep-alive\r\n");
	http_out_str(o, "\r\n");
}

/* One response header block at ch->fwd: an interim one (let through or,
 * for an HTTP/1.0 client, dropped; then the next) or the final one. */
static enum an_ret
http_resp_head(struct http_ana *a)
{
	const struct cfg *cfg = a->cfg;
	struct http_limits lim = { cfg->bufsize, cfg->bufsize -
	    cfg->http_reserve, cfg->http_max_headers };
	struct channel *ch = a->res;
	struct http_txn *t = a->txn;
	struct http_msg *m = a->msg;
	struct http_out o = { a->scratch, 0, cfg->bufsize, 0 };
	int rc;

	for (;;) {
		if (ch->buf.data == ch->fwd ||
		    !http_head_whole(channel_head(ch) + ch->fwd,
		    ch->buf.data - ch->fwd, &t->res_seen, lim.max_head))
			return AN_MORE;
		rc = http_parse_response(channel_head(ch) + ch->fwd,
		    ch->buf.data - ch->fwd, &lim, t->req_flags, m);
		if (rc == HTTP_P_MORE)
			return AN_MORE;
		t->res_seen = 0;
		if (rc != HTTP_P_DONE)
			return http_resp_fail(t, m->why);
		if (m->status == 101) {
			if (!(t->flags & TX_F_UPGRADE))
				return http_resp_fail(t, "101 without an "
				    "Upgrade request");
			/* Let through as is: both sides switch protocol. */
			ch->fwd += m->head_len;
			t->res_bytes += m->head_len;
			t->status = 101;
			t->flags |= TX_F_RES_SENT | TX_F_SRV_CLOSE;
			t->t_res = util_now_ms();
			t->req = t->res = HTTP_S_TUNNEL;
			return AN_DONE;
		}
		if (m->status >= 200)
			break;
		if (t->version == 10) {
			channel_replace(ch, ch->fwd, m->head_len, NULL, 0);
			continue;
		}
		ch->fwd += m->head_len;
		t->res_bytes += m->head_len;
		t->flags |= TX_F_RES_SENT;
	}

	t->status = m->status;
	t->t_res = util_now_ms();
	if ((m->version == 10 && !(m->flags & HTTP_F_CONN_KEEPALIVE)) ||
	    (m->flags & HTTP_F_CONN_CLOSE) || m->body == HTTP_BODY_CLOSE)
		t->flags |= TX_F_SRV_CLOSE;
	/* A body read until close can only end the same way; a request
	 * still arriving cannot be followed by another one; a stopping
	 * worker takes no more. */
	if (m->body == HTTP_BODY_CLOSE || t->req != HTTP_S_DONE ||
	    a->stopping)
		t->flags |= TX_F_CLI_CLOSE;
	http_resp_rewrite(a, m, &o);
	if (o.full || channel_replace(ch, ch->fwd, m->head_len, o.p,
	    o.len) < 0)
		return http_resp_fail(t, "no room to rewrite the response "
		    "header");
	ch->fwd += o.len;
	t->res_bytes += o.len;
	t->flags |= TX_F_RES_SENT;
	switch (m->body) {
	case HTTP_BODY_LENGTH:
		t->res = HTTP_S_BODY_LEN;
		t->res_left = m->length;
		return AN_MORE;
	case HTTP_BODY_CHUNKED:
		t->res = HTTP_S_BODY_CHUNKED;
		memset(&t->res_chunk, 0, sizeof(t->res_chunk));
		return AN_MORE;
	case HTTP_BODY_CLOSE:
		t->res = HTTP_S_BODY_CLOSE;
		return AN_MORE;
	default:
		t->res = HTTP_S_DONE;
		return AN_DONE;
	}
}

enum an_ret
http_resp_analyze(struct http_ana *a)
{
	struct http_txn *t = a->txn;
	const char *why = NULL;
	enum an_ret rc;

	switch (t->res) {
	case HTTP_S_HDR:
		if ((rc = http_resp_head(a)) != AN_MORE || t->res == HTTP_S_HDR)
			return rc;
		/* The body may have come with the header. */
		/* FALLTHROUGH */
	case HTTP_S_BODY_LEN:
	case HTTP_S_BODY_CHUNKED:
	case HTTP_S_BODY_CLOSE:
		rc = http_body(a->res, &t->res, &t->res_left, &t->res_chunk,
		    &t->res_bytes, &why);
		return rc == AN_ERROR ? http_resp_fail(t, why) : rc;
	default:
		return AN_MORE;
	}
}

/* ---- gatehouse's own responses ---- */

static const struct {
	unsigned int status;
	const char *reason;
} http_reasons[] = {
	{ 301, "Moved Permanently" }, { 302, "Found" },
	{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 408, "Request Timeout" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

static const char *
http_reason(unsigned int status)
{
	size_t i;

	for (i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]); i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "Error";
}

/* One field of gatehouse's own response, unless a response rule sets or
 * removes it (the framing fields are not the rules' to change). */
static void
http_reply_field(struct http_out *o, const struct cfg_frontend *fe,
    const char *name, struct ist value)
{
	struct ist n = { name, strlen(name) };

	if (!http_rules_drop(fe->res_rules, fe->nres_rules, n, NULL))
		http_out_field(o, n, value);
}

int
http_reply(struct http_ana *a)
{
	const struct cfg_frontend *fe = a->fe;
	struct http_txn *t = a->txn;
	struct channel *ch = a->res;
	struct buf *b = &ch->buf;
	const char *reason = http_reason(t->status), *body = NULL;
	char dflt[128], line[64];
	size_t i, blen = 0;
	struct http_out o;

	for (i = 0; i < fe->nerrorfiles; i++)
		if (fe->errorfiles[i].status == t->status) {
			body = fe->errorfiles[i].body;
			blen = fe->errorfiles[i].len;
		}
	if (body == NULL && t->status >= 400) {
		blen = (size_t)snprintf(dflt, sizeof(dflt), "<html><body><h1>"
		    "%u %s</h1></body></html>\n", t->status, reason);
		body = dflt;
	}
	if (channel_take_buf(ch, a->bufs) < 0)
		return -1;
	/* What the server sent past the last message goes; the reply
	 * follows what was already let through. */
	channel_truncate(ch, ch->fwd);
	if (b->head != 0) {
		memmove(b->area, b->area + b->head, b->data);
		b->head = 0;
	}
	o = (struct http_out){ b->area + b->data, 0, b->size - b->data, 0 };
	snprintf(line, sizeof(line), "HTTP/1.1 %u %s\r\n", t->status, reason);
	http_out_str(&o, line);
	if (t->location.len > 0)
		http_reply_field(&o, fe, "Location", t->location);
	if (blen > 0)
		http_reply_field(&o, fe, "Content-Type",
		    (struct ist){ "text/html", 9 });
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n", blen);
	http_out_str(&o, line);
	http_reply_field(&o, fe, "Cache-Control", (struct ist){ "no-cache", 8 });
	http_out_str(&o, "Connection: close\r\n");
	http_resp_added(&o, a);
	http_out_str(&o, "\r\n");
	http_out_add(&o, body, blen);
	if (o.full)
		return -1;
	b->data += o.len;
	ch->fwd += o.len;
	t->res_bytes += o.len;
	t->location.len = 0;
	t->flags |= TX_F_RES_SENT | TX_F_CLI_CLOSE | TX_F_SRV_CLOSE;
	t->res = HTTP_S_DONE;
	return 0;
}
