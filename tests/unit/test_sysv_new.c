// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV file being created, driven through sysv_new.h and the seg_ops of
 * what it returns, without a mount.  Real segments are made, in an IPC
 * namespace of the test's own (main()), and checked with shmget, IPC_STAT
 * and shmat directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "cred.h"
#include "name.h"
#include "newbuf.h"
#include "seg.h"
#include "sysv_new.h"

static struct seg_cred user(uid_t uid, gid_t gid)
{
	struct seg_cred c;

	memset(&c, 0, sizeof(c));
	c.uid = uid;
	c.gid = gid;
	return c;
}

static const struct seg_cred *root(void)
{
	static struct seg_cred c; /* all zero: uid 0, gid 0 */

	return &c;
}

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A new file for KEY, as fs_create makes one: open for writing. */
static struct seg_file *make(key_t key, mode_t mode,
			     const struct seg_cred *cred, struct seg_ref *ref)
{
	struct seg_file *file = NULL;
	struct stat st;

	assert_int_equal(sysv_new_create(key, mode, O_WRONLY | O_CREAT, cred,
					 ref, &st, &file),
			 0);
	assert_non_null(file);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode, S_IFREG | (mode & 0777));
	assert_int_equal(st.st_ino, SEG_INO_TAG(SEG_TAG_NEW, ref->id));
	return file;
}

static void put(struct seg_file *file, const char *s, off_t off)
{
	ssize_t n = file->ops->write(file, s, strlen(s), off);

	assert_int_equal(n, (ssize_t)strlen(s));
}

/* The kernel's record of KEY's segment: its shmid, or -errno. */
static int seg_stat(key_t key, struct shmid_ds *ds)
{
	int id = shmget(key, 0, 0);

	if (id < 0)
		return -errno;
	if (shmctl(id, IPC_STAT, ds) < 0)
		return -errno;
	return id;
}

static int seg_exists(key_t key)
{
	struct shmid_ds ds;

	return seg_stat(key, &ds) >= 0;
}

static size_t seg_size(key_t key)
{
	struct shmid_ds ds;

	assert_true(seg_stat(key, &ds) >= 0);
	return ds.shm_segsz;
}

/* N bytes at OFF of KEY's segment, read by an attach of our own. */
static void seg_bytes(key_t key, size_t off, size_t n, void *buf)
{
	int id = shmget(key, 0, 0);
	const char *p;

	assert_true(id >= 0);
	p = shmat(id, NULL, SHM_RDONLY);
	assert_true(p != (void *)-1);
	memcpy(buf, p + off, n);
	shmdt(p);
}

static void seg_remove(key_t key)
{
	int id = shmget(key, 0, 0);

	assert_true(id >= 0);
	assert_int_equal(shmctl(id, IPC_RMID, NULL), 0);
}

struct got {
	char buf[256];
	size_t len;
	int calls;
};

static int take_reply(void *ctx, const void *buf, size_t len)
{
	struct got *g = ctx;

	assert_true(len <= sizeof(g->buf));
	if (len > 0)
		memcpy(g->buf, buf, len);
	g->len = len;
	g->calls++;
	return 0;
}

static struct got get(struct seg_file *file, size_t size, off_t off)
{
	struct got g = { .calls = 0 };

	assert_int_equal(file->ops->read(file, size, off, take_reply, &g), 0);
	assert_int_equal(g.calls, 1);
	return g;
}

struct find {
	const char *name;
	uint64_t ino;
	int seen;
};

static int find_one(void *ctx, const char *name, uint64_t ino, mode_t type)
{
	struct find *f = ctx;

	assert_int_equal(type, S_IFREG);
	if (strcmp(name, f->name) == 0) {
		f->seen++;
		f->ino = ino;
	}
	return 0;
}

/* How often KEY is listed (0 or 1), and with which inode number. */
static int listed(key_t key, uint64_t *ino)
{
	char name[NAME_KEY_LEN];
	struct find f = { name, 0, 0 };

	name_format_key(key, name);
	assert_int_equal(sysv_new_list(find_one, &f), 0);
	if (ino != NULL)
		*ino = f.ino;
	return f.seen;
}

static int pending(key_t key)
{
	struct seg_ref ref;
	struct stat st;

	return sysv_new_lookup(key, &ref, &st) == 0;
}

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
	assert_int_equal(sysv_new_lookup(key, &found, &st), 0);
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
	assert_int_equal(sysv_new_unlink(key), 0);
	assert_false(pending(key));
	assert_int_equal(listed(key, NULL), 0);
	assert_int_equal(sysv_new_unlink(key), -ENOENT);
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

