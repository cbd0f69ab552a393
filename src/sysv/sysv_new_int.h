/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of a SysV file being created share: sysv_new.c (the
 * entry and its rules), sysv_new_ops.c (its operations), sysv_new_reg.c
 * (the registry of entries) and sysv_new_limit.c (the kernel's limits,
 * applied early); nothing else.
 *
 * Two kinds of lock, always taken in this order (the budget's, in
 * newbuf.c, is a third that nothing is taken under):
 *   1. an entry's own LOCK, for its state and data.  Held while the
 *      segment is made (shmget, the copy, IPC_SET), so only operations on
 *      that one file wait for it.
 *   2. the registry's lock (sysv_new_reg.c), for the list and for each
 *      entry's NEXT, REFS and VISIBLE.  Held for a few instructions: no
 *      system call, no callback, no other lock is taken under it.
 * A reference keeps an entry's memory; only its LOCK keeps its contents
 * still.  new_reg_put() may free the entry: never call it holding LOCK.
 */
#ifndef SHMFS_SYSV_NEW_INT_H
#define SHMFS_SYSV_NEW_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "newbuf.h"
#include "seg.h"
#include "sysv_int.h"

enum new_state {
	PENDING,   /* collecting data; no segment yet */
	CREATED,   /* the segment exists: operations are its own */
	DISCARDED, /* removed, or its creation failed: never to be made */
};

struct sysv_new {
	/*
	 * Set before anyone else can reach the entry (SERIAL by
	 * new_reg_add()), then never changed: read without a lock.
	 */
	uint64_t serial; /* its inode number; a ref's id */
	struct sysv_inst *si; /* the instance: its namespace, its registry */
	key_t key;
	struct seg_cred cred; /* the creator's: the segment is made as them */
	time_t ctime;

	/* The registry's lock. */
	struct sysv_new *next;
	unsigned refs; /* open files, plus callers inside an operation */
	int visible;   /* found by key: set while PENDING, cleared after */

	/* LOCK guards everything below. */
	pthread_mutex_t lock;
	enum new_state state;
	struct sysv_owner owner; /* chown and chmod may change it */
	/*
	 * Once CREATED.  Written before the state says so, and before any
	 * file publishes its attachment (new_file.real), then never again.
	 */
	int shmid;
	/*
	 * Its files opened before the segment was made: each is attached
	 * when it is, so that it holds the segment as any open file of one
	 * does (nattch; a removed segment lives on in it).
	 */
	struct new_file *files;
	struct newbuf data; /* while not CREATED; the creator's share */
	/* Counted against shmmni and shmall (sysv_new_limit.c), this size. */
	int counted;
	uint64_t counted_size;
};

/* An open file of an entry; its operations are sysv_new_ops.c's. */
struct new_file {
	struct seg_file base;
	struct sysv_new *n; /* the file's reference: N outlives the file */
	int creator;
	/*
	 * The segment's own file, once created: set once under N's lock,
	 * then read without it (acquire), so I/O on a created file takes no
	 * lock at all.
	 */
	struct seg_file *real;
	/* In N's FILES, under N's lock; PPREV NULL when not in it. */
	struct new_file *next, **pprev;
};

extern const struct seg_ops sysv_new_ops;

/* sysv_new.c: an entry's rules.  N's lock held, unless said otherwise. */

/*
 * The kernel's rules, which it cannot apply yet: may WHO do MASK (R_OK,
 * W_OK), or change mode and owner?  0, -EACCES, -EPERM.  WHO is the
 * caller as cred_caller() said at the start of the operation, NULL for
 * the daemon itself, which may do anything.  Explicit, not looked up
 * here: making the segment acts as its creator meanwhile.
 */
int new_may_access(const struct sysv_new *n, const struct seg_cred *who,
		   int mask);
int new_may_change(const struct sysv_new *n, const struct seg_cred *who);
void new_stat_pending(const struct sysv_new *n, struct stat *st);
/*
 * The segment of a CREATED entry, as sysv_ref() names it: without the
 * lock too, once a file's attachment says it is CREATED.
 */
void new_ref_created(const struct sysv_new *n, struct seg_ref *ref);
/* Leave PENDING for DISCARDED: never to be made (still counted). */
void new_discard(struct sysv_new *n);
/*
 * Leave PENDING for CREATED: make the segment, SIZE bytes, with what was
 * written; F, if not NULL, gets it attached (F->real), and so does every
 * other file in N's FILES, as far as it can be (N stays counted while one
 * is not).  DISCARDED if that fails.
 */
int new_make(struct sysv_new *n, size_t size, struct new_file *f);
/* F in N's FILES, or out of it.  N's lock held. */
void new_file_link(struct sysv_new *n, struct new_file *f);
void new_file_unlink(struct new_file *f);

/*
 * sysv_new_limit.c: what the kernel will allow, asked before the segment
 * is made.  N's lock held.
 */

/* Count new N as a segment to be: -ENOSPC if shmmni would not allow it. */
int new_limit_enter(struct sysv_new *n);
/*
 * Count N, still counted, as SIZE bytes from now on: -EFBIG past shmmax,
 * -ENOSPC past what shmall leaves, with nothing changed.
 */
int new_limit_size(struct sysv_new *n, uint64_t size);
/*
 * N's segment is made, or N is freed: it no longer counts.  A DISCARDED
 * entry still counts while a file holds it, as a removed file that is
 * still open counts on tmpfs; so does a CREATED one of whose files one
 * could not be attached as the segment was made (new_make()).  Called at
 * the last reference without N's lock: nobody else can reach N then.
 */
void new_limit_leave(struct sysv_new *n);

/* sysv_new_reg.c: the registry. */

/*
 * Put N, its fixed fields set, in the registry with one reference (its
 * creating file's), visible by key: -EEXIST if another entry is.
 */
int new_reg_add(struct sysv_new *n);
/* The entry with SERIAL, or the visible one with KEY: with a reference. */
struct sysv_new *new_reg_get(struct sysv_inst *si, uint64_t serial);
struct sysv_new *new_reg_get_key(struct sysv_inst *si, key_t key);
/* Drop a reference; the last one frees N.  N's LOCK must not be held. */
void new_reg_put(struct sysv_new *n);
/* N is no longer found by key (it left PENDING); called holding N's LOCK. */
void new_reg_hide(struct sysv_new *n);
/* FILL each visible entry, called with no lock held. */
int new_reg_list(struct sysv_inst *si, seg_fill_fn fill, void *ctx);

#endif
