/* Resolving server names with evdns. At start every name is asked at
 * once on a short-lived event base, so that ten names cost one round
 * trip, not ten; afterwards the control thread asks again every
 * resolve-interval and swaps the address a server connects to. An IPv4
 * answer is preferred when a name has both: servers on a LAN are usually
 * reached that way, and it matches what getaddrinfo() gives most hosts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "backend.h"
#include "log.h"
#include "resolve.h"
#include "worker.h"

/* How long the start may wait for all its answers. */
#define RESOLVE_START_MS 5000

struct resolve_ctx;

/* One named server. */
struct resolve_job {
	struct server *srv;
	struct resolve_ctx *rc;
	struct evdns_getaddrinfo_request *req;  /* in flight, or NULL */
	int pending;
	int err;                /* at start: the EVUTIL_EAI_* of a failure */
	int failing;            /* the last try failed (said once) */
};

struct resolve_ctx {
	struct runtime *rt;
	struct event_base *base;
	struct evdns_base *dns;
	struct resolve_job *jobs;
	size_t njobs;
	size_t pending;
	int start;              /* the round at start: break when done */
	struct event *timer;
};

static struct resolve_ctx *resolve_periodic;

/* The address to use from <res> (IPv4 first), with the server's port. */
static socklen_t
resolve_pick(const struct evutil_addrinfo *res, uint16_t port,
    struct sockaddr_storage *ss)
{
	const struct evutil_addrinfo *a, *best = NULL;

	for (a = res; a != NULL; a = a->ai_next) {
		if (a->ai_family == AF_INET) {
			best = a;
			break;
		}
		if (a->ai_family == AF_INET6 && best == NULL)
			best = a;
	}
	if (best == NULL || best->ai_addrlen > sizeof(*ss))
		return 0;
	memcpy(ss, best->ai_addr, best->ai_addrlen);
	if (best->ai_family == AF_INET)
		((struct sockaddr_in *)(void *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons(port);
	return (socklen_t)best->ai_addrlen;
}

/* A new answer for a running server: logged when it changes anything. */
static void
resolve_apply(struct resolve_job *j, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct server *srv = j->srv;
	struct sockaddr_storage cur;
	socklen_t clen = server_addr(srv, &cur);
	char a[UTIL_ADDRSTRLEN];

	j->failing = 0;
	if (clen == len && memcmp(&cur, ss, len) == 0)
		return;
	server_set_addr(srv, (const struct sockaddr *)ss, len);
	log_info("server %s/%s: %s now resolves to %s", srv->be->cfg->name,
	    srv->cfg->name, srv->cfg->host, util_addr_ip(
	    (const struct sockaddr *)ss, a, sizeof(a)));
	/* Down for want of an address only: now it has one. */
	if (clen == 0)
		server_set_up(srv, 1, "resolved");
}

static void
resolve_done(int result, struct evutil_addrinfo *res, void *arg)
{
	struct resolve_job *j = arg;
	struct resolve_ctx *rc = j->rc;
	struct sockaddr_storage ss;
	socklen_t len = 0;

	j->req = NULL;
	j->pending = 0;
	rc->pending--;
	if (result == 0 && (len = resolve_pick(res, j->srv->cfg->port,
	    &ss)) == 0)
		result = EVUTIL_EAI_NODATA;
	if (res != NULL)
		evutil_freeaddrinfo(res);
	if (rc->start) {
		if (result == 0)
			server_set_addr(j->srv, (struct sockaddr *)&ss, len);
		j->err = result;
		if (rc->pending == 0)
			event_base_loopbreak(rc->base);
		return;
	}
	if (result == 0)
		resolve_apply(j, &ss, len);
	else if (!j->failing && result != EVUTIL_EAI_CANCEL) {
		j->failing = 1;
		log_warnx("server %s/%s: cannot resolve '%s': %s; keeping "
		    "its last address", j->srv->be->cfg->name,
		    j->srv->cfg->name, j->srv->cfg->host,
		    evutil_gai_strerror(result));
	}
}

/* Asks for every name not already in flight. */
static void
resolve_round(struct resolve_ctx *rc)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct resolve_job *j;
	size_t i;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < rc->njobs; i++) {
		j = &rc->jobs[i];
		if (j->pending)
			continue;
		j->pending = 1;
		rc->pending++;
		/* The answer may come before this returns (hosts file). */
		req = evdns_getaddrinfo(rc->dns, j->srv->cfg->host, NULL,
		    &hints, resolve_done, j);
		if (j->pending)
			j->req = req;
	}
}

static void
resolve_cancel_all(struct resolve_ctx *rc)
{
	size_t i;

	for (i = 0; i < rc->njobs; i++)
		if (rc->jobs[i].req != NULL)
			evdns_getaddrinfo_cancel(rc->jobs[i].req);
}

