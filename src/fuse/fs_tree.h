/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixed part of the tree: the root, and one directory for each of
 * the registered kinds' directories (kind.h), with inode numbers 2, 3, ...
 * in the registry's order.  For the FUSE layer (fs*.c, cache*.c).
 */
#ifndef SHMFS_FS_TREE_H
#define SHMFS_FS_TREE_H

#include "config.h"

#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <time.h>

#include "seg.h"

struct tree_dir {
	const char *name;
	fuse_ino_t ino;
	mode_t mode;
	struct seg_dir dir;		/* its operations and instance */
	const struct kind_watch *watch; /* its kind's, or NULL */
};

#define TREE_MAX_DIRS 16

struct kind_inst;
/*
 * A mount's tree: written once by tree_init(), before any request;
 * read-only after.  Handlers reach it through the session's user data
 * (fs_req_tree()), the cache module through what cache_start() was given.
 */
struct fs_tree {
	struct tree_dir dirs[TREE_MAX_DIRS];
	size_t n;
	time_t made;
	const struct kind_inst *insts;
	size_t ninsts;
};

/* Build T from the started kinds. */
void tree_init(struct fs_tree *t, const struct kind_inst *insts, size_t n);
/* The started kinds, 0 <= I < tree_ninsts(). */
size_t tree_ninsts(const struct fs_tree *t);
const struct kind_inst *tree_inst_at(const struct fs_tree *t, size_t i);

/* The kind's directory with inode INO, or NULL (the root, or a file). */
const struct tree_dir *tree_dir(const struct fs_tree *t, fuse_ino_t ino);
const struct tree_dir *tree_dir_named(const struct fs_tree *t,
				      const char *name);
/* The inode of DIR (its operations, of its instance), or 0. */
fuse_ino_t tree_ino_of(const struct fs_tree *t, const struct seg_dir *dir);
/* The kinds' directories, 0 <= I < tree_ndirs(). */
size_t tree_ndirs(const struct fs_tree *t);
const struct tree_dir *tree_dir_at(const struct fs_tree *t, size_t i);

int tree_is_dir(const struct fs_tree *t, fuse_ino_t ino);
/*
 * The attributes of a directory of the tree (or the root): the kind's
 * directory's own where it has them (seg_dir_ops.getattr), else fixed.
 */
void tree_stat(const struct fs_tree *t, fuse_ino_t ino, struct stat *st);

#endif
