// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV file being created against what the kernel and the daemon allow:
 * who may change it, a key taken meanwhile, kernel.shmmax, shmmni and
 * shmall (changed in the test's own IPC namespace), sparse data and each
 * user's share of the budget for what is written before the segment
 * exists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
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

/*
 * More than kernel.shmmax (lowered in our own IPC namespace): a truncate
 * to that size and a write that far fail with EFBIG, as a file size limit
 * does; either way nothing is made.
 */
static void creation_fails_shmmax(void **state)
{
	const key_t key = 0x100a, key2 = 0x100b;
	static char big[65537];
	struct seg_file *file;
	struct seg_ref ref;
	char old[32];

	(void)state;
	set_sysctl("shmmax", "65536", old);
	file = make(key, 0600, root(), &ref);
	assert_int_equal(ref.ops->truncate(&ref, file, 65537), -EFBIG);
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
	set_sysctl("shmmax", old, NULL);
}

/*
 * Mode and owner of a pending file are shmfs's to keep, by the kernel's
 * rules (owner, creator or CAP_SYS_ADMIN may change them); the segment is
 * made with them.  After, the changes are the segment's (IPC_SET).
 */
static void chmod_chown(void **state)
{
	const key_t key = 0x100c, key2 = 0x100e;
	struct seg_cred stranger = user(12345, 12345);
	struct seg_cred owner = user(65534, 100);
	struct seg_cred admin = user(12346, 12346);
	struct seg_cred bare_root = user(0, 0);
	struct cred_saved saved;
	struct seg_file *file, *other;
	struct shmid_ds ds;
	struct seg_ref ref, ref2;
	struct stat st;

	(void)state;
	admin.caps = CRED_CAP(CAP_SYS_ADMIN);
	bare_root.caps = CRED_CAP(CAP_IPC_OWNER) | CRED_CAP(CAP_DAC_OVERRIDE);
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
	assert_int_equal(sysv_new_unlink(si, key), -EPERM);
	assert_int_equal(ref.ops->truncate(&ref, NULL, 100), -EACCES);
	assert_int_equal(ref.ops->open(&ref, O_RDONLY, &other), -EACCES);
	cred_leave(&saved);
	assert_false(seg_exists(key));
	assert_true(pending(key));

	/*
	 * CAP_SYS_ADMIN may, as IPC_SET and IPC_RMID allow it; uid 0 without
	 * it, neither owner nor creator, may not.
	 */
	assert_int_equal(cred_enter(&admin, &saved), 0);
	assert_int_equal(seg_chmod(&ref, 0640), 0);
	assert_int_equal(seg_chown(&ref, 65534, (gid_t)-1), 0);
	cred_leave(&saved);
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0640);
	assert_int_equal(seg_chmod(&ref, 0600), 0);
	other = make(key2, 0600, &stranger, &ref2);
	assert_int_equal(cred_enter(&bare_root, &saved), 0);
	assert_int_equal(seg_chmod(&ref2, 0666), -EPERM);
	assert_int_equal(seg_chown(&ref2, 0, 0), -EPERM);
	assert_int_equal(sysv_new_unlink(si, key2), -EPERM);
	cred_leave(&saved);
	assert_int_equal(cred_enter(&admin, &saved), 0);
	assert_int_equal(sysv_new_unlink(si, key2), 0);
	cred_leave(&saved);
	assert_false(pending(key2));
	other->ops->release(other);
	assert_false(seg_exists(key2));

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

/*
 * kernel.shmmni reached: the create itself fails with ENOSPC, counting the
 * files being created as the segments they are to be.  One that is made
 * counts as a segment; one removed first gives its place back.
 */
static void creation_fails_shmmni(void **state)
{
	const key_t key = 0x4001, key2 = 0x4002, key3 = 0x4003;
	struct seg_file *a, *b = NULL;
	struct seg_ref ref, ref2;
	struct stat st;
	char old[32];

	(void)state;
	set_sysctl("shmmni", "2", old);
	assert_true(shmget(key3, 4096, IPC_CREAT | IPC_EXCL | 0600) >= 0);
	a = make(key, 0600, root(), &ref);
	assert_int_equal(sysv_new_create(si, key2, 0600, O_WRONLY | O_CREAT,
					 root(), &ref2, &st, &b),
			 -ENOSPC);
	assert_null(b);
	assert_false(pending(key2));
	put(a, "x", 0);
	assert_int_equal(seg_flush(a), 0);
	assert_int_equal(sysv_new_create(si, key2, 0600, O_WRONLY | O_CREAT,
					 root(), &ref2, &st, &b),
			 -ENOSPC);
	a->ops->release(a);
	seg_remove(key);

	/*
	 * One removed while open still counts, as tmpfs counts an open
	 * file's inode after unlink: else rm and create again, descriptors
	 * held, would pass shmmni without bound.  Its last close gives the
	 * place back.
	 */
	b = make(key2, 0600, root(), &ref2);
	assert_int_equal(sysv_new_unlink(si, key2), 0);
	assert_int_equal(sysv_new_create(si, key2, 0600, O_WRONLY | O_CREAT,
					 root(), &ref, &st, &a),
			 -ENOSPC);
	b->ops->release(b);
	assert_false(seg_exists(key2));
	a = make(key, 0600, root(), &ref);

	/* So does one whose creation failed (the key taken meanwhile). */
	put(a, "x", 0);
	assert_true(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600) >= 0);
	seg_remove(key3);
	assert_int_equal(seg_flush(a), -EEXIST);
	assert_int_equal(sysv_new_create(si, key2, 0600, O_WRONLY | O_CREAT,
					 root(), &ref2, &st, &b),
			 -ENOSPC);
	a->ops->release(a);
	b = make(key2, 0600, root(), &ref2);
	b->ops->release(b);
	seg_remove(key2);
	set_sysctl("shmmni", old, NULL);
}

