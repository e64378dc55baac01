/* The http_req analyzer: the request side of mode http.
 *
 * The request header block is parsed whole (the channel is held with a
 * read limit of bufsize minus the rewrite reserve, so a block that does
 * not fit is a 431), checked, run through the request rules, routed, and
 * written back normalised: CRLF line ends, hop-by-hop fields removed,
 * X-Forwarded-For appended, X-Forwarded-Proto set, Forwarded added when
 * asked. The body is then let through as it arrives, by its framing. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_ana.h"
#include "ssl_sock.h"

void
http_out_add(struct http_out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (o->full || n > o->size - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

void
http_out_str(struct http_out *o, const char *s)
{
	http_out_add(o, s, strlen(s));
}

void
http_out_field(struct http_out *o, struct ist name, struct ist value)
{
	http_out_add(o, name.ptr, name.len);
	http_out_add(o, ": ", 2);
	http_out_add(o, value.ptr, value.len);
	http_out_add(o, "\r\n", 2);
}

static struct ist
http_ist(const char *s)
{
	return (struct ist){ s, s != NULL ? strlen(s) : 0 };
}

/* http_list() callback: whether an element is the name in <arg>. */
static int
http_list_is(struct ist e, void *arg)
{
	const struct ist *name = arg;

	return e.len == name->len && strncasecmp(e.ptr, name->ptr,
	    e.len) == 0;
}

int
http_out_cl(struct http_out *o, const struct http_msg *m,
    const struct http_hdr *h, int *done)
{
	const char *comma;
	struct ist v = h->value;

	if (!(m->flags & HTTP_F_CL_LIST) || !http_ieq(h->name, "content-length"))
		return 0;
	if ((*done)++ == 0) {
		/* All values are equal (the parser checked): keep the first. */
		if ((comma = memchr(v.ptr, ',', v.len)) != NULL)
			v.len = (size_t)(comma - v.ptr);
		while (v.len > 0 && (v.ptr[v.len - 1] == ' ' ||
		    v.ptr[v.len - 1] == '\t'))
			v.len--;
		http_out_field(o, h->name, v);
	}
	return 1;
}

int
http_hop_by_hop(const struct http_msg *m, struct ist name, int upgrade)
{
	unsigned int i;

	/* By length first: this runs for every field of every message. */
	switch (name.len) {
	case 2:
		if (http_ieq(name, "te"))
			return 1;
		break;
	case 7:
		if (http_ieq(name, "upgrade"))
			return !upgrade;
		break;
	case 10:
		if (http_ieq(name, "connection") ||
		    http_ieq(name, "keep-alive"))
			return 1;
		break;
	case 16:
		if (http_ieq(name, "proxy-connection"))
			return 1;
		break;
	}
	if (!(m->flags & HTTP_F_CONN_OTHER))
		return 0;
	for (i = 0; i < m->nhdrs; i++)
		if (http_ieq(m->hdrs[i].name, "connection") &&
		    http_list(m->hdrs[i].value, http_list_is, &name))
			return !(upgrade && http_ieq(name, "upgrade"));
	return 0;
}

/* The path of the request target: origin-form as is, absolute-form
 * after its authority (which then is the host, RFC 9112 3.2.2). */
static struct ist
http_path(struct ist uri, struct ist *authority)
{
	const char *p, *end = uri.ptr + uri.len;

	authority->len = 0;
	if (uri.len == 0 || uri.ptr[0] == '/' || uri.ptr[0] == '*')
		return uri;
	if ((p = memchr(uri.ptr, ':', uri.len)) == NULL || end - p < 3 ||
	    p[1] != '/' || p[2] != '/')
		return uri;
	authority->ptr = p + 3;
	p = memchr(authority->ptr, '/', (size_t)(end - authority->ptr));
	if (p == NULL)
		p = end;
	authority->len = (size_t)(p - authority->ptr);
	return (struct ist){ p, (size_t)(end - p) };
}