/*
 * Someone takes the key meanwhile: the close reports EEXIST, the data is
 * thrown away, and their segment is left as it was.
 */
static void creation_fails_key_taken(void **state)
{
	const key_t key = 0x1008, key2 = 0x1009;
	struct seg_file *file;
	struct shmid_ds ds;
	struct seg_ref ref;
	char buf[4];
	int theirs;

	(void)state;
	file = make(key, 0600, root(), &ref);
	put(file, "mine", 0);
	theirs = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(theirs >= 0);
	assert_int_equal(seg_flush(file), -EEXIST);
	assert_false(pending(key));
	assert_int_equal(listed(key, NULL), 0);
	assert_int_equal(seg_flush(file), 0); /* reported once */
	file->ops->release(file);
	assert_int_equal(seg_stat(key, &ds), theirs);
	assert_int_equal(ds.shm_segsz, 4096);
	seg_bytes(key, 0, 4, buf);
	assert_memory_equal(buf, "\0\0\0\0", 4);
	assert_int_equal(newbuf_in_use(), 0);
	seg_remove(key);

	/* The same by truncate, which then reports it. */
	file = make(key2, 0600, root(), &ref);
	theirs = shmget(key2, 8192, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(theirs >= 0);
	assert_int_equal(ref.ops->truncate(&ref, file, 100), -EEXIST);
	assert_false(pending(key2));
	file->ops->release(file);
	assert_int_equal(seg_stat(key2, &ds), theirs);
	assert_int_equal(ds.shm_segsz, 8192);
	seg_remove(key2);
}

/* Set kernel.shmmax to VALUE; what it was goes to OLD, if not NULL. */
static void set_shmmax(const char *value, char old[32])
{
	FILE *f = fopen("/proc/sys/kernel/shmmax", "r+e");

	assert_non_null(f);
	if (old != NULL) {
		assert_non_null(fgets(old, 32, f));
		rewind(f);
	}
	assert_true(fputs(value, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * More than kernel.shmmax (lowered in our own IPC namespace): a truncate
 * to that size fails as shmget() does, a write that far as newbuf does;
 * either way nothing is made.
 */
static void creation_fails_shmmax(void **state)
{
	const key_t key = 0x100a, key2 = 0x100b;
	static char big[65537];
	struct seg_file *file;
	struct seg_ref ref;
	char old[32];

	(void)state;
	set_shmmax("65536", old);
	file = make(key, 0600, root(), &ref);
	assert_int_equal(ref.ops->truncate(&ref, file, 65537), -EINVAL);
	assert_false(pending(key));
	file->ops->release(file);
	assert_false(seg_exists(key));

	file = make(key2, 0600, root(), &ref);
	assert_int_equal(file->ops->write(file, big, sizeof(big), 0), -EFBIG);
	assert_false(pending(key2));
	assert_int_equal(seg_flush(file), 0);
	file->ops->release(file);
	assert_false(seg_exists(key2));
	assert_int_equal(newbuf_in_use(), 0);
	set_shmmax(old, NULL);
}

/*
 * Mode and owner of a pending file are shmfs's to keep, by the kernel's
 * rules (owner or creator may change them); the segment is made with them.
 * After, the changes are the segment's (IPC_SET).
 */
static void chmod_chown(void **state)
{
	const key_t key = 0x100c;
	struct seg_cred stranger = user(12345, 12345);
	struct seg_cred owner = user(65534, 100);
	struct cred_saved saved;
	struct seg_file *file, *other;
	struct shmid_ds ds;
	struct seg_ref ref;
	struct stat st;

	(void)state;
	file = make(key, 0644, root(), &ref);
	assert_int_equal(seg_chmod(&ref, 0600), 0);
	assert_int_equal(seg_chmod(&ref, 04600), -EINVAL);
	assert_int_equal(seg_chown(&ref, 65534, (gid_t)-1), 0);
	assert_int_equal(seg_chown(&ref, (uid_t)-1, 100), 0);
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 100);
	assert_int_equal(ref.ops->access(&ref, &owner, R_OK | W_OK), 0);
	assert_int_equal(ref.ops->access(&ref, &stranger, R_OK), -EACCES);

	/* Done as someone who is neither owner nor creator. */
	assert_int_equal(cred_enter(&stranger, &saved), 0);
	assert_int_equal(seg_chmod(&ref, 0666), -EPERM);
	assert_int_equal(seg_chown(&ref, 12345, (gid_t)-1), -EPERM);
	assert_int_equal(sysv_new_unlink(key), -EPERM);
	assert_int_equal(ref.ops->truncate(&ref, NULL, 100), -EACCES);
	assert_int_equal(ref.ops->open(&ref, O_RDONLY, &other), -EACCES);
	cred_leave(&saved);
	assert_false(seg_exists(key));
	assert_true(pending(key));

	put(file, "x", 0);
	assert_int_equal(seg_flush(file), 0);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_perm.mode & 0777, 0600);
	assert_int_equal(ds.shm_perm.uid, 65534);
	assert_int_equal(ds.shm_perm.gid, 100);
	assert_int_equal(ds.shm_perm.cuid, 0);

	/* Created: the kernel's IPC_SET, and its rules. */
	assert_int_equal(seg_chmod(&ref, 0640), 0);
	assert_int_equal(seg_chown(&ref, (uid_t)-1, 0), 0);
	assert_int_equal(seg_chmod(&ref, 04600), -EINVAL);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_perm.mode & 0777, 0640);
	assert_int_equal(ds.shm_perm.gid, 0);
	assert_int_equal(ref.ops->access(&ref, &stranger, R_OK), -EACCES);
	assert_int_equal(cred_enter(&stranger, &saved), 0);
	assert_int_equal(seg_chmod(&ref, 0666), -EPERM);
	cred_leave(&saved);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_perm.mode & 0777, 0640);
	file->ops->release(file);
	seg_remove(key);
}

