/* Check suite for src/http_resp.c: the response analyzer and gatehouse's
 * own responses, driven on byte buffers through struct http_ana. */
#include "check_http_ana.h"
#include "check_main.h"

static const char *const conf =
    "defaults\n"
    "    mode http\n"
    "frontend f\n"
    "    bind 127.0.0.1:1\n"
    "    hsts 600\n"
    "    http-response set-header Server gh\n"
    "    http-response del-header X-Powered-By\n"
    "    http-response del-header Cache-Control\n"
    "    default-backend web\n"
    "backend web\n"
    "    server s 127.0.0.1:2\n";

static struct ana_world w;

/* A request <r> analyzed, so that a response is awaited. */
static void
ask(const char *r)
{
	ana_feed(&w, &w.req, r, strlen(r));
	ck_assert_int_eq(http_req_analyze(&w.a), AN_DONE);
}

static enum an_ret
resp(const char *s)
{
	ana_feed(&w, &w.res, s, strlen(s));
	return http_resp_analyze(&w.a);
}

static void
setup_tls(void)
{
	ana_world_init(&w, conf, 1);
	ask("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
}

static void
teardown(void)
{
	ana_world_free(&w);
}

START_TEST(rewrite)
{
	char *out;

	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
	    "Connection: X-Secret\r\nX-Secret: 1\r\nX-Powered-By: php\r\n"
	    "Keep-Alive: timeout=1\r\nServer: py\r\n"
	    "Strict-Transport-Security: max-age=1\r\n\r\nab"), AN_MORE);
	ck_assert_int_eq(w.txn.res, HTTP_S_BODY_LEN);
	out = ana_fwd(&w.res);
	ck_assert_msg(strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", out);
	ck_assert(ana_has_line(out, "Content-Length: 4"));
	ck_assert(ana_has_line(out, "Server: gh"));
	ck_assert(ana_has_line(out, "Strict-Transport-Security: max-age=600"));
	ck_assert(strstr(out, "X-Secret") == NULL);
	ck_assert(strstr(out, "X-Powered-By") == NULL);
	ck_assert(strstr(out, "Keep-Alive") == NULL);
	ck_assert(strstr(out, "max-age=1\r") == NULL);
	ck_assert(strstr(out, "Server: py") == NULL);
	ck_assert_uint_eq(w.txn.status, 200);
	free(out);
	ck_assert_int_eq(resp("cd"), AN_DONE);
	ck_assert_int_eq(w.txn.res, HTTP_S_DONE);
	ck_assert_uint_eq(w.res.fwd, w.res.buf.data);
}
END_TEST

START_TEST(plain_no_hsts)
{
	char *out;

	ana_world_free(&w);
	ana_world_init(&w, conf, 0);
	ask("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	ck_assert_int_eq(resp("HTTP/1.1 204 No Content\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.res);
	ck_assert(strstr(out, "Strict-Transport-Security") == NULL);
	free(out);
}
END_TEST

START_TEST(stopping_closes)
{
	char *out;

	w.a.stopping = 1;
	ck_assert_int_eq(resp("HTTP/1.1 204 No Content\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.res);
	ck_assert(ana_has_line(out, "Connection: close"));
	ck_assert(w.txn.flags & TX_F_CLI_CLOSE);
	free(out);
}
END_TEST

START_TEST(interim)
{
	char *out;

	ck_assert_int_eq(resp("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.res);
	ck_assert_msg(strncmp(out, "HTTP/1.1 103 Early Hints\r\n", 26) == 0,
	    "%s", out);
	ck_assert(strstr(out, "HTTP/1.1 204 No Content\r\n") != NULL);
	free(out);
}
END_TEST

START_TEST(interim_http10)
{
	char *out;

	ana_world_free(&w);
	ana_world_init(&w, conf, 1);
	ask("GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(resp("HTTP/1.1 103 Early Hints\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n"), AN_DONE);
	out = ana_fwd(&w.res);
	ck_assert(strstr(out, "103") == NULL);
	free(out);
}
END_TEST

START_TEST(bad_framing)
{
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 502);
	ck_assert_uint_eq(w.res.fwd, 0);
}
END_TEST

START_TEST(switch_without_upgrade)
{
	ck_assert_int_eq(resp("HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: upgrade\r\n\r\n"), AN_ERROR);
	ck_assert_uint_eq(w.txn.status, 502);
}
END_TEST

START_TEST(reply_own)
{
	char *out;

	w.txn.status = 503;
	ck_assert_int_eq(http_reply(&w.a), 0);
	out = ana_fwd(&w.res);
	ck_assert_msg(strncmp(out, "HTTP/1.1 503 Service Unavailable\r\n", 34)
	    == 0, "%s", out);
	ck_assert(ana_has_line(out, "Server: gh"));
	ck_assert(ana_has_line(out, "Strict-Transport-Security: max-age=600"));
	ck_assert(ana_has_line(out, "Connection: close"));
	/* del-header removes gatehouse's own fields too, not its framing. */
	ck_assert(strstr(out, "Cache-Control") == NULL);
	ck_assert(strstr(out, "Content-Length: ") != NULL);
	ck_assert(strstr(out, "<h1>503 Service Unavailable</h1>") != NULL);
	ck_assert_int_eq(w.txn.res, HTTP_S_DONE);
	ck_assert(w.txn.flags & TX_F_CLI_CLOSE);
	free(out);
}
END_TEST

START_TEST(reply_redirect)
{
	char *out;

	w.txn.status = 308;
	w.txn.location = (struct ist){ "https://a/x", 11 };
	ck_assert_int_eq(http_reply(&w.a), 0);
	out = ana_fwd(&w.res);
	ck_assert(ana_has_line(out, "Location: https://a/x"));
	ck_assert(ana_has_line(out, "Content-Length: 0"));
	free(out);
}
END_TEST

static Suite *
http_resp_suite(void)
{
	Suite *s = suite_create("http_resp");
	TCase *tc = tcase_create("http_resp_analyze");
	TCase *tr = tcase_create("http_reply");

	tcase_add_checked_fixture(tc, setup_tls, teardown);
	tcase_add_test(tc, rewrite);
	tcase_add_test(tc, plain_no_hsts);
	tcase_add_test(tc, stopping_closes);
	tcase_add_test(tc, interim);
	tcase_add_test(tc, interim_http10);
	tcase_add_test(tc, bad_framing);
	tcase_add_test(tc, switch_without_upgrade);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tr, setup_tls, teardown);
	tcase_add_test(tr, reply_own);
	tcase_add_test(tr, reply_redirect);
	suite_add_tcase(s, tr);
	return s;
}

CHECK_MAIN(http_resp_suite)