/* Host without port, lower case, into t->host (cut if longer). */
static void
http_set_host(struct http_txn *t, struct ist h)
{
	size_t i, n;

	if (h.len > 0 && h.ptr[0] == '[') {         /* [v6]:port */
		const char *rb = memchr(h.ptr, ']', h.len);

		if (rb != NULL)
			h.len = (size_t)(rb - h.ptr) + 1;
	} else {
		const char *colon = memchr(h.ptr, ':', h.len);

		if (colon != NULL)
			h.len = (size_t)(colon - h.ptr);
	}
	n = h.len < sizeof(t->host) - 1 ? h.len : sizeof(t->host) - 1;
	for (i = 0; i < n; i++)
		t->host[i] = (char)tolower((unsigned char)h.ptr[i]);
	t->host[n] = '\0';
}

int
http_head_whole(const char *p, size_t len, size_t *seen, size_t max)
{
	int whole = len >= max || (len > *seen &&
	    memchr(p + *seen, '\n', len - *seen) != NULL);

	*seen = len;
	return whole;
}

/* "METHOD URI" for the log, cut to fit. */
static void
http_set_line(struct http_txn *t, const struct http_msg *m)
{
	struct http_out o = { t->line, 0, sizeof(t->line) - 1, 0 };
	size_t room;

	http_out_add(&o, m->method.ptr, m->method.len);
	http_out_add(&o, " ", 1);
	room = o.size - o.len;
	http_out_add(&o, m->uri.ptr, m->uri.len < room ? m->uri.len : room);
	t->line[o.len] = '\0';
}

/* What the conditions of one request look at. */
struct http_req_view {
	const struct http_msg *m;
	struct ist path;        /* without the query */
	struct ist target;      /* origin-form: the path and query */
	struct ist authority;   /* of an absolute-form target, or empty */
	const char *host;
	int tls;
};

static int
http_cond(const struct http_req_view *v, const struct cfg_cond *c)
{
	const struct http_hdr *h;
	size_t n, hl = strlen(v->host);
	int r;

	switch (c->kind) {
	case CFG_COND_ALWAYS:
		return 1;
	case CFG_COND_HOST:
		r = strcasecmp(v->host, c->arg) == 0;
		break;
	case CFG_COND_HOST_SUFFIX:
		n = strlen(c->arg);
		r = hl >= n && strcasecmp(v->host + hl - n, c->arg) == 0;
		break;
	case CFG_COND_PATH:
		r = v->path.len == strlen(c->arg) &&
		    memcmp(v->path.ptr, c->arg, v->path.len) == 0;
		break;
	case CFG_COND_PATH_PREFIX:
		n = strlen(c->arg);
		r = v->path.len >= n && memcmp(v->path.ptr, c->arg, n) == 0;
		break;
	case CFG_COND_HEADER:
		h = http_find_hdr(v->m, c->arg);
		r = h != NULL && (c->arg2 == NULL ||
		    (h->value.len == strlen(c->arg2) &&
		    memcmp(h->value.ptr, c->arg2, h->value.len) == 0));
		break;
	case CFG_COND_METHOD:
		r = v->m->method.len == strlen(c->arg) &&
		    memcmp(v->m->method.ptr, c->arg, v->m->method.len) == 0;
		break;
	case CFG_COND_TLS:
		r = v->tls;
		break;
	default:
		r = 0;
	}
	return c->neg ? !r : r;
}

/* Whether a set-header or del-header rule that applies removes <name>. */
int
http_rules_drop(const struct cfg_rule *r, size_t n, struct ist name,
    const struct http_req_view *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((r[i].act == CFG_RULE_SET || r[i].act == CFG_RULE_DEL) &&
		    http_ieq(name, r[i].name) &&
		    (v == NULL || http_cond(v, &r[i].cond)))
			return 1;
	return 0;
}