/*
 * The segment is made as its creator, whoever makes it happen: here root
 * truncates a file that uid 65534 created.
 */
static void created_as_its_creator(void **state)
{
	const key_t key = 0x100d;
	struct seg_cred nobody = user(65534, 65534);
	struct seg_file *file;
	struct shmid_ds ds;
	struct seg_ref ref;

	(void)state;
	file = make(key, 0600, &nobody, &ref);
	assert_int_equal(ref.ops->truncate(&ref, NULL, 5000), 0);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_segsz, 5000);
	assert_int_equal(ds.shm_perm.cuid, 65534);
	assert_int_equal(ds.shm_perm.cgid, 65534);
	assert_int_equal(ds.shm_perm.uid, 65534);
	assert_int_equal(ds.shm_perm.mode & 0777, 0600);
	file->ops->release(file);
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
	assert_int_equal(sysv_new_lookup(k1, &found, &st), -ENOENT);
	assert_int_equal(listed(k1, NULL), 0);
	f1 = make(k1, 0600, root(), &r1);
	f2 = make(k2, 0644, root(), &r2);
	assert_int_not_equal(r1.id, r2.id);
	put(f2, "four", 0);
	assert_int_equal(sysv_new_lookup(k2, &found, &st), 0);
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
	assert_int_equal(
		sysv_new_create(k1, 0600, O_WRONLY, root(), &found, &st, &dup),
		-EEXIST);
	assert_null(dup);

	assert_int_equal(seg_flush(f2), 0);
	assert_int_equal(listed(k2, NULL), 0);
	assert_int_equal(sysv_new_lookup(k2, &found, &st), -ENOENT);
	assert_int_equal(listed(k1, NULL), 1);
	f1->ops->release(f1);
	assert_int_equal(listed(k1, NULL), 0);
	f2->ops->release(f2);
	seg_remove(k1);
	seg_remove(k2);
}

/*
 * Two opens of one pending file share its data; only the creating file's
 * close makes the segment, after which every open file is the segment's.
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
	/* C attaches on its first use, read-only as opened. */
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

struct reenter {
	struct got got;
	struct seg_file *file;
	struct seg_ref ref;
	key_t key;
	int lookup, getattr;
};

/*
 * A reply that takes both locks a read could hold (the registry's, by a
 * lookup; the entry's, by a getattr) and moves the data (a write that
 * grows it): only a reply from a copy, with no lock held, survives it.
 */
static int reply_reenters(void *ctx, const void *buf, size_t len)
{
	static char grow[256 * 1024];
	struct reenter *r = ctx;
	struct seg_ref found;
	struct stat st;

	r->lookup = sysv_new_lookup(r->key, &found, &st);
	r->getattr = r->ref.ops->getattr(&r->ref, NULL, &st);
	assert_int_equal(r->file->ops->write(r->file, grow, sizeof(grow), 0),
			 (ssize_t)sizeof(grow));
	return take_reply(&r->got, buf, len);
}

static void reply_holds_no_lock(void **state)
{
	struct reenter r = { .key = 0x3003 };

	(void)state;
	r.file = make(r.key, 0600, root(), &r.ref);
	put(r.file, "hello", 0);
	alarm(10); /* a reply under a lock deadlocks: fail, not hang */
	assert_int_equal(r.file->ops->read(r.file, 100, 0, reply_reenters, &r),
			 0);
	alarm(0);
	assert_int_equal(r.lookup, 0);
	assert_int_equal(r.getattr, 0);
	assert_int_equal(r.got.len, 5);
	assert_memory_equal(r.got.buf, "hello", 5);
	r.file->ops->release(r.file);
	assert_int_equal(seg_size(r.key), 256 * 1024);
	seg_remove(r.key);
}

