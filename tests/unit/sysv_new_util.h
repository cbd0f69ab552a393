/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the tests of a SysV file being created (test_sysv_new*.c) share:
 * files made and used as the FUSE layer does, and an independent look at
 * the segments they become (shmget, IPC_STAT, shmat, /proc/sysvipc/shm).
 * Each test program runs in an IPC namespace of its own, so it may change
 * the kernel.shm* limits there.
 */
#ifndef SHMFS_TEST_SYSV_NEW_UTIL_H
#define SHMFS_TEST_SYSV_NEW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

#include "cred.h"
#include "seg.h"

struct CMUnitTest;

/* The SysV instance the tests act on (sysv_new_test_main()). */
extern struct sysv_inst *si;

struct seg_cred user(uid_t uid, gid_t gid);
const struct seg_cred *root(void);
size_t page(void);

/* A new file for KEY, as fs_create makes one: open for writing. */
struct seg_file *make(key_t key, mode_t mode, const struct seg_cred *cred,
		      struct seg_ref *ref);
/* Write S at OFF, all of it. */
void put(struct seg_file *file, const char *s, off_t off);

/* What one read replied. */
struct got {
	char buf[256];
	size_t len;
	int calls;
};

int take_reply(void *ctx, const void *buf, size_t len);
/* Read SIZE bytes at OFF: one reply, at most sizeof(got.buf). */
struct got get(struct seg_file *file, size_t size, off_t off);

/* The kernel's record of KEY's segment: its shmid, or -errno. */
int seg_stat(key_t key, struct shmid_ds *ds);
int seg_exists(key_t key);
size_t seg_size(key_t key);
/* N bytes at OFF of KEY's segment, read by an attach of our own. */
void seg_bytes(key_t key, size_t off, size_t n, void *buf);
void seg_remove(key_t key);
uint64_t seg_rss(key_t key);

/* How often KEY is listed (0 or 1), and with which inode number. */
int listed(key_t key, uint64_t *ino);
/* Whether KEY is a file being created, by lookup. */
int pending(key_t key);

/* Set /proc/sys/kernel/NAME to VALUE; what it was goes to OLD, if not NULL. */
void set_sysctl(const char *name, const char *value, char old[32]);

/* Run N TESTS in an IPC namespace of their own, acting as callers. */
int sysv_new_test_main(const struct CMUnitTest *tests, size_t n);

#endif
