/* Check suite for src/http_parse.c: one test per rule and per limit. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "check_main.h"

static const struct http_limits lim = { 256, 1024, 10 };
static struct http_msg m;

static int
req(const char *s)
{
	return http_parse_request(s, strlen(s), &lim, &m);
}

static int
resp(const char *s, unsigned int req_flags)
{
	return http_parse_response(s, strlen(s), &lim, req_flags, &m);
}

START_TEST(req_simple)
{
	ck_assert_int_eq(req("GET /a?b HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\nBODY"),
	    HTTP_P_DONE);
	ck_assert_uint_eq(m.method.len, 3);
	ck_assert_mem_eq(m.uri.ptr, "/a?b", 4);
	ck_assert_uint_eq(m.version, 11);
	ck_assert_uint_eq(m.nhdrs, 2);
	ck_assert_uint_eq(m.hdrs[1].value.len, 3);
	ck_assert_mem_eq(m.hdrs[1].value.ptr, "*/*", 3);
	ck_assert_uint_eq(m.head_len, strlen("GET /a?b HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\n"));
	ck_assert_int_eq(m.body, HTTP_BODY_NONE);
	ck_assert_ptr_nonnull(http_find_hdr(&m, "HOST"));
	ck_assert_ptr_null(http_find_hdr(&m, "cookie"));
}
END_TEST

START_TEST(req_incremental)
{
	const char *s = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
	size_t i;

	for (i = 0; i < strlen(s); i++)
		ck_assert_int_eq(http_parse_request(s, i, &lim, &m), HTTP_P_MORE);
	ck_assert_int_eq(http_parse_request(s, strlen(s), &lim, &m), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_LENGTH);
	ck_assert_uint_eq(m.length, 5);
}
END_TEST

START_TEST(req_http10)
{
	ck_assert_int_eq(req("GET / HTTP/1.0\r\n\r\n"), HTTP_P_DONE);
	ck_assert_uint_eq(m.version, 10);
	ck_assert_int_eq(req("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
}
END_TEST

START_TEST(req_line_errors)
{
	ck_assert_int_eq(req("GET /  HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req(" GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / http/1.1\r\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
	ck_assert_int_eq(req("GET / HTTP/1.2\r\nHost: x\r\n\r\n"), 505);
	ck_assert_int_eq(req("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"), 501);
}
END_TEST

START_TEST(req_bare_cr_lf_nul)
{
	ck_assert_int_eq(req("GET / HTTP/1.1\nHost: x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\n\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n"), 400);
	ck_assert_int_eq(http_parse_request("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n",
	    28, &lim, &m), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n"), 400);
	/* A CR as the last byte so far: wait for its LF. */
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r"), HTTP_P_MORE);
}
END_TEST

START_TEST(req_field_errors)
{
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
	ck_assert_str_eq(m.why, "whitespace before colon");
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"), 400);
	ck_assert_str_eq(m.why, "obs-fold line");
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\nAb\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\nA[b]: c\r\n\r\n"), 400);
}
END_TEST

START_TEST(req_host)
{
	ck_assert_int_eq(req("GET / HTTP/1.1\r\n\r\n"), 400);
	ck_assert_str_eq(m.why, "no Host");
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), 400);
	ck_assert_str_eq(m.why, "more than one Host");
	/* Values another server could read as a different host. */
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
	ck_assert_str_eq(m.why, "bad Host");
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), 400);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: [::1]:443\r\n\r\n"), HTTP_P_DONE);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n"), HTTP_P_DONE);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: \r\n\r\n"), HTTP_P_DONE);
}
END_TEST

START_TEST(req_content_length)
{
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_NONE);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n"), HTTP_P_DONE);
	ck_assert_uint_eq(m.length, 7);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7, 8\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +7\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 400);
}
END_TEST

