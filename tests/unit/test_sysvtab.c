// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sysvtab_parse.h"

/* As Linux 6.x prints it. */
static const char header[] =
	"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n";

static void parses_a_row(void **state)
{
	struct sysvtab_cols cols;
	struct sysv_info info;

	(void)state;
	assert_int_equal(sysvtab_parse_header(header, &cols), 0);
	assert_int_equal(cols.ncols, 16);
	assert_int_equal(
		sysvtab_parse_line(
			&cols,
			"      1234      32769  1600                  4096  3579  3600      2  1000   100     0     0 1795787700 1795787701 1795787708                  8192                  4096\n",
			&info),
		0);
	assert_int_equal(info.key, 1234);
	assert_int_equal(info.shmid, 32769);
	assert_int_equal(info.mode, 01600);
	assert_int_equal(info.size, 4096);
	assert_int_equal(info.cpid, 3579);
	assert_int_equal(info.lpid, 3600);
	assert_int_equal(info.nattch, 2);
	assert_int_equal(info.uid, 1000);
	assert_int_equal(info.gid, 100);
	assert_int_equal(info.cuid, 0);
	assert_int_equal(info.cgid, 0);
	assert_int_equal(info.atime, 1795787700);
	assert_int_equal(info.dtime, 1795787701);
	assert_int_equal(info.ctime, 1795787708);
	assert_true(info.have_usage);
	assert_int_equal(info.rss, 8192);
	assert_int_equal(info.swap, 4096);
}

/* The kernel prints keys as signed int: 0xffffffff is -1. */
static void negative_keys(void **state)
{
	struct sysvtab_cols cols;
	struct sysv_info info;

	(void)state;
	assert_int_equal(sysvtab_parse_header(header, &cols), 0);
	assert_int_equal(
		sysvtab_parse_line(
			&cols, "-1 5 644 100 1 0 0 0 0 0 0 0 0 0 0 0", &info),
		0);
	assert_int_equal((uint32_t)info.key, 0xffffffffu);
	assert_int_equal(
		sysvtab_parse_line(
			&cols, "-2147483648 5 644 100 1 0 0 0 0 0 0 0 0 0 0 0",
			&info),
		0);
	assert_int_equal((uint32_t)info.key, 0x80000000u);
}

static void bad_rows(void **state)
{
	static const char *const bad[] = {
		"",
		"1 2 644 100",				 /* too few */
		"1 2 644 100 1 0 0 0 0 0 0 0 0 0 0 0 9", /* too many */
		"x 2 644 100 1 0 0 0 0 0 0 0 0 0 0 0",
		"1 -2 644 100 1 0 0 0 0 0 0 0 0 0 0 0",
		"1 2 999 100 1 0 0 0 0 0 0 0 0 0 0 0", /* not octal */
		"1 2 644 -1 1 0 0 0 0 0 0 0 0 0 0 0",
		"4294967296 2 644 1 1 0 0 0 0 0 0 0 0 0 0 0",
		"1 2 644 1 1 0 0 4294967296 0 0 0 0 0 0 0 0",
		"1 2 644 99999999999999999999999 1 0 0 0 0 0 0 0 0 0 0 0",
	};
	struct sysvtab_cols cols;
	struct sysv_info info;

	(void)state;
	assert_int_equal(sysvtab_parse_header(header, &cols), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sysvtab_parse_line(&cols, bad[i], &info),
				 -EINVAL);
}

/* An older kernel without rss/swap, columns in another order. */
static void other_layouts(void **state)
{
	struct sysvtab_cols cols;
	struct sysv_info info;

	(void)state;
	assert_int_equal(sysvtab_parse_header("shmid key size perms\n", &cols),
			 0);
	assert_int_equal(sysvtab_parse_line(&cols, "7 1234 100 600", &info), 0);
	assert_int_equal(info.shmid, 7);
	assert_int_equal(info.key, 1234);
	assert_int_equal(info.size, 100);
	assert_int_equal(info.mode, 0600);
	assert_false(info.have_usage);
	assert_int_equal(sysvtab_parse_header("key perms size\n", &cols),
			 -EINVAL);
	assert_int_equal(sysvtab_parse_header("", &cols), -EINVAL);
}

static void reads_a_stream(void **state)
{
	char text[2048];
	struct sysvtab tab = { 0 };
	FILE *f;

	(void)state;
	snprintf(text, sizeof(text), "%s%s%s%s", header,
		 "1234 0 644 4096 1 0 0 0 0 0 0 0 0 0 0 0\n", "garbage line\n",
		 "0 32769 600 100 1 0 1 0 0 0 0 0 0 0 0 0\n");
	f = fmemopen(text, strlen(text), "r");
	assert_non_null(f);
	assert_int_equal(sysvtab_read_stream(&tab, f), 0);
	fclose(f);
	/* The bad line is skipped; the others are kept. */
	assert_int_equal(tab.n, 2);
	assert_int_equal(tab.v[0].key, 1234);
	assert_int_equal(tab.v[1].shmid, 32769);
	assert_int_equal(tab.v[1].nattch, 1);
	sysvtab_free(&tab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_row),
		cmocka_unit_test(negative_keys),
		cmocka_unit_test(bad_rows),
		cmocka_unit_test(other_layouts),
		cmocka_unit_test(reads_a_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
