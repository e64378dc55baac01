/* The one log sink: stderr or syslog. Messages are written at once, one
 * write(2) per line, so lines from worker threads never interleave. Access
 * log lines are built without printf (struct log_line) and, in a thread
 * that called log_thread_start(), gathered in a buffer written once per
 * loop turn or when full, in one write(2) of at most PIPE_BUF bytes. */
#ifndef GH_LOG_H
#define GH_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <syslog.h>

struct event_base;

/* Where messages go; set once at start, before the workers run. */
void log_init(int to_syslog, int facility, const char *ident);
void log_set_quiet(int quiet);
/* Whether a message of <prio> goes anywhere: callers with costly
 * arguments (addresses to format) ask first. */
int log_wants(int prio);

void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Like log_msg, adding ": strerror(errno)". */
void log_errno(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An access log line being built; what does not fit is cut. */
#define LOG_LINE_MAX 2048
struct log_line {
	size_t len;
	char buf[LOG_LINE_MAX];
};

void log_line_mem(struct log_line *l, const char *s, size_t n);
void log_line_str(struct log_line *l, const char *s);
void log_line_u64(struct log_line *l, uint64_t v);
/* "192.0.2.1:80" or "[::1]:80", as util_addr_str() writes it. */
void log_line_addr(struct log_line *l, const struct sockaddr *sa);
/* Sends <l> as a LOG_INFO line: to this thread's batch, or at once. */
void log_access(struct log_line *l);

/* The calling thread, running <base>, batches its access lines; 0, or
 * -ENOMEM (then its lines are written at once). log_thread_stop() writes
 * what is left and ends the batch; call it before <base> is freed. */
int log_thread_start(struct event_base *base);
void log_thread_stop(void);

#define log_warnx(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_warn(...)   log_errno(LOG_WARNING, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_errx(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_err(...)    log_errno(LOG_ERR, __VA_ARGS__)

#endif
