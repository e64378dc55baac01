/* The HTTP analyzers of mode http: http_req (src/http/http_req.c) on the
 * request channel, http_resp (src/http/http_resp.c) on the response channel.
 *
 * An analyzer is called by the protocol (src/proto/proto_http.c) when bytes
 * arrived on a held channel (its AN_* bit set). It reads what lies past the
 * channel's <fwd> mark, may rewrite it in place, and moves <fwd> over
 * what may now be sent. It sees one struct http_ana, never a socket, a
 * session, a worker or a frontend: what must happen next is in its
 * return value and in the transaction. */
#ifndef GH_HTTP_ANA_H
#define GH_HTTP_ANA_H

#include <stdint.h>

#include "cfg.h"
#include "channel.h"
#include "http_parse.h"

struct pool;
struct sockaddr;
struct ssl_client_cert;

enum an_ret {
	AN_MORE = 0,    /* nothing for the session to do: wait for bytes */
	AN_DONE,        /* a message boundary the session acts on: http_req,
	                   a request header is ready to go (get a server);
	                   http_resp, the response is complete */
	AN_ERROR        /* answer txn->status (and close) */
};

/* Where a message stands, in either direction. */
enum http_state {
	HTTP_S_IDLE = 0,        /* response side: no request in flight */
	HTTP_S_HDR,             /* waiting for the whole header block */
	HTTP_S_BODY_LEN,        /* <left> bytes of body to let through */
	HTTP_S_BODY_CHUNKED,    /* chunked body, <chunk> tracks framing */
	HTTP_S_BODY_CLOSE,      /* response body up to the server's EOF */
	HTTP_S_DONE,            /* whole message let through */
	HTTP_S_TUNNEL,          /* after 101: bytes both ways, unparsed */
	HTTP_S_DISCARD          /* request side after an error: read, drop */
};

#define TX_F_CLI_CLOSE  0x0001  /* close the client after this response */
#define TX_F_SRV_CLOSE  0x0002  /* the server connection is not reusable */
#define TX_F_UPGRADE    0x0004  /* the request asks for an Upgrade */
#define TX_F_RES_SENT   0x0008  /* response bytes were let through: no
                                   error response can follow */
#define TX_F_HAS_REQ    0x0020  /* a request began: log it at the end */
#define TX_F_LB_KEY     0x0040  /* lb_hash holds the balancing key */
#define TX_F_IDEMPOTENT 0x0080  /* the method is idempotent (RFC 9110
                                   9.2.2): it may be sent again */

/* One request and its response. Reset for each request of a connection;
 * fixed size, so that keep-alive allocates nothing per request. */
struct http_txn {
	enum http_state req, res;
	uint64_t req_left, res_left;    /* HTTP_S_BODY_LEN */
	uint64_t req_body;              /* request body bytes so far (413) */
	struct http_chunk req_chunk, res_chunk;
	unsigned int req_flags;         /* HTTP_F_* of the request */
	unsigned int flags;             /* TX_F_* */
	unsigned int version;           /* the request's: 10 or 11 */
	unsigned int status;            /* the final status, or the error's */
	const char *why;                /* an error's cause, for the log */
	struct ist location;            /* redirect target, in the worker's
	                                   scratch until the reply is made */
	unsigned int nreq;              /* requests on this connection */
	uint64_t t_req;                 /* first byte of the request (ms) */
	size_t req_seen, res_seen;      /* header bytes already found not
	                                   whole (http_head_whole) */
	uint64_t t_res;                 /* response header let through */
	uint64_t res_bytes;             /* response bytes let through */
	uint32_t lb_hash;               /* balance uri / hdr(NAME) */
	size_t route;                   /* the request's route: an index in
	                                   the frontend's routes, nroutes
	                                   for the default backend */
	char line[160];                 /* "METHOD URI" for the log, cut */
	char host[96];                  /* Host without port, lower case */
};

/* What the analyzers know of the client connection. */
struct http_cli {
	const struct sockaddr *peer;    /* the client's address */
	int tls;                        /* it came over TLS */
	const struct ssl_client_cert *cert;     /* its certificate's fields,
	                                           NULL when it sent none */
};

