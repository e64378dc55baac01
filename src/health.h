/* Health checks, on the control thread: one event loop beside the
 * workers that checks servers (TCP connect, or an HTTP request, over TLS
 * for ssl servers), gives back servers taken down by live traffic, and
 * re-resolves server names (resolve.c). */
#ifndef GH_HEALTH_H
#define GH_HEALTH_H

#include <stddef.h>

struct runtime;

/* Starts the control thread for <rt>; the first checks run at once.
 * Returns 0, or -1 with the reason in <err>. Nothing to do (no check, no
 * name, no passive check) starts no thread. */
int health_start(struct runtime *rt, char *err, size_t errlen);

/* Stops the control thread and frees what it used. */
void health_stop(void);

#endif
