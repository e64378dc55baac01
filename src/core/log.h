/* The one log sink: stderr (one write(2) per line, so lines from worker
 * threads never interleave) or syslog. */
#ifndef GH_LOG_H
#define GH_LOG_H

#include <syslog.h>

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

#define log_warnx(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_warn(...)   log_errno(LOG_WARNING, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_errx(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_err(...)    log_errno(LOG_ERR, __VA_ARGS__)

#endif
