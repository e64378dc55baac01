/* Server host names, resolved with libevent's asynchronous DNS: all at
 * once at start, then again every resolve-interval on the control
 * thread (health.c). */
#ifndef GH_RESOLVE_H
#define GH_RESOLVE_H

#include <stddef.h>

#include <event2/event.h>

struct runtime;
/* The periodic resolution of one runtime's server names. */
struct resolver;

/* Resolves every server given by name, all at once, in at most a few
 * seconds. A name that does not resolve is an error ("file:line: server
 * NAME: cannot resolve 'HOST': REASON" in <err>, -1), unless the server
 * is resolve-optional: then it starts down. Returns 0 or -1. */
int resolve_start(struct runtime *rt, char *err, size_t errlen);

/* Re-resolves every named server every resolve-interval on <base>, whose
 * loop must then run on one thread only (it writes server addresses);
 * changes are logged and applied to new connections, a failure keeps the
 * last address, a server that gets its first address comes up (or, with
 * a check, is left to its check). Returns the resolver, the caller's to
 * free, or NULL when there is nothing to resolve or no memory (nothing is
 * scheduled; the latter is logged). */
struct resolver *resolve_schedule(struct runtime *rt,
    struct event_base *base);

/* Stops and frees <r> (NULL is fine); call it once the loop of the base
 * it was scheduled on has stopped and before freeing that base. */
void resolve_free(struct resolver *r);

#endif
