/* HTTP/1.x parsing per RFC 9110 and RFC 9112.
 *
 * Choices, each made so that gatehouse and any backend read a message the
 * same way:
 *  - lines end in CRLF; a bare LF or a bare CR is an error (400);
 *  - a field name is a token followed at once by ':'; whitespace before
 *    the colon, obs-fold, NUL and other control bytes in a value are
 *    errors;
 *  - Content-Length is digits only; repeated or comma-listed values must
 *    all be equal; with Transfer-Encoding it is an error;
 *  - Transfer-Encoding must end in chunked, once (requests; a response
 *    whose final coding is not chunked is read until close), and is an
 *    error in HTTP/1.0;
 *  - HTTP/1.1 requests carry exactly one Host, and a valid one;
 *  - versions other than 1.0 and 1.1 get 505; CONNECT gets 501.
 * Each error sets m->why. */
#include <string.h>
#include <strings.h>

#include "http_parse.h"

/* tchar of RFC 9110 5.6.2 */
static int
http_tchar(unsigned char c)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr(extra, c) != NULL);
}

/* field-vchar, SP and HTAB: what a field value may hold */
static int
http_vchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

int
http_ieq(struct ist s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}

static int
http_fail(struct http_msg *m, int status, const char *why)
{
	m->why = why;
	return status;
}

/* Finds the end of the line starting at <p>: sets *eol to the CR and
 * returns the offset after the LF, 0 if the line is not whole yet, or -1
 * for a bare CR or LF. */
static long
http_line(const char *buf, size_t len, size_t p, size_t *eol)
{
	const char *lf = memchr(buf + p, '\n', len - p);
	size_t end = lf != NULL ? (size_t)(lf - buf) : len;
	const char *cr = memchr(buf + p, '\r', end - p);

	/* The only CR allowed is the one right before the LF (or, while the
	 * LF has not arrived, the last byte). */
	if (cr != NULL && (size_t)(cr - buf) != end - 1)
		return -1;
	if (lf == NULL)
		return 0;
	if (cr == NULL)
		return -1;
	*eol = end - 1;
	return (long)(end + 1);
}

/* Splits "a, b ,c" lists: calls <fn> on each non-empty element. Returns
 * what <fn> returns when not 0, else 0. */
int
http_list(struct ist v, int (*fn)(struct ist, void *), void *arg)
{
	size_t i = 0, start, end;
	int rc;

	while (i <= v.len) {
		start = i;
		while (i < v.len && v.ptr[i] != ',')
			i++;
		end = i;
		while (start < end && (v.ptr[start] == ' ' ||
		    v.ptr[start] == '\t'))
			start++;
		while (end > start && (v.ptr[end - 1] == ' ' ||
		    v.ptr[end - 1] == '\t'))
			end--;
		if (end > start &&
		    (rc = fn((struct ist){ v.ptr + start, end - start }, arg)))
			return rc;
		i++;
	}
	return 0;
}

/* A Host value is uri-host [ ":" port ] (RFC 9110 7.2): reg-name or IP
 * characters, brackets for IPv6, digits after the last colon outside
 * them. Anything else (spaces, '/', '@', '?') could be read as another
 * host by some server. */
static int
http_host_ok(struct ist v)
{
	static const char extra[] = "-._~%!$&'()*+,;=";
	size_t i, colon = v.len;
	int v6 = v.len > 0 && v.ptr[0] == '[';

	for (i = v6; i < v.len; i++) {
		unsigned char c = (unsigned char)v.ptr[i];

		if (c == ']' && v6) {
			v6 = 0;
			continue;
		}
		if (c == ':') {
			if (!v6)
				colon = i;
			continue;
		}
		if (c == '\0' || !((c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    strchr(extra, c) != NULL))
			return 0;
	}
	if (v6)
		return 0;
	for (i = colon + 1; i < v.len; i++)
		if (v.ptr[i] < '0' || v.ptr[i] > '9')
			return 0;
	return 1;
}

struct http_cl {
	uint64_t value;
	int seen;
	unsigned int n;         /* values seen, in all fields */
};

static int
http_cl_elem(struct ist e, void *arg)
{
	struct http_cl *cl = arg;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < e.len; i++) {
		if (e.ptr[i] < '0' || e.ptr[i] > '9')
			return 1;
		if (v > (UINT64_MAX - 9) / 10)
			return 1;
		v = v * 10 + (uint64_t)(e.ptr[i] - '0');
	}
	if (cl->seen && cl->value != v)
		return 1;
	cl->value = v;
	cl->seen = 1;
	cl->n++;
	return 0;
}

