// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "newbuf.h"

#define CHUNK NEWBUF_CHUNK

/* LEN bytes of B at OFF, as a read of the file gives them. */
static const char *bytes(const struct newbuf *b, uint64_t off, size_t len)
{
	static char buf[4 * CHUNK];

	assert_true(len <= sizeof(buf));
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(newbuf_read(b, buf, len, off), len);
	return buf;
}

static void writes_and_gaps(void **state)
{
	struct newbuf b = { 0 };

	(void)state;
	assert_int_equal(newbuf_write(&b, "hello", 5, 0), 0);
	assert_int_equal(b.len, 5);
	assert_int_equal(newbuf_write(&b, "X", 1, 10), 0);
	assert_int_equal(b.len, 11);
	assert_memory_equal(bytes(&b, 0, 11), "hello\0\0\0\0\0X", 11);
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
	assert_memory_equal(bytes(&b, 0, 5), "\0\0\0\0X", 5);
	newbuf_shrink(&b, 100); /* never grows */
	assert_int_equal(b.len, 5);
	newbuf_free(&b);
}

/*
 * A shrink into a chunk keeps the chunk but zeroes what it cut off; the
 * chunks past it go back to the budget.
 */
static void shrink_frees(void **state)
{
	static char data[3 * CHUNK];
	struct newbuf b;

	(void)state;
	newbuf_init(&b, 7);
	memset(data, 'a', sizeof(data));
	assert_int_equal(newbuf_write(&b, data, sizeof(data), 0), 0);
	assert_int_equal(newbuf_held(&b), 3 * CHUNK);
	newbuf_shrink(&b, CHUNK + 10);
	assert_int_equal(newbuf_held(&b), 2 * CHUNK);
	assert_int_equal(newbuf_in_use_by(7), 2 * CHUNK);
	assert_int_equal(newbuf_write(&b, "Z", 1, 2 * CHUNK), 0);
	assert_memory_equal(bytes(&b, CHUNK + 8, 4), "aa\0\0", 4);
	assert_int_equal(bytes(&b, 2 * CHUNK - 1, 1)[0], 0);
	newbuf_free(&b);
	assert_int_equal(newbuf_in_use_by(7), 0);
}

/*
 * One byte at 3 GB takes one chunk, not 3 GB: the hole before it reads as
 * zeros, and reads span chunks held and not held.
 */
