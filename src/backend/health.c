/* Active health checks, and the control thread they run on.
 *
 * Each checked server has one check, a small state machine that runs
 * every interval and is bounded by the check's timeout:
 *   CONNECT --connected--> [TLS handshake] --> [SEND request --> RECV
 *   status line] --> result
 * A TCP check passes once connected; an HTTP check when the status is in
 * the expected range. Like HAProxy's, a server up goes down after "fall"
 * failures in a row and a server down comes up after "rise" successes.
 * The server's state is srv->up, shared with live traffic (passive
 * checks): a server taken down by its errors needs "rise" successes
 * before it takes traffic again. A server with no active check that live
 * traffic took down is given traffic again after the check interval. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "backend.h"
#include "health.h"
#include "log.h"
#include "proxy_proto.h"
#include "runtime.h"
#include "ssl_ctx.h"
#include "util.h"

/* Bytes of an HTTP check's answer read at most: the status line. */
#define CHECK_RBUF 512

/* A server without an active check is looked at this many times an
 * interval: taken down by live traffic, it comes back between 1 and 1.25
 * intervals later. */
#define REVIVE_TICKS 4

enum check_state { CK_IDLE = 0, CK_CONNECT, CK_TLS, CK_SEND, CK_RECV };

struct health_ctl;

struct check {
	struct health_ctl *ctl;         /* the loop it runs on */
	struct server *srv;
	const struct cfg_check *k;
	enum check_state state;
	int fd;
	SSL *ssl;
	struct event *timer;            /* the next run, or this one's end */
	struct event *io;
	unsigned int ok_run, fail_run;  /* results in a row */
	unsigned int revive;            /* passive only: ticks seen down */
	char *req;                      /* http: the request, made once */
	size_t req_len, sent;
	char buf[CHECK_RBUF];
	size_t len;
	const char *name;               /* TLS: SNI and the name the
	                                   certificate must hold: the
	                                   server's sni or host, else <ip> */
	char ip[UTIL_ADDRSTRLEN];
};

/* The control thread of one runtime. */
struct health_ctl {
	pthread_t thread;
	struct event_base *base;
	struct event *stop_ev;
	int stop_fd[2];                 /* stop: a byte written to [1] */
	struct check *checks;
	size_t nchecks;
	int running;                    /* the thread is to be joined */
};

static void health_io(evutil_socket_t fd, short what, void *arg);

static void
health_arm(struct check *ck, unsigned int ms)
{
	struct timeval tv = util_ms_tv(ms);

	evtimer_add(ck->timer, &tv);
}

/* Ends the run: counts the result, changes the server's state when the
 * counts say so, and schedules the next run. */
static void
health_result(struct check *ck, int ok, const char *why)
{
	struct server *srv = ck->srv;
	char msg[256];
	int up = atomic_load(&srv->up);

	if (ck->io != NULL) {
		event_free(ck->io);
		ck->io = NULL;
	}
	SSL_free(ck->ssl);
	ck->ssl = NULL;
	ERR_clear_error();
	if (ck->fd != -1)
		close(ck->fd);
	ck->fd = -1;
	ck->state = CK_IDLE;
	/* A run only counts toward changing the state: successes while up
	 * and failures while down start nothing. Each count restarts from
	 * zero once it has done its work, so a server that live traffic
	 * takes down after the check brought it up needs "rise" new
	 * successes, not one more. */
	if (ok) {
		ck->fail_run = 0;
		if (up)
			ck->ok_run = 0;
		else if (++ck->ok_run >= ck->k->rise) {
			snprintf(msg, sizeof(msg), "check: %u passed in a row",
			    ck->ok_run);
			ck->ok_run = 0;
			server_set_up(srv, 1, msg);
		}
	} else {
		ck->ok_run = 0;
		if (!up)
			ck->fail_run = 0;
		else if (++ck->fail_run >= ck->k->fall) {
			snprintf(msg, sizeof(msg), "check: %s", why);
			ck->fail_run = 0;
			server_set_up(srv, 0, msg);
		}
	}
	health_arm(ck, ck->k->interval);
}

static void
health_want(struct check *ck, short what)
{
	if (ck->io != NULL)
		event_free(ck->io);
	ck->io = event_new(ck->ctl->base, ck->fd, what, health_io, ck);
	if (ck->io == NULL || event_add(ck->io, NULL) < 0)
		health_result(ck, 0, "out of memory");
}

/* An HTTP check's status line: "HTTP/1.x NNN" and a space or the end
 * of the line; nothing looser ("HTTP/1.1 +20", " 200") passes. */