struct http_te {
	int chunked_last;       /* the last coding so far is chunked */
	int chunked_seen;
};

static int
http_te_elem(struct ist e, void *arg)
{
	struct http_te *te = arg;
	size_t i;

	for (i = 0; i < e.len && e.ptr[i] != ';'; i++)
		if (!http_tchar((unsigned char)e.ptr[i]))
			return 1;
	e.len = i;
	te->chunked_last = http_ieq(e, "chunked");
	if (te->chunked_last && te->chunked_seen++)
		return 1;
	return 0;
}

static int
http_conn_elem(struct ist e, void *arg)
{
	unsigned int *flags = arg;

	if (http_ieq(e, "close"))
		*flags |= HTTP_F_CONN_CLOSE;
	else if (http_ieq(e, "keep-alive"))
		*flags |= HTTP_F_CONN_KEEPALIVE;
	else if (http_ieq(e, "upgrade"))
		*flags |= HTTP_F_CONN_UPGRADE;
	else
		*flags |= HTTP_F_CONN_OTHER;
	return 0;
}

/* Parses the field lines from <p> to the empty line and derives the
 * framing. Returns HTTP_P_DONE, HTTP_P_MORE or an error status. */
static int
http_parse_fields(const char *buf, size_t len, size_t p,
    const struct http_limits *lim, struct http_msg *m, int is_req)
{
	struct http_cl cl = { 0, 0, 0 };
	struct http_te te = { 0, 0 };
	unsigned int nhost = 0, i;
	int has_te = 0, has_cl = 0;
	size_t eol, n, c;
	long next;

	for (;;) {
		/* Incomplete and already at the limit: it can only grow. */
		if ((next = http_line(buf, len, p, &eol)) == 0)
			return len >= lim->max_head ? http_fail(m, 431,
			    "header block too large") : HTTP_P_MORE;
		if (next < 0)
			return http_fail(m, 400, "bare CR or LF");
		if ((size_t)next > lim->max_head)
			return http_fail(m, 431, "header block too large");
		if (eol == p)
			break;
		if (buf[p] == ' ' || buf[p] == '\t')
			return http_fail(m, 400, "obs-fold line");
		if (m->nhdrs >= lim->max_hdrs || m->nhdrs >= HTTP_MAX_HDRS)
			return http_fail(m, 431, "too many header fields");
		for (n = p; n < eol && buf[n] != ':'; n++)
			if (!http_tchar((unsigned char)buf[n]))
				return http_fail(m, 400, buf[n] == ' ' ||
				    buf[n] == '\t' ? "whitespace before colon" :
				    "bad field name");
		if (n == p || n == eol)
			return http_fail(m, 400, "bad field line");
		for (c = n + 1; c < eol; c++)
			if (!http_vchar((unsigned char)buf[c]))
				return http_fail(m, 400,
				    "control byte in a field value");
		m->hdrs[m->nhdrs].name = (struct ist){ buf + p, n - p };
		for (c = n + 1; c < eol && (buf[c] == ' ' || buf[c] == '\t');
		    c++)
			;
		while (eol > c && (buf[eol - 1] == ' ' || buf[eol - 1] == '\t'))
			eol--;
		m->hdrs[m->nhdrs].value = (struct ist){ buf + c, eol - c };
		m->nhdrs++;
		p = (size_t)next;
	}
	m->head_len = (size_t)next;
	for (i = 0; i < m->nhdrs; i++) {
		const struct http_hdr *h = &m->hdrs[i];

		if (http_ieq(h->name, "content-length")) {
			has_cl = 1;
			if (http_list(h->value, http_cl_elem, &cl) != 0 ||
			    !cl.seen)
				return http_fail(m, 400, "bad Content-Length");
		} else if (http_ieq(h->name, "transfer-encoding")) {
			has_te = 1;
			if (http_list(h->value, http_te_elem, &te) != 0)
				return http_fail(m, 400,
				    "bad Transfer-Encoding");
		} else if (http_ieq(h->name, "host")) {
			nhost++;
			if (!http_host_ok(h->value))
				return http_fail(m, 400, "bad Host");
		}
		else if (http_ieq(h->name, "connection"))
			http_list(h->value, http_conn_elem, &m->flags);
		else if (http_ieq(h->name, "upgrade"))
			m->flags |= HTTP_F_UPGRADE;
		else if (is_req && http_ieq(h->name, "expect") &&
		    http_ieq(h->value, "100-continue"))
			m->flags |= HTTP_F_EXPECT_CONTINUE;
	}
	if (has_te && has_cl)
		return http_fail(m, 400,
		    "both Content-Length and Transfer-Encoding");
	if (has_te && m->version == 10)
		return http_fail(m, 400, "Transfer-Encoding in HTTP/1.0");
	if (is_req && m->version == 11 && nhost != 1)
		return http_fail(m, 400, nhost == 0 ? "no Host" :
		    "more than one Host");
	if (is_req && nhost > 1)
		return http_fail(m, 400, "more than one Host");
	if (has_te && te.chunked_last)
		m->body = HTTP_BODY_CHUNKED;
	else if (has_te && is_req)
		return http_fail(m, 400,
		    "Transfer-Encoding does not end in chunked");
	else if (has_te)
		m->body = HTTP_BODY_CLOSE;
	else if (has_cl) {
		if (cl.n > 1)
			m->flags |= HTTP_F_CL_LIST;
		m->length = cl.value;
		m->body = cl.value > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
	} else
		m->body = is_req ? HTTP_BODY_NONE : HTTP_BODY_CLOSE;
	return HTTP_P_DONE;
}

