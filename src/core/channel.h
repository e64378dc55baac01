/* Channels: one direction of a session. A channel is a buffer (taken from
 * the worker's pool when data arrives, given back when empty) or, when both
 * ends are plain sockets, a pipe for splice(2), plus the flags that say how
 * far the direction has gone. Channels know buffers, not sockets. */
#ifndef GH_CHANNEL_H
#define GH_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

/* A fixed-size buffer from a pool. Data is [head, head + data). */
struct buf {
	char *area;             /* NULL: no buffer held */
	size_t size;
	size_t head;
	size_t data;
};

#define CH_F_SHUTR      0x0001  /* the producer sent EOF: nothing more comes */
#define CH_F_SHUTW      0x0002  /* EOF passed on to the consumer */
#define CH_F_PIPE_FULL  0x0008  /* the splice pipe took no more: read again
                                   once it drains */

/* Analyzers, as bits on the channel that they watch (ch->an). While any
 * is set the channel is held: only its first <fwd> bytes may leave, and
 * its producer's EOF is not passed on (a message ends by its framing).
 * The protocol's analyze hook runs them, in this order. */
#define AN_REQ_HTTP     0x0001  /* http_req_analyze: the request header,
                                   checked, routed and rewritten, then its
                                   body by its framing; asks for a server
                                   at each header (src/proto/proto_http.c) */
#define AN_RES_HTTP     0x0002  /* http_resp_analyze: the response header,
                                   then its body; at its end the protocol
                                   turns the connection over */

struct channel {
	struct buf buf;
	int pipe[2];            /* splice pipe, -1 when none is held */
	size_t pipe_data;       /* bytes in the pipe */
	unsigned int flags;     /* CH_F_* */
	unsigned int an;        /* AN_* still watching: 0, bytes flow */
	size_t read_limit;      /* most bytes the buffer may hold */
	size_t fwd;             /* held: bytes at the head that an
	                           analyzer has let through */
	uint64_t total;         /* bytes that entered the channel */
};

/* A channel with no buffer and no pipe, read limit = <limit>. */
void channel_init(struct channel *ch, size_t limit);

/* Makes sure <ch> holds a buffer. Returns 0, or -ENOMEM. */
int channel_take_buf(struct channel *ch, struct pool *p);
/* Gives the buffer back when it is empty. */
void channel_release(struct channel *ch, struct pool *p);

/* Where the next bytes can be appended and how many: contiguous room at
 * the tail, within the read limit. Compacts the buffer first when the
 * data sits away from the start. 0 when full or when there is no buffer. */
size_t channel_room(struct channel *ch, char **tail);
void channel_produced(struct channel *ch, size_t n);

static inline const char *
channel_head(const struct channel *ch)
{
	return ch->buf.area + ch->buf.head;
}

static inline size_t
channel_data(const struct channel *ch)
{
	return ch->buf.data + ch->pipe_data;
}

void channel_consumed(struct channel *ch, size_t n);

/* Replaces the <old> bytes at offset <off> of the data with the <len>
 * bytes at <with>, moving what follows. Returns 0, or -ENOSPC when the
 * result would not fit in the buffer. */
int channel_replace(struct channel *ch, size_t off, size_t old,
    const char *with, size_t len);

/* Drops the data from offset <off> on. */
void channel_truncate(struct channel *ch, size_t off);

#endif
