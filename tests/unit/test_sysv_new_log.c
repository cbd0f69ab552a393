// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a SysV file being created tells the log when its segment cannot be
 * made.  The user learns it from the close, and can cause it as often as
 * they like: so one line a minute for each kind of failure, and a notice,
 * not an error, for a failure the user caused.  The tests run in order,
 * in a process of their own: no line was written before the first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "log.h"
#include "sysv_new_util.h"

/* The lines written, by level, and the first one. */
static struct {
	int lines, notices;
	char first[256];
} seen;

static void count_line(int level, const char *fmt, va_list ap)
{
	if (seen.lines++ == 0)
		vsnprintf(seen.first, sizeof(seen.first), fmt, ap);
	seen.notices += level == LOG_NOTICE;
}

static int watch_log(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	log_set_sink(count_line);
	return 0;
}

static int unwatch_log(void **state)
{
	(void)state;
	log_set_sink(NULL);
	return 0;
}

/*
 * KEY's file, written to, closed after a segment of key TAKEN is made
 * directly: the close fails with RES.  That segment is removed after.
 */
static void fail_at_close(key_t key, key_t taken, int res)
{
	struct seg_file *file;
	struct seg_ref ref;
	int id;

	file = make(key, 0600, root(), &ref);
	put(file, "mine", 0);
	id = shmget(taken, 4096, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(id >= 0);
	assert_int_equal(seg_flush(file), res);
	file->ops->release(file);
	seg_remove(taken);
}

/*
 * The key taken directly before each close, 20 times: 20 EEXIST, one
 * notice (before: 20 error lines).
 */
static void key_taken_said_once(void **state)
{
	(void)state;
	for (key_t key = 0x5001; key <= 0x5014; key++)
		fail_at_close(key, key, -EEXIST);
	assert_int_equal(seen.lines, 1);
	assert_int_equal(seen.notices, 1);
	assert_non_null(strstr(seen.first, "cannot create key 0x00005001"));
	assert_non_null(strstr(seen.first, "File exists"));
}

/*
 * Another kind of failure has a line of its own: shmmni reached between
 * the create and the close, 5 times, one notice.
 */
static void each_kind_said_once(void **state)
{
	const key_t fill = 0x5101;
	char old[32], limit[32];
	struct shm_info info;

	(void)state;
	assert_true(shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info) >= 0);
	snprintf(limit, sizeof(limit), "%d", info.used_ids + 1);
	set_sysctl("shmmni", limit, old);
	for (key_t key = 0x5201; key <= 0x5205; key++)
		fail_at_close(key, fill, -ENOSPC);
	set_sysctl("shmmni", old, NULL);
	assert_int_equal(seen.lines, 1);
	assert_int_equal(seen.notices, 1);
	assert_non_null(strstr(seen.first, "No space left on device"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(key_taken_said_once, watch_log,
						unwatch_log),
		cmocka_unit_test_setup_teardown(each_kind_said_once, watch_log,
						unwatch_log),
	};

	return sysv_new_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}
