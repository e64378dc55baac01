/* Check suite for the session (src/session*.c) and its protocols: a
 * session driven through a test endpoint (bytes in memory, no socket),
 * on a worker of a runtime that is built but never started. Shows that
 * the session's client side is an interface, not a connection. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cfg.h"
#include "conn.h"
#include "endpoint.h"
#include "listener.h"
#include "proto.h"
#include "runtime.h"
#include "session.h"
#include "worker.h"
#include "check_main.h"

/* The test endpoint: reads <in>, writes to <out>. */
struct test_ep {
	struct endpoint ep;
	struct conn conn;       /* what the session asks of the connection
	                           it travels on: addresses, no TLS */
	const char *in;
	size_t in_len, in_off;
	int in_eof;             /* EOF after <in> */
	char out[8192];
	size_t out_len;
	int shut;               /* shutw was called */
	int want_r, want_w;
	int freed;
};

static struct test_ep *
test_ep_of(const struct endpoint *e)
{
	return (struct test_ep *)(void *)((char *)e -
	    offsetof(struct test_ep, ep));
}

static ssize_t
test_recv(struct endpoint *e, void *buf, size_t len)
{
	struct test_ep *t = test_ep_of(e);
	size_t n = t->in_len - t->in_off;

	if (n == 0) {
		if (t->in_eof)
			return 0;
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, t->in + t->in_off, n);
	t->in_off += n;
	return (ssize_t)n;
}

static ssize_t
test_send(struct endpoint *e, const void *buf, size_t len)
{
	struct test_ep *t = test_ep_of(e);

	ck_assert(!t->shut);
	ck_assert_uint_le(t->out_len + len, sizeof(t->out) - 1);
	memcpy(t->out + t->out_len, buf, len);
	t->out_len += len;
	t->out[t->out_len] = '\0';
	return (ssize_t)len;
}

static int
test_flush(struct endpoint *e)
{
	(void)e;
	return 0;
}

static int
test_shutw(struct endpoint *e)
{
	test_ep_of(e)->shut = 1;
	return 0;
}

static int
test_pending(const struct endpoint *e)
{
	(void)e;
	return 0;
}

static void
test_want(struct endpoint *e, int rd, int wr)
{
	test_ep_of(e)->want_r = rd;
	test_ep_of(e)->want_w = wr;
}

static void
test_free(struct endpoint *e)
{
	test_ep_of(e)->freed = 1;
}

static const struct endpoint_ops test_ops = {
	.recv = test_recv, .send = test_send, .flush = test_flush,
	.shutw = test_shutw, .pending = test_pending, .want = test_want,
	.free = test_free,
};

static struct cfg *cfg;
static struct runtime *rt;

