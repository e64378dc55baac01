/* The server side of a session, its mechanics: a server picked by the
 * backend's balancing (or a wait in the worker's queue for a slot), its
 * slot, the PROXY header and TLS of a new connection. The decisions (what
 * a failure means, a retry on another server) are session.c's, and what
 * "getting a server" means for a message is the protocol's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "proxy_proto.h"
#include "session_int.h"
#include "ssl_sock.h"
#include "worker.h"

/* How often queued sessions look for a slot freed by another worker (a
 * slot freed by this one wakes them at once). */
const struct timeval session_queue_tv = { 0, 50000 };

/* What the hash algorithms hash for this session, or NULL (round robin
 * instead): the client address, or what the protocol found (a request's
 * path, a field's value). */
static const uint32_t *
session_lb_hash(const struct session *s, uint32_t *h)
{
	const union sockaddr_any *a = &s->cli->conn->peer;

	switch (s->be->cfg->balance) {
	case CFG_LB_SOURCE:
		if (a->sa.sa_family == AF_INET)
			*h = util_hash(&a->in.sin_addr, 4);
		else if (a->sa.sa_family == AF_INET6)
			*h = util_hash(&a->in6.sin6_addr, 16);
		else
			return NULL;
		return h;
	case CFG_LB_URI:
	case CFG_LB_HDR:
		if (!(s->flags & SS_F_LB_KEY))
			return NULL;
		*h = s->lb_hash;
		return h;
	default:
		return NULL;
	}
}

int
session_assign(struct session *s, const struct server *avoid)
{
	struct worker *w = s->w;
	enum backend_miss miss;
	struct server *srv;
	uint32_t h;

	srv = backend_pick(s->be, session_lb_hash(s, &h), avoid, &miss);
	/* A retry goes to another server when there is one, else to the
	 * same one again. */
	if (srv == NULL && avoid != NULL && miss == BE_MISS_NONE)
		srv = backend_pick(s->be, session_lb_hash(s, &h), NULL, &miss);
	if (srv != NULL) {
		s->srv = srv;
		s->flags |= SS_F_SLOT;
		return 1;
	}
	if (miss == BE_MISS_NONE) {
		s->term = SE_NO_SERVER;
		s->why = "no server is up";
		return -1;
	}
	/* Waiting, it has no server (the log says "-"). */
	if (s->srv_conn == NULL)
		s->srv = NULL;
	if (!(s->flags & SS_F_QUEUED)) {
		s->flags |= SS_F_QUEUED;
		list_append(&w->queues[s->be->idx], &s->queue);
		s->t_connect = util_now_ms();
		if (w->nqueued++ == 0)
			evtimer_add(&w->queue_ev, &session_queue_tv);
		session_arm_timer(s);
	}
	return 0;
}

void
session_unqueue(struct session *s)
{
	if (!(s->flags & SS_F_QUEUED))
		return;
	s->flags &= ~SS_F_QUEUED;
	list_del(&s->queue);
	s->w->nqueued--;
}

/* Not from here but on the next turn of the loop: this may run while
 * another session is being closed. */
void
session_release_slot(struct session *s)
{
	struct worker *w = s->w;

	if (!(s->flags & SS_F_SLOT))
		return;
	s->flags &= ~SS_F_SLOT;
	backend_release(s->srv);
	if (!LIST_EMPTY(&w->queues[s->srv->be->idx]))
		event_active(&w->queue_ev, EV_TIMEOUT, 1);
}

void
session_log_connect_fail(struct session *s, int err, enum sess_end term)
{
	char addr[UTIL_ADDRSTRLEN];

	s->term = term;
	if (err != 0)
		s->why = strerror(err);
	log_info("%s fe=%s be=%s/%s connect to %s failed: %s",
	    util_addr_str(&s->cli->conn->peer.sa, addr, sizeof(addr)),
	    s->fe->cfg->name, s->be->cfg->name, s->srv->cfg->name,
	    s->srv->cfg->text, s->why != NULL ? s->why :
	    session_end_name(term));
}

void
session_connect_report(struct session *s, int err, enum sess_end term)
{
	session_log_connect_fail(s, err, term);
	server_report(s->srv, 0, s->why != NULL ? s->why :
	    session_end_name(term));
}

/* Bytes are spliced when no analyzer watches them and both ends are raw
 * sockets (or the client's TLS records are the kernel's). */
