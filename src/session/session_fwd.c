/* Moving bytes: each direction drains what its channel holds, then fills
 * it from the producer, until a socket says EAGAIN, the channel is full,
 * or the producer is at EOF. The CO_F_RDY_* flags remember which socket
 * may still be read or written, so that a wake-up for one side costs no
 * system call on the other. Interest in events is only what the state
 * asks for: read when there is room and the socket was drained, write
 * when data waits. A held channel (analyzers on it) runs its analyzers on
 * each turn, and only what they let through leaves. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "conn.h"
#include "pipes.h"
#include "session_int.h"
#include "worker.h"

/* Bytes a splice pipe may hold; the kernel's default pipe is 64 KiB. */
#define SPLICE_MAX      (64 * 1024)

/* A pipe still holding bytes cannot be reused: those are closed. */
void
session_drop_pipe(struct worker *w, struct channel *ch)
{
	if (ch->pipe[0] == -1)
		return;
	if (ch->pipe_data == 0) {
		pipes_put(&w->pipes, ch->pipe);
		return;
	}
	close(ch->pipe[0]);
	close(ch->pipe[1]);
	w->pipes.out--;
}

/* Bytes of <ch> that may leave now. */
static size_t
session_sendable(const struct channel *ch)
{
	if (ch->an == 0)
		return channel_data(ch);
	return ch->fwd < ch->buf.data ? ch->fwd : ch->buf.data;
}

static void
session_active(struct session *s, struct endpoint *c, uint64_t now)
{
	if (c == s->cli)
		s->t_cli = now;
	else
		s->t_srv = now;
}

/* Sends what <ch> holds to <to>, from its pipe or its buffer. Returns 0,
 * or -errno on a write error. */
static int
session_drain(struct session *s, struct channel *ch, struct endpoint *to,
    uint64_t now)
{
	ssize_t n;

	while ((to->flags & CO_F_RDY_W) && session_sendable(ch) > 0) {
		if (ch->pipe_data > 0)
			n = splice(ch->pipe[0], NULL, to->fd, NULL,
			    ch->pipe_data, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		else
			n = ep_send(to, channel_head(ch),
			    session_sendable(ch));
		if (n > 0) {
			if (ch->pipe_data > 0) {
				ch->pipe_data -= (size_t)n;
				ch->flags &= ~CH_F_PIPE_FULL;
			} else {
				channel_consumed(ch, (size_t)n);
				if (ch->an != 0)
					ch->fwd -= (size_t)n;
			}
			session_active(s, to, now);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			to->flags &= ~CO_F_RDY_W;
			break;
		}
		return n == 0 ? -EPIPE : -errno;
	}
	if (to->ops->flush(to) == -EAGAIN)
		to->flags &= ~CO_F_RDY_W;
	if (ch->pipe[0] != -1 && ch->pipe_data == 0)
		pipes_put(&s->w->pipes, ch->pipe);
	channel_release(ch, &s->w->bufs);
	return 0;
}

/* Reads once from <from> into <ch>: into its pipe when the session
 * splices and a pipe can be had, else into its buffer. Returns the bytes
 * read, 0 on EOF, -EAGAIN when nothing can be read now, or -errno. */
static ssize_t
session_fill(struct session *s, struct channel *ch, struct endpoint *from)
{
	size_t room;
	char *tail;
	ssize_t n;

	if (((s->flags & SS_F_SPLICE) || ((s->flags & SS_F_SPLICE_RES) &&
	    ch == &s->res)) && ch->buf.data == 0 &&
	    (ch->pipe[0] != -1 || pipes_get(&s->w->pipes, ch->pipe) == 0)) {
		if (ch->pipe_data >= SPLICE_MAX)
			return -EAGAIN;
		n = splice(from->fd, NULL, ch->pipe[1], NULL,
		    SPLICE_MAX - ch->pipe_data, SPLICE_F_MOVE |
		    SPLICE_F_NONBLOCK);
		if (n > 0) {
			ch->pipe_data += (size_t)n;
			ch->total += (uint64_t)n;
		} else if (n == -1 && errno == EAGAIN && ch->pipe_data > 0) {
			/* The pipe is full, not the socket empty. */
			ch->flags |= CH_F_PIPE_FULL;
			return -EAGAIN;
		}
	} else {
		if (channel_take_buf(ch, &s->w->bufs) < 0)
			return -ENOMEM;
		if ((room = channel_room(ch, &tail)) == 0)
			return -EAGAIN;
		n = ep_recv(from, tail, room);
		if (n > 0)
			channel_produced(ch, (size_t)n);
		/* A short read drained the socket: the next read would only
		 * say EAGAIN, and the level-triggered loop wakes us if more
		 * comes. Not so when the transport keeps data of its own. */
		if (n > 0 && (size_t)n < room && !from->ops->pending(from))
			from->flags &= ~CO_F_RDY_R;
	}
	if (n >= 0)
		return n;
	if (errno == EAGAIN)
		from->flags &= ~CO_F_RDY_R;
	return -errno;
}

/* Without a connected server the request channel only fills (the client
 * may speak first) and the response channel only drains (gatehouse's own
 * answers). */
int
session_forward(struct session *s, struct channel *ch, uint64_t now,
    struct endpoint **failed, int *err)
{
	int req = ch == &s->req;
	struct endpoint *from, *to;
	ssize_t n;
	int rc;

	for (;;) {
		if (ch->an != 0 && s->ops->analyze(s, ch) < 0)
			return -1;
		from = req ? s->cli : session_srv(s);
		to = req ? session_srv(s) : s->cli;
		if (to != NULL && (rc = session_drain(s, ch, to, now)) < 0) {
			*failed = to;
			*err = -rc;
			return 1;
		}
		if (from == NULL || (ch->flags & (CH_F_SHUTR |
		    CH_F_PIPE_FULL)) || !(from->flags & CO_F_RDY_R))
			break;
		n = session_fill(s, ch, from);
		if (n > 0) {
			session_active(s, from, now);
			continue;
		}
		if (n == 0) {
			ch->flags |= CH_F_SHUTR;
			from->flags &= ~CO_F_RDY_R;
			/* The analyzers see the end too (a body read until
			 * close ends here). */
			if (ch->an != 0 && s->ops->analyze(s, ch) < 0)
				return -1;
			break;
		}
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN)
			break;
		*failed = from;
		*err = (int)-n;
		return 1;
	}
	channel_release(ch, &s->w->bufs);
	/* EOF from the producer and everything delivered: pass it on. On a
	 * held channel a message ends by its framing, not by a half-close. */
	to = req ? session_srv(s) : s->cli;
	if (to != NULL && (ch->flags & (CH_F_SHUTR | CH_F_SHUTW)) ==
	    CH_F_SHUTR && channel_data(ch) == 0 && ch->an == 0) {
		rc = to->ops->shutw(to);
		if (rc < 0 && rc != -EAGAIN) {
			*failed = to;
			*err = -rc;
			return 1;
		}
		ch->flags |= CH_F_SHUTW;
	}
	return 0;
}

void
session_want(struct endpoint *c, struct channel *in, struct channel *out)
{
	int rd, wr;

	rd = !(in->flags & (CH_F_SHUTR | CH_F_PIPE_FULL)) &&
	    !(c->flags & CO_F_RDY_R) && in->buf.data < in->read_limit;
	wr = ((out != NULL && session_sendable(out) > 0) ||
	    (c->flags & (CO_F_OUT_PENDING | CO_F_RECV_WANTS_W))) &&
	    !(c->flags & CO_F_RDY_W);
	c->ops->want(c, rd, wr);
}
