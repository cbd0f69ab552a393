// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "change.h"
#include "node.h"

/* Two kinds of objects, as far as the node table can tell. */
static const struct seg_ops sysv_seg_ops, posix_seg_ops;
static const struct seg_dir_ops posix_dir_ops;

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

/*
 * A rename moves the name of the node the kernel holds, and takes no
 * reference of its own; a node of another object, or none, is left alone.
 */
static void follows_a_rename(void **state)
{
	struct seg_ref a = ref_of(&posix_seg_ops, 9, "a");
	struct seg_ref b = ref_of(&posix_seg_ops, 9, "b");
	struct seg_ref other = ref_of(&posix_seg_ops, 10, "c");
	struct seg_ref got;

	(void)state;
	assert_int_equal(node_remember(300, &a), 0);
	node_renamed(300, &b);
	assert_int_equal(node_get(300, &got), 0);
	assert_string_equal(got.name, "b");
	node_renamed(300, &other);
	assert_int_equal(node_get(300, &got), 0);
	assert_string_equal(got.name, "b");
	node_renamed(301, &b);
	assert_int_equal(node_get(301, &got), -ESTALE);
	node_forget(300, 1);
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

/* What the kernel was told stays with the node until it is forgotten. */
static void stamps_and_picking(void **state)
{
	struct seg_ref a = ref_of(&posix_seg_ops, 5, "obj");
	struct seg_ref b = ref_of(&sysv_seg_ops, 6, "");
	struct watch_want recent = { .by_time = 1, .since_ns = 1 };
	struct watch_want none = { 0 };
	struct watch_want named = { 0 };
	struct watch_node *v = NULL;
	struct seg_ref got;
	size_t cap = 0, n;

	(void)state;
	assert_int_equal(node_remember(300, &a), 0);
	assert_int_equal(node_remember(301, &b), 0);
	node_seen(300, 1234);
	node_seen(999, 1); /* unknown: ignored */
	/* Only nodes of the kind asked for, and only those wanted. */
	assert_int_equal(node_pick(&posix_seg_ops, NULL, &none, &v, &cap, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(node_pick(&posix_seg_ops, NULL, &recent, &v, &cap, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].ino, 300);
	assert_int_equal(v[0].stamp, 1234);
	assert_string_equal(v[0].ref.name, "obj");
	/* What the watcher does once it has told the kernel. */
	v[0].stamp = 42;
	v[0].drop_name = 1;
	node_checked(v, n);
	assert_int_equal(node_get(300, &got), 0);
	assert_string_equal(got.name, "");
	assert_int_equal(node_pick(&posix_seg_ops, NULL, &recent, &v, &cap, &n),
			 0);
	assert_int_equal(v[0].stamp, 42);
	/* A reply in between is newer than what the check saw: kept. */
	node_seen(300, 77);
	v[0].stamp = 43;
	node_checked(v, n);
	assert_int_equal(node_pick(&posix_seg_ops, NULL, &recent, &v, &cap, &n),
			 0);
	assert_int_equal(v[0].stamp, 77);
	/* By name or id; a node never told of is not recent. */
	assert_int_equal(node_pick(&sysv_seg_ops, NULL, &recent, &v, &cap, &n),
			 0);
	assert_int_equal(n, 0);
	named.ids = calloc(1, sizeof(*named.ids));
	named.ids[0] = 6;
	named.ids_n = 1;
	assert_int_equal(node_pick(&sysv_seg_ops, NULL, &named, &v, &cap, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].ino, 301);
	watch_want_free(&named);
	assert_int_equal(node_remember(302, &(struct seg_ref){ .ops = &posix_seg_ops, .id = 9, .name = "nine" }), 0);
	assert_int_equal(watch_want_name(&named, "zz"), 0);
	assert_int_equal(watch_want_name(&named, "nine"), 0);
	assert_int_equal(watch_want_name(&named, "nine"), 0);
	watch_want_sort(&named);
	assert_int_equal(named.names.n, 2);
	assert_int_equal(node_pick(&posix_seg_ops, NULL, &named, &v, &cap, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].ino, 302);
	watch_want_free(&named);
	/* An open file's node is always recent: its pages may be cached. */
	node_opened(301, 1);
	assert_int_equal(node_pick(&sysv_seg_ops, NULL, &recent, &v, &cap, &n),
			 0);
	assert_int_equal(n, 1);
	node_opened(301, -1);
	node_forget(300, 1);
	node_forget(301, 1);
	node_forget(302, 1);
	assert_int_equal(node_pick(&posix_seg_ops, NULL, &recent, &v, &cap, &n),
			 0);
	assert_int_equal(n, 0);
	free(v);
}

/* Equal attributes, equal stamps; any shown field changes it. */
static void attribute_stamps(void **state)
{
	struct stat a, b;
	uint64_t sa;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.st_ino = 7;
	a.st_mode = S_IFREG | 0640;
	a.st_size = 4096;
	b = a;
	sa = attr_stamp(&a);
	assert_true(sa == attr_stamp(&b));
	assert_true(sa != ATTR_STAMP_NONE && sa != ATTR_STAMP_GONE);
	b.st_mode = S_IFREG | 0600;
	assert_true(sa != attr_stamp(&b));
	b = a;
	b.st_blocks = 8;
	assert_true(sa != attr_stamp(&b));
	b = a;
	b.st_mtim.tv_sec = 1;
	assert_true(sa != attr_stamp(&b));
	b = a;
	b.st_uid = 1;
	assert_true(sa != attr_stamp(&b));
}

static void change_lists(void **state)
{
	struct change_list l = { 0 };
	const struct seg_dir dir = { &posix_dir_ops, NULL };

	(void)state;
	for (int i = 0; i < 100; i++)
		assert_int_equal(change_inode(&l, (uint64_t)i + 1, i & 1), 0);
	assert_int_equal(change_name(&l, &dir, "x"), 0);
	assert_int_equal(change_dir(&l, &dir), 0);
	assert_int_equal(l.n, 102);
	assert_int_equal(l.v[99].ino, 100);
	assert_int_equal(l.v[99].contents, 1);
	assert_int_equal(l.v[100].ino, 0);
	assert_ptr_equal(l.v[100].dir.ops, &posix_dir_ops);
	assert_string_equal(l.v[100].name, "x");
	/* The directory's own attributes: no inode, no name. */
	assert_int_equal(l.v[101].ino, 0);
	assert_ptr_equal(l.v[101].dir.ops, &posix_dir_ops);
	assert_null(l.v[101].name);
	change_list_free(&l);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remembers_until_forgotten),
		cmocka_unit_test(keeps_the_newest_name),
		cmocka_unit_test(follows_a_rename),
		cmocka_unit_test(many_nodes),
		cmocka_unit_test(stamps_and_picking),
		cmocka_unit_test(attribute_stamps),
		cmocka_unit_test(change_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
