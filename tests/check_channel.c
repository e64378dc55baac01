/* Check suite for src/channel.c: pools, buffer taking and release, room
 * within the read limit, compaction, produce/consume accounting. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "check_main.h"

START_TEST(test_pool_reuse)
{
	struct pool p;
	void *a, *b, *c;

	pool_init(&p, 64, 1);
	a = pool_get(&p);
	b = pool_get(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	pool_put(&p, a);
	ck_assert_uint_eq(p.nfree, 1);
	/* Beyond max_free, blocks go back to the system. */
	pool_put(&p, b);
	ck_assert_uint_eq(p.nfree, 1);
	c = pool_get(&p);
	ck_assert_ptr_eq(c, a);
	ck_assert_uint_eq(p.nfree, 0);
	pool_put(&p, c);
	pool_put(&p, NULL);
	pool_destroy(&p);
	ck_assert_uint_eq(p.nfree, 0);
}
END_TEST

START_TEST(test_channel_take_release)
{
	struct channel ch;
	struct pool p;
	char *tail;

	pool_init(&p, 128, 4);
	channel_init(&ch, 128);
	ck_assert_ptr_null(ch.buf.area);
	ck_assert_int_eq(ch.pipe[0], -1);
	/* No buffer, no room: reading needs a buffer first. */
	ck_assert_uint_eq(channel_room(&ch, &tail), 0);
	ck_assert_int_eq(channel_take_buf(&ch, &p), 0);
	ck_assert_ptr_nonnull(ch.buf.area);
	ck_assert_uint_eq(channel_room(&ch, &tail), 128);
	memcpy(tail, "hello", 5);
	channel_produced(&ch, 5);
	/* A buffer with data is kept. */
	channel_release(&ch, &p);
	ck_assert_ptr_nonnull(ch.buf.area);
	ck_assert_uint_eq(channel_data(&ch), 5);
	ck_assert_mem_eq(channel_head(&ch), "hello", 5);
	channel_consumed(&ch, 5);
	channel_release(&ch, &p);
	ck_assert_ptr_null(ch.buf.area);
	ck_assert_uint_eq(p.nfree, 1);
	ck_assert_uint_eq(ch.total, 5);
	pool_destroy(&p);
}
END_TEST

START_TEST(test_channel_room_limit)
{
	struct channel ch;
	struct pool p;
	char *tail;

	pool_init(&p, 100, 4);
	channel_init(&ch, 40);
	ck_assert_int_eq(channel_take_buf(&ch, &p), 0);
	ck_assert_uint_eq(channel_room(&ch, &tail), 40);
	channel_produced(&ch, 30);
	ck_assert_uint_eq(channel_room(&ch, &tail), 10);
	ck_assert_ptr_eq(tail, ch.buf.area + 30);
	channel_produced(&ch, 10);
	ck_assert_uint_eq(channel_room(&ch, &tail), 0);
	/* A limit above the buffer size is bounded by the buffer. */
	ch.read_limit = 1000;
	ck_assert_uint_eq(channel_room(&ch, &tail), 60);
	ch.buf.data = 0;
	ch.buf.head = 0;
	channel_release(&ch, &p);
	pool_destroy(&p);
}
END_TEST

START_TEST(test_channel_compaction)
{
	struct channel ch;
	struct pool p;
	size_t i, room;
	char *tail;

	pool_init(&p, 16, 4);
	channel_init(&ch, 16);
	ck_assert_int_eq(channel_take_buf(&ch, &p), 0);
	ck_assert_uint_eq(channel_room(&ch, &tail), 16);
	for (i = 0; i < 16; i++)
		tail[i] = (char)('a' + i);
	channel_produced(&ch, 16);
	channel_consumed(&ch, 10);
	ck_assert_uint_eq(ch.buf.head, 10);
	/* Tail at the end of the area: the data moves down. */
	room = channel_room(&ch, &tail);
	ck_assert_uint_eq(room, 10);
	ck_assert_uint_eq(ch.buf.head, 0);
	ck_assert_mem_eq(channel_head(&ch), "klmnop", 6);
	ck_assert_ptr_eq(tail, ch.buf.area + 6);
	/* Consuming everything resets the head. */
	channel_consumed(&ch, 6);
	ck_assert_uint_eq(ch.buf.head, 0);
	ck_assert_uint_eq(channel_data(&ch), 0);
	channel_release(&ch, &p);
	pool_destroy(&p);
}
END_TEST

START_TEST(test_channel_data_counts_pipe)
{
	struct channel ch;

	channel_init(&ch, 10);
	ch.pipe_data = 7;
	ck_assert_uint_eq(channel_data(&ch), 7);
}
END_TEST

static Suite *
channel_suite(void)
{
	Suite *s = suite_create("channel");
	TCase *tc;

	tc = tcase_create("pool");
	tcase_add_test(tc, test_pool_reuse);
	suite_add_tcase(s, tc);
	tc = tcase_create("channel_take_buf");
	tcase_add_test(tc, test_channel_take_release);
	suite_add_tcase(s, tc);
	tc = tcase_create("channel_room");
	tcase_add_test(tc, test_channel_room_limit);
	tcase_add_test(tc, test_channel_compaction);
	suite_add_tcase(s, tc);
	tc = tcase_create("channel_data");
	tcase_add_test(tc, test_channel_data_counts_pipe);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(channel_suite)