#define WORKERS 4
#define BLOCK	4096
#define ROUNDS	200

struct worker {
	pthread_t thread;
	pthread_barrier_t *go;
	struct seg_file *file; /* shared by two workers */
	struct seg_ref ref;
	key_t key;
	int i;
	int bad; /* what went wrong, counted: cmocka asserts in main only */
};

static int any_reply(void *ctx, const void *buf, size_t len)
{
	char *out = ctx;

	if (len > 0)
		memcpy(out, buf, len < BLOCK ? len : BLOCK);
	return 0;
}

static int ignore(void *ctx, const char *name, uint64_t ino, mode_t type)
{
	(void)ctx;
	(void)name;
	(void)ino;
	(void)type;
	return 0;
}

/* Block I, its own, written and read back while the segment is made. */
static void *work(void *arg)
{
	struct worker *w = arg;
	char mine[BLOCK], got[BLOCK];
	off_t off = (off_t)w->i * BLOCK;
	struct seg_ref found;
	struct stat st;

	memset(mine, 'A' + w->i, sizeof(mine));
	w->bad += w->file->ops->write(w->file, mine, BLOCK, off) != BLOCK;
	pthread_barrier_wait(w->go);
	for (int r = 0; r < ROUNDS; r++) {
		w->bad +=
			w->file->ops->write(w->file, mine, BLOCK, off) != BLOCK;
		memset(got, 0, sizeof(got));
		w->bad += w->file->ops->read(w->file, BLOCK, off, any_reply,
					     got) != 0;
		w->bad += memcmp(got, mine, BLOCK) != 0;
		w->bad += w->ref.ops->getattr(&w->ref, NULL, &st) != 0;
		w->bad += sysv_new_lookup(w->key, &found, &st) == -EINVAL;
		w->bad += sysv_new_list(ignore, NULL) != 0;
	}
	return NULL;
}

/*
 * Files of one entry used from several threads while its creator's close
 * makes the segment: each sees its own writes, and the segment holds
 * them all (ASan sees what a lock missed).
 */
static void concurrent_use(void **state)
{
	const key_t key = 0x3004;
	struct worker w[WORKERS];
	struct seg_file *creator, *files[2];
	pthread_barrier_t go;
	struct shmid_ds ds;
	struct seg_ref ref;
	char got[BLOCK];

	(void)state;
	creator = make(key, 0600, root(), &ref);
	for (int k = 0; k < 2; k++)
		assert_int_equal(ref.ops->open(&ref, O_RDWR, &files[k]), 0);
	pthread_barrier_init(&go, NULL, WORKERS + 1);
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .go = &go,
					.file = files[i % 2],
					.ref = ref,
					.key = key,
					.i = i };
		assert_int_equal(
			pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
	}
	pthread_barrier_wait(&go);
	assert_int_equal(seg_flush(creator), 0);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(w[i].thread, NULL);
		assert_int_equal(w[i].bad, 0);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(seg_size(key), WORKERS * BLOCK);
	for (int i = 0; i < WORKERS; i++) {
		seg_bytes(key, (size_t)i * BLOCK, BLOCK, got);
		assert_int_equal(got[0], 'A' + i);
		assert_int_equal(got[BLOCK - 1], 'A' + i);
	}
	creator->ops->release(creator);
	files[0]->ops->release(files[0]);
	files[1]->ops->release(files[1]);
	assert_true(seg_stat(key, &ds) >= 0);
	assert_int_equal(ds.shm_nattch, 0); /* one attachment per file */
	assert_int_equal(newbuf_in_use(), 0);
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
		cmocka_unit_test(creation_fails_key_taken),
		cmocka_unit_test(creation_fails_shmmax),
		cmocka_unit_test(chmod_chown),
		cmocka_unit_test(created_as_its_creator),
		cmocka_unit_test(lookup_and_list),
		cmocka_unit_test(two_opens),
		cmocka_unit_test(reads_of_pending),
		cmocka_unit_test(reply_holds_no_lock),
		cmocka_unit_test(concurrent_use),
	};

	/* Segments of our own, seen by nobody, gone when we are. */
	if (unshare(CLONE_NEWIPC) < 0) {
		printf("skip: no IPC namespace of our own (%s)\n",
		       strerror(errno));
		return 77;
	}
	/* Changes as the caller, as a root daemon with allow_other does. */
	if (cred_init(1) < 0) {
		printf("skip: cannot act as another user\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
