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
	attr_sysv_status(0600, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	attr_sysv_status(0600 | SHM_DEST, 0, buf, sizeof(buf));
	assert_string_equal(buf, "dest");
	attr_sysv_status(0600 | SHM_LOCKED, 0, buf, sizeof(buf));
	assert_string_equal(buf, "locked");
	attr_sysv_status(0600 | SHM_DEST | SHM_LOCKED, 0, buf, sizeof(buf));
	assert_string_equal(buf, "dest,locked");
	attr_sysv_status(0600, 1, buf, sizeof(buf));
	assert_string_equal(buf, "hugetlb");
	attr_sysv_status(0600 | SHM_LOCKED, 1, buf, sizeof(buf));
	assert_string_equal(buf, "locked,hugetlb");
	attr_sysv_status(0600 | SHM_DEST | SHM_LOCKED, 1, buf, sizeof(buf));
	assert_string_equal(buf, "dest,locked,hugetlb");
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

		assert_int_equal(attr_sysv_needs(&info, want[i].name),
				 strcmp(want[i].name, "user.shm.status") == 0
					 ? ATTR_NEEDS_SCAN
					 : 0);
		assert_int_equal(
			attr_sysv_getxattr(&info, NULL, want[i].name, NULL, 0),
			len);
		assert_int_equal(attr_sysv_getxattr(&info, NULL, want[i].name,
						    buf, sizeof(buf)),
				 len);
		assert_memory_equal(buf, want[i].value, (size_t)len);
	}
	assert_int_equal(
		attr_sysv_getxattr(&info, NULL, "user.shm.key", buf, 3),
		-ERANGE);
	assert_int_equal(
		attr_sysv_getxattr(&info, NULL, "user.shm.nope", buf, 64),
		-ENODATA);
	assert_int_equal(
		attr_sysv_getxattr(&info, NULL, "security.selinux", buf, 64),
		-ENODATA);
}

/* VALUE is what NAME reads as, from INFO and LIVE. */
static void assert_live(const struct sysv_info *info,
			const struct attr_live *live, const char *name,
			const char *value)
{
	char buf[512];
	ssize_t len = (ssize_t)strlen(value);

	assert_int_equal(attr_sysv_getxattr(info, live, name, NULL, 0), len);
	assert_int_equal(attr_sysv_getxattr(info, live, name, buf, sizeof(buf)),
			 len);
	assert_memory_equal(buf, value, (size_t)len);
}

/* What only /proc tells: who has it attached, its page size, leaks. */
static void xattr_live_values(void **state)
{
	pid_t pids[] = { 1, 22, 333 };
	struct sysv_info info = sample();
	struct attr_live live = { .creator_alive = 1 };
	char buf[8];

	(void)state;
	assert_int_equal(attr_sysv_needs(&info, "user.shm.pids"),
			 ATTR_NEEDS_SCAN);
	assert_int_equal(attr_sysv_needs(&info, "user.shm.pagesize"),
			 ATTR_NEEDS_SCAN);
	/* attached: not an orphan, whatever became of its creator */
	assert_int_equal(attr_sysv_needs(&info, "user.shm.orphan"), 0);
	assert_live(&info, &live, "user.shm.orphan", "0");
	live.creator_alive = 0;
	assert_live(&info, &live, "user.shm.orphan", "0");
	info.nattch = 0;
	assert_int_equal(attr_sysv_needs(&info, "user.shm.orphan"),
			 ATTR_NEEDS_CREATOR);
	assert_live(&info, &live, "user.shm.orphan", "1");
	live.creator_alive = 1;
	assert_live(&info, &live, "user.shm.orphan", "0");

	assert_live(&info, &live, "user.shm.pids", "");
	assert_live(&info, &live, "user.shm.pagesize", "");
	live.scan.pids = pids;
	live.scan.n = 1;
	assert_live(&info, &live, "user.shm.pids", "1");
	live.scan.n = 3;
	assert_live(&info, &live, "user.shm.pids", "1,22,333");
	assert_int_equal(
		attr_sysv_getxattr(&info, &live, "user.shm.pids", buf, 7),
		-ERANGE);
	live.scan.pagesize = 4096;
	assert_live(&info, &live, "user.shm.pagesize", "4096");
	assert_live(&info, &live, "user.shm.status", "dest");
	live.scan.pagesize = 2097152;
	assert_live(&info, &live, "user.shm.pagesize", "2097152");
	assert_live(&info, &live, "user.shm.status", "dest,hugetlb");
}

