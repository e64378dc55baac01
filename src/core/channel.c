#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"

void
channel_init(struct channel *ch, size_t limit)
{
	memset(ch, 0, sizeof(*ch));
	ch->pipe[0] = ch->pipe[1] = -1;
	ch->read_limit = limit;
}

int
channel_take_buf(struct channel *ch, struct pool *p)
{
	if (ch->buf.area != NULL)
		return 0;
	if ((ch->buf.area = pool_get(p)) == NULL)
		return -ENOMEM;
	ch->buf.size = p->size;
	ch->buf.head = ch->buf.data = 0;
	return 0;
}

void
channel_release(struct channel *ch, struct pool *p)
{
	if (ch->buf.area == NULL || ch->buf.data != 0)
		return;
	pool_put(p, ch->buf.area);
	ch->buf.area = NULL;
	ch->buf.size = ch->buf.head = 0;
}

size_t
channel_room(struct channel *ch, char **tail)
{
	struct buf *b = &ch->buf;
	size_t limit, room;

	if (b->area == NULL)
		return 0;
	limit = ch->read_limit < b->size ? ch->read_limit : b->size;
	if (b->data >= limit)
		return 0;
	/* Data away from the start with the tail at the end: move it down
	 * rather than read in small pieces. */
	if (b->head != 0 && b->head + b->data == b->size) {
		memmove(b->area, b->area + b->head, b->data);
		b->head = 0;
	}
	room = b->size - (b->head + b->data);
	if (room > limit - b->data)
		room = limit - b->data;
	*tail = b->area + b->head + b->data;
	return room;
}

void
channel_produced(struct channel *ch, size_t n)
{
	ch->buf.data += n;
	ch->total += n;
}

void
channel_consumed(struct channel *ch, size_t n)
{
	ch->buf.data -= n;
	ch->buf.head = ch->buf.data == 0 ? 0 : ch->buf.head + n;
}

int
channel_replace(struct channel *ch, size_t off, size_t old,
    const char *with, size_t len)
{
	struct buf *b = &ch->buf;
	size_t rest = b->data - off - old;

	if (b->data - old + len > b->size)
		return -ENOSPC;
	if (b->head + b->data - old + len > b->size) {
		memmove(b->area, b->area + b->head, b->data);
		b->head = 0;
	}
	memmove(b->area + b->head + off + len, b->area + b->head + off + old,
	    rest);
	if (len > 0)
		memcpy(b->area + b->head + off, with, len);
	b->data = b->data - old + len;
	return 0;
}

void
channel_truncate(struct channel *ch, size_t off)
{
	if (off < ch->buf.data)
		ch->buf.data = off;
	if (ch->buf.data == 0)
		ch->buf.head = 0;
}
