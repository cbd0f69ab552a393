// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "newbuf.h"

static void writes_and_gaps(void **state)
{
	struct newbuf b = { 0 };

	(void)state;
	assert_int_equal(newbuf_write(&b, "hello", 5, 0), 0);
	assert_int_equal(b.len, 5);
	assert_int_equal(newbuf_write(&b, "X", 1, 10), 0);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.p, "hello\0\0\0\0\0X", 11);
	newbuf_free(&b);
	assert_int_equal(newbuf_in_use(), 0);
}

/* What a shrink cut off must read as zeros when the file grows again. */
static void shrink_forgets(void **state)
{
	struct newbuf b = { 0 };

	(void)state;
	assert_int_equal(newbuf_write(&b, "secret12", 8, 0), 0);
	newbuf_shrink(&b, 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(newbuf_write(&b, "X", 1, 4), 0);
	assert_memory_equal(b.p, "\0\0\0\0X", 5);
	newbuf_shrink(&b, 100); /* never grows */
	assert_int_equal(b.len, 5);
	newbuf_free(&b);
}

/* All buffers together stay within the budget; nothing is half-taken. */
static void budget(void **state)
{
	struct newbuf a = { 0 }, b = { 0 };
	static char chunk[64 * 1024];

	(void)state;
	newbuf_set_budget(128 * 1024);
	assert_int_equal(newbuf_write(&a, chunk, sizeof(chunk), 0), 0);
	assert_int_equal(newbuf_write(&b, chunk, sizeof(chunk), 0), 0);
	assert_int_equal(newbuf_write(&b, chunk, 1, sizeof(chunk)), -ENOSPC);
	assert_int_equal(b.len, sizeof(chunk));
	assert_int_equal(newbuf_in_use(), 128 * 1024);
	newbuf_free(&a);
	assert_int_equal(newbuf_write(&b, chunk, 1, sizeof(chunk)), 0);
	newbuf_free(&b);
	assert_int_equal(newbuf_in_use(), 0);
	assert_int_equal(newbuf_write(&a, chunk, 1, UINT64_MAX - 1), -EFBIG);
	newbuf_set_budget(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_and_gaps),
		cmocka_unit_test(shrink_forgets),
		cmocka_unit_test(budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