/* More pids than an attribute can hold are refused, not cut. */
static void xattr_pids_too_many(void **state)
{
	static pid_t pids[20000];
	struct sysv_info info = sample();
	struct attr_live live = { .creator_alive = 1 };

	(void)state;
	/* 3 pids of 7 digits, 9359 of 6, 9361 commas: 65536 bytes */
	for (size_t i = 0; i < 20000; i++)
		pids[i] = (pid_t)(i < 3 ? 1000000 + i : 100000 + i);
	live.scan.pids = pids;
	live.scan.n = 9362;
	assert_int_equal(
		attr_sysv_getxattr(&info, &live, "user.shm.pids", NULL, 0),
		65536);
	/* which user.shm.all, holding them and the rest, cannot */
	assert_int_equal(
		attr_sysv_getxattr(&info, &live, "user.shm.all", NULL, 0),
		-E2BIG);
	live.scan.n = 9363;
	assert_int_equal(
		attr_sysv_getxattr(&info, &live, "user.shm.pids", NULL, 0),
		-E2BIG);
}

/* The names shmfs adds to a POSIX object's own. */
static void posix_names(void **state)
{
	pid_t pids[] = { 5, 6 };
	struct attr_live live = { .creator_alive = 1 };
	char buf[128];
	ssize_t len;

	(void)state;
	assert_int_equal(attr_posix_needs("user.shm.pids"), ATTR_NEEDS_SCAN);
	assert_int_equal(attr_posix_needs("user.shm.orphan"), ATTR_NEEDS_SCAN);
	assert_int_equal(attr_posix_needs("user.shm.pagesize"), 0);
	assert_int_equal(attr_posix_needs("user.shm.key"), -1);
	assert_int_equal(attr_posix_needs("user.comment"), -1);

	len = attr_posix_getxattr(&live, 2097152, "user.shm.pagesize", buf,
				  sizeof(buf));
	assert_int_equal(len, 7);
	assert_memory_equal(buf, "2097152", 7);
	/* nobody found, but some process could not be looked at */
	len = attr_posix_getxattr(&live, 0, "user.shm.orphan", buf, 8);
	assert_int_equal(len, 1);
	assert_memory_equal(buf, "0", 1);
	live.scan.complete = 1;
	len = attr_posix_getxattr(&live, 0, "user.shm.orphan", buf, 8);
	assert_memory_equal(buf, "1", 1);
	live.scan.pids = pids;
	live.scan.n = 2;
	len = attr_posix_getxattr(&live, 0, "user.shm.orphan", buf, 8);
	assert_memory_equal(buf, "0", 1);
	len = attr_posix_getxattr(&live, 0, "user.shm.pids", buf, 8);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "5,6", 3);
	assert_int_equal(attr_posix_getxattr(&live, 0, "user.shm.key", buf, 8),
			 -ENODATA);

	/* user.shm.all: each of ours, a line each */
	assert_int_equal(attr_posix_needs("user.shm.all"), ATTR_NEEDS_SCAN);
	len = attr_posix_getxattr(&live, 4096, "user.shm.all", buf,
				  sizeof(buf));
	assert_int_equal(
		len, attr_posix_getxattr(&live, 4096, "user.shm.all", NULL, 0));
	assert_int_equal(len, 59);
	assert_memory_equal(buf,
			    "user.shm.pagesize=4096\nuser.shm.pids=5,6\n"
			    "user.shm.orphan=0\n",
			    59);
	assert_int_equal(
		attr_posix_getxattr(&live, 4096, "user.shm.all", buf, 58),
		-ERANGE);
}

/*
 * user.shm.all: every attribute of the segment, a NAME=VALUE line each,
 * those /proc's usage columns give only where they exist.
 */
