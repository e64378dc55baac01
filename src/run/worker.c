#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "conn.h"
#include "http_parse.h"
#include "listener.h"
#include "log.h"
#include "session.h"
#include "worker.h"

/* TLS output buffer: one full record (16 KiB plus header, padding and tag)
 * with room to spare, so a record is written in one piece. */
#define TLS_OUTBUF_SIZE (16384 + 2048)
/* Free buffers a worker keeps for reuse; beyond that they go back to the
 * system, so a burst does not pin memory forever. */
#define POOL_KEEP       1024
/* How often paused listeners look for a free slot freed elsewhere. */
#define RESUME_MS       50

static void
worker_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct list *e;

	(void)fd; (void)what;
	/* The accept callback pauses a listener again if still full. */
	for (e = w->listeners.next; e != &w->listeners; e = e->next)
		listener_resume(container_of(e, struct listener, list));
}

/* A listener paused: re-check them all soon. */
static void
worker_schedule_resume(struct worker *w)
{
	struct timeval tv = util_ms_tv(RESUME_MS);

	if (!w->stopping)
		evtimer_add(&w->resume_ev, &tv);
}

static void
worker_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd; (void)what;
	log_info("worker %u: grace period over, closing %u connection(s)",
	    w->id, w->nconns);
	while (!LIST_EMPTY(&w->sessions))
		session_close(container_of(w->sessions.next, struct session,
		    list), SE_SHUTDOWN);
	while (!LIST_EMPTY(&w->handshakes))
		accept_abort_handshake(container_of(w->handshakes.next,
		    struct conn, list));
	event_base_loopbreak(w->base);
}

/* A reload replaced the frontends' TLS contexts: new handshakes take
 * the new ones; those under way keep theirs (an SSL holds a reference
 * to its context). */
static void
worker_tls_update(struct worker *w)
{
	struct listener *l;
	struct list *e;
	SSL_CTX *ctx;

	for (e = w->listeners.next; e != &w->listeners; e = e->next) {
		l = container_of(e, struct listener, list);
		if (l->ssl_ctx == NULL)
			continue;
		pthread_mutex_lock(&w->rt->tls_lock);
		ctx = l->fe->ssl_ctx[l->bind - l->fe->cfg->binds];
		SSL_CTX_up_ref(ctx);
		pthread_mutex_unlock(&w->rt->tls_lock);
		SSL_CTX_free(l->ssl_ctx);
		l->ssl_ctx = ctx;
	}
}

/* Stops accepting, and drops what only waits (idle connections). */
static void
worker_start_stop(struct worker *w)
{
	struct list *e;

	w->stopping = 1;
	backend_pool_flush(w);
	session_stop_idle(w);
	for (e = w->listeners.next; e != &w->listeners; e = e->next)
		listener_close(container_of(e, struct listener, list));
	evtimer_del(&w->resume_ev);
}

/* The main thread's messages: 's' stop, 'n' stop now, 'r' reload TLS. */
static void
worker_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct timeval tv = util_ms_tv(w->cfg->grace);
	int stop = 0, now = 0;
	char c;

	(void)what;
	while (read(fd, &c, 1) == 1) {
		if (c == 'r')
			worker_tls_update(w);
		else {
			stop = 1;
			now |= c == 'n';
		}
	}
	if (!stop)
		return;
	/* A second stop, or one that says so, ends the grace at once. */
	if (w->stopping || now) {
		if (!w->stopping)
			worker_start_stop(w);
		if (w->nconns > 0)
			worker_grace_cb(-1, 0, w);
		else
			event_base_loopbreak(w->base);
		return;
	}
	worker_start_stop(w);
	if (w->nconns == 0) {
		event_base_loopbreak(w->base);
		return;
	}
	evtimer_add(&w->grace_ev, &tv);
}

/* One fewer client connection here; ends the loop when draining is
 * done, else lets paused listeners accept again. */
static void
worker_conn_done(struct worker *w)
{
	w->nconns--;
	if (w->stopping && w->nconns == 0)
		event_base_loopbreak(w->base);
	else if (!w->stopping)
		worker_resume_cb(-1, 0, w);
}

static void
worker_tls_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	session_idle_sweep(arg, util_now_ms());
}

static const struct listener_hooks worker_hooks = {
	.conn_gone = worker_conn_done,
	.paused = worker_schedule_resume,
};