/* "HTTP/1.1" at <p>: sets m->version. 0, 400 or 505. */
static int
http_version(const char *p, size_t n, struct http_msg *m)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
	    p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return http_fail(m, 400, "bad HTTP version");
	if (p[5] != '1' || (p[7] != '0' && p[7] != '1'))
		return http_fail(m, 505, "unsupported HTTP version");
	m->version = p[7] == '1' ? 11 : 10;
	return 0;
}

int
http_parse_request(const char *buf, size_t len,
    const struct http_limits *lim, struct http_msg *m)
{
	size_t eol, sp1, sp2, i;
	long next;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((next = http_line(buf, len, 0, &eol)) == 0)
		return len > lim->max_line ? http_fail(m, 414,
		    "request line too long") : HTTP_P_MORE;
	if (next < 0)
		return http_fail(m, 400, "bare CR or LF");
	if (eol > lim->max_line)
		return http_fail(m, 414, "request line too long");
	for (sp1 = 0; sp1 < eol && http_tchar((unsigned char)buf[sp1]); sp1++)
		;
	if (sp1 == 0 || sp1 == eol || buf[sp1] != ' ')
		return http_fail(m, 400, "bad method");
	for (sp2 = sp1 + 1; sp2 < eol && buf[sp2] > 0x20 &&
	    buf[sp2] < 0x7f; sp2++)
		;
	if (sp2 == sp1 + 1 || sp2 == eol || buf[sp2] != ' ')
		return http_fail(m, 400, "bad request target");
	for (i = sp2 + 1; i < eol; i++)
		if (buf[i] == ' ')
			return http_fail(m, 400, "bad request line");
	if ((rc = http_version(buf + sp2 + 1, eol - sp2 - 1, m)) != 0)
		return rc;
	m->method = (struct ist){ buf, sp1 };
	m->uri = (struct ist){ buf + sp1 + 1, sp2 - sp1 - 1 };
	if (http_ieq(m->method, "HEAD"))
		m->flags |= HTTP_F_HEAD;
	if ((rc = http_parse_fields(buf, len, (size_t)next, lim, m, 1)) !=
	    HTTP_P_DONE)
		return rc;
	if (m->method.len == 7 && memcmp(m->method.ptr, "CONNECT", 7) == 0) {
		m->flags |= HTTP_F_CONNECT;
		return http_fail(m, 501, "CONNECT is not supported");
	}
	return HTTP_P_DONE;
}

