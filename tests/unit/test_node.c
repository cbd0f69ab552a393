// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "node.h"
#include "posix.h"
#include "sysv.h"

static struct seg_ref ref_of(const struct seg_ops *ops, uint64_t id,
			     const char *name)
{
	struct seg_ref ref;

	memset(&ref, 0, sizeof(ref));
	ref.ops = ops;
	ref.id = id;
	strcpy(ref.name, name);
	return ref;
}

static void remembers_until_forgotten(void **state)
{
	struct seg_ref a = ref_of(&sysv_seg_ops, 7, "");
	struct seg_ref got;

	(void)state;
	assert_int_equal(node_remember(100, &a), 0);
	assert_int_equal(node_remember(100, &a), 0);
	assert_int_equal(node_get(100, &got), 0);
	assert_ptr_equal(got.ops, &sysv_seg_ops);
	assert_int_equal(got.id, 7);
	assert_string_equal(got.name, "");
	node_forget(100, 1);
	assert_int_equal(node_get(100, &got), 0);
	node_forget(100, 1);
	assert_int_equal(node_get(100, &got), -ESTALE);
	/* forgetting more than was looked up is harmless */
	node_forget(100, 5);
	assert_int_equal(node_count(), 0);
}

static void keeps_the_newest_name(void **state)
{
	struct seg_ref a = ref_of(&posix_seg_ops, 9, "old");
	struct seg_ref b = ref_of(&posix_seg_ops, 9, "new");
	struct seg_ref got;

	(void)state;
	assert_int_equal(node_remember(200, &a), 0);
	assert_int_equal(node_remember(200, &b), 0);
	assert_int_equal(node_get(200, &got), 0);
	assert_string_equal(got.name, "new");
	node_forget(200, 2);
	assert_int_equal(node_count(), 0);
}

/* Enough nodes to make the table grow several times. */
static void many_nodes(void **state)
{
	const uint64_t n = 50000;
	struct seg_ref got;

	(void)state;
	for (uint64_t i = 0; i < n; i++) {
		struct seg_ref r = ref_of(&sysv_seg_ops, i, "");

		assert_int_equal(
			node_remember(SEG_INO_TAG(SEG_TAG_SYSV, i), &r), 0);
	}
	assert_int_equal(node_count(), n);
	for (uint64_t i = 0; i < n; i += 997) {
		assert_int_equal(node_get(SEG_INO_TAG(SEG_TAG_SYSV, i), &got),
				 0);
		assert_int_equal(got.id, i);
	}
	for (uint64_t i = 0; i < n; i += 2)
		node_forget(SEG_INO_TAG(SEG_TAG_SYSV, i), 1);
	assert_int_equal(node_count(), n / 2);
	assert_int_equal(node_get(SEG_INO_TAG(SEG_TAG_SYSV, 2), &got), -ESTALE);
	assert_int_equal(node_get(SEG_INO_TAG(SEG_TAG_SYSV, 3), &got), 0);
	node_clear();
	assert_int_equal(node_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remembers_until_forgotten),
		cmocka_unit_test(keeps_the_newest_name),
		cmocka_unit_test(many_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
