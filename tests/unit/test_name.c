// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "name.h"

static void key_spellings_name_one_key(void **state)
{
	static const char *const same[] = { "0x000004d2", "0x4d2",
					    "0X4D2",	  "0x4D2",
					    "1234",	  "0x0000000004d2" };
	key_t key;

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		key = 0;
		assert_int_equal(name_parse_key(same[i], &key), 0);
		assert_int_equal(key, 1234);
	}
}

static void key_extremes(void **state)
{
	key_t key;

	(void)state;
	assert_int_equal(name_parse_key("0xffffffff", &key), 0);
	assert_int_equal(key, (key_t)-1);
	assert_int_equal(name_parse_key("4294967295", &key), 0);
	assert_int_equal(key, (key_t)-1);
	assert_int_equal(name_parse_key("0x80000000", &key), 0);
	assert_int_equal(key, INT32_MIN);
	assert_int_equal(name_parse_key("1", &key), 0);
	assert_int_equal(key, 1);
}

static void not_keys(void **state)
{
	static const char *const bad[] = {
		"",
		"0",
		"0x0",
		"0x00000000",
		"0x",
		"0x100000000",
		"4294967296",
		"-1",
		"+5",
		" 1",
		"1 ",
		"0x4g",
		"12a",
		"hello",
		"0x-1",
		"99999999999999999999999",
		"0xfffffffff",
		"sem.x",
	};
	key_t key = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(name_parse_key(bad[i], &key), -EINVAL);
		assert_int_equal(key, 42);
	}
}

static void key_format_is_ipcs(void **state)
{
	char buf[NAME_KEY_LEN];

	(void)state;
	name_format_key(1234, buf);
	assert_string_equal(buf, "0x000004d2");
	name_format_key((key_t)-1, buf);
	assert_string_equal(buf, "0xffffffff");
	name_format_key((key_t)0xDEADBEEF, buf);
	assert_string_equal(buf, "0xdeadbeef");
}

static void key_round_trip(void **state)
{
	static const uint32_t keys[] = { 1,	     0x4d2,	 0x7fffffff,
					 0x80000000, 0xfffffffe, 0xffffffff };
	char buf[NAME_KEY_LEN];
	key_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		name_format_key((key_t)keys[i], buf);
		assert_int_equal(name_parse_key(buf, &back), 0);
		assert_int_equal((uint32_t)back, keys[i]);
	}
}

static void shmids(void **state)
{
	char buf[NAME_ID_LEN];
	int id = -5;

	(void)state;
	assert_int_equal(name_parse_shmid("0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(name_parse_shmid("32769", &id), 0);
	assert_int_equal(id, 32769);
	assert_int_equal(name_parse_shmid("2147483647", &id), 0);
	assert_int_equal(id, 2147483647);
	assert_int_equal(name_parse_shmid("2147483648", &id), -EINVAL);
	assert_int_equal(name_parse_shmid("-1", &id), -EINVAL);
	assert_int_equal(name_parse_shmid("0x10", &id), -EINVAL);
	assert_int_equal(name_parse_shmid("", &id), -EINVAL);
	name_format_shmid(32769, buf);
	assert_string_equal(buf, "32769");
	name_format_shmid(2147483647, buf);
	assert_string_equal(buf, "2147483647");
}

static void posix_names(void **state)
{
	char longest[NAME_MAX + 2];

	(void)state;
	assert_int_equal(name_check_posix("myshm"), 0);
	assert_int_equal(name_check_posix("a.b-c_d"), 0);
	assert_int_equal(name_check_posix("semaphore"), 0);
	assert_int_equal(name_check_posix("sem.lock"), -EINVAL);
	assert_int_equal(name_check_posix(""), -EINVAL);
	assert_int_equal(name_check_posix("."), -EINVAL);
	assert_int_equal(name_check_posix(".."), -EINVAL);
	assert_int_equal(name_check_posix("a/b"), -EINVAL);
	memset(longest, 'x', NAME_MAX);
	longest[NAME_MAX] = '\0';
	assert_int_equal(name_check_posix(longest), 0);
	longest[NAME_MAX] = 'x';
	longest[NAME_MAX + 1] = '\0';
	assert_int_equal(name_check_posix(longest), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_spellings_name_one_key),
		cmocka_unit_test(key_extremes),
		cmocka_unit_test(not_keys),
		cmocka_unit_test(key_format_is_ipcs),
		cmocka_unit_test(key_round_trip),
		cmocka_unit_test(shmids),
		cmocka_unit_test(posix_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