static void
health_status(struct check *ck)
{
	const char *b = ck->buf;
	char why[64];
	unsigned int st;

	if (ck->len < 12 || memcmp(b, "HTTP/1.", 7) != 0 || b[8] != ' ' ||
	    b[9] < '1' || b[9] > '5' || b[10] < '0' || b[10] > '9' ||
	    b[11] < '0' || b[11] > '9' || (ck->len > 12 && b[12] != ' ' &&
	    b[12] != '\r' && b[12] != '\n')) {
		health_result(ck, 0, "bad response");
		return;
	}
	st = (unsigned int)(b[9] - '0') * 100 +
	    (unsigned int)(b[10] - '0') * 10 + (unsigned int)(b[11] - '0');
	if (st < ck->k->status_min || st > ck->k->status_max) {
		snprintf(why, sizeof(why), "status %u", st);
		health_result(ck, 0, why);
		return;
	}
	health_result(ck, 1, NULL);
}

/* One step of TLS, sending or receiving; <rc> is what SSL_* returned. */
static int
health_ssl_wait(struct check *ck, int rc)
{
	char why[256], msg[300];

	switch (SSL_get_error(ck->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		health_want(ck, EV_READ);
		return 1;
	case SSL_ERROR_WANT_WRITE:
		health_want(ck, EV_WRITE);
		return 1;
	default:
		snprintf(msg, sizeof(msg), "TLS: %s",
		    ssl_hs_reason(ck->ssl, why, sizeof(why)));
		health_result(ck, 0, msg);
		return -1;
	}
}

/* A server that reads a PROXY header first gets one with checks too:
 * v1 UNKNOWN or v2 LOCAL, what the protocol has for a proxy's own
 * connections, so it keeps the socket's addresses. */
static int
health_send_proxy(struct check *ck)
{
	struct sockaddr_storage none = { .ss_family = AF_UNSPEC };
	char hdr[PP_HDR_MAX];
	ssize_t len;

	if (ck->srv->cfg->flags & CFG_SRV_F_PROXY_V1)
		len = pp_encode_v1(hdr, sizeof(hdr), (struct sockaddr *)&none,
		    (struct sockaddr *)&none);
	else if (ck->srv->cfg->flags & CFG_SRV_F_PROXY_V2)
		len = pp_encode_v2(hdr, sizeof(hdr), (struct sockaddr *)&none,
		    (struct sockaddr *)&none, NULL);
	else
		return 0;
	/* First bytes on a new socket: they fit. */
	return len > 0 && send(ck->fd, hdr, (size_t)len, MSG_NOSIGNAL) ==
	    len ? 0 : -1;
}

static void
health_step(struct check *ck)
{
	size_t n;
	ssize_t r;
	int err = 0, rc;

	switch (ck->state) {
	case CK_CONNECT:
		if (getsockopt(ck->fd, SOL_SOCKET, SO_ERROR, &err,
		    &(socklen_t){ sizeof(err) }) == -1)
			err = errno;
		if (err != 0) {
			health_result(ck, 0, err == ECONNREFUSED ?
			    "connection refused" : strerror(err));
			return;
		}
		if (health_send_proxy(ck) < 0) {
			health_result(ck, 0, "cannot send the PROXY header");
			return;
		}
		if (ck->srv->cfg->flags & CFG_SRV_F_SSL) {
			ck->state = CK_TLS;
			if ((ck->ssl = SSL_new(ck->srv->ssl_ctx)) == NULL ||
			    SSL_set_fd(ck->ssl, ck->fd) != 1 ||
			    ssl_ctx_client_prepare(ck->srv->ssl_ctx, ck->ssl,
			    ck->srv->cfg->sni != NULL ? ck->srv->cfg->sni :
			    ck->srv->cfg->host, ck->name) < 0) {
				health_result(ck, 0, "TLS: cannot start");
				return;
			}
		} else if (!ck->k->http) {
			health_result(ck, 1, NULL);
			return;
		} else
			ck->state = CK_SEND;
		health_step(ck);
		return;
	case CK_TLS:
		if ((rc = SSL_connect(ck->ssl)) != 1) {
			health_ssl_wait(ck, rc);
			return;
		}
		if (!ck->k->http) {
			health_result(ck, 1, NULL);
			return;
		}
		ck->state = CK_SEND;
		/* FALLTHROUGH */
	case CK_SEND:
		while (ck->sent < ck->req_len) {
			if (ck->ssl != NULL) {
				if ((rc = SSL_write_ex(ck->ssl, ck->req +
				    ck->sent, ck->req_len - ck->sent, &n)) != 1) {
					health_ssl_wait(ck, rc);
					return;
				}
			} else if ((r = send(ck->fd, ck->req + ck->sent,
			    ck->req_len - ck->sent, MSG_NOSIGNAL)) == -1) {
				if (errno == EAGAIN) {
					health_want(ck, EV_WRITE);
					return;
				}
				health_result(ck, 0, strerror(errno));
				return;
			} else
				n = (size_t)r;
			ck->sent += n;
		}
		ck->state = CK_RECV;
		/* FALLTHROUGH */
	case CK_RECV:
		while (ck->len < sizeof(ck->buf) &&
		    memchr(ck->buf, '\n', ck->len) == NULL) {
			if (ck->ssl != NULL) {
				if ((rc = SSL_read_ex(ck->ssl, ck->buf + ck->len,
				    sizeof(ck->buf) - ck->len, &n)) != 1) {
					if (SSL_get_error(ck->ssl, rc) ==
					    SSL_ERROR_ZERO_RETURN)
						break;
					health_ssl_wait(ck, rc);
					return;
				}
			} else if ((r = recv(ck->fd, ck->buf + ck->len,
			    sizeof(ck->buf) - ck->len, 0)) <= 0) {
				if (r == -1 && errno == EAGAIN) {
					health_want(ck, EV_READ);
					return;
				}
				if (r == -1) {
					health_result(ck, 0, strerror(errno));
					return;
				}
				break;
			} else
				n = (size_t)r;
			ck->len += n;
		}
		health_status(ck);
		return;
	case CK_IDLE:
		return;
	}
}

static void
health_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	health_step(arg);
}

