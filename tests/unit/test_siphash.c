// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "siphash.h"

/* The reference vectors of the SipHash paper and its code. */
static void vectors(void **state)
{
	uint8_t key[16], msg[64];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(siphash24(key, msg, 0), UINT64_C(0x726fdb47dd0e0e31));
	assert_int_equal(siphash24(key, msg, 15), UINT64_C(0xa129ca6149be45e5));
	assert_int_equal(siphash24(key, msg, 8), UINT64_C(0x93f5f5799a932462));
	assert_int_equal(siphash24(key, msg, 63), UINT64_C(0x958a324ceb064572));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
