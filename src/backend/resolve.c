/* Resolving server names with evdns. At start every name is asked at
 * once on a short-lived event base, so that ten names cost one round
 * trip, not ten; afterwards the control thread (health.c) asks again
 * every resolve-interval and swaps the address a server connects to.
 * The address in use is kept while the answer still holds it, so that a
 * name with several addresses, which servers rotate from one answer to
 * the next, does not move a server at every round. Otherwise the first
 * IPv4 address wins over IPv6: servers on a LAN are usually reached that
 * way, and it matches what getaddrinfo() gives most hosts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "backend.h"
#include "log.h"
#include "resolve.h"
#include "runtime.h"
#include "util.h"

/* How long the start may wait for all its answers. */
#define RESOLVE_START_MS 5000
/* Read again before each periodic round, as getaddrinfo() would. */
#define RESOLVE_HOSTS    "/etc/hosts"

struct resolver;

/* One named server. */
struct resolve_job {
	struct server *srv;
	struct resolver *rc;
	struct evdns_getaddrinfo_request *req;  /* in flight, or NULL */
	int pending;            /* asked, no answer yet */
	int err;                /* at start: the EVUTIL_EAI_* of a failure */
	int failing;            /* the last try failed (said once) */
};

struct resolver {
	struct runtime *rt;
	struct event_base *base;
	struct evdns_base *dns;
	struct resolve_job *jobs;
	size_t njobs;
	size_t pending;         /* jobs asked and not answered */
	int start;              /* the round at start: break when done */
	struct event *timer;    /* start: the deadline; then: the interval */
};

/* Why a name did not resolve, for a person. evdns folds every failure
 * but NXDOMAIN into EAI_FAIL (a server failure, a refusal, no answer
 * after its retries); the libc's text for it says little. */
static const char *
resolve_reason(int err)
{
	switch (err) {
	case EVUTIL_EAI_CANCEL:
		return "no answer in time";
	case EVUTIL_EAI_NONAME:
		return "no such name";
	case EVUTIL_EAI_NODATA:
		return "no IPv4 or IPv6 address for it";
	case EVUTIL_EAI_FAIL:
		return "no usable answer from the name servers";
	default:
		return evutil_gai_strerror(err);
	}
}

/* Whether <a> is the address of <cur> (ports aside). */
static int
resolve_same(const struct evutil_addrinfo *a,
    const struct sockaddr_storage *cur, socklen_t curlen)
{
	const struct sockaddr_in *s4, *c4;
	const struct sockaddr_in6 *s6, *c6;

	if (curlen == 0 || a->ai_family != cur->ss_family)
		return 0;
	if (a->ai_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)a->ai_addr;
		c4 = (const struct sockaddr_in *)(const void *)cur;
		return s4->sin_addr.s_addr == c4->sin_addr.s_addr;
	}
	if (a->ai_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)a->ai_addr;
		c6 = (const struct sockaddr_in6 *)(const void *)cur;
		return memcmp(&s6->sin6_addr, &c6->sin6_addr,
		    sizeof(s6->sin6_addr)) == 0 &&
		    s6->sin6_scope_id == c6->sin6_scope_id;
	}
	return 0;
}

/* The address to use from <res>, with the server's port: <cur> (curlen
 * 0: none) if <res> still has it, else the first IPv4 address, else the
 * first IPv6 one. Returns its length, 0 when <res> has none. */
static socklen_t
resolve_pick(const struct evutil_addrinfo *res, uint16_t port,
    const struct sockaddr_storage *cur, socklen_t curlen,
    struct sockaddr_storage *ss)
{
	const struct evutil_addrinfo *a, *best = NULL;