/* Pages of all segments, as SHM_INFO counts them. */
static unsigned long pages_in_use(void)
{
	struct shm_info info;

	assert_true(shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info) >= 0);
	return info.shm_tot;
}

/*
 * kernel.shmall: the pages of segments and of files being created
 * together.  The write or truncate that would pass it fails with ENOSPC
 * and that file is never made; one made smaller gives its pages back.
 */
static void creation_fails_shmall(void **state)
{
	const key_t key = 0x4011, key2 = 0x4012, key3 = 0x4013;
	static char two[2 * 65536];
	struct seg_file *a, *b;
	struct seg_ref ra, rb;
	char old[32], limit[32];

	(void)state;
	snprintf(limit, sizeof(limit), "%lu", pages_in_use() + 3);
	set_sysctl("shmall", limit, old);
	a = make(key, 0600, root(), &ra);
	b = make(key2, 0600, root(), &rb);
	assert_int_equal(a->ops->write(a, two, 2 * page(), 0),
			 (ssize_t)(2 * page()));
	assert_int_equal(b->ops->write(b, "x", 1, page()), -ENOSPC);
	assert_false(pending(key2));
	b->ops->release(b);
	assert_false(seg_exists(key2));

	b = make(key2, 0600, root(), &rb);
	put(b, "y", 0); /* the third page */
	assert_int_equal(rb.ops->truncate(&rb, b, (off_t)page() + 1), -ENOSPC);
	assert_false(pending(key2));
	b->ops->release(b);
	assert_false(seg_exists(key2));

	/* O_TRUNC gives A's pages back: a segment takes them all. */
	assert_int_equal(ra.ops->truncate(&ra, a, 0), 0);
	b = make(key3, 0600, root(), &rb);
	assert_int_equal(rb.ops->truncate(&rb, b, (off_t)(3 * page())), 0);
	assert_int_equal(seg_size(key3), 3 * page());
	assert_int_equal(a->ops->write(a, "z", 1, 0), -ENOSPC);
	a->ops->release(a);
	b->ops->release(b);
	assert_false(seg_exists(key));
	seg_remove(key3);
	set_sysctl("shmall", old, NULL);
}