static void
resolve_free(struct resolve_ctx *rc)
{
	if (rc == NULL)
		return;
	int turns;

	if (rc->timer != NULL)
		event_free(rc->timer);
	if (rc->dns != NULL) {
		/* A cancelled request still calls back, from the loop: let
		 * it, so that nothing is left holding <rc> or memory. */
		resolve_cancel_all(rc);
		for (turns = 0; rc->pending > 0 && turns < 10; turns++)
			event_base_loop(rc->base, EVLOOP_NONBLOCK);
		evdns_base_free(rc->dns, 0);
	}
	free(rc->jobs);
	free(rc);
}

/* A context for the named servers of <rt> on <base>; NULL when there is
 * none (or no memory: *nomem). */
static struct resolve_ctx *
resolve_new(struct runtime *rt, struct event_base *base, int *nomem)
{
	const struct cfg *c = rt->cfg;
	struct resolve_ctx *rc;
	size_t i, j, n = 0;

	*nomem = 0;
	for (i = 0; i < c->nbackends; i++)
		for (j = 0; j < rt->backends[i].nservers; j++)
			n += rt->backends[i].servers[j].cfg->host != NULL;
	if (n == 0)
		return NULL;
	*nomem = 1;
	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	if ((rc->jobs = calloc(n, sizeof(*rc->jobs))) == NULL)
		goto err_free;
	rc->rt = rt;
	rc->base = base;
	for (i = 0; i < c->nbackends; i++)
		for (j = 0; j < rt->backends[i].nservers; j++)
			if (rt->backends[i].servers[j].cfg->host != NULL) {
				rc->jobs[rc->njobs].srv =
				    &rt->backends[i].servers[j];
				rc->jobs[rc->njobs++].rc = rc;
			}
	rc->dns = evdns_base_new(base, c->nnameservers > 0 ? 0 :
	    EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (rc->dns == NULL)
		goto err_free;
	for (i = 0; i < c->nnameservers; i++)
		if (evdns_base_nameserver_ip_add(rc->dns,
		    c->nameservers[i]) != 0)
			log_warnx("nameserver %s: cannot be used",
			    c->nameservers[i]);
	if (c->nnameservers > 0)
		evdns_base_load_hosts(rc->dns, NULL);
	/* Answers bounded in time; names asked as written. */
	evdns_base_set_option(rc->dns, "timeout:", "2");
	evdns_base_set_option(rc->dns, "attempts:", "2");
	evdns_base_set_option(rc->dns, "randomize-case:", "0");
	*nomem = 0;
	return rc;
err_free:
	resolve_free(rc);
	return NULL;
}

static void
resolve_start_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	resolve_cancel_all(arg);
}

int
resolve_start(struct runtime *rt, char *err, size_t errlen)
{
	struct timeval tv = { RESOLVE_START_MS / 1000, 0 };
	struct event_base *base;
	struct resolve_ctx *rc;
	struct resolve_job *j;
	int nomem, rcode = 0;
	size_t i;

	if ((base = event_base_new()) == NULL)
		goto err_nomem;
	if ((rc = resolve_new(rt, base, &nomem)) == NULL) {
		event_base_free(base);
		if (nomem)
			goto err_nomem;
		return 0;
	}
	rc->start = 1;
	if ((rc->timer = evtimer_new(base, resolve_start_timeout, rc)) ==
	    NULL) {
		resolve_free(rc);
		event_base_free(base);
		goto err_nomem;
	}
	evtimer_add(rc->timer, &tv);
	resolve_round(rc);
	if (rc->pending > 0)
		event_base_dispatch(base);
	for (i = 0; i < rc->njobs && rcode == 0; i++) {
		j = &rc->jobs[i];
		if (j->err == 0)
			continue;
		if (j->srv->cfg->flags & CFG_SRV_F_RESOLVE_OPT) {
			server_set_up(j->srv, 0, "no address: its name does "
			    "not resolve");
			continue;
		}
		/* Line 0: the command line, which has no line to name. */
		snprintf(err, errlen, "%s%s%.0d: server %s: cannot resolve "
		    "'%s': %s", j->srv->cfg->file, j->srv->cfg->line > 0 ?
		    ":" : "", j->srv->cfg->line, j->srv->cfg->name,
		    j->srv->cfg->host, j->err == EVUTIL_EAI_CANCEL ?
		    "no answer in time" : j->err == EVUTIL_EAI_NONAME ?
		    "no such name" : evutil_gai_strerror(j->err));
		rcode = -1;
	}
	resolve_free(rc);
	event_base_free(base);
	return rcode;
err_nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void
resolve_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	resolve_round(arg);
}

int
resolve_schedule(struct runtime *rt, struct event_base *base)
{
	unsigned int ms = rt->cfg->resolve_interval;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct resolve_ctx *rc;
	int nomem;

	if ((rc = resolve_new(rt, base, &nomem)) == NULL)
		return -1;
	if ((rc->timer = event_new(base, -1, EV_PERSIST, resolve_tick,
	    rc)) == NULL) {
		resolve_free(rc);
		return -1;
	}
	/* What start-up found counts as the last answer, and a name that
	 * did not resolve then has been said already. */
	evtimer_add(rc->timer, &tv);
	resolve_periodic = rc;
	return 0;
}

void
resolve_stop(void)
{
	resolve_free(resolve_periodic);
	resolve_periodic = NULL;
}
