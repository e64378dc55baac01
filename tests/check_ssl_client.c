/* Check suite for the client side of ssl/: ssl_ctx_new_client() and
 * ssl_sock_connect() against a real server (ssl_ctx_new_server() and
 * ssl_sock_accept()) on loopback, both ends driven by one worker's event
 * loop. Covers: the server's chain and name (host name or IP address)
 * verified or not; the reasons of failures (wrong name, unknown issuer,
 * a server that closes or resets, a silent one at the handshake
 * timeout); the done callback called once; data both ways once
 * established; resumption with TLS 1.3 tickets and with TLS 1.2, and
 * only under the same names; client certificates; ssl_ctx_new_client()'s
 * settings and its errors for bad files.
 *
 * The certificates come from certs/mkcerts.sh, run once for the suite
 * into a temporary directory: the source tree may be read-only
 * (distcheck), and the integration tests' shared directory is theirs. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "check_main.h"
#include "conn.h"
#include "ssl_ctx.h"
#include "ssl_sock.h"
#include "worker.h"

/* The source tree, when the test harness does not say (a run by hand). */
#ifndef GH_TOP_SRCDIR
#define GH_TOP_SRCDIR "."
#endif

/* No run may take this long; a hang fails the test, not the build. */
#define GUARD_MS        10000
#define HS_TIMEOUT_MS   5000

static char certdir[PATH_MAX];
static struct cfg cfg;
static struct runtime rt;
static struct worker w;
static struct pool *bufs;       /* the TLS output blocks of both ends */

/* What the test server does with the connection it accepts. */
enum srv_mode {
	SRV_TLS = 0,            /* a TLS handshake, then "ping" -> "pong" */
	SRV_SILENT,             /* nothing */
	SRV_CLOSE,              /* a FIN at once */
	SRV_RESET,              /* a close with the ClientHello unread: RST */
};

/* One end of a test connection. */
struct end {
	struct conn *c;
	int ndone;              /* calls of the done callback */
	int ok;                 /* the handshake succeeded */
	char reason[256];       /* why not */
	char got[64];           /* plaintext received after it */
	size_t ngot;
	int rerr;               /* recv ended: -1 EOF, else its errno */
	int replied;            /* the server's "pong" is sent */
};

struct run {
	enum srv_mode mode;
	SSL_CTX *sctx;
	int lfd, sfd;           /* listening socket, non-TLS server's fd */
	struct event *accept_ev, *guard;
	struct end srv, cli;
	int hung;               /* the guard timer fired */
};

/* <name> in the certificate directory; a few results live at once. */
static const char *
path(const char *name)
{
	static char buf[8][PATH_MAX];
	static unsigned int n;
	char *p = buf[n++ % 8];

	ck_assert_int_lt(snprintf(p, PATH_MAX, "%s/%s", certdir, name),
	    PATH_MAX);
	return p;
}

static int
end_finished(const struct end *e)
{
	return e->ndone > 0 && (!e->ok || e->rerr != 0 || e->ngot >= 4);
}

static void
run_maybe_end(struct run *r)
{
	if (end_finished(&r->cli) && (r->mode != SRV_TLS ||
	    end_finished(&r->srv)))
		event_base_loopbreak(w.base);
}

/* After a failed handshake the owner would free the conn: an event
 * arriving anyway is a bug of the transport. */
static void
dead_io(struct conn *c, short what)
{
	(void)what;
	ck_abort_msg("event on a conn whose handshake failed (fd %d)", c->fd);
}

static void
end_done(struct end *e, struct conn *c, const char *reason)
{
	e->ndone++;
	if (reason != NULL) {
		snprintf(e->reason, sizeof(e->reason), "%s", reason);
		c->cb = dead_io;
		conn_want(c, 0, 0);
		return;
	}
	e->ok = 1;
}