/*
 * One byte written 1 GiB in: the daemon holds one chunk for it, and the
 * segment made of it is 1 GiB + 1 long with one page resident.  Zeros
 * written take no memory in the segment either.
 */
static void sparse_creation(void **state)
{
	const key_t key = 0x4021, key2 = 0x4022;
	const uint64_t far = 1ULL << 30;
	static char zeros[100000];
	struct seg_file *file;
	struct seg_ref ref;
	struct stat st;
	struct got g;
	char c;

	(void)state;
	file = make(key, 0600, root(), &ref);
	assert_int_equal(file->ops->write(file, "!", 1, (off_t)far), 1);
	assert_int_equal(ref.ops->getattr(&ref, file, &st), 0);
	assert_int_equal(st.st_size, far + 1);
	assert_int_equal(st.st_blocks, NEWBUF_CHUNK / 512);
	assert_int_equal(newbuf_in_use(), NEWBUF_CHUNK);
	g = get(file, 100, (off_t)far - 1);
	assert_int_equal(g.len, 2);
	assert_memory_equal(g.buf, "\0!", 2);
	assert_int_equal(seg_flush(file), 0);
	assert_int_equal(newbuf_in_use(), 0);
	assert_int_equal(seg_size(key), far + 1);
	assert_int_equal(seg_rss(key), page());
	seg_bytes(key, far, 1, &c);
	assert_int_equal(c, '!');
	file->ops->release(file);
	seg_remove(key);

	file = make(key2, 0600, root(), &ref);
	assert_int_equal(file->ops->write(file, zeros, sizeof(zeros), 0),
			 (ssize_t)sizeof(zeros));
	file->ops->release(file);
	assert_int_equal(seg_size(key2), sizeof(zeros));
	assert_int_equal(seg_rss(key2), 0);
	seg_remove(key2);
}

/*
 * What a creator writes comes from their own share, half of the budget:
 * however one user spreads it over files, another still gets theirs.
 */
static void share_per_creator(void **state)
{
	const key_t ka = 0x4031, kb = 0x4032, kc = 0x4033;
	struct seg_cred alice = user(1001, 1001), bob = user(1002, 1002);
	static char data[2 * NEWBUF_CHUNK];
	struct seg_file *a, *b, *c;
	struct seg_ref ra, rb, rc;

	(void)state;
	newbuf_set_budget(4 * NEWBUF_CHUNK);
	a = make(ka, 0600, &alice, &ra);
	b = make(kb, 0600, &alice, &rb);
	c = make(kc, 0600, &bob, &rc);
	put(a, "1", 0);
	put(a, "2", 10 * NEWBUF_CHUNK);
	assert_int_equal(newbuf_in_use_by(1001), 2 * NEWBUF_CHUNK);
	assert_int_equal(b->ops->write(b, "3", 1, 0), -ENOSPC);
	assert_false(pending(kb));
	assert_int_equal(c->ops->write(c, data, sizeof(data), 0),
			 (ssize_t)sizeof(data));
	assert_int_equal(newbuf_in_use_by(1002), 2 * NEWBUF_CHUNK);
	/* Made: the share is free again. */
	assert_int_equal(seg_flush(a), 0);
	assert_int_equal(newbuf_in_use_by(1001), 0);
	a->ops->release(a);
	b->ops->release(b);
	c->ops->release(c);
	assert_int_equal(seg_size(ka), 10 * NEWBUF_CHUNK + 1);
	assert_false(seg_exists(kb));
	assert_int_equal(seg_size(kc), sizeof(data));
	assert_int_equal(newbuf_in_use(), 0);
	seg_remove(ka);
	seg_remove(kc);
	newbuf_set_budget(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creation_fails_key_taken),
		cmocka_unit_test(creation_fails_shmmax),
		cmocka_unit_test(chmod_chown),
		cmocka_unit_test(created_as_its_creator),
		cmocka_unit_test(creation_fails_shmmni),
		cmocka_unit_test(creation_fails_shmall),
		cmocka_unit_test(sparse_creation),
		cmocka_unit_test(share_per_creator),
	};

	return sysv_new_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}
