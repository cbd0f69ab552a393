/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the listing of directories (fs_dir.c: snapshots, opendir) shares
 * with its reading (fs_dir_read.c: readdir, readdirplus). */
#ifndef SHMFS_FS_DIR_INT_H
#define SHMFS_FS_DIR_INT_H

#include "fs_int.h"
#include "fs_tree.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

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

/* Each handle is a place in its directory's listing. */
struct dir_handle {
	struct dir_slot *slot;
	int served; /* a readdir at offset 0 is then a rewind */
	/*
	 * A per-caller directory's (seg_dir_ops.per_caller): the handle's
	 * own snapshot, taken as its opener at opendir, never shared with
	 * another caller, and kept at a rewind (which cannot wait for a scan).
	 */
	struct snap *own;
	uid_t own_uid;	  /* whose handle, for what own is charged */
	size_t own_bytes; /* charged to own_uid (fs_dir.c's own_use) */
};

void snap_put(struct snap *s);
/*
 * A reference to a snapshot of SLOT's directory INO taken after this call
 * began: the newest, if it is, or a new one.
 */
int snap_fresh(const struct fs_tree *t, struct dir_slot *slot, fuse_ino_t ino,
	       struct snap **sp);
/* A reference to the newest snapshot of SLOT's directory INO. */
int snap_newest(const struct fs_tree *t, struct dir_slot *slot, fuse_ino_t ino,
		struct snap **sp);

#endif