static void
setup(void)
{
	static const char text[] =
	    "global\n"
	    "    workers 1\n"
	    "    maxconn 100\n"
	    "defaults\n"
	    "    mode http\n"
	    "frontend f\n"
	    "    bind 127.0.0.1:1\n"
	    "    http-request deny if path-prefix /internal/\n"
	    "    http-response set-header X-Test yes\n"
	    "    use-backend web if path-prefix /web/\n"
	    "backend web\n"
	    "    server s 127.0.0.1:1\n";
	char err[512];

	cfg = cfg_load_buf("t.conf", text, sizeof(text) - 1, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_msg(runtime_new(cfg, &rt, err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	runtime_free(rt);
	cfg_free(cfg);
}

/* Hands <t> to frontend 0's protocol as a client that sent <in>, counted
 * as the accept would. */
static void
test_accept(struct test_ep *t, const char *in, int eof)
{
	struct worker *w = &rt->workers[0];
	struct frontend *fe = &rt->frontends[0];

	memset(t, 0, sizeof(*t));
	t->in = in;
	t->in_len = strlen(in);
	t->in_eof = eof;
	t->conn.xprt = &xprt_raw;
	t->conn.fd = -1;
	t->conn.peer.in.sin_family = AF_INET;
	t->ep = (struct endpoint){ .ops = &test_ops,
	    .flags = CO_F_RDY_R | CO_F_RDY_W, .fd = -1, .conn = &t->conn };
	atomic_fetch_add(&rt->cur_conns, 1);
	atomic_fetch_add(&fe->cur_conns, 1);
	w->nconns++;
	ck_assert_int_eq(fe->proto->accept(w, fe, &t->ep), 0);
}

/* Wakes the session of <t> as its events would, until it ends or has
 * nothing more to do. */
static void
test_run(struct test_ep *t)
{
	int i;

	for (i = 0; i < 100 && !t->freed; i++) {
		if (t->want_r && t->in_off < t->in_len)
			t->ep.flags |= CO_F_RDY_R;
		else if (t->want_r && t->in_eof)
			t->ep.flags |= CO_F_RDY_R;
		else
			break;
		t->ep.cb(&t->ep, EV_READ);
	}
}

START_TEST(http_no_route)
{
	struct test_ep t;

	test_accept(&t, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	test_run(&t);
	ck_assert_msg(strncmp(t.out, "HTTP/1.1 404 Not Found\r\n", 24) == 0,
	    "%s", t.out);
	ck_assert_msg(strstr(t.out, "\r\nX-Test: yes\r\n") != NULL, "%s", t.out);
	ck_assert(strstr(t.out, "Connection: close\r\n") != NULL);
	ck_assert(t.shut);
	ck_assert(t.freed);
	ck_assert_uint_eq(atomic_load(&rt->frontends[0].http_own), 1);
	ck_assert_uint_eq(atomic_load(&rt->frontends[0].http_class[4]), 1);
	ck_assert_uint_eq(atomic_load(&rt->cur_conns), 0);
}
END_TEST

START_TEST(http_deny_pipelined)
{
	struct test_ep t;

	/* The first request is refused; what follows it is not read as a
	 * request. */
	test_accept(&t, "GET /internal/a HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	test_run(&t);
	ck_assert_msg(strncmp(t.out, "HTTP/1.1 403 Forbidden\r\n", 24) == 0,
	    "%s", t.out);
	ck_assert(strstr(t.out + 1, "HTTP/1.1") == NULL);
	ck_assert(t.freed);
}
END_TEST

START_TEST(http_bad_request)
{
	struct test_ep t;

	test_accept(&t, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n"
	    "\r\n", 1);
	test_run(&t);
	ck_assert_msg(strncmp(t.out, "HTTP/1.1 400 Bad Request\r\n", 26) == 0,
	    "%s", t.out);
	ck_assert(t.freed);
}
END_TEST

START_TEST(http_waits_for_header)
{
	struct test_ep t;

	/* Half a header: nothing answered, the session wants more. */
	test_accept(&t, "GET / HTTP/1.1\r\nHo", 0);
	test_run(&t);
	ck_assert_uint_eq(t.out_len, 0);
	ck_assert(t.want_r);
	ck_assert(!t.freed);
	/* The client leaves: the session ends without a word. */
	t.in_eof = 1;
	test_run(&t);
	ck_assert_uint_eq(t.out_len, 0);
	ck_assert(t.freed);
}
END_TEST

START_TEST(http_idle_close)
{
	struct test_ep t;

	/* A connection that said nothing: closed by a stopping worker. */
	test_accept(&t, "", 0);
	test_run(&t);
	ck_assert(!t.freed);
	session_stop_idle(&rt->workers[0]);
	ck_assert(t.freed);
	ck_assert_uint_eq(t.out_len, 0);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("endpoint");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, http_no_route);
	tcase_add_test(tc, http_deny_pipelined);
	tcase_add_test(tc, http_bad_request);
	tcase_add_test(tc, http_waits_for_header);
	tcase_add_test(tc, http_idle_close);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(session_suite)
