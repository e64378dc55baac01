/* One generation of the running program: everything that runs, built
 * from one struct cfg and owned by one struct runtime (frontends,
 * backends, TLS contexts, workers, the control thread and its resolver,
 * counters, limits). Nothing of it is global: two runtimes can exist side
 * by side in one process (a reload builds the next beside the first).
 *
 *   runtime_new()    build and check everything short of binding
 *   runtime_bind()   the listening sockets
 *   runtime_start()  worker threads, control thread
 *   runtime_stop()   stop accepting, drain (or not)
 *   runtime_done()   every worker has ended
 *   runtime_join()   join the threads
 *   runtime_free()
 */
#ifndef GH_RUNTIME_H
#define GH_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>

#include "cfg.h"

struct backend;
struct frontend;
struct health_ctl;
struct resolver;
struct worker;

struct runtime {
	const struct cfg *cfg;          /* the caller's; outlives us */
	struct frontend *frontends;     /* one per cfg frontend, in order */
	struct backend *backends;       /* one per cfg backend, in order */
	unsigned int nservers;          /* servers of all backends */
	int ktls;                       /* mode tcp TLS binds use kTLS */
	unsigned int maxconn;           /* effective global limit */
	unsigned int max_pipes;         /* splice pipes per worker */
	unsigned long long nofile;      /* open files it needs */
	atomic_uint cur_conns;          /* client connections, all workers */
	atomic_uint workers_done;       /* workers whose loop has ended */
	pthread_mutex_t tls_lock;       /* frontends' ssl_ctx, swapped by a
	                                   reload */
	struct worker *workers;         /* cfg->workers of them */
	unsigned int nworkers;          /* those initialised (to free) */
	unsigned int nstarted;          /* threads running (to join) */
	struct health_ctl *health;      /* control thread, or NULL */
	struct resolver *resolver;      /* on health's loop, or NULL */
	unsigned int stops;             /* runtime_stop() calls */
};

/* Builds the runtime of <c>: backends, server names resolved, TLS
 * contexts loaded, kTLS decided, the open-file limit raised to what
 * maxconn needs (for this process: -c exits right after), workers'
 * event loops and pools. Every check that start makes short of binding
 * is made here. Returns 0 and <*out>, or -1 with "file:line: reason" (or
 * a reason) in <err>. <c> must outlive the runtime. */
int runtime_new(const struct cfg *c, struct runtime **out, char *err,
    size_t errlen);

/* Opens every bind's listening socket in every worker. An address that
 * something else listens on (another program, another gatehouse) is an
 * error: "where: bind ADDR: address already in use". Returns 0, or -1
 * with the reason in <err> (what was opened is closed by
 * runtime_free()). */
int runtime_bind(struct runtime *rt, char *err, size_t errlen);

/* The address bind <bind> of frontend <fe> listens on (its port once
 * chosen, for port 0); 0 when not bound. */
socklen_t runtime_bound_addr(const struct runtime *rt, size_t fe,
    size_t bind, struct sockaddr_storage *ss);

/* Starts the worker threads and the control thread (checks, periodic
 * resolution), which inherit the caller's signal mask. Returns 0, or -1
 * with the reason in <err> after stopping what started (then
 * runtime_join() still joins it). */
int runtime_start(struct runtime *rt, char *err, size_t errlen);

/* Asks every worker to stop accepting and to end once its connections
 * are done or its grace is over; a second call, or <now>, closes them at
 * once. From the thread that drives <rt> (the workers are told through
 * their pipes). */
void runtime_stop(struct runtime *rt, int now);

/* Whether every started worker has ended. */
int runtime_done(struct runtime *rt);

/* Joins the worker threads, then stops and joins the control thread. */
void runtime_join(struct runtime *rt);

/* Tells the workers to take their TLS contexts again from the frontends
 * (after tls_reload()). */
void runtime_tls_changed(struct runtime *rt);

/* Logs what each mode http frontend answered (at the end). */
void runtime_log_counts(const struct runtime *rt);

/* Frees <rt> (NULL is fine); its threads must have been joined. */
void runtime_free(struct runtime *rt);

#endif
