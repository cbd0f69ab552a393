/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between fs_dir.c (the handlers) and fs_dir_snap.c (the snapshots). */
#ifndef SHMFS_FS_DIR_INT_H
#define SHMFS_FS_DIR_INT_H

#include "fs_int.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

/* The cookies of "." and ".."; a name's is above them. */
#define COOKIE_DOT    1
#define COOKIE_DOTDOT 2

/* One name, with what readdir(3) shows of it (d_ino, d_type). */
struct dent {
	uint64_t cookie;
	size_t name; /* offset into the snapshot's names */
	ino_t ino;
	mode_t mode;
};

struct snap {
	unsigned refs; /* the directory's, and each reader's (atomic) */
	uint64_t gen;  /* it serves the opendirs counted up to gen */
	struct dent *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

/* The newest snapshot of one directory: the root, or a kind's. */
struct dir_slot {
	pthread_mutex_t take; /* one taking a snapshot at a time */
	pthread_mutex_t lock; /* guards cur and handles */
	struct snap *cur;
	unsigned handles; /* open; the last to close drops cur */
	uint64_t asked;	  /* opendirs and rewinds counted (atomic) */
};

/* The slot of directory INO (the root or a kind's), or NULL without memory. */
struct dir_slot *slot_of(fuse_ino_t ino);
/* A slot of its own for a handle of ns/ or ns/N, or NULL; slot_free() ends it. */
struct dir_slot *own_slot(void);
void slot_free(struct dir_slot *slot);
void snap_put(struct snap *s);
/*
 * A reference to a snapshot of SLOT's directory INO taken after this call
 * began (C: who asks, for ns/), or the newest one there is.
 */
int snap_fresh(struct dir_slot *slot, fuse_ino_t ino, const struct seg_cred *c,
	       struct snap **sp);
int snap_newest(struct dir_slot *slot, fuse_ino_t ino, const struct seg_cred *c,
		struct snap **sp);

#endif