/* Reads what there is, as an owner would: until EAGAIN. */
static void
end_read(struct end *e)
{
	ssize_t n;

	while (e->rerr == 0 && e->ngot < sizeof(e->got)) {
		n = conn_recv(e->c, e->got + e->ngot, sizeof(e->got) - e->ngot);
		if (n > 0)
			e->ngot += (size_t)n;
		else if (n == 0)
			e->rerr = -1;
		else if (errno != EAGAIN)
			e->rerr = errno;
		else
			break;
	}
	if (e->rerr != 0)
		conn_want(e->c, 0, 0);
}

static void
end_send(struct end *e, const char *s)
{
	ck_assert_int_eq(conn_send(e->c, s, strlen(s)), (ssize_t)strlen(s));
	ck_assert_int_eq(e->c->xprt->flush(e->c), 0);
}

static void
srv_io(struct conn *c, short what)
{
	struct run *r = c->owner;

	(void)what;
	end_read(&r->srv);
	if (r->srv.ngot >= 4 && !r->srv.replied) {
		end_send(&r->srv, "pong");
		r->srv.replied = 1;
	}
	run_maybe_end(r);
}

static void
cli_io(struct conn *c, short what)
{
	struct run *r = c->owner;

	(void)what;
	end_read(&r->cli);
	run_maybe_end(r);
}

static void
srv_done(struct conn *c, const char *reason, void *arg)
{
	struct run *r = arg;

	end_done(&r->srv, c, reason);
	if (reason == NULL) {
		/* Read at once: the client's first record may have come with
		 * its Finished, read ahead into the SSL already. */
		c->cb = srv_io;
		conn_want(c, 1, 0);
		srv_io(c, EV_READ);
		return;
	}
	run_maybe_end(r);
}

static void
cli_done(struct conn *c, const char *reason, void *arg)
{
	struct run *r = arg;

	end_done(&r->cli, c, reason);
	if (reason == NULL) {
		c->cb = cli_io;
		end_send(&r->cli, "ping");
		conn_want(c, 1, 0);
		cli_io(c, EV_READ);
		return;
	}
	run_maybe_end(r);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct run *r = arg;
	struct conn *c;
	int fd;

	(void)what;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1)
		return;
	event_del(r->accept_ev);
	switch (r->mode) {
	case SRV_TLS:
		ck_assert_ptr_nonnull(c = conn_new(&w, fd));
		c->owner = r;
		r->srv.c = c;
		ck_assert_int_eq(ssl_sock_accept(c, r->sctx, bufs, HS_TIMEOUT_MS,
		    srv_done, r), 0);
		break;
	case SRV_SILENT:
		r->sfd = fd;
		break;
	case SRV_CLOSE:
		shutdown(fd, SHUT_WR);
		r->sfd = fd;
		break;
	case SRV_RESET:
		close(fd);
		break;
	}
}

static void
guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd; (void)what;
	r->hung = 1;
	event_base_loopbreak(w.base);
}

/* One connection from a client with <cctx> to a server (<mode>, with
 * <sctx> for SRV_TLS) on a fresh loopback port, run until both ends are
 * done with it. The caller inspects <r>, then calls run_free(). */
static void
run_conn(struct run *r, enum srv_mode mode, SSL_CTX *sctx, SSL_CTX *cctx,
    const char *sni, const char *verify_name, unsigned int hs_timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { GUARD_MS / 1000, 0 };
	socklen_t len = sizeof(sa);
	struct conn *c;
	int fd;

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->sctx = sctx;
	r->sfd = -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0), -1);
	ck_assert_int_eq(bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(r->lfd, 8), 0);
	ck_assert_int_eq(getsockname(r->lfd, (struct sockaddr *)&sa, &len), 0);
	r->accept_ev = event_new(w.base, r->lfd, EV_READ | EV_PERSIST,
	    accept_cb, r);
	r->guard = evtimer_new(w.base, guard_cb, r);
	ck_assert_ptr_nonnull(r->accept_ev);
	ck_assert_ptr_nonnull(r->guard);
	event_add(r->accept_ev, NULL);
	evtimer_add(r->guard, &tv);

	/* Connected before the handshake starts, as the caller of
	 * ssl_sock_connect() guarantees: the backlog completes it. */
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	ck_assert_ptr_nonnull(c = conn_new(&w, fd));
	c->owner = r;
	r->cli.c = c;
	ck_assert_int_eq(ssl_sock_connect(c, cctx, bufs, sni, verify_name,
	    hs_timeout_ms, cli_done, r), 0);
	event_base_dispatch(w.base);

	ck_assert_msg(!r->hung, "no end after %d ms (client %d/%s, server "
	    "%d/%s)", GUARD_MS, r->cli.ndone, r->cli.reason, r->srv.ndone,
	    r->srv.reason);
	ck_assert_int_eq(r->cli.ndone, 1);
	if (mode == SRV_TLS)
		ck_assert_int_eq(r->srv.ndone, 1);
}