int
worker_init(struct worker *w, unsigned int id, struct runtime *rt)
{
	struct event_config *ec;
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->rt = rt;
	w->cfg = rt->cfg;
	w->next_sid = (uint64_t)id << 40;
	w->stop_fd[0] = w->stop_fd[1] = -1;
	LIST_INIT(&w->listeners);
	w->hooks = &worker_hooks;
	LIST_INIT(&w->sessions);
	LIST_INIT(&w->handshakes);
	pool_init(&w->bufs, w->cfg->bufsize, POOL_KEEP);
	if ((w->idle = calloc(rt->nservers ? rt->nservers : 1,
	    sizeof(*w->idle))) == NULL ||
	    (w->msg = malloc(sizeof(*w->msg))) == NULL ||
	    (w->scratch = malloc(w->cfg->bufsize)) == NULL)
		return -ENOMEM;
	for (i = 0; i < rt->nservers; i++)
		LIST_INIT(&w->idle[i].list);
	if ((w->queues = calloc(w->cfg->nbackends ? w->cfg->nbackends : 1,
	    sizeof(*w->queues))) == NULL)
		return -ENOMEM;
	for (i = 0; i < w->cfg->nbackends; i++)
		LIST_INIT(&w->queues[i]);
	pool_init(&w->tlsbufs, TLS_OUTBUF_SIZE, POOL_KEEP);
	pipes_init(&w->pipes, rt->max_pipes);
	if ((ec = event_config_new()) == NULL)
		return -ENOMEM;
	/* Each base belongs to one thread: no locks inside libevent. */
	event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
	w->base = event_base_new_with_config(ec);
	event_config_free(ec);
	if (w->base == NULL)
		return -ENOMEM;
	if (pipe2(w->stop_fd, O_NONBLOCK | O_CLOEXEC) == -1)
		return -errno;
	event_assign(&w->stop_ev, w->base, w->stop_fd[0], EV_READ |
	    EV_PERSIST, worker_stop_cb, w);
	event_add(&w->stop_ev, NULL);
	evtimer_assign(&w->grace_ev, w->base, worker_grace_cb, w);
	evtimer_assign(&w->resume_ev, w->base, worker_resume_cb, w);
	evtimer_assign(&w->idle_ev, w->base, backend_pool_sweep, w);
	evtimer_assign(&w->queue_ev, w->base, session_queue_cb, w);
	event_assign(&w->tls_idle_ev, w->base, -1, EV_PERSIST,
	    worker_tls_idle_cb, w);
	return 0;
}

void
worker_free(struct worker *w)
{
	struct list *e;

	while (!LIST_EMPTY(&w->listeners)) {
		e = w->listeners.next;
		list_del(e);
		listener_close(container_of(e, struct listener, list));
		SSL_CTX_free(container_of(e, struct listener, list)->ssl_ctx);
		free(container_of(e, struct listener, list));
	}
	pipes_destroy(&w->pipes);
	backend_pool_flush(w);
	free(w->idle);
	free(w->queues);
	free(w->msg);
	free(w->scratch);
	pool_destroy(&w->bufs);
	pool_destroy(&w->tlsbufs);
	if (w->base != NULL) {
		event_del(&w->stop_ev);
		event_base_free(w->base);
	}
	if (w->stop_fd[0] != -1) {
		close(w->stop_fd[0]);
		close(w->stop_fd[1]);
	}
}

static void *
worker_run(void *arg)
{
	struct timeval tv = util_ms_tv(SESSION_IDLE_MS / 2);
	struct worker *w = arg;
	struct list *e;

	if (log_thread_start(w->base) < 0)
		log_warnx("worker %u: out of memory for the log batch: access "
		    "lines are written one by one", w->id);
	for (e = w->listeners.next; e != &w->listeners; e = e->next)
		accept_start(container_of(e, struct listener, list));
	event_add(&w->tls_idle_ev, &tv);
	event_base_dispatch(w->base);
	event_del(&w->tls_idle_ev);
	log_thread_stop();
	atomic_fetch_add(&w->rt->workers_done, 1);
	return NULL;
}

int
worker_start(struct worker *w)
{
	int rc;

	if ((rc = pthread_create(&w->thread, NULL, worker_run, w)) != 0)
		return -rc;
	return 0;
}

void
worker_stop(struct worker *w, int now)
{
	/* write(2) is async-signal-safe; a full pipe already says "stop". */
	if (write(w->stop_fd[1], now ? "n" : "s", 1) == -1)
		return;
}

void
worker_reload_tls(struct worker *w)
{
	if (write(w->stop_fd[1], "r", 1) == -1)
		log_warn("worker %u: cannot ask for a TLS reload", w->id);
}
