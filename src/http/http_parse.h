/* HTTP/1.x message parser: pure, over (buf, len). No sockets, no libevent,
 * no sessions: bytes in, a parsed message or a precise error status out.
 * Strict wherever leniency could let a request be read two ways (RFC 9112
 * section 11.2): what it cannot read one way only, it rejects. */
#ifndef GH_HTTP_PARSE_H
#define GH_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Results: HTTP_P_MORE (the header block is not whole yet), HTTP_P_DONE,
 * or an HTTP status for the error (400, 413, 414, 431, 501, 505; 502 is
 * the caller's for a bad response). */
#define HTTP_P_DONE     0
#define HTTP_P_MORE     1

enum http_body {
	HTTP_BODY_NONE = 0,     /* no body (or Content-Length: 0) */
	HTTP_BODY_LENGTH,       /* Content-Length bytes */
	HTTP_BODY_CHUNKED,      /* chunked transfer coding */
	HTTP_BODY_CLOSE         /* response read until the server closes */
};

#define HTTP_F_CONN_CLOSE       0x0001  /* Connection: close */
#define HTTP_F_CONN_KEEPALIVE   0x0002  /* Connection: keep-alive */
#define HTTP_F_CONN_UPGRADE     0x0004  /* Connection lists upgrade */
#define HTTP_F_UPGRADE          0x0008  /* an Upgrade field */
#define HTTP_F_EXPECT_CONTINUE  0x0010  /* Expect: 100-continue */
#define HTTP_F_HEAD             0x0020  /* request method is HEAD */
#define HTTP_F_CONNECT          0x0040  /* request method is CONNECT */
#define HTTP_F_CONN_OTHER       0x0080  /* Connection lists other fields */
#define HTTP_F_CL_LIST          0x0100  /* Content-Length repeated or a list
                                           (of equal values): to normalise */

struct http_hdr {
	struct ist name;
	struct ist value;       /* without leading and trailing whitespace */
};

struct http_limits {
	size_t max_line;        /* request line (414 above) */
	size_t max_head;        /* whole header block (431 above) */
	unsigned int max_hdrs;  /* header fields (431 above) */
};

#define HTTP_MAX_HDRS 128       /* hard cap of the header array */

struct http_msg {
	struct ist method;      /* request */
	struct ist uri;
	unsigned int status;    /* response */
	struct ist reason;
	unsigned int version;   /* 10 or 11 */
	struct http_hdr hdrs[HTTP_MAX_HDRS];
	unsigned int nhdrs;
	size_t head_len;        /* bytes up to and including the empty line */
	enum http_body body;
	uint64_t length;        /* HTTP_BODY_LENGTH: the Content-Length */
	unsigned int flags;     /* HTTP_F_* */
	const char *why;        /* on error: what was wrong, for the log */
};

/* Parses the request header block at the start of <buf>. */
int http_parse_request(const char *buf, size_t len,
    const struct http_limits *lim, struct http_msg *m);

/* Parses a response header block; <req_flags> are the flags of the request
 * it answers (HEAD and CONNECT change the framing). Errors are 502-worthy:
 * the status returned is 400-class for the reason, and the caller answers
 * the client 502. */
int http_parse_response(const char *buf, size_t len,
    const struct http_limits *lim, unsigned int req_flags,
    struct http_msg *m);

/* Whether <s> is <lit>, in any case. */
int http_ieq(struct ist s, const char *lit);

/* Calls <fn> on each non-empty element of the comma separated list <v>
 * (whitespace around elements trimmed); returns the first non-zero
 * value <fn> returns, else 0. */
int http_list(struct ist v, int (*fn)(struct ist, void *), void *arg);

/* The value of the first field named <name> (case-insensitive), or NULL. */
const struct http_hdr *http_find_hdr(const struct http_msg *m,
    const char *name);

/* Chunked body decoding, incremental: feed it what arrived, it says how
 * much of it is framing and data, and when the body ends. */
enum http_chunk_state {
	HTTP_CH_SIZE = 0,       /* reading a chunk-size line */
	HTTP_CH_DATA,           /* inside chunk data */
	HTTP_CH_DATA_CRLF,      /* the CRLF after chunk data */
	HTTP_CH_TRAILER,        /* trailer fields after the last chunk */
	HTTP_CH_DONE
};

struct http_chunk {
	enum http_chunk_state state;
	uint64_t left;          /* HTTP_CH_DATA: bytes left in the chunk */
};

#define HTTP_CHUNK_MAX_LINE 4096        /* a chunk-size or trailer line */

/* Advances <c> over <buf>. Returns the number of bytes that belong to the
 * body (all of them until the end of the chunked body), 0 with nothing
 * consumed when more bytes are needed to go on, or -400 for a malformed
 * body (*why says what). Never reads past <len>. */
long http_chunk_parse(struct http_chunk *c, const char *buf, size_t len,
    const char **why);

#endif