static void
run_free(struct run *r)
{
	conn_free(r->cli.c);
	conn_free(r->srv.c);
	event_free(r->accept_ev);
	event_free(r->guard);
	close(r->lfd);
	if (r->sfd != -1)
		close(r->sfd);
}

/* Both handshakes done, "ping" and "pong" across. */
static void
assert_exchanged(const struct run *r)
{
	ck_assert_msg(r->cli.ok, "client: %s", r->cli.reason);
	ck_assert_msg(r->srv.ok, "server: %s", r->srv.reason);
	ck_assert_uint_eq(r->srv.ngot, 4);
	ck_assert_int_eq(memcmp(r->srv.got, "ping", 4), 0);
	ck_assert_uint_eq(r->cli.ngot, 4);
	ck_assert_int_eq(memcmp(r->cli.got, "pong", 4), 0);
}

/* Only the client failed its handshake, with a reason starting with
 * <prefix>; the server's failed too (the client's alert). */
static void
assert_cli_failed(const struct run *r, const char *prefix)
{
	ck_assert_msg(!r->cli.ok, "the client's handshake succeeded");
	ck_assert_msg(strncmp(r->cli.reason, prefix, strlen(prefix)) == 0,
	    "reason '%s', expected '%s...'", r->cli.reason, prefix);
	if (r->mode == SRV_TLS) {
		ck_assert(!r->srv.ok);
		ck_assert_str_ne(r->srv.reason, "");
	}
}

/* A server context for <pem>, TLS 1.2 to <max_ver> (0: 1.3); with
 * <client_ca>, it requires a client certificate that CA signed. */
static SSL_CTX *
srv_ctx(const char *pem, int max_ver, const char *client_ca)
{
	struct ssl_cert_opts co = { .cert = path(pem) };
	struct ssl_ctx_opts o = { .certs = &co, .ncerts = 1,
	    .alpn = "h2,http/1.1", .max_ver = max_ver };
	char err[512];
	SSL_CTX *ctx;

	ctx = ssl_ctx_new_server(&o, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	if (client_ca != NULL) {
		/* No bind option asks for client certificates (yet): set on
		 * the context directly. */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx,
		    path(client_ca), NULL), 1);
	}
	return ctx;
}

static SSL_CTX *
cli_ctx(int verify, const char *ca, const char *crt, const char *key)
{
	struct ssl_client_opts o = { .verify = verify, .alpn = "http/1.1" };
	char err[512];
	SSL_CTX *ctx;

	o.ca_file = ca != NULL ? path(ca) : NULL;
	o.crt = crt != NULL ? path(crt) : NULL;
	o.key = key != NULL ? path(key) : NULL;
	ctx = ssl_ctx_new_client(&o, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	return ctx;
}

/* ---- fixtures ---- */

/* The process that made the certificates removes them at exit; the
 * forked test processes run the same atexit list and must not. */
static pid_t certdir_owner;

static void
certs_remove(void)
{
	char cmd[PATH_MAX + 16];

	if (getpid() != certdir_owner)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", certdir);
}

/* Once for all test cases (an unchecked fixture runs per TCase). */
static void
suite_setup(void)
{
	const char *src = getenv("top_srcdir"), *tmp = getenv("TMPDIR");
	char cmd[3 * PATH_MAX];

	if (certdir[0] != '\0')
		return;
	if (src == NULL || *src == '\0')
		src = GH_TOP_SRCDIR;
	snprintf(certdir, sizeof(certdir), "%s/gh-check-ssl-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(certdir));
	certdir_owner = getpid();
	atexit(certs_remove);
	snprintf(cmd, sizeof(cmd), "sh '%s/certs/mkcerts.sh' '%s'", src,
	    certdir);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	ssl_init();
	ck_assert_int_eq(ssl_sock_init(), 0);
}

static void
worker_setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&rt, 0, sizeof(rt));
	cfg.bufsize = 16384;
	rt.cfg = &cfg;
	ck_assert_int_eq(worker_init(&w, 0, &rt), 0);
	bufs = &w.tlsbufs;
}

