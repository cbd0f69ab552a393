// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV file being created, driven through sysv_new.h and the seg_ops of
 * what it returns, without a mount: each change of its state, and what is
 * made of it.  Real segments are made, in an IPC namespace of the test's
 * own, and checked with shmget, IPC_STAT and shmat directly.  Who may do
 * what, and the limits, are in test_sysv_new_limit.c; locks and threads
 * in test_sysv_new_race.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "cred.h"
#include "newbuf.h"
#include "seg.h"
#include "sysv_new.h"
#include "sysv_new_util.h"

/*
 * echo hello > sysv/KEY: the close's flush makes the segment, as large as
 * what was written; from then on the file is the segment's.
 */
static void written_then_flushed(void **state)
{
	const key_t key = 0x1001;
	struct seg_ref ref, found;
	struct seg_file *file;
	struct shmid_ds ds;
	struct stat st;
	uint64_t ino;
	char buf[6];

	(void)state;
	file = make(key, 0640, root(), &ref);
	put(file, "hello\n", 0);
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_false(seg_exists(key));
	assert_int_equal(sysv_new_lookup(si, key, &found, &st), 0);
	assert_int_equal(found.id, ref.id);
	assert_int_equal(listed(key, &ino), 1);
	assert_int_equal(ino, SEG_INO_TAG(SEG_TAG_NEW, ref.id));

	assert_int_equal(seg_flush(file), 0);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_segsz, 6);
	assert_int_equal(ds.shm_perm.mode & 0777, 0640);
	assert_int_equal(ds.shm_perm.uid, 0);
	assert_int_equal(ds.shm_nattch, 1); /* the file's own attachment */
	seg_bytes(key, 0, 6, buf);
	assert_memory_equal(buf, "hello\n", 6);
	/* Created: the dir's lookup finds it now, this module's does not. */
	assert_false(pending(key));
	assert_int_equal(listed(key, NULL), 0);
	/* The ref and the file now act on the segment. */
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_int_not_equal(st.st_ino, SEG_INO_TAG(SEG_TAG_NEW, ref.id));
	put(file, "J", 0);
	seg_bytes(key, 0, 6, buf);
	assert_memory_equal(buf, "Jello\n", 6);
	assert_int_equal(get(file, 100, 0).len, 6);
	/* A second flush (another close of a dup) makes nothing more. */
	assert_int_equal(seg_flush(file), 0);

	file->ops->release(file);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_nattch, 0);
	assert_int_equal(ds.shm_segsz, 6);
	assert_int_equal(newbuf_in_use(), 0);
	seg_remove(key);
}

/* Released without a flush: the release makes it, gaps as zeros. */
static void written_then_released(void **state)
{
	const key_t key = 0x1002;
	struct seg_file *file;
	struct seg_ref ref;
	char buf[11];

	(void)state;
	file = make(key, 0600, root(), &ref);
	put(file, "abc", 0);
	put(file, "Z", 10);
	assert_false(seg_exists(key));
	file->ops->release(file);
	assert_int_equal(seg_size(key), 11);
	seg_bytes(key, 0, 11, buf);
	assert_memory_equal(buf, "abc\0\0\0\0\0\0\0Z", 11);
	assert_false(pending(key));
	assert_int_equal(newbuf_in_use(), 0);
	seg_remove(key);
}

/*
 * touch sysv/KEY: nothing written, so the flush (also the one a shell
 * sends after dup2(), before writing) makes nothing; the release makes
 * one page.
 */
static void released_empty(void **state)
{
	const key_t key = 0x1003;
	struct seg_file *file;
	struct shmid_ds ds;
	struct seg_ref ref;

	(void)state;
	file = make(key, 0604, root(), &ref);
	assert_int_equal(seg_flush(file), 0);
	assert_false(seg_exists(key));
	assert_true(pending(key));
	file->ops->release(file);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_segsz, page());
	assert_int_equal(ds.shm_perm.mode & 0777, 0604);
	assert_int_equal(ds.shm_nattch, 0);
	assert_false(pending(key));
	seg_remove(key);
}

/*
 * truncate -s SIZE: the segment is made at once, that large; what follows
 * goes to it, as to any segment: short at the end, ENOSPC past it.
 */