int
http_parse_response(const char *buf, size_t len,
    const struct http_limits *lim, unsigned int req_flags,
    struct http_msg *m)
{
	size_t eol, i;
	long next;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((next = http_line(buf, len, 0, &eol)) == 0)
		return len > lim->max_head ? http_fail(m, 400,
		    "status line too long") : HTTP_P_MORE;
	if (next < 0)
		return http_fail(m, 400, "bare CR or LF");
	/* HTTP/1.1 SP 3DIGIT SP reason */
	if (eol < 12 || buf[8] != ' ' || (eol > 12 && buf[12] != ' '))
		return http_fail(m, 400, "bad status line");
	if ((rc = http_version(buf, 8, m)) != 0)
		return rc == 505 ? http_fail(m, 400,
		    "unsupported HTTP version") : rc;
	for (i = 9; i < 12; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return http_fail(m, 400, "bad status code");
	m->status = (unsigned int)((buf[9] - '0') * 100 + (buf[10] - '0') * 10 +
	    (buf[11] - '0'));
	if (m->status < 100)
		return http_fail(m, 400, "bad status code");
	for (i = 13; i < eol; i++)
		if (!http_vchar((unsigned char)buf[i]))
			return http_fail(m, 400, "control byte in reason");
	m->reason = eol > 13 ? (struct ist){ buf + 13, eol - 13 } :
	    (struct ist){ buf + eol, 0 };
	if ((rc = http_parse_fields(buf, len, (size_t)next, lim, m, 0)) !=
	    HTTP_P_DONE)
		return rc;
	/* RFC 9112 6.3: these never have a body, whatever they say. */
	if ((req_flags & HTTP_F_HEAD) || m->status < 200 ||
	    m->status == 204 || m->status == 304) {
		m->body = HTTP_BODY_NONE;
		m->length = 0;
	}
	return HTTP_P_DONE;
}

const struct http_hdr *
http_find_hdr(const struct http_msg *m, const char *name)
{
	unsigned int i;

	for (i = 0; i < m->nhdrs; i++)
		if (http_ieq(m->hdrs[i].name, name))
			return &m->hdrs[i];
	return NULL;
}

/* A chunk-size line: 1*HEXDIG [ chunk-ext ], within <n> bytes. */
static int
http_chunk_size(const char *p, size_t n, uint64_t *size)
{
	uint64_t v = 0;
	size_t i;
	int d;

	for (i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			d = (p[i] | 0x20) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX >> 4))
			return -1;
		v = (v << 4) | (uint64_t)d;
	}
	if (i == 0)
		return -1;
	/* chunk-ext: BWS ";" ... made of visible characters only */
	if (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n || p[i] != ';')
			return -1;
		for (; i < n; i++)
			if (!http_vchar((unsigned char)p[i]))
				return -1;
	}
	*size = v;
	return 0;
}

long
http_chunk_parse(struct http_chunk *c, const char *buf, size_t len,
    const char **why)
{
	size_t p = 0, eol, take;
	long next;

	while (p < len && c->state != HTTP_CH_DONE) {
		switch (c->state) {
		case HTTP_CH_DATA:
			take = len - p < c->left ? len - p : (size_t)c->left;
			p += take;
			if ((c->left -= take) == 0)
				c->state = HTTP_CH_DATA_CRLF;
			break;
		case HTTP_CH_DATA_CRLF:
			if (len - p < 2)
				return (long)p;
			if (buf[p] != '\r' || buf[p + 1] != '\n') {
				*why = "no CRLF after chunk data";
				return -400;
			}
			p += 2;
			c->state = HTTP_CH_SIZE;
			break;
		case HTTP_CH_SIZE:
		case HTTP_CH_TRAILER:
			next = http_line(buf, len, p, &eol);
			if (next == 0) {
				if (len - p > HTTP_CHUNK_MAX_LINE) {
					*why = "chunk line too long";
					return -400;
				}
				return (long)p;
			}
			if (next < 0 || eol - p > HTTP_CHUNK_MAX_LINE) {
				*why = next < 0 ? "bare CR or LF in chunk line" :
				    "chunk line too long";
				return -400;
			}
			if (c->state == HTTP_CH_TRAILER) {
				if (eol == p)
					c->state = HTTP_CH_DONE;
				else if (buf[p] == ' ' || buf[p] == '\t' ||
				    memchr(buf + p, ':', eol - p) == NULL) {
					*why = "bad trailer field";
					return -400;
				}
			} else if (http_chunk_size(buf + p, eol - p,
			    &c->left) < 0) {
				*why = "bad chunk size";
				return -400;
			} else
				c->state = c->left == 0 ? HTTP_CH_TRAILER :
				    HTTP_CH_DATA;
			p = (size_t)next;
			break;
		case HTTP_CH_DONE:
			break;
		}
	}
	return (long)p;
}
