// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV file being created, used from several threads and from within
 * its own replies: what its locks must allow, and what they must keep
 * apart (sysv_new_int.h).  ASan and the assertions see what a lock missed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

	r->lookup = sysv_new_lookup(si, r->key, &found, &st);
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
		w->bad += sysv_new_lookup(si, w->key, &found, &st) == -EINVAL;
		w->bad += sysv_new_list(si, ignore, NULL) != 0;
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

#define CREATORS 16
#define PLACES	 5

struct creator {
	pthread_t thread;
	pthread_barrier_t *go;
	key_t key;
	struct seg_file *file;
	int res;
};

static void *create_one(void *arg)
{
	struct creator *c = arg;
	struct seg_ref ref;
	struct stat st;

	pthread_barrier_wait(c->go);
	c->res = sysv_new_create(si, c->key, 0600, O_WRONLY | O_CREAT, root(),
				 &ref, &st, &c->file);
	return NULL;
}

/*
 * Creates racing for the last places under kernel.shmmni: exactly as many
 * succeed as there are places, the others fail with ENOSPC, and each one
 * that succeeded is made at its release.
 */
static void creates_at_shmmni(void **state)
{
	struct creator c[CREATORS];
	pthread_barrier_t go;
	char old[32], places[16];
	int made = 0;

	(void)state;
	snprintf(places, sizeof(places), "%d", PLACES);
	set_sysctl("shmmni", places, old);
	pthread_barrier_init(&go, NULL, CREATORS);
	for (int i = 0; i < CREATORS; i++) {
		c[i] = (struct creator){ .go = &go, .key = 0x5000 + i };
		assert_int_equal(
			pthread_create(&c[i].thread, NULL, create_one, &c[i]),
			0);
	}
	for (int i = 0; i < CREATORS; i++)
		pthread_join(c[i].thread, NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < CREATORS; i++) {
		if (c[i].res == 0) {
			made++;
			c[i].file->ops->release(c[i].file);
			assert_int_equal(seg_size(c[i].key), page());
			seg_remove(c[i].key);
		} else {
			assert_int_equal(c[i].res, -ENOSPC);
			assert_null(c[i].file);
			assert_false(seg_exists(c[i].key));
		}
	}
	assert_int_equal(made, PLACES);
	set_sysctl("shmmni", old, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reply_holds_no_lock),
		cmocka_unit_test(concurrent_use),
		cmocka_unit_test(creates_at_shmmni),
	};

	return sysv_new_test_main(tests, sizeof(tests) / sizeof(tests[0]));
}