static void truncated_first(void **state)
{
	const key_t key = 0x1004;
	struct seg_file *file;
	struct shmid_ds ds;
	struct seg_ref ref;
	char buf[5];
	int id;

	(void)state;
	file = make(key, 0600, root(), &ref);
	assert_int_equal(ref.ops->truncate(&ref, file, 10000), 0);
	id = seg_stat(key, &ds);
	assert_true(id >= 0);
	assert_int_equal(ds.shm_segsz, 10000);
	assert_false(pending(key));
	put(file, "12345", 0);
	seg_bytes(key, 0, 5, buf);
	assert_memory_equal(buf, "12345", 5);
	assert_int_equal(file->ops->write(file, "abcde", 5, 9998), 2);
	assert_int_equal(file->ops->write(file, "abcde", 5, 10000), -ENOSPC);
	seg_bytes(key, 9998, 2, buf);
	assert_memory_equal(buf, "ab", 2);
	/* A segment's truncate: never larger, smaller zero-fills the rest. */
	assert_int_equal(ref.ops->truncate(&ref, file, 20000), -EFBIG);
	put(file, "x", 200);
	assert_int_equal(ref.ops->truncate(&ref, file, 100), 0);
	seg_bytes(key, 200, 1, buf);
	assert_int_equal(buf[0], 0);
	assert_int_equal(seg_size(key), 10000);

	assert_int_equal(seg_flush(file), 0);
	file->ops->release(file);
	assert_int_equal(seg_stat(key, &ds), id); /* the same one, no other */
	assert_int_equal(ds.shm_segsz, 10000);
	seg_remove(key);
}

/* Written, then truncated to a size: the segment holds what was written. */
static void written_then_truncated(void **state)
{
	const key_t key = 0x1005;
	struct seg_file *file;
	struct seg_ref ref;
	char buf[8];

	(void)state;
	file = make(key, 0600, root(), &ref);
	put(file, "hello", 0);
	/* Without a file, as truncate(1) on a path. */
	assert_int_equal(ref.ops->truncate(&ref, NULL, 100), 0);
	assert_int_equal(seg_size(key), 100);
	seg_bytes(key, 0, 8, buf);
	assert_memory_equal(buf, "hello\0\0\0", 8);
	/* The file attaches now, on its first use. */
	put(file, "J", 0);
	seg_bytes(key, 0, 5, buf);
	assert_memory_equal(buf, "Jello", 5);
	file->ops->release(file);
	assert_int_equal(seg_size(key), 100);
	assert_int_equal(newbuf_in_use(), 0);
	seg_remove(key);
}

/*
 * O_TRUNC's truncate to 0 chooses no size: the file stays pending, and
 * what it held before must not come back through a gap.
 */
static void truncated_to_zero(void **state)
{
	const key_t key = 0x1006;
	struct seg_file *file;
	struct seg_ref ref;
	struct stat st;
	char buf[3];

	(void)state;
	file = make(key, 0600, root(), &ref);
	assert_int_equal(ref.ops->truncate(&ref, file, 0), 0);
	assert_false(seg_exists(key));
	assert_true(pending(key));
	put(file, "secret", 0);
	assert_int_equal(ref.ops->truncate(&ref, file, 0), 0);
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_false(seg_exists(key));
	put(file, "x", 2);
	assert_int_equal(seg_flush(file), 0);
	assert_int_equal(seg_size(key), 3);
	seg_bytes(key, 0, 3, buf);
	assert_memory_equal(buf, "\0\0x", 3);
	file->ops->release(file);
	seg_remove(key);
}

/*
 * rm before the segment exists: the name goes at once, the data lives on
 * in the open file, and its release makes nothing.
 */
static void removed_before_creation(void **state)
{
	const key_t key = 0x1007;
	struct seg_file *file, *again;
	struct seg_ref ref, ref2;
	struct stat st;
	struct got g;

	(void)state;
	file = make(key, 0600, root(), &ref);
	put(file, "gone", 0);
	assert_int_equal(sysv_new_unlink(si, key), 0);
	assert_false(pending(key));
	assert_int_equal(listed(key, NULL), 0);
	assert_int_equal(sysv_new_unlink(si, key), -ENOENT);
	g = get(file, 100, 0);
	assert_int_equal(g.len, 4);
	assert_memory_equal(g.buf, "gone", 4);
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_size, 4);
	/* Neither a flush nor a truncate makes it now. */
	assert_int_equal(seg_flush(file), 0);
	assert_int_equal(ref.ops->truncate(&ref, file, 2), 0);
	assert_int_equal(get(file, 100, 0).len, 2);
	assert_false(seg_exists(key));
	file->ops->release(file);
	assert_false(seg_exists(key));
	assert_int_equal(newbuf_in_use(), 0);
	/* Its entry is gone with its last file. */
	assert_int_equal(ref.ops->getattr(&ref, NULL, &st), -ENOENT);
	/* And the key is free. */
	again = make(key, 0600, root(), &ref2);
	assert_int_not_equal(ref2.id, ref.id);
	again->ops->release(again);
	assert_int_equal(seg_size(key), page());
	seg_remove(key);
}

