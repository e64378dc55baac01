#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

/* Set once by log_init() before any worker thread starts, read-only after. */
static int log_to_syslog;
static int log_quiet;

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
	struct tm tm;
	time_t now;
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
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
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
	/* One write per line: atomic for lines under PIPE_BUF. */
	if (write(STDERR_FILENO, line, n) == -1)
		return;
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