void
session_srv_established(struct session *s)
{
	struct conn *c = s->srv_conn;
	int opaque = s->req.an == 0 && s->res.an == 0;

	s->flags |= SS_F_CONNECTED;
	s->term = SE_NONE;
	s->why = NULL;
	s->t_srv = util_now_ms();
	/* Under layer7 only responses say a server is well again: a
	 * connect that succeeds must not clear a run of 5xx. */
	if (s->be->cfg->observe == CFG_OBSERVE_LAYER4)
		server_report(s->srv, 1, NULL);
	/* Only an endpoint that is its connection's socket splices. */
	opaque = opaque && s->cli->fd != -1 && c->xprt == &xprt_raw;
	if (opaque && s->cli->conn->xprt == &xprt_raw)
		s->flags |= SS_F_SPLICE;
	else if (opaque && ssl_sock_ktls_send(s->cli->conn))
		s->flags |= SS_F_SPLICE_RES;
	session_arm_timer(s);
}

/* The client's addresses as gatehouse received them, and (v2) what the
 * client's TLS settled. It goes first on a new socket, so it fits at
 * once. */
int
session_send_proxy(struct session *s, struct conn *c)
{
	struct conn *cli = s->cli->conn;
	struct pp_tlvs t = { 0 };
	const struct ssl_client_cert *cc;
	char hdr[PP_SEND_MAX];
	ssize_t n, len;

	/* The address the client reached (a PROXY header's, or REDIRECT's
	 * original one, when set at accept). */
	if (cli->local.sa.sa_family == AF_UNSPEC && getsockname(cli->fd,
	    &cli->local.sa, &(socklen_t){ sizeof(cli->local) }) == -1)
		return -errno;
	if (s->srv->cfg->flags & CFG_SRV_F_PROXY_V1)
		len = pp_encode_v1(hdr, sizeof(hdr), &cli->peer.sa,
		    &cli->local.sa);
	else {
		if ((t.ssl_version = ssl_sock_version(cli)) != NULL) {
			t.ssl = 1;
			t.ssl_cipher = ssl_sock_cipher(cli);
			t.alpn = ssl_sock_alpn(cli, &t.alpn_len);
			if ((t.authority = ssl_sock_sni(cli)) != NULL)
				t.authority_len = strlen(t.authority);
			if ((cc = ssl_sock_client_cert(cli)) != NULL) {
				t.cert = 1;
				t.verify = (unsigned long)cc->verify;
				t.cert_cn = cc->cn;
				t.cert_subject = cc->subject;
				t.cert_issuer = cc->issuer;
				t.cert_serial = cc->serial;
				t.cert_sha256 = cc->sha256;
			}
		}
		len = pp_encode_v2(hdr, sizeof(hdr), &cli->peer.sa,
		    &cli->local.sa, &t);
	}
	if (len < 0)
		return -EOVERFLOW;
	while ((n = send(c->fd, hdr, (size_t)len, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		return -errno;
	return n == len ? 0 : -EAGAIN;
}

/* TLS to the server: the SNI name is the configured one, the client's
 * (sni client), or the server's host name; the certificate must name
 * the SNI name, else the host name, else the address. */
int
session_srv_tls(struct session *s, struct conn *c,
    void (*done)(struct conn *c, const char *reason, void *arg))
{
	const struct cfg_server *cs = s->srv->cfg;
	const struct cfg_timeouts *t = &s->be->cfg->timeouts;
	char ip[UTIL_ADDRSTRLEN];
	struct sockaddr_storage ss;
	const char *sni = cs->sni, *name;
	uint64_t spent = util_now_ms() - s->t_connect;

	if (cs->flags & CFG_SRV_F_SNI_CLIENT)
		sni = ssl_sock_sni(s->cli->conn);
	else if (sni == NULL)
		sni = cs->host;
	name = cs->sni != NULL ? cs->sni : cs->host;
	if (name == NULL && server_addr(s->srv, &ss) > 0)
		name = util_addr_ip((struct sockaddr *)&ss, ip, sizeof(ip));
	return ssl_sock_connect(c, s->srv->ssl_ctx, &s->w->tlsbufs, sni, name,
	    spent < t->connect ? (unsigned int)(t->connect - spent) : 1,
	    done, s);
}

struct conn *
session_detach_srv(struct session *s, struct server *srv)
{
	struct conn *c = s->srv_conn;

	atomic_fetch_sub_explicit(&srv->cur_conns, 1, memory_order_relaxed);
	s->srv_conn = NULL;
	s->flags &= ~SS_F_CONNECTED;
	return c;
}