/* Everything an analyzer sees: the transaction and its two channels,
 * room to work in, the rules that apply, what is known of the client.
 * The protocol fills it; nothing in it is a socket. */
struct http_ana {
	struct http_txn *txn;
	struct channel *req, *res;
	struct pool *bufs;              /* channel buffers (http_reply) */
	struct http_msg *msg;           /* room for one parsed header block */
	char *scratch;                  /* room for a rewritten one:
	                                   cfg->bufsize bytes */
	const struct cfg *cfg;          /* buffer size, HTTP limits */
	const struct cfg_frontend *fe;  /* rules, routes, error files */
	struct http_cli cli;
	int stopping;                   /* no request after this one */
};

/* The request analyzer (http_req.c): validates, applies the request
 * rules, routes (sets txn->route), rewrites and lets the header block through,
 * then the body by its framing. AN_DONE once per request, when a server
 * is needed; AN_ERROR with txn->status for a bad or refused request (a
 * redirect is an "error" with a 3xx status and txn->location). */
enum an_ret http_req_analyze(struct http_ana *a);

/* The response analyzer (http_resp.c): validates the response header,
 * lets 1xx interim responses through, rewrites the final one (hop-by-hop
 * fields, Connection, rules, HSTS), then the body by its framing. AN_DONE
 * when the response is complete (or switched to a tunnel); AN_ERROR with
 * txn->status 502 for a response that cannot be read one way only. */
enum an_ret http_resp_analyze(struct http_ana *a);

/* Lets through what the body framing in <st> allows of the bytes past
 * ch->fwd, counting them in <count>; <left> and <c> follow the framing.
 * AN_DONE at the end of the body, AN_ERROR (with *why) for a bad chunk. */
enum an_ret http_body(struct channel *ch, enum http_state *st,
    uint64_t *left, struct http_chunk *c, uint64_t *count, const char **why);

/* Whether the header block at <p> (<len> bytes, of which <*seen> were
 * already found not whole) is worth parsing again: only a new LF can end
 * it, or reaching <max> make it too large. So a client that sends its
 * header a byte at a time does not cost a whole parse per byte. */
int http_head_whole(const char *p, size_t len, size_t *seen, size_t max);

/* Building a header block in the worker's scratch buffer; a block that
 * does not fit sets <full>. */
struct http_out {
	char *p;
	size_t len, size;
	int full;
};

void http_out_add(struct http_out *o, const char *s, size_t n);
void http_out_str(struct http_out *o, const char *s);
void http_out_field(struct http_out *o, struct ist name, struct ist value);

/* Writes <h> when it is a Content-Length of a message that repeats it
 * (HTTP_F_CL_LIST): once, with one value, whatever the other fields say.
 * Returns 1 when <h> was such a field (written or dropped), else 0. */
int http_out_cl(struct http_out *o, const struct http_msg *m,
    const struct http_hdr *h, int *done);

/* Whether <name> is a hop-by-hop field of <m>: a fixed one, or one its
 * Connection field lists. Upgrade is not, when <upgrade> is set. */
int http_hop_by_hop(const struct http_msg *m, struct ist name, int upgrade);

/* Header rules: whether a set-header or del-header of <r> removes <name>,
 * and the fields set-header and add-header write. <v> is the request
 * the conditions look at; NULL for response rules (no conditions). */
struct http_req_view;
int http_rules_drop(const struct cfg_rule *r, size_t n, struct ist name,
    const struct http_req_view *v);
void http_rules_add(struct http_out *o, const struct cfg_rule *r, size_t n,
    const struct http_req_view *v);

/* Puts gatehouse's own response for txn->status in the response channel,
 * after what it already lets through; like every response, it gets the
 * frontend's http-response rules and HSTS. Returns 0, or -1 when no
 * buffer could be had or it does not fit. */
int http_reply(struct http_ana *a);

/* Clears the transaction for the next request on the connection. */
void http_txn_reset(struct http_txn *t);

#endif