void
http_rules_add(struct http_out *o, const struct cfg_rule *r, size_t n,
    const struct http_req_view *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((r[i].act == CFG_RULE_SET || r[i].act == CFG_RULE_ADD) &&
		    (v == NULL || http_cond(v, &r[i].cond)))
			http_out_field(o, http_ist(r[i].name),
			    http_ist(r[i].value));
}

/* The client's address as RFC 7239 wants it: IPv6 quoted in brackets. */
static void
http_forwarded(struct http_out *o, struct http_ana *a, const char *addr,
    const char *proto)
{
	const char *host = a->txn->host;
	int v6 = a->cli.peer->sa_family == AF_INET6;

	http_out_str(o, v6 ? "Forwarded: for=\"[" : "Forwarded: for=");
	http_out_str(o, addr);
	http_out_str(o, v6 ? "]\";proto=" : ";proto=");
	http_out_str(o, proto);
	if (*host != '\0' && strpbrk(host, "\"\\") == NULL) {
		http_out_str(o, ";host=\"");
		http_out_str(o, host);
		http_out_str(o, "\"");
	}
	http_out_str(o, "\r\n");
}

static const char *
http_cert_hdr_name(const struct cfg_frontend *fe, int i)
{
	return fe->cert_hdr[i] != NULL ? fe->cert_hdr[i] :
	    cfg_cert_hdr_defaults[i];
}

/* Whether <name> is one of the client certificate fields: what a client
 * sends under those names never reaches the server. */
static int
http_cert_hdr(const struct cfg_frontend *fe, struct ist name)
{
	int i;

	for (i = 0; i < CFG_NCERT_HDRS; i++)
		if (http_ieq(name, http_cert_hdr_name(fe, i)))
			return 1;
	return 0;
}

/* The client certificate's fields, on a frontend that asks for one:
 * the verification result always (NONE without a certificate, or on a
 * bind that asks for none; SUCCESS otherwise, since a certificate that
 * fails ends the handshake), the rest when there is a certificate. */
static void
http_client_cert(struct http_out *o, const struct http_ana *a)
{
	const struct ssl_client_cert *cc = a->cli.cert;
	const char *vals[CFG_NCERT_HDRS];
	int i;

	/* Formatted once per connection, when its handshake ended. */
	if (cc == NULL) {
		http_out_field(o, http_ist(http_cert_hdr_name(a->fe,
		    CFG_CH_VERIFY)), http_ist("NONE"));
		return;
	}
	vals[CFG_CH_VERIFY] = cc->verify_text;
	vals[CFG_CH_SUBJECT] = cc->subject;
	vals[CFG_CH_ISSUER] = cc->issuer;
	vals[CFG_CH_SERIAL] = cc->serial;
	vals[CFG_CH_SHA256] = cc->sha256;
	for (i = 0; i < CFG_NCERT_HDRS; i++)
		http_out_field(o, http_ist(http_cert_hdr_name(a->fe, i)),
		    http_ist(vals[i]));
}