/* A new run: connect, with the timeout armed. */
static void
health_run(struct check *ck)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if ((len = server_addr(ck->srv, &ss)) == 0) {
		health_result(ck, 0, "no address");
		return;
	}
	ck->len = ck->sent = 0;
	if (ck->srv->cfg->sni != NULL)
		ck->name = ck->srv->cfg->sni;
	else if (ck->srv->cfg->host != NULL)
		ck->name = ck->srv->cfg->host;
	else
		ck->name = util_addr_ip((struct sockaddr *)&ss, ck->ip,
		    sizeof(ck->ip));
	ck->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (ck->fd == -1) {
		health_result(ck, 0, strerror(errno));
		return;
	}
	ck->state = CK_CONNECT;
	health_arm(ck, ck->k->timeout);
	if (connect(ck->fd, (struct sockaddr *)&ss, len) == -1 &&
	    errno != EINPROGRESS) {
		health_result(ck, 0, errno == ECONNREFUSED ?
		    "connection refused" : strerror(errno));
		return;
	}
	health_want(ck, EV_WRITE);
}

static void
health_timer(evutil_socket_t fd, short what, void *arg)
{
	struct check *ck = arg;

	(void)fd; (void)what;
	if (ck->state != CK_IDLE) {
		health_result(ck, 0, "timeout");
		return;
	}
	health_run(ck);
}

static unsigned int
health_revive_tick(const struct check *ck)
{
	return ck->k->interval / REVIVE_TICKS > 0 ?
	    ck->k->interval / REVIVE_TICKS : 1;
}

/* A server without an active check, taken down by live traffic: back
 * once it stayed down a whole interval. Its going down is not signalled
 * here; the first tick that sees it down starts the count. A server
 * without an address stays down: resolution brings it back. */
static void
health_revive(evutil_socket_t fd, short what, void *arg)
{
	struct check *ck = arg;
	struct sockaddr_storage ss;
	char msg[64];

	(void)fd; (void)what;
	if (atomic_load(&ck->srv->up) || server_addr(ck->srv, &ss) == 0)
		ck->revive = 0;
	else if (++ck->revive > REVIVE_TICKS) {
		snprintf(msg, sizeof(msg), "retried after %u ms down",
		    ck->k->interval);
		ck->revive = 0;
		server_set_up(ck->srv, 1, msg);
	}
	health_arm(ck, health_revive_tick(ck));
}

/* The request of an HTTP check, made once: Host is the server's name,
 * else its address (IPv6 in brackets, as the field's grammar wants).
 * Returns 0 or -ENOMEM. */
static int
health_request(struct check *ck)
{
	const struct cfg_server *cs = ck->srv->cfg;
	char ip[UTIL_ADDRSTRLEN];
	const char *host = cs->host;
	int n, v6 = 0;

	if (host == NULL) {
		host = util_addr_ip((const struct sockaddr *)&cs->addr, ip,
		    sizeof(ip));
		v6 = cs->addr.ss_family == AF_INET6;
	}
	n = asprintf(&ck->req, "%s %s HTTP/1.1\r\nHost: %s%s%s\r\n"
	    "User-Agent: gatehouse-check\r\nConnection: close\r\n\r\n",
	    ck->k->method, ck->k->path, v6 ? "[" : "", host, v6 ? "]" : "");
	if (n < 0) {
		ck->req = NULL;
		return -ENOMEM;
	}
	ck->req_len = (size_t)n;
	return 0;
}

