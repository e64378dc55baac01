/* Unit tests of runtime.c: two runtimes from two different
 * configurations live side by side in one process (what a reload needs):
 * each is built, bound, started, forwards a connection to its own
 * backend, counts only its own connections, and is stopped and freed,
 * leaving nothing behind (run under ASan: no leak). A second runtime on
 * an address the first listens on fails to bind. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "check_main.h"
#include "listener.h"
#include "log.h"
#include "runtime.h"
#include "ssl_ctx.h"
#include "ssl_sock.h"

/* How long any one wait may take. */
#define WAIT_MS 5000

static char err[1024];

/* A listening socket on 127.0.0.1, port chosen by the kernel: the
 * backend. Returns the fd; its port in <port>. */
static int
backend_listen(unsigned int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Waits (bounded) until <fd> is readable. */
static void
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "nothing within %d ms",
	    WAIT_MS);
}

/* Reads exactly <len> bytes from <fd> into <buf> (bounded). */
static void
read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		wait_readable(fd);
		n = read(fd, buf + got, len - got);
		ck_assert_msg(n > 0, "read: %zd (%s)", n, strerror(errno));
		got += (size_t)n;
	}
}

/* The configuration <text>, its first bind moved to port 0 (the
 * parser rightly refuses port 0; runtime_bind() takes the port the
 * kernel chooses). */