/* Writes the request header block as it goes to the server. */
static void
http_req_rewrite(struct http_ana *a, const struct http_msg *m,
    const struct http_req_view *v, struct http_out *o)
{
	const struct cfg_frontend *fe = a->fe;
	const struct http_hdr *h;
	const char *proto = v->tls ? "https" : "http";
	char addr[UTIL_ADDRSTRLEN];
	int upgrade = a->txn->flags & TX_F_UPGRADE, xff = 0, cl = 0;
	unsigned int i;

	util_addr_ip(a->cli.peer, addr, sizeof(addr));
	http_out_add(o, m->method.ptr, m->method.len);
	http_out_add(o, " ", 1);
	/* An absolute-form target goes on in origin-form with its
	 * authority as the Host (RFC 9112 3.2.2): the server cannot read
	 * the host differently from the rules that routed the request. */
	if (v->target.len == 0)
		http_out_add(o, "/", 1);
	http_out_add(o, v->target.ptr, v->target.len);
	http_out_str(o, m->version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
	if (v->authority.len > 0)
		http_out_field(o, (struct ist){ "Host", 4 }, v->authority);
	for (i = 0; i < m->nhdrs; i++) {
		h = &m->hdrs[i];
		if ((v->authority.len > 0 && http_ieq(h->name, "host")) ||
		    http_hop_by_hop(m, h->name, upgrade) ||
		    http_ieq(h->name, "x-forwarded-proto") ||
		    http_ieq(h->name, "x-forwarded-for") ||
		    (fe->client_certs && http_cert_hdr(fe, h->name)) ||
		    http_rules_drop(fe->req_rules, fe->nreq_rules, h->name, v) ||
		    http_out_cl(o, m, h, &cl))
			continue;
		http_out_field(o, h->name, h->value);
	}
	/* Every X-Forwarded-For becomes one list, ours last. */
	for (i = 0; i < m->nhdrs; i++) {
		h = &m->hdrs[i];
		if (!http_ieq(h->name, "x-forwarded-for") ||
		    http_rules_drop(fe->req_rules, fe->nreq_rules, h->name, v))
			continue;
		http_out_str(o, xff++ ? ", " : "X-Forwarded-For: ");
		http_out_add(o, h->value.ptr, h->value.len);
	}
	http_out_str(o, xff ? ", " : "X-Forwarded-For: ");
	http_out_str(o, addr);
	http_out_str(o, "\r\nX-Forwarded-Proto: ");
	http_out_str(o, proto);
	http_out_str(o, "\r\n");
	if (fe->forwarded)
		http_forwarded(o, a, addr, proto);
	if (fe->client_certs)
		http_client_cert(o, a);
	/* The server connection is kept alive whatever the client does. */
	if (upgrade)
		http_out_str(o, "Connection: upgrade\r\n");
	else if (m->version == 10)
		http_out_str(o, "Connection: keep-alive\r\n");
	http_rules_add(o, fe->req_rules, fe->nreq_rules, v);
	http_out_str(o, "\r\n");
}

/* Runs deny and redirect rules. Returns 0 to go on, else the status. */
static unsigned int
http_req_rules(struct http_ana *a, const struct http_req_view *v)
{
	const struct cfg_frontend *fe = a->fe;
	const struct cfg_rule *r;
	struct http_txn *t = a->txn;
	struct http_out o = { a->scratch, 0, a->cfg->bufsize, 0 };
	size_t i;

	for (i = 0; i < fe->nreq_rules; i++) {
		r = &fe->req_rules[i];
		if ((r->act != CFG_RULE_DENY && r->act != CFG_RULE_REDIRECT) ||
		    !http_cond(v, &r->cond))
			continue;
		if (r->act == CFG_RULE_DENY) {
			t->why = "denied by rule";
			return 403;
		}
		/* Same host (without its port) and same target. */
		http_out_str(&o, "https://");
		http_out_str(&o, t->host);
		http_out_add(&o, v->m->uri.ptr[0] == '/' ? v->m->uri.ptr : "/",
		    v->m->uri.ptr[0] == '/' ? v->m->uri.len : 1);
		if (o.full || *t->host == '\0') {
			t->why = o.full ? "redirect target too long" :
			    "no host to redirect to";
			return o.full ? 414 : 400;
		}
		t->location.ptr = o.p;
		t->location.len = o.len;
		t->why = "redirect";
		return r->code;
	}
	return 0;
}

/* The first route that matches, else the default: its index in
 * fe->routes (fe->nroutes for the default), and its backend's
 * configuration (NULL: there is none, 404). */
static const struct cfg_backend *
http_route(struct http_ana *a, const struct http_req_view *v)
{
	const struct cfg_frontend *fe = a->fe;
	size_t i;

	for (i = 0; i < fe->nroutes; i++)
		if (http_cond(v, &fe->routes[i].cond))
			break;
	a->txn->route = i;
	return i < fe->nroutes ? fe->routes[i].backend : fe->default_backend;
}

static enum an_ret
http_req_fail(struct http_txn *t, unsigned int status, const char *why)
{
	t->status = status;
	if (why != NULL)
		t->why = why;
	t->req = HTTP_S_DISCARD;
	return AN_ERROR;
}

/* What the balancing of the chosen backend hashes, if it hashes the
 * request, and whether the request may be sent twice. */
static void
http_req_lb_key(struct http_ana *a, const struct cfg_backend *be,
    const struct http_msg *m, const struct http_req_view *v)
{
	static const char *const idempotent[] = {
		"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE",
	};
	struct http_txn *t = a->txn;
	const struct http_hdr *h;
	size_t i;

	for (i = 0; i < sizeof(idempotent) / sizeof(*idempotent); i++)
		if (m->method.len == strlen(idempotent[i]) &&
		    memcmp(m->method.ptr, idempotent[i], m->method.len) == 0)
			t->flags |= TX_F_IDEMPOTENT;
	switch (be->balance) {
	case CFG_LB_URI:
		t->lb_hash = util_hash(v->path.ptr, v->path.len);
		t->flags |= TX_F_LB_KEY;
		break;
	case CFG_LB_HDR:
		if ((h = http_find_hdr(m, be->balance_hdr)) == NULL)
			break;
		t->lb_hash = util_hash(h->value.ptr, h->value.len);
		t->flags |= TX_F_LB_KEY;
		break;
	default:
		break;
	}
}

static enum an_ret
http_req_head(struct http_ana *a)
{
	const struct cfg *cfg = a->cfg;
	struct http_limits lim = { cfg->http_max_line,
	    cfg->bufsize - cfg->http_reserve, cfg->http_max_headers };
	struct channel *ch = a->req;
	struct http_txn *t = a->txn;
	struct http_msg *m = a->msg;
	struct http_out o = { a->scratch, 0, cfg->bufsize, 0 };
	struct http_req_view v = { .m = m, .host = t->host };
	const struct cfg_backend *be;
	struct ist authority, path;
	const struct http_hdr *h;
	const char *q;
	unsigned int status;
	size_t avail = ch->buf.data - ch->fwd;
	int rc;

	/* Empty lines before a request are skipped (RFC 9112 2.2); they do
	 * not make it a request, nor move its deadline. */
	while (avail >= 2 && !(t->flags & TX_F_HAS_REQ) &&
	    memcmp(channel_head(ch) + ch->fwd, "\r\n", 2) == 0) {
		channel_replace(ch, ch->fwd, 2, NULL, 0);
		avail -= 2;
	}
	if (avail == 0 || (avail == 1 && !(t->flags & TX_F_HAS_REQ) &&
	    channel_head(ch)[ch->fwd] == '\r'))
		return AN_MORE;
	if (!(t->flags & TX_F_HAS_REQ)) {
		t->flags |= TX_F_HAS_REQ;
		t->t_req = util_now_ms();
	}
	if (!http_head_whole(channel_head(ch) + ch->fwd, avail, &t->req_seen,
	    lim.max_head))
		return AN_MORE;
	rc = http_parse_request(channel_head(ch) + ch->fwd, avail, &lim, m);
	if (rc == HTTP_P_MORE)
		return AN_MORE;
	t->req_seen = 0;
	if (rc != HTTP_P_DONE)
		return http_req_fail(t, (unsigned int)rc, m->why);
	t->version = m->version;
	t->req_flags = m->flags;
	http_set_line(t, m);
	path = http_path(m->uri, &authority);
	v.target = path;
	v.authority = authority;
	if (authority.len > 0)
		http_set_host(t, authority);
	else if ((h = http_find_hdr(m, "host")) != NULL)
		http_set_host(t, h->value);
	v.path = path;
	if ((q = memchr(path.ptr, '?', path.len)) != NULL)
		v.path.len = (size_t)(q - path.ptr);
	v.tls = a->cli.tls;

	if (m->version == 10 ? !(m->flags & HTTP_F_CONN_KEEPALIVE) :
	    (m->flags & HTTP_F_CONN_CLOSE) != 0)
		t->flags |= TX_F_CLI_CLOSE;
	if ((m->flags & (HTTP_F_UPGRADE | HTTP_F_CONN_UPGRADE)) ==
	    (HTTP_F_UPGRADE | HTTP_F_CONN_UPGRADE))
		t->flags |= TX_F_UPGRADE;
	if (a->fe->max_body != 0 && m->body == HTTP_BODY_LENGTH &&
	    m->length > a->fe->max_body)
		return http_req_fail(t, 413, "body larger than max-body-size");
	if ((status = http_req_rules(a, &v)) != 0)
		return http_req_fail(t, status, NULL);
	if ((be = http_route(a, &v)) == NULL)
		return http_req_fail(t, 404, "no backend for this request");
	http_req_lb_key(a, be, m, &v);

	http_req_rewrite(a, m, &v, &o);
	if (o.full || channel_replace(ch, ch->fwd, m->head_len, o.p,
	    o.len) < 0)
		return http_req_fail(t, 431, "no room to rewrite the header "
		    "block");
	ch->fwd += o.len;
	t->res = HTTP_S_HDR;
	switch (m->body) {
	case HTTP_BODY_LENGTH:
		t->req = HTTP_S_BODY_LEN;
		t->req_left = m->length;
		break;
	case HTTP_BODY_CHUNKED:
		t->req = HTTP_S_BODY_CHUNKED;
		memset(&t->req_chunk, 0, sizeof(t->req_chunk));
		break;
	default:
		t->req = HTTP_S_DONE;
	}
	return AN_DONE;
}

enum an_ret
http_body(struct channel *ch, enum http_state *st, uint64_t *left,
    struct http_chunk *c, uint64_t *count, const char **why)
{
	size_t avail = ch->buf.data - ch->fwd, n;
	long k;

	switch (*st) {
	case HTTP_S_BODY_LEN:
		n = avail < *left ? avail : (size_t)*left;
		ch->fwd += n;
		*count += n;
		if ((*left -= n) > 0)
			return AN_MORE;
		*st = HTTP_S_DONE;
		return AN_DONE;
	case HTTP_S_BODY_CHUNKED:
		while (avail > 0) {
			k = http_chunk_parse(c, channel_head(ch) + ch->fwd,
			    avail, why);
			if (k < 0)
				return AN_ERROR;
			if (k == 0)
				break;
			ch->fwd += (size_t)k;
			*count += (uint64_t)k;
			avail -= (size_t)k;
			if (c->state == HTTP_CH_DONE) {
				*st = HTTP_S_DONE;
				return AN_DONE;
			}
		}
		return AN_MORE;
	case HTTP_S_BODY_CLOSE:
		ch->fwd += avail;
		*count += avail;
		return AN_MORE;
	default:
		return AN_MORE;
	}
}

enum an_ret
http_req_analyze(struct http_ana *a)
{
	struct http_txn *t = a->txn;
	struct channel *ch = a->req;
	const char *why = NULL;
	enum an_ret rc;

	switch (t->req) {
	case HTTP_S_HDR:
		return http_req_head(a);
	case HTTP_S_BODY_LEN:
	case HTTP_S_BODY_CHUNKED:
		rc = http_body(ch, &t->req, &t->req_left, &t->req_chunk,
		    &t->req_body, &why);
		if (rc == AN_ERROR)
			return http_req_fail(t, 400, why);
		if (a->fe->max_body != 0 &&
		    t->req_body > a->fe->max_body)
			return http_req_fail(t, 413, "chunked body larger "
			    "than max-body-size");
		/* The request end is the session's business only when the
		 * response already ended. */
		return AN_MORE;
	case HTTP_S_DISCARD:
		/* After an error nothing more is read as a request. */
		channel_truncate(ch, ch->fwd);
		return AN_MORE;
	default:
		return AN_MORE;
	}
}

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