static void sparse(void **state)
{
	const uint64_t far = 3ULL << 30;
	struct newbuf b;
	const char *got;

	(void)state;
	newbuf_init(&b, 1000);
	assert_int_equal(newbuf_write(&b, "!", 1, far), 0);
	assert_int_equal(b.len, far + 1);
	assert_int_equal(newbuf_held(&b), CHUNK);
	assert_int_equal(newbuf_in_use_by(1000), CHUNK);
	assert_int_equal(bytes(&b, far, 1)[0], '!');
	assert_int_equal(newbuf_read(&b, (char[8]){ 0 }, 8, far), 1);
	assert_int_equal(newbuf_read(&b, (char[8]){ 0 }, 8, far + 1), 0);
	/* Across a hole and two chunks, in any order of writing. */
	assert_int_equal(newbuf_write(&b, "cd", 2, 3 * CHUNK - 1), 0);
	assert_int_equal(newbuf_write(&b, "ab", 2, CHUNK - 1), 0);
	assert_int_equal(newbuf_held(&b), 5 * CHUNK);
	got = bytes(&b, CHUNK - 1, 2 * CHUNK + 1);
	assert_memory_equal(got, "ab", 2);
	for (size_t i = 2; i < 2 * CHUNK; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(got[2 * CHUNK], 'c');
	assert_memory_equal(bytes(&b, 3 * CHUNK - 1, 2), "cd", 2);
	assert_int_equal(bytes(&b, far, 1)[0], '!');
	newbuf_free(&b);
	assert_int_equal(newbuf_in_use(), 0);
}

struct runs {
	uint64_t off[8];
	size_t len[8];
	int n;
};

static int add_run(void *ctx, uint64_t off, const void *data, size_t len)
{
	struct runs *r = ctx;

	(void)data;
	assert_true(r->n < 8);
	r->off[r->n] = off;
	r->len[r->n++] = len;
	return 0;
}

/* What is held comes out in runs, without its all-zero pages. */
static void runs_without_zero_pages(void **state)
{
	static char zeros[2 * CHUNK];
	struct runs r = { .n = 0 };
	struct newbuf b;

	(void)state;
	newbuf_init(&b, 1);
	assert_int_equal(newbuf_write(&b, zeros, sizeof(zeros), 0), 0);
	assert_int_equal(newbuf_write(&b, "x", 1, 5000), 0);
	assert_int_equal(newbuf_write(&b, "y", 1, 3 * 4096), 0);
	assert_int_equal(newbuf_write(&b, "z", 1, 10 * CHUNK + 4096 + 1), 0);
	assert_int_equal(newbuf_each(&b, 4096, add_run, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.off[0], 4096);
	assert_int_equal(r.len[0], 4096);
	assert_int_equal(r.off[1], 3 * 4096);
	assert_int_equal(r.len[1], 4096);
	/* The last run ends at the file's end. */
	assert_int_equal(r.off[2], 10 * CHUNK + 4096);
	assert_int_equal(r.len[2], 2);
	newbuf_free(&b);
}

/* All buffers together stay within the budget; nothing is half-taken. */
static void budget(void **state)
{
	struct newbuf a, b, c;
	static char chunk[CHUNK];

	(void)state;
	newbuf_init(&a, 1);
	newbuf_init(&b, 2);
	newbuf_init(&c, 3);
	newbuf_set_budget(4 * CHUNK);
	assert_int_equal(newbuf_write(&a, chunk, sizeof(chunk), 0), 0);
	assert_int_equal(newbuf_write(&b, chunk, sizeof(chunk), 0), 0);
	assert_int_equal(newbuf_write(&c, chunk, sizeof(chunk), 0), 0);
	/* Two chunks more where one is left: neither is taken. */
	assert_int_equal(newbuf_write(&b, chunk, 2, 2 * CHUNK - 1), -ENOSPC);
	assert_int_equal(b.len, sizeof(chunk));
	assert_int_equal(newbuf_held(&b), CHUNK);
	assert_int_equal(newbuf_write(&b, chunk, 1, sizeof(chunk)), 0);
	assert_int_equal(newbuf_write(&c, chunk, 1, sizeof(chunk)), -ENOSPC);
	assert_int_equal(c.len, sizeof(chunk));
	assert_int_equal(newbuf_in_use(), 4 * CHUNK);
	newbuf_free(&a);
	assert_int_equal(newbuf_write(&c, chunk, 1, sizeof(chunk)), 0);
	newbuf_free(&b);
	newbuf_free(&c);
	assert_int_equal(newbuf_in_use(), 0);
	assert_int_equal(newbuf_write(&a, chunk, 1, UINT64_MAX - 1), -EFBIG);
	newbuf_set_budget(0);
}

/*
 * No uid holds more than half of the budget, whatever it spreads it over:
 * one large file, many small ones, or single bytes far apart.  Another uid
 * still gets the other half.
 */
static void half_per_uid(void **state)
{
	struct newbuf mine[3], theirs;
	static char chunk[4 * CHUNK];

	(void)state;
	newbuf_set_budget(8 * CHUNK);
	for (int i = 0; i < 3; i++)
		newbuf_init(&mine[i], 500);
	newbuf_init(&theirs, 501);
	assert_int_equal(newbuf_write(&mine[0], chunk, 2 * CHUNK - 1, 0), 0);
	assert_int_equal(newbuf_write(&mine[1], "x", 1, 1ULL << 40), 0);
	assert_int_equal(newbuf_write(&mine[2], "x", 1, 0), 0);
	assert_int_equal(newbuf_in_use_by(500), 4 * CHUNK);
	assert_int_equal(newbuf_write(&mine[1], "x", 1, 0), -ENOSPC);
	assert_int_equal(newbuf_write(&mine[2], chunk, 1, CHUNK), -ENOSPC);
	/* Within a chunk held, still fine. */
	assert_int_equal(newbuf_write(&mine[0], "y", 1, 2 * CHUNK - 1), 0);
	assert_int_equal(newbuf_write(&theirs, chunk, CHUNK, 0), 0);
	assert_int_equal(newbuf_write(&theirs, chunk, 3 * CHUNK, CHUNK), 0);
	assert_int_equal(newbuf_write(&theirs, "x", 1, 4 * CHUNK), -ENOSPC);
	assert_int_equal(newbuf_in_use(), 8 * CHUNK);
	newbuf_free(&mine[1]);
	assert_int_equal(newbuf_write(&mine[2], chunk, 1, CHUNK), 0);
	for (int i = 0; i < 3; i++)
		newbuf_free(&mine[i]);
	newbuf_free(&theirs);
	assert_int_equal(newbuf_in_use(), 0);
	assert_int_equal(newbuf_in_use_by(500), 0);
	newbuf_set_budget(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_and_gaps),
		cmocka_unit_test(shrink_forgets),
		cmocka_unit_test(shrink_frees),
		cmocka_unit_test(sparse),
		cmocka_unit_test(runs_without_zero_pages),
		cmocka_unit_test(budget),
		cmocka_unit_test(half_per_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
