/* Check suite for src/backend.c: building the run-time backends, and each
 * balancing algorithm's choices: the smooth weighted round robin sequence,
 * leastconn, random with two choices, the consistent hash ring, backups,
 * maxconn slots, and servers going down. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "check_main.h"
#include "util.h"

#define NSRV 4

static struct cfg_server servers[NSRV];
static struct cfg_backend cfg_be;
static struct cfg cfg = { .backends = &cfg_be, .nbackends = 1 };
static struct backend *all;

/* A backend of <n> servers "a", "b"... with <weights>, by <algo>. */
static struct backend *
mk(enum cfg_balance algo, size_t n, const unsigned int *weights)
{
	static const char *names[NSRV] = { "a", "b", "c", "d" };
	unsigned int nsrv;
	size_t i;

	memset(servers, 0, sizeof(servers));
	memset(&cfg_be, 0, sizeof(cfg_be));
	for (i = 0; i < n; i++) {
		servers[i].name = (char *)names[i];
		servers[i].weight = weights[i];
		servers[i].addrlen = 1;         /* an address: up at start */
	}
	cfg_be.name = "be";
	cfg_be.servers = servers;
	cfg_be.nservers = n;
	cfg_be.balance = algo;
	ck_assert_int_eq(backend_init_all(&cfg, &all, &nsrv), 0);
	ck_assert_uint_eq(nsrv, n);
	return &all[0];
}

static void
done(void)
{
	backend_free_all(all, 1);
	all = NULL;
}

/* Picks with <hash> (or none) and gives the slot back at once: the name
 * of the server. */
static char
pick(struct backend *b, const uint32_t *hash)
{
	enum backend_miss miss;
	struct server *s = backend_pick(b, hash, NULL, &miss);

	ck_assert_ptr_nonnull(s);
	backend_release(s);
	return s->cfg->name[0];
}

START_TEST(init_all)
{
	static const unsigned int w[] = { 1, 1, 1 };
	struct backend *b = mk(CFG_LB_ROUNDROBIN, 3, w);

	ck_assert_ptr_eq(b->cfg, &cfg_be);
	ck_assert_uint_eq(b->nservers, 3);
	ck_assert_ptr_eq(b->servers[2].cfg, &servers[2]);
	ck_assert_ptr_eq(b->servers[2].be, b);
	ck_assert_uint_eq(b->servers[2].idx, 2);
	ck_assert_ptr_eq(backend_of(all, 1, &cfg_be), b);
	ck_assert_ptr_null(backend_of(all, 0, &cfg_be));
	done();
	backend_free_all(NULL, 0);
}
END_TEST

START_TEST(smooth_round_robin)
{
	static const unsigned int w[] = { 5, 1, 1 };
	struct backend *b = mk(CFG_LB_ROUNDROBIN, 3, w);
	char seq[15];
	int i;

	/* Interleaved, not five a's in a row; the same every 7 picks. */
	for (i = 0; i < 14; i++)
		seq[i] = pick(b, NULL);
	seq[14] = '\0';
	ck_assert_str_eq(seq, "aabacaaaabacaa");
	done();
}
END_TEST

START_TEST(round_robin_weights)
{
	static const unsigned int w[] = { 3, 2, 1, 0 };
	struct backend *b = mk(CFG_LB_ROUNDROBIN, 4, w);
	unsigned int counts[NSRV] = { 0 }, i;

	for (i = 0; i < 600; i++)
		counts[pick(b, NULL) - 'a']++;
	ck_assert_uint_eq(counts[0], 300);
	ck_assert_uint_eq(counts[1], 200);
	ck_assert_uint_eq(counts[2], 100);
	ck_assert_uint_eq(counts[3], 0);        /* weight 0: no traffic */
	done();
}
END_TEST

START_TEST(down_backup_disabled)
{
	static const unsigned int w[] = { 1, 1, 1, 1 };
	struct backend *b;
	enum backend_miss miss;
	unsigned int i;

	b = mk(CFG_LB_ROUNDROBIN, 4, w);
	/* Set after mk(), which clears the configuration. */
	servers[2].flags = CFG_SRV_F_BACKUP;
	servers[3].flags = CFG_SRV_F_DISABLED;
	for (i = 0; i < 20; i++) {
		char c = pick(b, NULL);

		ck_assert(c == 'a' || c == 'b');
	}
	server_set_up(&b->servers[0], 0, "test");
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(pick(b, NULL), 'b');
	/* No active server left: the backup; never the disabled one. */
	server_set_up(&b->servers[1], 0, "test");
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(pick(b, NULL), 'c');
	server_set_up(&b->servers[2], 0, "test");
	ck_assert_ptr_null(backend_pick(b, NULL, NULL, &miss));
	ck_assert_int_eq(miss, BE_MISS_NONE);
	server_set_up(&b->servers[1], 1, "test");
	ck_assert_int_eq(pick(b, NULL), 'b');
	done();
}
END_TEST

START_TEST(maxconn_slots)
{
	static const unsigned int w[] = { 1, 1 };
	struct backend *b;
	struct server *s1, *s2, *s3;
	enum backend_miss miss;

	b = mk(CFG_LB_ROUNDROBIN, 2, w);
	servers[0].maxconn = 1;
	servers[1].maxconn = 1;
	s1 = backend_pick(b, NULL, NULL, &miss);
	s2 = backend_pick(b, NULL, NULL, &miss);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_nonnull(s2);
	ck_assert_ptr_ne(s1, s2);
	/* Both full: the caller queues. */
	ck_assert_ptr_null(backend_pick(b, NULL, NULL, &miss));
	ck_assert_int_eq(miss, BE_MISS_FULL);
	backend_release(s1);
	s3 = backend_pick(b, NULL, NULL, &miss);
	ck_assert_ptr_eq(s3, s1);
	/* <avoid> is skipped: after a failure on s3, nothing else free. */
	backend_release(s3);
	ck_assert_ptr_null(backend_pick(b, NULL, s1, &miss));
	ck_assert_int_eq(miss, BE_MISS_FULL);
	done();
}
END_TEST