static void
health_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health_ctl *ctl = arg;

	(void)fd; (void)what;
	event_base_loopbreak(ctl->base);
}

static void *
health_main(void *arg)
{
	struct health_ctl *ctl = arg;

	event_base_dispatch(ctl->base);
	return NULL;
}

void
health_free(struct health_ctl *ctl)
{
	size_t i;

	if (ctl == NULL)
		return;
	for (i = 0; i < ctl->nchecks; i++) {
		struct check *ck = &ctl->checks[i];

		if (ck->io != NULL)
			event_free(ck->io);
		if (ck->timer != NULL)
			event_free(ck->timer);
		SSL_free(ck->ssl);
		if (ck->fd != -1)
			close(ck->fd);
		free(ck->req);
	}
	free(ctl->checks);
	if (ctl->stop_ev != NULL)
		event_free(ctl->stop_ev);
	if (ctl->base != NULL)
		event_base_free(ctl->base);
	if (ctl->stop_fd[0] != -1) {
		close(ctl->stop_fd[0]);
		close(ctl->stop_fd[1]);
	}
	free(ctl);
}

/* What the control thread watches: servers with a check, and servers of
 * backends that observe live traffic. */
static int
health_wanted(const struct server *srv)
{
	return !(srv->cfg->flags & CFG_SRV_F_DISABLED) &&
	    ((srv->cfg->flags & CFG_SRV_F_CHECK) ||
	    srv->be->cfg->observe != CFG_OBSERVE_NONE);
}

int
health_new(struct runtime *rt, struct health_ctl **out, char *err,
    size_t errlen)
{
	const struct cfg *c = rt->cfg;
	struct health_ctl *ctl;
	struct check *ck;
	size_t i, j, n = 0;
	unsigned int spread;

	*out = NULL;
	for (i = 0; i < c->nbackends; i++)
		for (j = 0; j < rt->backends[i].nservers; j++)
			n += health_wanted(&rt->backends[i].servers[j]);
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		goto err_nomem;
	ctl->stop_fd[0] = ctl->stop_fd[1] = -1;
	if ((ctl->base = event_base_new()) == NULL ||
	    (n > 0 && (ctl->checks = calloc(n, sizeof(*ctl->checks))) ==
	    NULL) ||
	    pipe2(ctl->stop_fd, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (ctl->stop_ev = event_new(ctl->base, ctl->stop_fd[0], EV_READ,
	    health_stop_cb, ctl)) == NULL)
		goto err_free_ctl;
	event_add(ctl->stop_ev, NULL);
	for (i = 0; i < c->nbackends; i++)
		for (j = 0; j < rt->backends[i].nservers; j++) {
			struct server *srv = &rt->backends[i].servers[j];

			if (!health_wanted(srv))
				continue;
			ck = &ctl->checks[ctl->nchecks++];
			ck->ctl = ctl;
			ck->srv = srv;
			ck->k = &srv->be->cfg->check;
			ck->fd = -1;
			if ((ck->timer = evtimer_new(ctl->base,
			    (srv->cfg->flags & CFG_SRV_F_CHECK) ? health_timer :
			    health_revive, ck)) == NULL)
				goto err_free_ctl;
			if ((srv->cfg->flags & CFG_SRV_F_CHECK) &&
			    ck->k->http && health_request(ck) < 0)
				goto err_free_ctl;
			/* The first runs at once, spread over 100 ms: a
			 * server down at start is known within a check's
			 * time, and a long list does not connect all at
			 * once. */
			spread = (unsigned int)(ctl->nchecks * 100 / n);
			health_arm(ck, (srv->cfg->flags & CFG_SRV_F_CHECK) ?
			    spread : health_revive_tick(ck));
		}
	*out = ctl;
	return 0;
err_free_ctl:
	health_free(ctl);
err_nomem:
	snprintf(err, errlen, "cannot set up the health checks: out of "
	    "memory or descriptors");
	return -1;
}

struct event_base *
health_base(const struct health_ctl *ctl)
{
	return ctl->base;
}

size_t
health_nchecks(const struct health_ctl *ctl)
{
	return ctl->nchecks;
}

int
health_start(struct health_ctl *ctl)
{
	int rc;

	if ((rc = pthread_create(&ctl->thread, NULL, health_main, ctl)) != 0)
		return -rc;
	ctl->running = 1;
	return 0;
}

void
health_stop(struct health_ctl *ctl)
{
	if (ctl == NULL || !ctl->running)
		return;
	while (write(ctl->stop_fd[1], "x", 1) == -1 && errno == EINTR)
		;
	pthread_join(ctl->thread, NULL);
	ctl->running = 0;
}
