/* Endpoints: one side of a session as the session sees it. Today a
 * connection (src/net/conn.c gives every conn one); tomorrow a stream of a
 * multiplexed connection (HTTP/2). The session moves bytes through the
 * ops and reads the readiness in <flags>; it never looks at a socket,
 * except to splice(2) between two endpoints that both have one. */
#ifndef GH_ENDPOINT_H
#define GH_ENDPOINT_H

#include <stddef.h>
#include <sys/types.h>

struct conn;
struct endpoint;

/* Readiness and state of an endpoint, set by its provider and the
 * session alike. */
#define CO_F_WANT_R     0x0001  /* conn: ev_r is added */
#define CO_F_WANT_W     0x0002  /* conn: ev_w is added */
#define CO_F_CONNECTING 0x0004  /* conn: outgoing connect() in progress */
#define CO_F_EOF        0x0008  /* recv returned 0 */
#define CO_F_SHUTW      0x0010  /* write side shut */
#define CO_F_ERROR      0x0020  /* it failed; only free remains */
#define CO_F_RDY_R      0x0040  /* may have data: recv until EAGAIN */
#define CO_F_RDY_W      0x0080  /* may take data: send until EAGAIN */
#define CO_F_RECV_WANTS_W 0x0100 /* it must write before it can read again
                                    (TLS: a queued record) */
#define CO_F_OUT_PENDING 0x0200 /* it holds output to flush */

/* recv and send return a byte count, 0 on recv for EOF, or -1 with errno
 * set (EAGAIN: try again on the next event). */
struct endpoint_ops {
	ssize_t (*recv)(struct endpoint *e, void *buf, size_t len);
	ssize_t (*send)(struct endpoint *e, const void *buf, size_t len);
	/* Writes what it holds back: 0 when nothing is left, -EAGAIN when
	 * it cannot now, another -errno on error. */
	int (*flush)(struct endpoint *e);
	/* Ends the write direction. 0, or -EAGAIN when it must be called
	 * again once writable. */
	int (*shutw)(struct endpoint *e);
	/* Whether it holds received data its readiness no longer shows. */
	int (*pending)(const struct endpoint *e);
	/* Read and write interest: the owner's callback is called when
	 * the endpoint becomes ready that way. */
	void (*want)(struct endpoint *e, int rd, int wr);
	/* Ends it; its owner is not called again. */
	void (*free)(struct endpoint *e);
};

struct endpoint {
	const struct endpoint_ops *ops;
	unsigned int flags;             /* CO_F_* */
	int fd;                         /* a socket that splice(2) may use,
	                                   or -1 */
	struct conn *conn;              /* the connection it travels on: its
	                                   addresses and TLS */
	/* Called on readiness (<what>: EV_READ, EV_WRITE), for <owner>. */
	void (*cb)(struct endpoint *e, short what);
	void *owner;
};

static inline ssize_t
ep_recv(struct endpoint *e, void *buf, size_t len)
{
	return e->ops->recv(e, buf, len);
}

static inline ssize_t
ep_send(struct endpoint *e, const void *buf, size_t len)
{
	return e->ops->send(e, buf, len);
}

#endif