START_TEST(leastconn)
{
	static const unsigned int w[] = { 1, 1, 2 };
	struct backend *b = mk(CFG_LB_LEASTCONN, 3, w);
	struct server *held[8];
	enum backend_miss miss;
	unsigned int counts[3] = { 0 }, i;

	/* Held slots: loads go 1 per weight unit, so c takes two for each
	 * one a or b takes. */
	for (i = 0; i < 8; i++) {
		held[i] = backend_pick(b, NULL, NULL, &miss);
		counts[held[i] - b->servers]++;
	}
	ck_assert_uint_eq(counts[0], 2);
	ck_assert_uint_eq(counts[1], 2);
	ck_assert_uint_eq(counts[2], 4);
	/* a finishes its two: the next two go to a. */
	for (i = 0; i < 8; i++)
		if (held[i] == &b->servers[0])
			backend_release(held[i]);
	ck_assert_int_eq(pick(b, NULL), 'a');
	for (i = 0; i < 8; i++)
		if (held[i] != &b->servers[0])
			backend_release(held[i]);
	done();
}
END_TEST

START_TEST(random_two)
{
	static const unsigned int w[] = { 1, 3 };
	struct backend *b = mk(CFG_LB_RANDOM, 2, w);
	unsigned int counts[2] = { 0 }, i;

	/* Idle servers: b (3 per weight unit of capacity) wins each draw
	 * it is in; a only when both draws are a: 1 in 16. */
	for (i = 0; i < 4000; i++)
		counts[pick(b, NULL) - 'a']++;
	ck_assert_uint_gt(counts[0], 150);
	ck_assert_uint_lt(counts[0], 350);
	done();
}
END_TEST

START_TEST(hash_ring)
{
	static const unsigned int w[] = { 1, 1, 1, 1 };
	struct backend *b = mk(CFG_LB_SOURCE, 4, w);
	char before[2000], key[32];
	unsigned int counts[NSRV] = { 0 }, i, moved = 0;
	uint32_t h;

	for (i = 0; i < 2000; i++) {
		h = util_hash(key, (size_t)snprintf(key, sizeof(key),
		    "10.0.%u.%u", i / 256, i % 256));
		before[i] = pick(b, &h);
		counts[before[i] - 'a']++;
		/* The same key, the same server. */
		ck_assert_int_eq(pick(b, &h), before[i]);
	}
	for (i = 0; i < NSRV; i++) {
		ck_assert_uint_gt(counts[i], 350);
		ck_assert_uint_lt(counts[i], 650);
	}
	/* c goes down: only its keys move, and they spread over the rest. */
	server_set_up(&b->servers[2], 0, "test");
	for (i = 0; i < 2000; i++) {
		char now;

		h = util_hash(key, (size_t)snprintf(key, sizeof(key),
		    "10.0.%u.%u", i / 256, i % 256));
		now = pick(b, &h);
		ck_assert_int_ne(now, 'c');
		if (before[i] != 'c')
			ck_assert_int_eq(now, before[i]);
		else
			moved++;
	}
	ck_assert_uint_eq(moved, counts[2]);
	/* Without a key (no such field): round robin. */
	ck_assert_int_ne(pick(b, NULL), pick(b, NULL));
	done();
}
END_TEST

START_TEST(hash_weights)
{
	static const unsigned int w[] = { 1, 3 };
	struct backend *b = mk(CFG_LB_URI, 2, w);
	unsigned int counts[2] = { 0 }, i;
	char key[32];
	uint32_t h;

	for (i = 0; i < 4000; i++) {
		h = util_hash(key, (size_t)snprintf(key, sizeof(key),
		    "/item/%u", i));
		counts[pick(b, &h) - 'a']++;
	}
	/* 1000 and 3000, within 10%. */
	ck_assert_uint_gt(counts[0], 900);
	ck_assert_uint_lt(counts[0], 1100);
	done();
}
END_TEST

START_TEST(passive_errors)
{
	static const unsigned int w[] = { 1, 1 };
	struct backend *b = mk(CFG_LB_ROUNDROBIN, 2, w);
	unsigned int i;

	cfg_be.observe = CFG_OBSERVE_LAYER4;
	cfg_be.error_limit = 3;
	server_report(&b->servers[0], 0, "refused");
	server_report(&b->servers[0], 0, "refused");
	/* A success in between starts the count again. */
	server_report(&b->servers[0], 1, NULL);
	server_report(&b->servers[0], 0, "refused");
	server_report(&b->servers[0], 0, "refused");
	ck_assert_int_eq(atomic_load(&b->servers[0].up), 1);
	server_report(&b->servers[0], 0, "refused");
	ck_assert_int_eq(atomic_load(&b->servers[0].up), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pick(b, NULL), 'b');
	done();
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
	tcase_add_test(tc, smooth_round_robin);
	tcase_add_test(tc, round_robin_weights);
	tcase_add_test(tc, down_backup_disabled);
	tcase_add_test(tc, maxconn_slots);
	tcase_add_test(tc, leastconn);
	tcase_add_test(tc, random_two);
	tcase_add_test(tc, hash_ring);
	tcase_add_test(tc, hash_weights);
	tcase_add_test(tc, passive_errors);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(backend_suite)