static void
worker_teardown(void)
{
	worker_free(&w);
}

/* ---- ssl_ctx_new_client ---- */

START_TEST(ctx_settings)
{
	SSL_CTX *ctx = cli_ctx(1, "ca.pem", "client.pem", NULL);
	SSL_CTX *nv = cli_ctx(0, NULL, NULL, NULL);

	ck_assert_int_eq(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	/* Record buffers are let go when idle (ssl_sock_idle), not freed
	 * and taken again for every record. */
	ck_assert(!(SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS));
	ck_assert_int_eq(SSL_CTX_get_read_ahead(ctx), 1);
	ck_assert_int_eq(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER);
	ck_assert_int_eq(SSL_CTX_get_verify_mode(nv), SSL_VERIFY_NONE);
	ck_assert_int_eq(SSL_CTX_get_session_cache_mode(ctx),
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	ck_assert_ptr_nonnull(SSL_CTX_get0_certificate(ctx));
	ck_assert_ptr_null(SSL_CTX_get0_certificate(nv));
	SSL_CTX_free(ctx);
	SSL_CTX_free(nv);
}
END_TEST

/* Each refusal names the file at fault. */
START_TEST(ctx_errors)
{
	struct ssl_client_opts o = { .verify = 1 };
	char err[512];
	SSL_CTX *ctx;

	o.ca_file = "/nonexistent/ca.pem";
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/ca.pem") != NULL, "%s", err);

	o.ca_file = path("ca.pem");
	o.crt = "/nonexistent/client.pem";
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/client.pem") != NULL, "%s",
	    err);

	o.crt = path("client.crt");
	o.key = "/nonexistent/client.key";
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "/nonexistent/client.key") != NULL, "%s",
	    err);

	/* A certificate alone, no key in it; a key that is not PEM. */
	o.key = NULL;
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "client.crt: no private key in it") !=
	    NULL, "%s", err);
	o.key = "/dev/null";
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_str_eq(err, "/dev/null: not a PEM private key");

	o.key = path("server.key");
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "does not match") != NULL &&
	    strstr(err, "server.key") != NULL, "%s", err);

	o.crt = o.key = NULL;
	o.alpn = "http/1.1,";
	ck_assert_ptr_null(ssl_ctx_new_client(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "alpn") != NULL, "%s", err);

	/* The system's store: whatever it holds, no error. */
	o.ca_file = o.alpn = NULL;
	ctx = ssl_ctx_new_client(&o, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	SSL_CTX_free(ctx);
}
END_TEST

/* ---- ssl_sock_connect ---- */

/* The TLS output of both ends comes from the pool they were given, not
 * from their worker's. */
START_TEST(own_pool)
{
	SSL_CTX *sctx = srv_ctx("server.pem", 0, NULL);
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	struct pool mine;
	struct run r;

	pool_init(&mine, w.tlsbufs.size, 8);
	bufs = &mine;
	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	run_free(&r);
	ck_assert_uint_gt(mine.nfree, 0);
	ck_assert_uint_eq(w.tlsbufs.nfree, 0);
	bufs = &w.tlsbufs;
	pool_destroy(&mine);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}
