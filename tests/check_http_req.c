/* Check suite for src/http_req.c: the request analyzer driven on byte
 * buffers through struct http_ana, with no socket, session or worker. */
#include "check_http_ana.h"
#include "check_main.h"
#include "util.h"

static const char *const conf =
    "defaults\n"
    "    mode http\n"
    "frontend f\n"
    "    bind 127.0.0.1:1\n"
    "    http-request deny if path-prefix /internal/\n"
    "    http-request set-header X-Set new\n"
    "    http-request del-header X-Gone\n"
    "    use-backend api if path-prefix /api/\n"
    "    default-backend web\n"
    "    max-body-size 10\n"
    "backend web\n"
    "    server s 127.0.0.1:2\n"
    "backend api\n"
    "    balance uri\n"
    "    server a 127.0.0.1:3\n";

static struct ana_world w;

static enum an_ret
req(const char *s)
{
	ana_feed(&w, &w.req, s, strlen(s));
	return http_req_analyze(&w.a);
}

static void
setup(void)
{
	ana_world_init(&w, conf, 0);
}

static void
teardown(void)
{
	ana_world_free(&w);
}

START_TEST(rewrite)
{
	char *out;

	ck_assert_int_eq(req("GET /a?b HTTP/1.1\r\nHost: Example.COM:8080\r\n"
	    "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nX-Gone: 1\r\n"
	    "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-Proto: evil\r\n"
	    "X-Set: old\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.req);
	ck_assert_msg(strncmp(out, "GET /a?b HTTP/1.1\r\n", 19) == 0, "%s", out);
	ck_assert(ana_has_line(out, "Host: Example.COM:8080"));
	ck_assert(ana_has_line(out, "X-Forwarded-For: 198.51.100.1, 192.0.2.7"));
	ck_assert(ana_has_line(out, "X-Forwarded-Proto: http"));
	ck_assert(ana_has_line(out, "X-Set: new"));
	ck_assert(!ana_has_line(out, "X-Set: old"));
	ck_assert(!ana_has_line(out, "X-Hop: 1"));
	ck_assert(!ana_has_line(out, "X-Gone: 1"));
	ck_assert(strstr(out, "Connection") == NULL);
	ck_assert_uint_eq(strlen(out), w.req.buf.data);
	ck_assert_int_eq(w.txn.req, HTTP_S_DONE);
	ck_assert_int_eq(w.txn.res, HTTP_S_HDR);
	ck_assert_str_eq(w.txn.host, "example.com");
	ck_assert_str_eq(w.txn.line, "GET /a?b");
	ck_assert(w.txn.flags & TX_F_IDEMPOTENT);
	ck_assert_uint_eq(w.txn.route, w.a.fe->nroutes);
	free(out);
}
END_TEST

START_TEST(tls_proto)
{
	char *out;

	ana_world_free(&w);
	ana_world_init(&w, conf, 1);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.req);
	ck_assert(ana_has_line(out, "X-Forwarded-Proto: https"));
	free(out);
}
END_TEST

START_TEST(incremental)
{
	const char *s = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t i;

	for (i = 0; i + 1 < strlen(s); i++) {
		ana_feed(&w, &w.req, s + i, 1);
		ck_assert_int_eq(http_req_analyze(&w.a), AN_MORE);
		ck_assert_uint_eq(w.req.fwd, 0);
	}
	ana_feed(&w, &w.req, s + i, 1);
	ck_assert_int_eq(http_req_analyze(&w.a), AN_DONE);
	ck_assert_uint_gt(w.req.fwd, 0);
}
END_TEST

START_TEST(route_and_lb_key)
{
	ck_assert_int_eq(req("GET /api/v1?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"),
	    AN_DONE);
	ck_assert_uint_eq(w.txn.route, 0);
	ck_assert(w.txn.flags & TX_F_LB_KEY);
	ck_assert_uint_eq(w.txn.lb_hash, util_hash("/api/v1", 7));
}
END_TEST

START_TEST(no_route)
{
	w.cfg->frontends[0].default_backend = NULL;
	ck_assert_int_eq(req("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"), AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 404);
	ck_assert_uint_eq(w.req.fwd, 0);
}
END_TEST

START_TEST(deny)
{
	ck_assert_int_eq(req("GET /internal/x HTTP/1.1\r\nHost: a\r\n\r\n"),
	    AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 403);
	ck_assert_int_eq(w.txn.req, HTTP_S_DISCARD);
	ck_assert_uint_eq(w.req.fwd, 0);
}
END_TEST

START_TEST(smuggling)
{
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 400);
	ck_assert_uint_eq(w.req.fwd, 0);
}
END_TEST

START_TEST(body_length)
{
	size_t head;

	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "\r\nab"), AN_DONE);
	head = w.req.fwd;
	ck_assert_int_eq(w.txn.req, HTTP_S_BODY_LEN);
	ck_assert_int_eq(http_req_analyze(&w.a), AN_MORE);
	ck_assert_uint_eq(w.req.fwd, head + 2);
	ck_assert_int_eq(req("cdeGET"), AN_MORE);
	/* The body ends at its length; what follows is the next request's. */
	ck_assert_uint_eq(w.req.fwd, head + 5);
	ck_assert_int_eq(w.txn.req, HTTP_S_DONE);
	ck_assert(!(w.txn.flags & TX_F_IDEMPOTENT));
}
END_TEST

START_TEST(body_chunked_bad)
{
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), AN_DONE);
	ck_assert_int_eq(req("zz\r\n"), AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 400);
}
END_TEST

START_TEST(body_too_large)
{
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n"
	    "\r\n"), AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 413);
}
END_TEST

START_TEST(client_cert)
{
	struct ssl_client_cert cc = { .verify_text = "SUCCESS" };
	char *out;

	w.cfg->frontends[0].client_certs = 1;
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a\r\n"
	    "X-SSL-Client-Subject: forged\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.req);
	ck_assert(ana_has_line(out, "X-SSL-Client-Verify: NONE"));
	ck_assert(strstr(out, "forged") == NULL);
	free(out);

	ana_world_free(&w);
	ana_world_init(&w, conf, 1);
	w.cfg->frontends[0].client_certs = 1;
	strcpy(cc.subject, "CN=client,O=Test");
	strcpy(cc.sha256, "ab01");
	w.a.cli.cert = &cc;
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.req);
	ck_assert(ana_has_line(out, "X-SSL-Client-Verify: SUCCESS"));
	ck_assert(ana_has_line(out, "X-SSL-Client-Subject: CN=client,O=Test"));
	ck_assert(ana_has_line(out, "X-SSL-Client-SHA256: ab01"));
	free(out);
}
END_TEST

START_TEST(discard_after_error)
{
	ck_assert_int_eq(req("GET /internal/ HTTP/1.1\r\nHost: a\r\n\r\n"),
	    AN_ERROR);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), AN_MORE);
	ck_assert_uint_eq(w.req.buf.data, 0);
}
END_TEST

static Suite *
http_req_suite(void)
{
	Suite *s = suite_create("http_req");
	TCase *tc = tcase_create("http_req_analyze");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rewrite);
	tcase_add_test(tc, tls_proto);
	tcase_add_test(tc, incremental);
	tcase_add_test(tc, route_and_lb_key);
	tcase_add_test(tc, no_route);
	tcase_add_test(tc, deny);
	tcase_add_test(tc, smuggling);
	tcase_add_test(tc, body_length);
	tcase_add_test(tc, body_chunked_bad);
	tcase_add_test(tc, body_too_large);
	tcase_add_test(tc, client_cert);
	tcase_add_test(tc, discard_after_error);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(http_req_suite)