START_TEST(req_transfer_encoding)
{
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_CHUNKED);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_CHUNKED);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), 400);
	ck_assert_str_eq(m.why, "both Content-Length and Transfer-Encoding");
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked \"x\"\r\n\r\n"), 400);
	ck_assert_int_eq(req("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
}
END_TEST

START_TEST(req_connection_flags)
{
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, Upgrade\r\nUpgrade: websocket\r\nExpect: 100-continue\r\n\r\n"), HTTP_P_DONE);
	ck_assert_uint_eq(m.flags, HTTP_F_CONN_KEEPALIVE | HTTP_F_CONN_UPGRADE |
	    HTTP_F_UPGRADE | HTTP_F_EXPECT_CONTINUE);
	ck_assert_int_eq(req("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), HTTP_P_DONE);
	ck_assert_uint_eq(m.flags, HTTP_F_HEAD | HTTP_F_CONN_CLOSE);
	/* Connection naming other fields: those are hop-by-hop too. */
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\nConnection: close, X-Hop\r\n\r\n"), HTTP_P_DONE);
	ck_assert_uint_eq(m.flags, HTTP_F_CONN_CLOSE | HTTP_F_CONN_OTHER);
}
END_TEST

START_TEST(req_limits)
{
	char big[2048];

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	ck_assert_int_eq(http_parse_request(big, 300, &lim, &m), 414);
	ck_assert_int_eq(http_parse_request(big, 200, &lim, &m), HTTP_P_MORE);
	memcpy(big, "GET / HTTP/1.1\r\nHost: x\r\nA: ", 28);
	ck_assert_int_eq(http_parse_request(big, 1025, &lim, &m), 431);
	/* Still incomplete with the buffer at the limit: it cannot fit. */
	ck_assert_int_eq(http_parse_request(big, lim.max_head, &lim, &m), 431);
	ck_assert_int_eq(http_parse_request(big, lim.max_head - 1, &lim, &m),
	    HTTP_P_MORE);
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\n1: a\r\n2: a\r\n3: a\r\n4: a\r\n5: a\r\n6: a\r\n7: a\r\n8: a\r\n9: a\r\n10: a\r\n\r\n"), 431);
	ck_assert_str_eq(m.why, "too many header fields");
	ck_assert_int_eq(req("GET / HTTP/1.1\r\nHost: x\r\n1: a\r\n2: a\r\n3: a\r\n4: a\r\n5: a\r\n6: a\r\n7: a\r\n8: a\r\n\r\n"), HTTP_P_DONE);
}
END_TEST

START_TEST(resp_simple)
{
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 0), HTTP_P_DONE);
	ck_assert_uint_eq(m.status, 200);
	ck_assert_int_eq(m.body, HTTP_BODY_LENGTH);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\n\r\n", 0), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_CLOSE);
	ck_assert_int_eq(resp("HTTP/1.1 204\r\n\r\n", 0), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_NONE);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", HTTP_F_HEAD), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_NONE);
	ck_assert_int_eq(resp("HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n", 0), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_NONE);
	ck_assert_int_eq(resp("HTTP/1.1 100 Continue\r\n\r\n", 0), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_NONE);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0), HTTP_P_DONE);
	ck_assert_int_eq(m.body, HTTP_BODY_CLOSE);
}
END_TEST

START_TEST(resp_errors)
{
	ck_assert_int_eq(resp("HTTP/1.1 2000 OK\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/1.1 20x OK\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/1.1 099 OK\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("ICY 200 OK\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/2.0 200 OK\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("garbage\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n", 0), 400);
	ck_assert_int_eq(resp("HTTP/1.1 200 OK\r\nA : b\r\n\r\n", 0), 400);
}
END_TEST

static long
chunks(struct http_chunk *c, const char *s, const char **why)
{
	return http_chunk_parse(c, s, strlen(s), why);
}

START_TEST(chunk_whole)
{
	const char *s = "5\r\nhello\r\n1a;ext=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\nNEXT";
	struct http_chunk c = { 0, 0 };
	const char *why = NULL;

	ck_assert_int_eq(chunks(&c, s, &why), (long)strlen(s) - 4);
	ck_assert_int_eq(c.state, HTTP_CH_DONE);
}
END_TEST

START_TEST(chunk_bytewise)
{
	const char *s = "A\r\n0123456789\r\n0\r\n\r\n";
	struct http_chunk c = { 0, 0 };
	const char *why = NULL;
	size_t have = 0, used = 0, n = strlen(s);
	long r;

	/* Bytes arrive one at a time; what is not consumed is offered again. */
	while (have < n) {
		have++;
		r = http_chunk_parse(&c, s + used, have - used, &why);
		ck_assert_int_ge(r, 0);
		used += (size_t)r;
	}
	ck_assert_uint_eq(used, n);
	ck_assert_int_eq(c.state, HTTP_CH_DONE);
}
END_TEST

START_TEST(chunk_errors)
{
	static const char *bad[] = {
		"x\r\n", "\r\n", "5\nhello\r\n", "5\r\nhelloXX", "-5\r\n",
		"5 5\r\n", "11111111111111111\r\n", "0\r\n : v\r\n\r\n",
		"0\r\nnocolon\r\n\r\n", "5\r\nhello\r\r\n",
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_chunk c = { 0, 0 };

		why = NULL;
		ck_assert_msg(chunks(&c, bad[i], &why) == -400,
		    "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(chunk_long_line)
{
	char line[HTTP_CHUNK_MAX_LINE + 10];
	struct http_chunk c = { 0, 0 };
	const char *why;

	memset(line, '0', sizeof(line));
	line[0] = '1';
	line[1] = ';';
	ck_assert_int_eq(http_chunk_parse(&c, line, sizeof(line), &why), -400);
	ck_assert_str_eq(why, "chunk line too long");
}
END_TEST

static Suite *
http_parse_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc;

	tc = tcase_create("http_parse_request");
	tcase_add_test(tc, req_simple);
	tcase_add_test(tc, req_incremental);
	tcase_add_test(tc, req_http10);
	tcase_add_test(tc, req_line_errors);
	tcase_add_test(tc, req_bare_cr_lf_nul);
	tcase_add_test(tc, req_field_errors);
	tcase_add_test(tc, req_host);
	tcase_add_test(tc, req_content_length);
	tcase_add_test(tc, req_transfer_encoding);
	tcase_add_test(tc, req_connection_flags);
	tcase_add_test(tc, req_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("http_parse_response");
	tcase_add_test(tc, resp_simple);
	tcase_add_test(tc, resp_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("http_chunk_parse");
	tcase_add_test(tc, chunk_whole);
	tcase_add_test(tc, chunk_bytewise);
	tcase_add_test(tc, chunk_errors);
	tcase_add_test(tc, chunk_long_line);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(http_parse_suite)