END_TEST

START_TEST(verify_ok)
{
	SSL_CTX *sctx = srv_ctx("server.pem", 0, NULL);
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	const char *p;
	struct run r;
	size_t len;

	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_ptr_null(ssl_sock_client_cert(r.srv.c));
	ck_assert_str_eq(ssl_sock_version(r.cli.c), "TLSv1.3");
	/* The server's preference wins. */
	ck_assert_str_eq(ssl_sock_cipher(r.cli.c), "TLS_AES_128_GCM_SHA256");
	ck_assert_str_eq(ssl_sock_sni(r.srv.c), "localhost");
	p = ssl_sock_alpn(r.cli.c, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(p, "http/1.1", 8), 0);
	ck_assert_int_eq(ssl_sock_resumed(r.cli.c), 0);
	run_free(&r);

	/* IP addresses are checked against the IP entries, and no SNI goes
	 * with them (RFC 6066 forbids literals). */
	run_conn(&r, SRV_TLS, sctx, cctx, NULL, "127.0.0.1", HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_ptr_null(ssl_sock_sni(r.srv.c));
	run_free(&r);
	run_conn(&r, SRV_TLS, sctx, cctx, NULL, "::1", HS_TIMEOUT_MS);
	assert_exchanged(&r);
	run_free(&r);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}
END_TEST

START_TEST(wrong_name)
{
	SSL_CTX *sctx = srv_ctx("server.pem", 0, NULL);
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	struct run r;

	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "other.test",
	    HS_TIMEOUT_MS);
	assert_cli_failed(&r, "certificate verify failed: hostname mismatch");
	ck_assert_msg(strstr(r.cli.reason, "other.test") != NULL, "%s",
	    r.cli.reason);
	run_free(&r);

	run_conn(&r, SRV_TLS, sctx, cctx, NULL, "127.0.0.2", HS_TIMEOUT_MS);
	assert_cli_failed(&r, "certificate verify failed: IP address mismatch");
	ck_assert_msg(strstr(r.cli.reason, "127.0.0.2") != NULL, "%s",
	    r.cli.reason);
	run_free(&r);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}
END_TEST

