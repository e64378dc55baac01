/* The runner every Check suite shares: runs the suite <fn> returns and
 * exits non-zero when a test failed. */
#ifndef GH_CHECK_MAIN_H
#define GH_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(fn)                                                  \
int                                                                     \
main(void)                                                              \
{                                                                       \
	SRunner *sr = srunner_create(fn());                             \
	int failed;                                                     \
									\
	srunner_run_all(sr, CK_NORMAL);                                 \
	failed = srunner_ntests_failed(sr);                             \
	srunner_free(sr);                                               \
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;               \
}

#endif
