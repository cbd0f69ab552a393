// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/shm.h>

#include "attr.h"
#include "seg.h"
#include "sysv_int.h"

static struct sysv_info sample(void)
{
	struct sysv_info info = {
		.key = 1234,
		.shmid = 32769,
		.mode = 0640 | SHM_DEST,
		.size = 10000,
		.cpid = 11,
		.lpid = 12,
		.nattch = 3,
		.uid = 1000,
		.gid = 100,
		.cuid = 0,
		.cgid = 5,
		.atime = 100,
		.dtime = 0,
		.ctime = 300,
		.have_usage = 1,
		.rss = 8192,
		.swap = 4096,
	};
	return info;
}

static void stat_from_record(void **state)
{
	struct sysv_info info = sample();
	struct stat st;

	(void)state;
	attr_sysv_stat(&info, &st);
	assert_int_equal(st.st_mode, S_IFREG | 0640);
	assert_int_equal(st.st_size, 10000);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 100);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(st.st_blocks, 16);
	assert_int_equal(st.st_ino, SEG_INO_TAG(SEG_TAG_SYSV, 32769));
	assert_int_equal(st.st_atim.tv_sec, 100);
	/* never detached: mtime is creation */
	assert_int_equal(st.st_mtim.tv_sec, 300);
	assert_int_equal(st.st_ctim.tv_sec, 300);
	info.dtime = 200;
	info.key = 0;
	attr_sysv_stat(&info, &st);
	assert_int_equal(st.st_mtim.tv_sec, 200);
	/* only under sysv-id/ */
	assert_int_equal(st.st_nlink, 1);
}

static void status_words(void **state)
{
	char buf[32];

	(void)state;
	attr_sysv_status(0600, buf, sizeof(buf));
	assert_string_equal(buf, "");
	attr_sysv_status(0600 | SHM_DEST, buf, sizeof(buf));
	assert_string_equal(buf, "dest");
	attr_sysv_status(0600 | SHM_LOCKED, buf, sizeof(buf));
	assert_string_equal(buf, "locked");
	attr_sysv_status(0600 | SHM_DEST | SHM_LOCKED, buf, sizeof(buf));
	assert_string_equal(buf, "dest,locked");
}

static void xattr_values(void **state)
{
	static const struct {
		const char *name, *value;
	} want[] = {
		{ "user.shm.key", "0x000004d2" }, { "user.shm.id", "32769" },
		{ "user.shm.nattch", "3" },	  { "user.shm.cpid", "11" },
		{ "user.shm.lpid", "12" },	  { "user.shm.cuid", "0" },
		{ "user.shm.cgid", "5" },	  { "user.shm.status", "dest" },
		{ "user.shm.rss", "8192" },	  { "user.shm.swap", "4096" },
	};
	struct sysv_info info = sample();
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ssize_t len = (ssize_t)strlen(want[i].value);

		assert_int_equal(
			attr_sysv_getxattr(&info, want[i].name, NULL, 0), len);
		assert_int_equal(attr_sysv_getxattr(&info, want[i].name, buf,
						    sizeof(buf)),
				 len);
		assert_memory_equal(buf, want[i].value, (size_t)len);
	}
	assert_int_equal(attr_sysv_getxattr(&info, "user.shm.key", buf, 3),
			 -ERANGE);
	assert_int_equal(attr_sysv_getxattr(&info, "user.shm.nope", buf, 64),
			 -ENODATA);
	assert_int_equal(attr_sysv_getxattr(&info, "security.selinux", buf, 64),
			 -ENODATA);
}

static void xattr_list(void **state)
{
	struct sysv_info info = sample();
	char buf[512];
	ssize_t len;
	int count = 0;

	(void)state;
	len = attr_sysv_listxattr(&info, NULL, 0);
	assert_true(len > 0);
	assert_int_equal(attr_sysv_listxattr(&info, buf, sizeof(buf)), len);
	for (ssize_t off = 0; off < len;
	     off += (ssize_t)strlen(buf + off) + 1) {
		assert_memory_equal(buf + off, "user.shm.", 9);
		count++;
	}
	assert_int_equal(count, 10);
	assert_int_equal(attr_sysv_listxattr(&info, buf, 10), -ERANGE);
	/* Without /proc's usage columns there is no rss or swap to show. */
	info.have_usage = 0;
	assert_int_equal(attr_sysv_listxattr(&info, buf, sizeof(buf)),
			 len - (ssize_t)sizeof("user.shm.rss") -
				 (ssize_t)sizeof("user.shm.swap"));
	assert_int_equal(attr_sysv_getxattr(&info, "user.shm.rss", buf, 64),
			 -ENODATA);
}

/* Other namespaces are ENOTSUP, so that ls -l stops asking. */
static void xattr_namespaces(void **state)
{
	(void)state;
	assert_true(attr_xattr_served("user.shm.key"));
	assert_true(attr_xattr_served("user.anything"));
	assert_false(attr_xattr_served("security.selinux"));
	assert_false(attr_xattr_served("system.posix_acl_access"));
	assert_false(attr_xattr_served("trusted.x"));
	assert_false(attr_xattr_served("user"));
}

static void xattr_changes_refused(void **state)
{
	(void)state;
	assert_int_equal(attr_sysv_set_error("user.shm.key"), -EPERM);
	assert_int_equal(attr_sysv_set_error("user.shm.other"), -EPERM);
	assert_int_equal(attr_sysv_set_error("user.comment"), -ENOTSUP);
}

/* The rules of a segment whose size the kernel fixed. */
static void sysv_transfer_rules(void **state)
{
	size_t n = 99;

	(void)state;
	assert_int_equal(seg_span(4096, 0, 100, 0, &n), 0);
	assert_int_equal(n, 100);
	assert_int_equal(seg_span(4096, 4000, 1000, 0, &n), 0);
	assert_int_equal(n, 96);
	assert_int_equal(seg_span(4096, 4096, 10, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(seg_span(4096, 9999, 10, 0, &n), 0);
	assert_int_equal(n, 0);
	/* writes: short at the end, no space past it */
	assert_int_equal(seg_span(4096, 4000, 1000, 1, &n), 0);
	assert_int_equal(n, 96);
	assert_int_equal(seg_span(4096, 4096, 1, 1, &n), -ENOSPC);
	assert_int_equal(seg_span(4096, 5000, 1, 1, &n), -ENOSPC);
	assert_int_equal(seg_span(4096, 4096, 0, 1, &n), 0);
	assert_int_equal(seg_span(4096, -1, 1, 0, &n), -EINVAL);
	/* truncate keeps the size: only zero-fill below it */
	assert_int_equal(sysv_truncate_check(4096, 0), 0);
	assert_int_equal(sysv_truncate_check(4096, 4096), 0);
	assert_int_equal(sysv_truncate_check(4096, 4097), -EFBIG);
	assert_int_equal(sysv_truncate_check(4096, -1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_from_record),
		cmocka_unit_test(status_words),
		cmocka_unit_test(xattr_values),
		cmocka_unit_test(xattr_list),
		cmocka_unit_test(xattr_namespaces),
		cmocka_unit_test(xattr_changes_refused),
		cmocka_unit_test(sysv_transfer_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