START_TEST(wrong_ca)
{
	SSL_CTX *self = srv_ctx("self.pem", 0, NULL);
	SSL_CTX *sctx = srv_ctx("server.pem", 0, NULL);
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	SSL_CTX *other = cli_ctx(1, "self.pem", NULL, NULL);
	struct run r;

	/* A certificate no CA here vouches for. */
	run_conn(&r, SRV_TLS, self, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_cli_failed(&r, "certificate verify failed: self");
	run_free(&r);
	/* The right certificate, but another CA trusted. */
	run_conn(&r, SRV_TLS, sctx, other, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_cli_failed(&r, "certificate verify failed: unable to get "
	    "local issuer certificate");
	run_free(&r);
	SSL_CTX_free(other);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	SSL_CTX_free(self);
}
END_TEST

/* Neither the chain nor the name counts; a handshake failing for another
 * reason is not blamed on the unverified certificate. */
START_TEST(verify_off)
{
	SSL_CTX *self = srv_ctx("self.pem", 0, NULL);
	SSL_CTX *mtls = srv_ctx("self.pem", TLS1_2_VERSION, "ca.pem");
	SSL_CTX *cctx = cli_ctx(0, NULL, NULL, NULL);
	struct run r;

	run_conn(&r, SRV_TLS, self, cctx, "localhost", "other.test",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	run_free(&r);

	run_conn(&r, SRV_TLS, mtls, cctx, "localhost", "other.test",
	    HS_TIMEOUT_MS);
	ck_assert(!r.srv.ok);
	ck_assert(!r.cli.ok);
	ck_assert_msg(strstr(r.cli.reason, "certificate verify failed") ==
	    NULL, "%s", r.cli.reason);
	run_free(&r);
	SSL_CTX_free(cctx);
	SSL_CTX_free(mtls);
	SSL_CTX_free(self);
}
END_TEST

/* A server requiring a client certificate accepts the CA's (with its key
 * in the same file or apart) and refuses a client without one: during
 * the handshake in TLS 1.2, right after it in TLS 1.3 (the client is
 * done before the server has read its certificate). */
START_TEST(client_cert)
{
	static const int vers[] = { 0, TLS1_2_VERSION };
	SSL_CTX *sctx, *pem = cli_ctx(1, "ca.pem", "client.pem", NULL);
	SSL_CTX *apart = cli_ctx(1, "ca.pem", "client.crt", "client.key");
	SSL_CTX *none = cli_ctx(1, "ca.pem", NULL, NULL);
	struct run r;
	size_t i;

	const struct ssl_client_cert *cc;

	for (i = 0; i < 2; i++) {
		sctx = srv_ctx("server.pem", vers[i], "ca.pem");
		run_conn(&r, SRV_TLS, sctx, pem, "localhost", "localhost",
		    HS_TIMEOUT_MS);
		assert_exchanged(&r);
		/* Its fields, taken once when the handshake ended. */
		ck_assert_ptr_nonnull(cc = ssl_sock_client_cert(r.srv.c));
		ck_assert_ptr_eq(cc, ssl_sock_client_cert(r.srv.c));
		ck_assert_int_eq(cc->verify, X509_V_OK);
		ck_assert_str_eq(cc->verify_text, "SUCCESS");
		ck_assert_str_eq(cc->cn, "gatehouse test client");
		ck_assert_str_eq(cc->subject, "CN=gatehouse test client");
		ck_assert_str_eq(cc->issuer, "CN=gatehouse test CA");
		ck_assert_uint_gt(strlen(cc->serial), 0);
		ck_assert_uint_eq(strlen(cc->sha256), 64);
		/* The server's certificate is not a client certificate. */
		ck_assert_ptr_null(ssl_sock_client_cert(r.cli.c));
		run_free(&r);
		run_conn(&r, SRV_TLS, sctx, apart, "localhost", "localhost",
		    HS_TIMEOUT_MS);
		assert_exchanged(&r);
		run_free(&r);

		run_conn(&r, SRV_TLS, sctx, none, "localhost", "localhost",
		    HS_TIMEOUT_MS);
		ck_assert(!r.srv.ok);
		ck_assert_msg(strstr(r.srv.reason, "certificate") != NULL,
		    "%s", r.srv.reason);
		if (vers[i] == TLS1_2_VERSION)
			ck_assert(!r.cli.ok);
		else
			ck_assert(!r.cli.ok || r.cli.rerr != 0);
		ck_assert_uint_eq(r.cli.ngot, 0);
		run_free(&r);
		SSL_CTX_free(sctx);
	}
	SSL_CTX_free(none);
	SSL_CTX_free(apart);
	SSL_CTX_free(pem);
}
END_TEST

/* A server that accepts and says nothing: the ClientHello went out
 * without waiting for it, and the timeout ends the handshake once. */
START_TEST(timeout)
{
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	struct timespec t0, t1;
	unsigned char hello[8];
	struct run r;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_conn(&r, SRV_SILENT, NULL, cctx, "localhost", "localhost", 200);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_cli_failed(&r, "handshake timeout");
	ck_assert_str_eq(r.cli.reason, "handshake timeout");
	ck_assert_msg(ms >= 190 && ms < GUARD_MS, "%ld ms", ms);
	ck_assert_int_ne(r.sfd, -1);
	/* A TLS handshake record: type 22, version 3.x. */
	ck_assert_int_ge(recv(r.sfd, hello, sizeof(hello), MSG_DONTWAIT), 5);
	ck_assert_uint_eq(hello[0], 22);
	ck_assert_uint_eq(hello[1], 3);
	run_free(&r);
	SSL_CTX_free(cctx);
}
END_TEST

START_TEST(server_closes)
{
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	struct run r;

	run_conn(&r, SRV_CLOSE, NULL, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	ck_assert_str_eq(r.cli.reason, "server closed");
	run_free(&r);
	run_conn(&r, SRV_RESET, NULL, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	ck_assert_str_eq(r.cli.reason, strerror(ECONNRESET));
	run_free(&r);
	SSL_CTX_free(cctx);
}
END_TEST

/* ---- ssl_sock_resumed ---- */

/* The second connection resumes the first's session, learnt from the
 * new-session callback: a ticket after the handshake in TLS 1.3, the
 * session at its end in TLS 1.2. <cipher> is what the server picks. */
static void
resume(int max_ver, const char *version, const char *cipher)
{
	SSL_CTX *sctx = srv_ctx("server.pem", max_ver, NULL);
	SSL_CTX *cctx = cli_ctx(1, "ca.pem", NULL, NULL);
	struct run r;

	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_str_eq(ssl_sock_version(r.cli.c), version);
	ck_assert_str_eq(ssl_sock_cipher(r.cli.c), cipher);
	ck_assert_int_eq(ssl_sock_resumed(r.cli.c), 0);
	run_free(&r);

	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_int_eq(ssl_sock_resumed(r.cli.c), 1);
	ck_assert_int_eq(ssl_sock_resumed(r.srv.c), 1);
	ck_assert_str_eq(ssl_sock_version(r.cli.c), version);
	run_free(&r);

	/* And again, from the session the resumed one left. */
	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "localhost",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_int_eq(ssl_sock_resumed(r.cli.c), 1);
	run_free(&r);

	/* Another name checked: the session does not vouch for it. */
	run_conn(&r, SRV_TLS, sctx, cctx, "localhost", "127.0.0.1",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_int_eq(ssl_sock_resumed(r.cli.c), 0);
	run_free(&r);
	/* Another SNI name: nor for that one. */
	run_conn(&r, SRV_TLS, sctx, cctx, "other.test", "127.0.0.1",
	    HS_TIMEOUT_MS);
	assert_exchanged(&r);
	ck_assert_int_eq(ssl_sock_resumed(r.cli.c), 0);
	run_free(&r);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

START_TEST(resume_tls13)
{
	resume(0, "TLSv1.3", "TLS_AES_128_GCM_SHA256");
}
END_TEST

START_TEST(resume_tls12)
{
	resume(TLS1_2_VERSION, "TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256");
}
END_TEST

/* Plain connections are no TLS ones. */
START_TEST(not_tls)
{
	struct conn *c = conn_new(&w, -1);
	size_t len;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(ssl_sock_version(c));
	ck_assert_ptr_null(ssl_sock_cipher(c));
	ck_assert_ptr_null(ssl_sock_sni(c));
	ck_assert_ptr_null(ssl_sock_alpn(c, &len));
	ck_assert_int_eq(ssl_sock_resumed(c), 0);
	ck_assert_ptr_null(ssl_sock_client_cert(c));
	conn_free(c);
}
END_TEST

static Suite *
ssl_client_suite(void)
{
	Suite *s = suite_create("ssl_client");
	TCase *tc;

	tc = tcase_create("ssl_ctx_new_client");
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_checked_fixture(tc, worker_setup, worker_teardown);
	tcase_add_test(tc, ctx_settings);
	tcase_add_test(tc, ctx_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("ssl_sock_connect");
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_checked_fixture(tc, worker_setup, worker_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, verify_ok);
	tcase_add_test(tc, own_pool);
	tcase_add_test(tc, wrong_name);
	tcase_add_test(tc, wrong_ca);
	tcase_add_test(tc, verify_off);
	tcase_add_test(tc, client_cert);
	tcase_add_test(tc, timeout);
	tcase_add_test(tc, server_closes);
	tcase_add_test(tc, not_tls);
	suite_add_tcase(s, tc);

	tc = tcase_create("ssl_sock_resumed");
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_checked_fixture(tc, worker_setup, worker_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, resume_tls13);
	tcase_add_test(tc, resume_tls12);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ssl_client_suite)