static struct cfg *
load(const char *text)
{
	struct cfg *c;

	c = cfg_load_buf("t.conf", text, strlen(text), err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	((struct sockaddr_in *)(void *)&c->frontends[0].binds[0].addr)->
	    sin_port = 0;
	return c;
}

/* Builds, binds and starts a runtime of <c>; its port in <port>. */
static struct runtime *
run(const struct cfg *c, unsigned int *port)
{
	struct sockaddr_storage ss;
	struct runtime *rt;

	ck_assert_msg(runtime_new(c, &rt, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(runtime_bind(rt, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ne(runtime_bound_addr(rt, 0, 0, &ss), 0);
	*port = ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
	ck_assert_uint_ne(*port, 0);
	ck_assert_msg(runtime_start(rt, err, sizeof(err)) == 0, "%s", err);
	return rt;
}

static int
client_connect(unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(fd, -1);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
	    "connect to %u: %s", port, strerror(errno));
	return fd;
}

/* One connection through <rt> (gatehouse on <port>) to the backend
 * listening on <be>: <ping> goes to the backend, <pong> comes back.
 * While it is open, <rt> counts it and <other> (unless NULL) does
 * not. */
static void
forward(struct runtime *rt, struct runtime *other, unsigned int port,
    int be, const char *ping, const char *pong)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char buf[64];
	int cli, srv, i;

	cli = client_connect(port);
	ck_assert_int_eq(write(cli, ping, strlen(ping)), (ssize_t)strlen(ping));
	wait_readable(be);
	srv = accept(be, NULL, NULL);
	ck_assert_int_ne(srv, -1);
	read_all(srv, buf, strlen(ping));
	ck_assert(memcmp(buf, ping, strlen(ping)) == 0);
	ck_assert_uint_eq(atomic_load(&rt->cur_conns), 1);
	if (other != NULL)
		ck_assert_uint_eq(atomic_load(&other->cur_conns), 0);
	ck_assert_int_eq(write(srv, pong, strlen(pong)), (ssize_t)strlen(pong));
	read_all(cli, buf, strlen(pong));
	ck_assert(memcmp(buf, pong, strlen(pong)) == 0);
	close(srv);
	close(cli);
	/* Gone from the count once the worker has seen both closes. */
	for (i = 0; i < WAIT_MS && atomic_load(&rt->cur_conns) != 0; i++)
		nanosleep(&ms, NULL);
	ck_assert_uint_eq(atomic_load(&rt->cur_conns), 0);
}

/* Stops <rt>, waits (bounded) for its workers, joins and frees it. */
static void
finish(struct runtime *rt)
{
	struct timespec ms = { 0, 1000 * 1000 };
	int i;

	runtime_stop(rt, 0);
	for (i = 0; i < WAIT_MS && !runtime_done(rt); i++)
		nanosleep(&ms, NULL);
	ck_assert_msg(runtime_done(rt), "workers still running");
	runtime_join(rt);
	runtime_free(rt);
}

static const char conf_a[] =
    "global\n"
    "    workers 2\n"
    "    maxconn 100\n"
    "    log none\n"
    "frontend a\n"
    "    mode tcp\n"
    "    bind 127.0.0.1:1\n"
    "    default-backend ba\n"
    "backend ba\n"
    "    mode tcp\n"
    "    server s 127.0.0.1:%u\n";

/* Another shape: one worker, a backup server with a health check (a
 * control thread), which never answers: the first server stays the one
 * used. */
static const char conf_b[] =
    "global\n"
    "    workers 1\n"
    "    maxconn 50\n"
    "    grace 1s\n"
    "    log none\n"
    "frontend b\n"
    "    mode tcp\n"
    "    bind 127.0.0.1:1\n"
    "    default-backend bb\n"
    "backend bb\n"
    "    mode tcp\n"
    "    check tcp interval 100ms\n"
    "    server s 127.0.0.1:%u\n"
    "    server spare 127.0.0.1:%u backup check\n";

START_TEST(test_two_side_by_side)
{
	char text_a[1024], text_b[1024];
	struct runtime *a, *b;
	unsigned int be_a_port, be_b_port, dead_port, pa, pb;
	struct cfg *ca, *cb;
	int be_a, be_b, dead;

	be_a = backend_listen(&be_a_port);
	be_b = backend_listen(&be_b_port);
	/* A port nothing listens on: bound, never listening. */
	dead = backend_listen(&dead_port);
	close(dead);
	snprintf(text_a, sizeof(text_a), conf_a, be_a_port);
	snprintf(text_b, sizeof(text_b), conf_b, be_b_port, dead_port);
	ca = load(text_a);
	cb = load(text_b);
	a = run(ca, &pa);
	b = run(cb, &pb);
	ck_assert_uint_ne(pa, pb);
	ck_assert_ptr_ne(a->workers, b->workers);
	ck_assert_uint_eq(a->nworkers, 2);
	ck_assert_uint_eq(b->nworkers, 1);
	ck_assert_uint_eq(a->maxconn, 100);
	ck_assert_uint_eq(b->maxconn, 50);
	ck_assert_ptr_null(a->health);
	ck_assert_ptr_nonnull(b->health);
	forward(a, b, pa, be_a, "ping a\n", "pong a\n");
	forward(b, a, pb, be_b, "ping b\n", "pong b\n");
	/* Both again, the other way round: neither stopped the other. */
	forward(b, a, pb, be_b, "again b\n", "again b too\n");
	forward(a, b, pa, be_a, "again a\n", "again a too\n");
	finish(a);
	/* The first gone, the second still serves. */
	forward(b, NULL, pb, be_b, "alone b\n", "alone\n");
	finish(b);
	cfg_free(ca);
	cfg_free(cb);
	close(be_a);
	close(be_b);
}
END_TEST

START_TEST(test_bind_in_use)
{
	char text[1024], want[128];
	struct sockaddr_storage ss;
	unsigned int be_port, pa;
	struct runtime *a, *b;
	struct cfg *ca, *cb;
	int be;

	be = backend_listen(&be_port);
	snprintf(text, sizeof(text), conf_a, be_port);
	ca = load(text);
	cb = load(text);
	a = run(ca, &pa);
	ck_assert_int_ne(runtime_bound_addr(a, 0, 0, &ss), 0);
	/* The second on the very address of the first. */
	memcpy(&cb->frontends[0].binds[0].addr, &ss, sizeof(ss));
	ck_assert_int_eq(runtime_new(cb, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(runtime_bind(b, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "bind 127.0.0.1:1: address already in "
	    "use");
	ck_assert_msg(strstr(err, want) != NULL, "'%s'", err);
	runtime_free(b);
	/* The first still serves. */
	forward(a, NULL, pa, be, "still\n", "here\n");
	finish(a);
	cfg_free(ca);
	cfg_free(cb);
	close(be);
}
END_TEST

START_TEST(test_stop_twice)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char text[1024], buf[8];
	unsigned int be_port, pa;
	struct runtime *rt;
	struct cfg *c;
	int be, cli, srv, i;

	/* The default grace (30 s) with a connection open: a first stop
	 * waits for it, a second one closes it at once. */
	be = backend_listen(&be_port);
	snprintf(text, sizeof(text), conf_a, be_port);
	c = load(text);
	rt = run(c, &pa);
	cli = client_connect(pa);
	ck_assert_int_eq(write(cli, "x", 1), 1);
	wait_readable(be);
	ck_assert_int_ne(srv = accept(be, NULL, NULL), -1);
	read_all(srv, buf, 1);
	runtime_stop(rt, 0);
	for (i = 0; i < 300; i++)
		nanosleep(&ms, NULL);
	ck_assert_msg(!runtime_done(rt), "stopped before its connection");
	runtime_stop(rt, 0);
	for (i = 0; i < WAIT_MS && !runtime_done(rt); i++)
		nanosleep(&ms, NULL);
	ck_assert_msg(runtime_done(rt), "a second stop did not end it");
	/* The client sees its connection closed. */
	wait_readable(cli);
	ck_assert_int_le(read(cli, buf, sizeof(buf)), 0);
	runtime_join(rt);
	runtime_free(rt);
	close(cli);
	close(srv);
	close(be);
	cfg_free(c);
}
END_TEST

START_TEST(test_free_unbound)
{
	char text[1024];
	struct runtime *rt;
	struct cfg *c;

	/* What -c does: built, checked, freed; nothing bound or started. */
	snprintf(text, sizeof(text), conf_a, 9);
	c = load(text);
	ck_assert_msg(runtime_new(c, &rt, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(rt->nstarted, 0);
	ck_assert(runtime_done(rt));
	runtime_join(rt);
	runtime_free(rt);
	runtime_free(NULL);
	cfg_free(c);
}
END_TEST

static Suite *
runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc;

	ssl_init();
	if (ssl_sock_init() < 0)
		abort();
	log_set_quiet(1);
	tc = tcase_create("runtime_new");
	tcase_add_test(tc, test_free_unbound);
	suite_add_tcase(s, tc);
	tc = tcase_create("runtime_start");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_two_side_by_side);
	suite_add_tcase(s, tc);
	tc = tcase_create("runtime_bind");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bind_in_use);
	suite_add_tcase(s, tc);
	tc = tcase_create("runtime_stop");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stop_twice);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(runtime_suite)