	for (a = res; a != NULL; a = a->ai_next)
		if (resolve_same(a, cur, curlen)) {
			best = a;
			break;
		}
	for (a = res; a != NULL && best == NULL; a = a->ai_next)
		if (a->ai_family == AF_INET)
			best = a;
	for (a = res; a != NULL && best == NULL; a = a->ai_next)
		if (a->ai_family == AF_INET6)
			best = a;
	if (best == NULL || best->ai_addrlen > sizeof(*ss))
		return 0;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, best->ai_addr, best->ai_addrlen);
	if (best->ai_family == AF_INET)
		((struct sockaddr_in *)(void *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons(port);
	return (socklen_t)best->ai_addrlen;
}

/* A new answer for a running server: applied and logged when it changes
 * anything. Only the control thread writes a server's address, so the
 * read-compare-write needs no more than server_addr()'s lock. */
static void
resolve_apply(struct resolve_job *j, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct server *srv = j->srv;
	struct sockaddr_storage cur;
	socklen_t clen = server_addr(srv, &cur);
	char a[UTIL_ADDRSTRLEN];
	int was_failing = j->failing;

	j->failing = 0;
	util_addr_ip((const struct sockaddr *)ss, a, sizeof(a));
	if (clen == len && memcmp(&cur, ss, len) == 0) {
		if (was_failing)
			log_info("server %s/%s: %s resolves again, to %s",
			    srv->be->cfg->name, srv->cfg->name,
			    srv->cfg->host, a);
		return;
	}
	server_set_addr(srv, (const struct sockaddr *)ss, len);
	log_info("server %s/%s: %s now resolves to %s", srv->be->cfg->name,
	    srv->cfg->name, srv->cfg->host, a);
	/* Down for want of an address only: now it has one. A checked
	 * server waits for its check instead ("rise" passes), as after
	 * any other time down: an address is not a working server. */
	if (clen == 0 && !(srv->cfg->flags & CFG_SRV_F_CHECK))
		server_set_up(srv, 1, "resolved");
}

/* evdns's answer for one job; may run inside evdns_getaddrinfo() itself
 * (hosts file) or, for a cancelled request, from the loop later. */
static void
resolve_done(int result, struct evutil_addrinfo *res, void *arg)
{
	struct resolve_job *j = arg;
	struct resolver *rc = j->rc;
	struct sockaddr_storage ss, cur;
	socklen_t len = 0, curlen;

	j->req = NULL;
	j->pending = 0;
	rc->pending--;
	curlen = server_addr(j->srv, &cur);
	if (result == 0 && (len = resolve_pick(res, j->srv->cfg->port,
	    &cur, curlen, &ss)) == 0)
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
		    resolve_reason(result));
	}
}

/* Asks for every name not already in flight (a slow answer is not asked
 * twice). */
static void
resolve_round(struct resolver *rc)
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
		/* The answer may come before this returns (hosts file):
		 * then <req> is NULL and the job is done already. */
		req = evdns_getaddrinfo(rc->dns, j->srv->cfg->host, NULL,
		    &hints, resolve_done, j);
		if (j->pending)
			j->req = req;
	}
}

static void
resolve_cancel_all(struct resolver *rc)
{
	size_t i;

	for (i = 0; i < rc->njobs; i++)
		if (rc->jobs[i].req != NULL)
			evdns_getaddrinfo_cancel(rc->jobs[i].req);
}

