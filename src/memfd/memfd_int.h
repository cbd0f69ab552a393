/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the memfd kind share.  The kind keeps no state of its
 * own: every memfd is found in the holder map (procscan.h) of the caller
 * and reached again through a process that holds it, for the one call;
 * only an open file holds a descriptor of one, until it is released.
 */
#ifndef SHMFS_MEMFD_INT_H
#define SHMFS_MEMFD_INT_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "procscan.h"
#include "seg.h"

extern const struct seg_ops memfd_seg_ops;
extern const struct seg_dir_ops memfd_dir_ops;

/* Holders tried, in the map's order (by descriptor first). */
#define MEMFD_TRY 8

/* Where one memfd is, as the caller's map has it. */
struct memfd_where {
	struct procscan_memfd h[MEMFD_TRY];
	size_t n;
	char name[PROCSCAN_MEMFD_NAME_MAX + 1]; /* as memfd_create() had it */
};

/* A ref's memfd: the map's shm mount (index in procscan_shm_devs()), and
 * its inode there. */
static inline uint64_t memfd_id(unsigned dev, uint64_t ino)
{
	return (uint64_t)dev << 32 | (ino & UINT32_MAX);
}

/* memfd_dir.c: REF's memfd in the caller's map: -ENOENT when no process
 * the caller may inspect holds it; -DEFER_AGAIN. */
int memfd_find(const struct seg_ref *ref, struct memfd_where *w);

/*
 * memfd_file.c: open the memfd of W through one of its holders, as the
 * caller (FLAGS: O_ACCMODE), checking it is still that inode; the
 * descriptor, or -errno.  ST, unless NULL, gets its stat, exported.
 */
int memfd_reopen(const struct seg_ref *ref, const struct memfd_where *w,
		 int flags, struct stat *st);
/* The stat of W's memfd without opening it (statx of the holder's link). */
int memfd_stat(const struct seg_ref *ref, const struct memfd_where *w,
	       struct stat *st);

/* memfd_xattr.c */
ssize_t memfd_getxattr(const struct seg_ref *ref, const char *name, char *buf,
		       size_t size);
ssize_t memfd_listxattr(const struct seg_ref *ref, char *buf, size_t size);

#endif