static void xattr_all(void **state)
{
	static const char want[] = "user.shm.key=0x000004d2\n"
				   "user.shm.id=32769\n"
				   "user.shm.nattch=0\n"
				   "user.shm.cpid=11\n"
				   "user.shm.lpid=12\n"
				   "user.shm.cuid=0\n"
				   "user.shm.cgid=5\n"
				   "user.shm.status=dest\n"
				   "user.shm.rss=8192\n"
				   "user.shm.swap=4096\n"
				   "user.shm.pagesize=4096\n"
				   "user.shm.pids=1,22\n"
				   "user.shm.orphan=0\n";
	pid_t pids[] = { 1, 22 };
	struct sysv_info info = sample();
	struct attr_live live = { .creator_alive = 1 };
	char buf[512];
	ssize_t n;

	(void)state;
	info.nattch = 0;
	assert_int_equal(attr_sysv_needs(&info, "user.shm.all"),
			 ATTR_NEEDS_SCAN | ATTR_NEEDS_CREATOR);
	live.scan.pids = pids;
	live.scan.n = 2;
	live.scan.pagesize = 4096;
	assert_live(&info, &live, "user.shm.all", want);
	assert_int_equal(attr_sysv_getxattr(&info, &live, "user.shm.all", buf,
					    sizeof(want) - 2),
			 -ERANGE);
	/* Without /proc's usage columns there is no rss or swap to show. */
	info.have_usage = 0;
	n = attr_sysv_getxattr(&info, &live, "user.shm.all", buf,
			       sizeof(buf) - 1);
	assert_int_equal(n, (ssize_t)sizeof(want) - 1 -
				    (ssize_t)strlen("user.shm.rss=8192\n"
						    "user.shm.swap=4096\n"));
	buf[n] = '\0';
	assert_null(strstr(buf, "user.shm.rss"));
	assert_null(strstr(buf, "user.shm.swap"));
	assert_int_equal(
		attr_sysv_getxattr(&info, NULL, "user.shm.rss", buf, 64),
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

/* A memfd's: name, seals and page size without a scan; pids and all with. */
static void memfd_values(void **state)
{
	pid_t pids[] = { 7, 8 };
	struct attr_memfd m = { .name = "pw/a",
				.seals = "grow,write",
				.pagesize = 4096 };
	char buf[256];

	(void)state;
	m.scan.pids = pids;
	m.scan.n = 2;
	assert_int_equal(attr_memfd_needs("user.shm.name"), 0);
	assert_int_equal(attr_memfd_needs("user.shm.seals"), 0);
	assert_int_equal(attr_memfd_needs("user.shm.pids"), ATTR_NEEDS_SCAN);
	assert_int_equal(attr_memfd_needs("user.shm.all"), ATTR_NEEDS_SCAN);
	assert_int_equal(attr_memfd_needs("user.shm.key"), -1);
	assert_int_equal(attr_memfd_getxattr(&m, "user.shm.name", NULL, 0), 4);
	assert_int_equal(attr_memfd_getxattr(&m, "user.shm.seals", buf, 3),
			 -ERANGE);
	assert_int_equal(attr_memfd_getxattr(&m, "user.shm.pids", buf, 8), 3);
	assert_memory_equal(buf, "7,8", 3);
	assert_int_equal(attr_memfd_getxattr(&m, "user.shm.orphan", buf, 8),
			 -ENODATA);
	memset(buf, 0, sizeof(buf));
	assert_true(attr_memfd_getxattr(&m, "user.shm.all", buf,
					sizeof(buf) - 1) > 0);
	assert_string_equal(buf, "user.shm.name=pw/a\n"
				 "user.shm.pagesize=4096\n"
				 "user.shm.seals=grow,write\n"
				 "user.shm.pids=7,8\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_from_record),
		cmocka_unit_test(status_words),
		cmocka_unit_test(xattr_values),
		cmocka_unit_test(xattr_live_values),
		cmocka_unit_test(xattr_pids_too_many),
		cmocka_unit_test(posix_names),
		cmocka_unit_test(xattr_all),
		cmocka_unit_test(xattr_namespaces),
		cmocka_unit_test(xattr_changes_refused),
		cmocka_unit_test(sysv_transfer_rules),
		cmocka_unit_test(memfd_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
