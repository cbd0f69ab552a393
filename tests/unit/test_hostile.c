// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inputs of the kind the fuzzers (tests/fuzz) throw at the parsers, kept
 * as fixed cases: over-long lines, too many fields, numbers past their
 * type, headers that repeat or lack columns, names at and past NAME_MAX,
 * command lines with too many words.  Each must be refused cleanly (ASan
 * and UBSan watch the run in tests/run.sh), never half-parsed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "opts.h"
#include "procscan.h"
#include "sysvtab_parse.h"

static const char header[] = "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap\n";

/*
 * TEXT right-aligned in LEN bytes, as the kernel pads its columns: the same
 * fields whatever LEN, so only the length can make the parser refuse it.
 */
static const char *padded(char *buf, size_t len, const char *text)
{
	size_t n = strlen(text);

	assert_true(n <= len);
	memset(buf, ' ', len - n);
	memcpy(buf + len - n, text, n + 1);
	return buf;
}

/* The parsers copy a line into a 512-byte buffer: 511 bytes and the NUL. */
#define BOUND 512

static void long_and_wide_lines(void **state)
{
	static const char row[] = "4096 7 644 8192 1 1 0 0 0 0 0 0 0 0 0 0\n";
	struct sysvtab_cols cols;
	struct sysv_info info;
	char line[2048];
	int res;

	(void)state;
	res = sysvtab_parse_header(padded(line, BOUND - 1, header), &cols);
	assert_int_equal(res, 0);
	res = sysvtab_parse_header(padded(line, BOUND, header), &cols);
	assert_int_equal(res, -EINVAL);
	assert_int_equal(sysvtab_parse_header(header, &cols), 0);
	/* a valid row of 511 bytes is read whole, one of 512 refused */
	res = sysvtab_parse_line(&cols, padded(line, BOUND - 1, row), &info);
	assert_int_equal(res, 0);
	assert_int_equal(info.key, 4096);
	assert_int_equal(info.shmid, 7);
	assert_true(info.size == 8192);
	res = sysvtab_parse_line(&cols, padded(line, BOUND, row), &info);
	assert_int_equal(res, -EINVAL);
	res = sysvtab_parse_line(&cols, padded(line, sizeof(line) - 1, row),
				 &info);
	assert_int_equal(res, -EINVAL);
	/* more fields than the parser keeps: refused, field[] not overrun */
	memset(line, 0, sizeof(line));
	for (int i = 0; i < 40; i++)
		strcat(line, "1 ");
	assert_int_equal(sysvtab_parse_line(&cols, line, &info), -EINVAL);
	assert_int_equal(sysvtab_parse_header(line, &cols), -EINVAL);
	memset(line, 'k', 600);
	line[600] = '\0';
	assert_int_equal(sysvtab_parse_header(line, &cols), -EINVAL);
}

static void numbers_past_their_type(void **state)
{
	struct sysvtab_cols cols;
	struct sysv_info info;

	(void)state;
	assert_int_equal(sysvtab_parse_header(header, &cols), 0);
	/* shmid past INT_MAX, perms past 07777, pid past INT32_MAX, size past 2^64 */
	assert_int_equal(sysvtab_parse_line(&cols, "1 2147483648 644 1 1 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "1 1 17777 1 1 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "1 1 644 1 2147483648 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "1 1 644 18446744073709551616 1 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "4294967296 1 644 1 1 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "-2147483649 1 644 1 1 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "1 -1 644 1 1 1 1 0 0 0 0 0 0 0 0 0", &info), -EINVAL);
	assert_int_equal(sysvtab_parse_line(&cols, "1 1 644 1 1 1 1 0 0 0 0 0 0 0 0 0x10", &info), -EINVAL);
	/* and the largest that fit */
	assert_int_equal(sysvtab_parse_line(&cols, "-2147483648 2147483647 7777 18446744073709551615 2147483647 0 1 4294967295 0 0 0 0 0 0 0 0", &info), 0);
	assert_int_equal(info.shmid, INT_MAX);
	assert_int_equal(info.mode, 07777);
	assert_true(info.size == UINT64_MAX);
}

static void odd_headers(void **state)
{
	struct sysvtab_cols cols;
	struct sysv_info info;

	(void)state;
	assert_int_equal(sysvtab_parse_header("shmid perms size\n", &cols), -EINVAL);
	assert_int_equal(sysvtab_parse_header("", &cols), -EINVAL);
	assert_int_equal(sysvtab_parse_header(" \t \n", &cols), -EINVAL);
	/* a repeated column: the last one counts, and rows still line up */
	assert_int_equal(sysvtab_parse_header("key shmid perms size key\n", &cols), 0);
	assert_int_equal(sysvtab_parse_line(&cols, "1 2 644 4096 5", &info), 0);
	assert_int_equal(info.key, 5);
	assert_int_equal(sysvtab_parse_line(&cols, "1 2 644 4096", &info), -EINVAL);
}