/* Frees <rc> (NULL is fine); its base is the caller's and stays. */
static void
resolve_ctx_free(struct resolver *rc)
{
	int turns;

	if (rc == NULL)
		return;
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

/* A context for the named servers of <rt> on <base>: an evdns base asking
 * the configured name servers, else those of resolv.conf, after the
 * hosts file either way. Returns NULL when there is no name (*nomem 0)
 * or no memory (*nomem 1). */
static struct resolver *
resolve_new(struct runtime *rt, struct event_base *base, int *nomem)
{
	const struct cfg *c = rt->cfg;
	struct resolver *rc;
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
		goto err_free_ctx;
	rc->rt = rt;
	rc->base = base;
	for (i = 0; i < c->nbackends; i++)
		for (j = 0; j < rt->backends[i].nservers; j++)
			if (rt->backends[i].servers[j].cfg->host != NULL) {
				rc->jobs[rc->njobs].srv =
				    &rt->backends[i].servers[j];
				rc->jobs[rc->njobs++].rc = rc;
			}
	/* resolv.conf parsing loads the hosts file too; a missing
	 * resolv.conf leaves evdns asking 127.0.0.1, as the libc would. */
	rc->dns = evdns_base_new(base, c->nnameservers > 0 ? 0 :
	    EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (rc->dns == NULL)
		goto err_free_ctx;
	for (i = 0; i < c->nnameservers; i++)
		if (evdns_base_nameserver_ip_add(rc->dns,
		    c->nameservers[i]) != 0)
			log_warnx("nameserver %s: cannot be used",
			    c->nameservers[i]);
	/* Named explicitly: with NULL, evdns would only know "localhost".
	 * A missing file still gives "localhost". */
	if (c->nnameservers > 0)
		evdns_base_load_hosts(rc->dns, RESOLVE_HOSTS);
	/* Answers bounded in time (two tries of 2 s fit the start's 5 s);
	 * names asked as written, which the 0x20 trick would not keep with
	 * every server. */
	evdns_base_set_option(rc->dns, "timeout:", "2");
	evdns_base_set_option(rc->dns, "attempts:", "2");
	evdns_base_set_option(rc->dns, "randomize-case:", "0");
	*nomem = 0;
	return rc;
err_free_ctx:
	resolve_ctx_free(rc);
	return NULL;
}

static void
resolve_start_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	/* Each cancelled request calls back with EAI_CANCEL; the last one
	 * ends the loop. */
	resolve_cancel_all(arg);
}

int
resolve_start(struct runtime *rt, char *err, size_t errlen)
{
	struct timeval tv = util_ms_tv(RESOLVE_START_MS);
	struct event_base *base;
	struct resolver *rc;
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
		resolve_ctx_free(rc);
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
			log_warnx("server %s/%s: cannot resolve '%s': %s; "
			    "down until it does", j->srv->be->cfg->name,
			    j->srv->cfg->name, j->srv->cfg->host,
			    resolve_reason(j->err));
			server_set_up(j->srv, 0, "no address");
			continue;
		}
		/* Line 0: the command line, which has no line to name. */
		snprintf(err, errlen, "%s%s%.0d: server %s: cannot resolve "
		    "'%s': %s", j->srv->cfg->file, j->srv->cfg->line > 0 ?
		    ":" : "", j->srv->cfg->line, j->srv->cfg->name,
		    j->srv->cfg->host, resolve_reason(j->err));
		rcode = -1;
	}
	resolve_ctx_free(rc);
	event_base_free(base);
	return rcode;
err_nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void
resolve_tick(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *rc = arg;

	(void)fd; (void)what;
	evdns_base_clear_host_addresses(rc->dns);
	evdns_base_load_hosts(rc->dns, RESOLVE_HOSTS);
	resolve_round(rc);
}

struct resolver *
resolve_schedule(struct runtime *rt, struct event_base *base)
{
	unsigned int ms = rt->cfg->resolve_interval;
	struct timeval tv = util_ms_tv(ms);
	struct sockaddr_storage ss;
	struct resolver *rc;
	size_t i;
	int nomem;

	if ((rc = resolve_new(rt, base, &nomem)) == NULL) {
		if (nomem)
			log_warnx("server names will not be resolved again: "
			    "out of memory");
		return NULL;
	}
	if ((rc->timer = event_new(base, -1, EV_PERSIST, resolve_tick,
	    rc)) == NULL) {
		resolve_ctx_free(rc);
		log_warnx("server names will not be resolved again: out of "
		    "memory");
		return NULL;
	}
	/* What start-up found counts as the last answer, and a name that
	 * did not resolve then (a resolve-optional server, down) has been
	 * said already: its next failures are not news. */
	for (i = 0; i < rc->njobs; i++)
		rc->jobs[i].failing = server_addr(rc->jobs[i].srv, &ss) == 0;
	evtimer_add(rc->timer, &tv);
	return rc;
}

void
resolve_free(struct resolver *r)
{
	resolve_ctx_free(r);
}
