/* Health checks, on the control thread: one event loop beside the
 * workers that checks servers (TCP connect, or an HTTP request, over TLS
 * for ssl servers), gives back servers taken down by live traffic, and
 * on which resolve.c re-resolves server names. One per runtime. */
#ifndef GH_HEALTH_H
#define GH_HEALTH_H

#include <stddef.h>

#include <event2/event.h>

struct runtime;
struct health_ctl;

/* Builds the control loop of <rt>: its event base and one check per
 * watched server, each first run armed (they run once the loop does).
 * Returns 0 and the caller's <*out>, or -1 with the reason in <err>. */
int health_new(struct runtime *rt, struct health_ctl **out, char *err,
    size_t errlen);

/* The control loop, for others to schedule work on (resolve.c). */
struct event_base *health_base(const struct health_ctl *ctl);

/* How many servers it watches. */
size_t health_nchecks(const struct health_ctl *ctl);

/* Runs the loop on a thread of its own. Returns 0 or -errno. */
int health_start(struct health_ctl *ctl);

/* Ends the loop and joins its thread; safe when it never started and on
 * NULL. */
void health_stop(struct health_ctl *ctl);

/* Frees <ctl> (NULL is fine), after health_stop(); whatever else was
 * scheduled on its base must be freed first. */
void health_free(struct health_ctl *ctl);

#endif