static void streams(void **state)
{
	static const char *const bad[] = { "", "\n", "garbage\n1 2 3\n",
					   "key shmid perms size\n\n\n" };
	struct sysvtab tab = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fmemopen((void *)bad[i], strlen(bad[i]) + 1, "r");

		assert_non_null(f);
		sysvtab_read_stream(&tab, f);
		assert_int_equal(tab.n, 0);
		fclose(f);
	}
	sysvtab_free(&tab);
}

static void names_at_the_limits(void **state)
{
	char name[300];
	key_t key;
	int id;

	(void)state;
	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	assert_int_equal(name_check_posix(name), 0);
	name[255] = 'a';
	name[256] = '\0';
	assert_int_equal(name_check_posix(name), -ENAMETOOLONG);
	memset(name, '0', sizeof(name));
	name[299] = '\0';
	/* 299 zeros are 0 = IPC_PRIVATE: never a name */
	assert_int_equal(name_parse_key(name, &key), -EINVAL);
	name[298] = '1';
	assert_int_equal(name_parse_key(name, &key), 0);
	assert_int_equal(key, 1);
	assert_int_equal(name_parse_shmid(name, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(name_parse_shmid("2147483648", &id), -EINVAL);
	assert_int_equal(name_parse_key("0x", &key), -EINVAL);
	assert_int_equal(name_parse_key("0x0x1", &key), -EINVAL);
}

static void command_lines(void **state)
{
	char *too_many[] = { "shmfs", "a", "b", "c", NULL };
	char *fine[] = { "shmfs", "src", "/mnt", "-o", "noauto,comment=x,x-systemd.foo,posix_dir=/x,posix_dir=/y", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(4, too_many);
	struct shmfs_opts opts;

	(void)state;
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(opts_parse(&args, &opts), -1);
	assert_int_equal(opts.npos, 2);
	opts_free(&opts);
	fuse_opt_free_args(&args);

	args = (struct fuse_args)FUSE_ARGS_INIT(5, fine);
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(opts_parse(&args, &opts), 0);
	assert_string_equal(opts_mountpoint(&opts), "/mnt");
	assert_string_equal(opts_source(&opts), "src");
	/* a repeated option: the last one wins, the first is not leaked */
	assert_string_equal(opts.posix_dir, "/y");
	opts_free(&opts);
	fuse_opt_free_args(&args);
}

/* Lines of maps and smaps: at the limits of their numbers, any length. */
static void maps_lines(void **state)
{
	static char line[100000];
	struct procscan_map_line m;
	uint64_t start, size;

	(void)state;
	assert_int_equal(procscan_parse_map("ffffffffffffffff-ffffffffffffffff "
					    "rw-s ffffffffffffffff "
					    "ffffffff:ffffffff "
					    "18446744073709551615",
					    &m),
			 0);
	assert_int_equal(m.ino, UINT64_MAX);
	assert_int_equal(m.major, UINT32_MAX);
	assert_int_equal(procscan_parse_map("1-2 rw-s 0 100000000:0 0", &m),
			 -EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw-s 0 0:0 "
					    "18446744073709551616",
					    &m),
			 -EINVAL);
	/* a path as long as any: read, not copied */
	memset(line, 'a', sizeof(line) - 1);
	memcpy(line, "1-2 rw-s 0 0:0 1 /", 18);
	assert_int_equal(procscan_parse_map(line, &m), 0);
	assert_int_equal(strlen(m.path), sizeof(line) - 1 - 17);
	assert_false(procscan_sysv_path(m.path, NULL));
	/* fields cut short, at every length */
	for (size_t n = 0; n < 16; n++) {
		char cut[32];

		memcpy(cut, "1-2 rw-s 0 0:0 1", n);
		cut[n] = '\0';
		assert_int_equal(procscan_parse_map(cut, &m), -EINVAL);
	}
	assert_int_equal(procscan_parse_smaps("KernelPageSize: "
					      "18014398509481984 kB",
					      &start, &size),
			 0);
	assert_int_equal(procscan_parse_smaps("KernelPageSize: "
					      "18014398509481983 kB",
					      &start, &size),
			 2);
	assert_int_equal(size, UINT64_C(18014398509481983) * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_and_wide_lines),
		cmocka_unit_test(numbers_past_their_type),
		cmocka_unit_test(odd_headers),
		cmocka_unit_test(streams),
		cmocka_unit_test(names_at_the_limits),
		cmocka_unit_test(command_lines),
		cmocka_unit_test(maps_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
