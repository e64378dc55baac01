/* What check_http_req.c and check_http_resp.c share: an analyzer's world
 * built from a configuration text, on byte buffers, with no socket, no
 * session and no worker. */
#ifndef GH_CHECK_HTTP_ANA_H
#define GH_CHECK_HTTP_ANA_H

#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "channel.h"
#include "http_ana.h"
#include "http_parse.h"
#include "pool.h"
#include "ssl_sock.h"

struct ana_world {
	struct cfg *cfg;
	struct pool bufs;
	struct http_msg msg;
	struct http_txn txn;
	struct channel req, res;
	struct sockaddr_in peer;
	struct http_ana a;
	char *scratch;
};

/* Builds <w> from configuration <text>, on its first frontend; <tls>:
 * the client came over TLS. */
static inline void
ana_world_init(struct ana_world *w, const char *text, int tls)
{
	char err[512];

	memset(w, 0, sizeof(*w));
	w->cfg = cfg_load_buf("t.conf", text, strlen(text), err, sizeof(err));
	ck_assert_msg(w->cfg != NULL, "%s", err);
	pool_init(&w->bufs, w->cfg->bufsize, 4);
	ck_assert_ptr_nonnull(w->scratch = malloc(w->cfg->bufsize));
	channel_init(&w->req, w->cfg->bufsize - w->cfg->http_reserve);
	channel_init(&w->res, w->cfg->bufsize - w->cfg->http_reserve);
	w->req.an = AN_REQ_HTTP;
	w->res.an = AN_RES_HTTP;
	http_txn_reset(&w->txn);
	w->peer.sin_family = AF_INET;
	w->peer.sin_addr.s_addr = htonl(0xc0000207);    /* 192.0.2.7 */
	w->a = (struct http_ana){
		.txn = &w->txn, .req = &w->req, .res = &w->res,
		.bufs = &w->bufs, .msg = &w->msg, .scratch = w->scratch,
		.cfg = w->cfg, .fe = &w->cfg->frontends[0],
		.cli = { (const struct sockaddr *)&w->peer, tls, NULL },
	};
}

static inline void
ana_world_free(struct ana_world *w)
{
	channel_release(&w->req, &w->bufs);
	w->req.buf.data = w->res.buf.data = 0;
	channel_release(&w->req, &w->bufs);
	channel_release(&w->res, &w->bufs);
	pool_destroy(&w->bufs);
	free(w->scratch);
	cfg_free(w->cfg);
}

/* Appends <s> to <ch> as if it had arrived from its producer. */
static inline void
ana_feed(struct ana_world *w, struct channel *ch, const char *s, size_t n)
{
	char *tail;
	size_t room;

	ck_assert_int_eq(channel_take_buf(ch, &w->bufs), 0);
	room = channel_room(ch, &tail);
	ck_assert_uint_ge(room, n);
	memcpy(tail, s, n);
	channel_produced(ch, n);
}

/* The bytes of <ch> that the analyzer let through, as a string. */
static inline char *
ana_fwd(const struct channel *ch)
{
	char *s = malloc(ch->fwd + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, channel_head(ch), ch->fwd);
	s[ch->fwd] = '\0';
	return s;
}

/* Whether the header block <blk> has the line <line> (CRLF ended). */
static inline int
ana_has_line(const char *blk, const char *line)
{
	const char *end = strstr(blk, "\r\n\r\n");
	size_t n = strlen(line);
	const char *p;

	for (p = blk; p != NULL && (end == NULL || p < end);
	    p = strstr(p, "\r\n"), p = p != NULL ? p + 2 : NULL)
		if (strncmp(p, line, n) == 0 && p[n] == '\r')
			return 1;
	return 0;
}

#endif