/* Lookups and listings show pending files, one per key, until made. */
static void lookup_and_list(void **state)
{
	const key_t k1 = 0x2001, k2 = 0x2002;
	struct seg_file *f1, *f2, *dup = NULL;
	struct seg_ref r1, r2, found;
	struct stat st;
	uint64_t ino;

	(void)state;
	assert_int_equal(sysv_new_lookup(si, k1, &found, &st), -ENOENT);
	assert_int_equal(listed(k1, NULL), 0);
	f1 = make(k1, 0600, root(), &r1);
	f2 = make(k2, 0644, root(), &r2);
	assert_int_not_equal(r1.id, r2.id);
	put(f2, "four", 0);
	assert_int_equal(sysv_new_lookup(si, k2, &found, &st), 0);
	assert_ptr_equal(found.ops, r2.ops);
	assert_int_equal(found.id, r2.id);
	assert_int_equal(st.st_ino, SEG_INO_TAG(SEG_TAG_NEW, r2.id));
	assert_int_equal(st.st_size, 4);
	assert_int_equal(st.st_mode, S_IFREG | 0644);
	assert_int_equal(listed(k1, &ino), 1);
	assert_int_equal(ino, SEG_INO_TAG(SEG_TAG_NEW, r1.id));
	assert_int_equal(listed(k2, &ino), 1);
	assert_int_equal(ino, SEG_INO_TAG(SEG_TAG_NEW, r2.id));
	/* One pending file per key. */
	assert_int_equal(sysv_new_create(si, k1, 0600, O_WRONLY, root(), &found,
					 &st, &dup),
			 -EEXIST);
	assert_null(dup);

	assert_int_equal(seg_flush(f2), 0);
	assert_int_equal(listed(k2, NULL), 0);
	assert_int_equal(sysv_new_lookup(si, k2, &found, &st), -ENOENT);
	assert_int_equal(listed(k1, NULL), 1);
	f1->ops->release(f1);
	assert_int_equal(listed(k1, NULL), 0);
	f2->ops->release(f2);
	seg_remove(k1);
	seg_remove(k2);
}

/*
 * Two opens of one pending file share its data; only the creating file's
 * close makes the segment, which every open file is attached to then.
 */
static void two_opens(void **state)
{
	const key_t key = 0x3001;
	struct seg_file *a, *b, *c, *d;
	struct shmid_ds ds;
	struct seg_ref ref;
	struct got g;

	(void)state;
	a = make(key, 0600, root(), &ref);
	assert_int_equal(ref.ops->open(&ref, O_RDWR, &b), 0);
	put(b, "from b", 0);
	g = get(a, 100, 0);
	assert_int_equal(g.len, 6);
	assert_memory_equal(g.buf, "from b", 6);
	/* Not the creating file: its close makes nothing. */
	assert_int_equal(seg_flush(b), 0);
	b->ops->release(b);
	assert_false(seg_exists(key));
	assert_true(pending(key));

	assert_int_equal(ref.ops->open(&ref, O_RDONLY, &c), 0);
	assert_int_equal(seg_flush(a), 0);
	assert_int_equal(seg_size(key), 6);
	/*
	 * C is attached as the segment is made, read-only as opened: it
	 * holds the segment as any open file does, removed or not.
	 */
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_nattch, 2);
	g = get(c, 100, 0);
	assert_int_equal(g.len, 6);
	assert_memory_equal(g.buf, "from b", 6);
	assert_int_equal(c->ops->write(c, "x", 1, 0), -EBADF);
	/* An open after creation attaches at once. */
	assert_int_equal(ref.ops->open(&ref, O_RDWR, &d), 0);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_nattch, 3);
	put(d, "FROM", 0);
	g = get(a, 100, 0);
	assert_memory_equal(g.buf, "FROM b", 6);
	a->ops->release(a);
	c->ops->release(c);
	d->ops->release(d);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_nattch, 0);
	assert_int_equal(newbuf_in_use(), 0);
	seg_remove(key);
}

/* Reads of pending data: what was written, ending at its end. */
static void reads_of_pending(void **state)
{
	const key_t key = 0x3002;
	struct seg_file *file;
	struct seg_ref ref;
	struct got g;

	(void)state;
	file = make(key, 0600, root(), &ref);
	assert_int_equal(get(file, 10, 0).len, 0);
	put(file, "hello world", 0);
	g = get(file, 5, 6);
	assert_int_equal(g.len, 5);
	assert_memory_equal(g.buf, "world", 5);
	g = get(file, 3, 2);
	assert_int_equal(g.len, 3);
	assert_memory_equal(g.buf, "llo", 3);
	g = get(file, 100, 0);
	assert_int_equal(g.len, 11);
	assert_memory_equal(g.buf, "hello world", 11);
	g = get(file, 100, 8);
	assert_int_equal(g.len, 3);
	assert_memory_equal(g.buf, "rld", 3);
	assert_int_equal(get(file, 10, 11).len, 0);
	assert_int_equal(get(file, 10, 1000).len, 0);
	assert_false(seg_exists(key));
	file->ops->release(file);
	assert_int_equal(seg_size(key), 11);
	seg_remove(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(written_then_flushed),
		cmocka_unit_test(written_then_released),
		cmocka_unit_test(released_empty),
		cmocka_unit_test(truncated_first),
		cmocka_unit_test(written_then_truncated),
		cmocka_unit_test(truncated_to_zero),
		cmocka_unit_test(removed_before_creation),
		cmocka_unit_test(lookup_and_list),
		cmocka_unit_test(two_opens),
		cmocka_unit_test(reads_of_pending),
	};

	return sysv_new_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}
