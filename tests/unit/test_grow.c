// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "grow.h"

static void grows_by_doubling(void **state)
{
	size_t cap = 0;
	int *v = NULL;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		int *w = grow(v, &cap, (size_t)i + 1, sizeof(*v));

		assert_non_null(w);
		v = w;
		v[i] = i;
	}
	assert_true(cap >= 1000 && cap < 2000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	assert_ptr_equal(grow(v, &cap, 10, sizeof(*v)), v); /* room already */
	free(v);
}

static void refuses_what_cannot_fit(void **state)
{
	size_t cap = 16;
	char *v = malloc(16);

	(void)state;
	assert_null(grow(v, &cap, SIZE_MAX, 1));
	assert_null(grow(v, &cap, SIZE_MAX / 4, 8));
	assert_int_equal(cap, 16); /* untouched */
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grows_by_doubling),
		cmocka_unit_test(refuses_what_cannot_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
