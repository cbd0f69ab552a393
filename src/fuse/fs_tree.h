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

struct kind_inst;
/* Build the tree from the started kinds; before the first request. */
void tree_init(const struct kind_inst *insts, size_t n);
/* The started kinds, 0 <= I < tree_ninsts(). */
size_t tree_ninsts(void);
const struct kind_inst *tree_inst_at(size_t i);

/* The kind's directory with inode INO, or NULL (the root, or a file). */
const struct tree_dir *tree_dir(fuse_ino_t ino);
const struct tree_dir *tree_dir_named(const char *name);
/* The inode of DIR (its operations, of its instance), or 0. */
fuse_ino_t tree_ino_of(const struct seg_dir *dir);
/* The kinds' directories, 0 <= I < tree_ndirs(). */
size_t tree_ndirs(void);
const struct tree_dir *tree_dir_at(size_t i);

/* The root, a kind's directory, ns/ or an ns/N (fs_ns.h). */
int tree_is_dir(fuse_ino_t ino);
/* When the tree was made: the time of its fixed directories. */
time_t tree_made(void);
/*
 * The attributes of a directory of the tree (or the root): the kind's
 * directory's own where it has them (seg_dir_ops.getattr), else fixed.
 */
void tree_stat(fuse_ino_t ino, struct stat *st);

#endif
