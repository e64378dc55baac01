/* Check suite for src/backend.c: building the run-time backends, the round
 * robin walk and the failover order within a walk. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "check_main.h"

static struct cfg_server servers[3] = {
	{ .name = "a" }, { .name = "b" }, { .name = "c" },
};
static struct cfg_backend cfg_backends[2] = {
	{ .name = "three", .servers = servers, .nservers = 3 },
	{ .name = "one", .servers = servers, .nservers = 1 },
};
static struct cfg cfg = { .backends = cfg_backends, .nbackends = 2 };

START_TEST(init_all)
{
	struct backend *all;
	unsigned int nsrv;

	ck_assert_int_eq(backend_init_all(&cfg, &all, &nsrv), 0);
	ck_assert_ptr_eq(all[0].cfg, &cfg_backends[0]);
	ck_assert_uint_eq(all[0].nservers, 3);
	ck_assert_ptr_eq(all[0].servers[2].cfg, &servers[2]);
	/* Pool slots number every server of every backend once. */
	ck_assert_uint_eq(nsrv, 4);
	ck_assert_uint_eq(all[0].servers[2].idx, 2);
	ck_assert_uint_eq(all[1].servers[0].idx, 3);
	ck_assert_ptr_eq(all[1].servers[0].be, &all[1]);
	ck_assert_ptr_eq(backend_of(all, 2, &cfg_backends[1]), &all[1]);
	ck_assert_ptr_null(backend_of(all, 1, &cfg_backends[1]));
	backend_free_all(all, 2);
	backend_free_all(NULL, 0);
}
END_TEST

START_TEST(round_robin)
{
	struct backend *all;
	unsigned int nsrv;
	unsigned int i, counts[3] = { 0, 0, 0 };

	ck_assert_int_eq(backend_init_all(&cfg, &all, &nsrv), 0);
	/* Each session starts one further: servers in turn, evenly. */
	for (i = 0; i < 300; i++) {
		struct server *s = backend_pick(&all[0],
		    backend_rr_start(&all[0]), 0);

		counts[s - all[0].servers]++;
	}
	ck_assert_uint_eq(counts[0], 100);
	ck_assert_uint_eq(counts[1], 100);
	ck_assert_uint_eq(counts[2], 100);
	backend_free_all(all, 2);
}
END_TEST

START_TEST(failover_walk)
{
	struct backend *all;
	unsigned int nsrv;
	unsigned int start;

	ck_assert_int_eq(backend_init_all(&cfg, &all, &nsrv), 0);
	all[0].rr_next = 1;
	start = backend_rr_start(&all[0]);
	/* A walk tries every server once, from its start, then ends. */
	ck_assert_str_eq(backend_pick(&all[0], start, 0)->cfg->name, "b");
	ck_assert_str_eq(backend_pick(&all[0], start, 1)->cfg->name, "c");
	ck_assert_str_eq(backend_pick(&all[0], start, 2)->cfg->name, "a");
	ck_assert_ptr_null(backend_pick(&all[0], start, 3));
	/* Where the counter wraps, a walk still tries three servers. */
	all[0].rr_next = 0xffffffffu;
	start = backend_rr_start(&all[0]);
	ck_assert_ptr_ne(backend_pick(&all[0], start, 0),
	    backend_pick(&all[0], start, 1));
	ck_assert_ptr_ne(backend_pick(&all[0], start, 1),
	    backend_pick(&all[0], start, 2));
	ck_assert_ptr_ne(backend_pick(&all[0], start, 0),
	    backend_pick(&all[0], start, 2));
	ck_assert_ptr_null(backend_pick(&all[1], 0, 1));
	backend_free_all(all, 2);
}
END_TEST

static Suite *
backend_suite(void)
{
	Suite *s = suite_create("backend");
	TCase *tc;

	tc = tcase_create("backend_init_all");
	tcase_add_test(tc, init_all);
	suite_add_tcase(s, tc);
	tc = tcase_create("backend_pick");
	tcase_add_test(tc, round_robin);
	tcase_add_test(tc, failover_walk);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(backend_suite)
