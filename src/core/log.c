#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"

/* Set once by log_init() before any worker thread starts, read-only after. */
static int log_to_syslog;
static int log_quiet;

/* A thread's access lines not yet written, and the event that writes them
 * at the end of the loop turn that queued the first. */
struct log_batch {
	struct event *ev;
	size_t len;
	char buf[PIPE_BUF];
};
static _Thread_local struct log_batch *log_batch;

/* The "2026-12-04T18:01:54Z " prefix, formatted once a second per thread. */
static _Thread_local time_t log_stamp_sec = -1;
static _Thread_local char log_stamp_str[32];
static _Thread_local size_t log_stamp_len;

static const char *
log_stamp(size_t *len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != log_stamp_sec) {
		gmtime_r(&now, &tm);
		log_stamp_len = strftime(log_stamp_str, sizeof(log_stamp_str),
		    "%Y-%m-%dT%H:%M:%SZ ", &tm);
		log_stamp_sec = now;
	}
	*len = log_stamp_len;
	return log_stamp_str;
}

static void
log_write(const char *p, size_t n)
{
	if (write(STDERR_FILENO, p, n) == -1)
		return;
}

static void
log_batch_flush(void)
{
	struct log_batch *b = log_batch;

	if (b != NULL && b->len != 0) {
		log_write(b->buf, b->len);
		b->len = 0;
	}
}

static void
log_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	log_batch_flush();
}

int
log_thread_start(struct event_base *base)
{
	struct log_batch *b;

	if ((b = malloc(sizeof(*b))) == NULL)
		return -ENOMEM;
	if ((b->ev = event_new(base, -1, 0, log_batch_cb, NULL)) == NULL) {
		free(b);
		return -ENOMEM;
	}
	b->len = 0;
	log_batch = b;
	return 0;
}

void
log_thread_stop(void)
{
	struct log_batch *b = log_batch;

	if (b == NULL)
		return;
	log_batch_flush();
	event_free(b->ev);
	free(b);
	log_batch = NULL;
}

static void
log_libevent(int severity, const char *msg)
{
	if (severity == EVENT_LOG_DEBUG)
		return;
	log_msg(severity == EVENT_LOG_ERR ? LOG_ERR : severity == EVENT_LOG_WARN ?
	    LOG_WARNING : LOG_INFO, "libevent: %s", msg);
}

void
log_init(int to_syslog, int facility, const char *ident)
{
	log_to_syslog = to_syslog;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
	event_set_log_callback(log_libevent);
}

void
log_set_quiet(int quiet)
{
	log_quiet = quiet;
}

int
log_wants(int prio)
{
	return !log_quiet || prio <= LOG_WARNING;
}

static void
log_vmsg(int prio, const char *fmt, va_list ap, int err)
{
	char line[1024];
	const char *stamp;
	size_t n;
	int r;

	if (!log_wants(prio))
		return;
	if (log_to_syslog) {
		r = vsnprintf(line, sizeof(line), fmt, ap);
		if (err && r >= 0)
			syslog(prio, "%s: %s", line, strerror(err));
		else
			syslog(prio, "%s", line);
		return;
	}
	stamp = log_stamp(&n);
	memcpy(line, stamp, n);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = r < 0 ? n : n + (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (err) {
		r = snprintf(line + n, sizeof(line) - n, ": %s", strerror(err));
		n = r < 0 ? n : n + (size_t)r;
		if (n > sizeof(line) - 2)
			n = sizeof(line) - 2;
	}
	line[n++] = '\n';
	/* What this thread queued comes first; then one write per line:
	 * atomic for lines under PIPE_BUF. */
	log_batch_flush();
	log_write(line, n);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap, 0);
	va_end(ap);
}

void
log_errno(int prio, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap, err);
	va_end(ap);
}

void
log_line_mem(struct log_line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len)
		n = sizeof(l->buf) - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void
log_line_str(struct log_line *l, const char *s)
{
	log_line_mem(l, s, strlen(s));
}

void
log_line_u64(struct log_line *l, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	log_line_mem(l, d + i, sizeof(d) - i);
}

void
log_line_addr(struct log_line *l, const struct sockaddr *sa)
{
	const struct sockaddr_in *in = (const void *)sa;
	const struct sockaddr_in6 *in6 = (const void *)sa;
	char host[UTIL_ADDRSTRLEN];
	int v6 = sa->sa_family == AF_INET6;

	util_addr_ip(sa, host, sizeof(host));
	if (sa->sa_family != AF_INET && !v6) {
		log_line_str(l, host);
		return;
	}
	log_line_str(l, v6 ? "[" : "");
	log_line_str(l, host);
	log_line_str(l, v6 ? "]:" : ":");
	log_line_u64(l, ntohs(v6 ? in6->sin6_port : in->sin_port));
}

/* "<stamp><line>\n" into <dst>, which has room; returns its length. */
static size_t
log_put(char *dst, const char *stamp, size_t sn, const struct log_line *l)
{
	memcpy(dst, stamp, sn);
	memcpy(dst + sn, l->buf, l->len);
	dst[sn + l->len] = '\n';
	return sn + l->len + 1;
}

void
log_access(struct log_line *l)
{
	struct log_batch *b = log_batch;
	char line[sizeof(log_stamp_str) + LOG_LINE_MAX + 1];
	const char *stamp;
	size_t sn;

	if (!log_wants(LOG_INFO))
		return;
	if (log_to_syslog) {
		syslog(LOG_INFO, "%.*s", (int)l->len, l->buf);
		return;
	}
	stamp = log_stamp(&sn);
	if (b == NULL || sn + l->len + 1 > sizeof(b->buf)) {
		log_batch_flush();
		log_write(line, log_put(line, stamp, sn, l));
		return;
	}
	if (sn + l->len + 1 > sizeof(b->buf) - b->len)
		log_batch_flush();
	if (b->len == 0)
		event_active(b->ev, EV_TIMEOUT, 1);
	b->len += log_put(b->buf + b->len, stamp, sn, l);
}
