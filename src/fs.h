/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FUSE layer: low-level requests turned into calls on the core. */
#ifndef SHMFS_FS_H
#define SHMFS_FS_H

#include "config.h"

#include <fuse_lowlevel.h>

/* Largest read or write in one request. */
#define FS_MAX_IO (1024 * 1024)

/*
 * How long the kernel may keep names and attributes of watched objects
 * (seg_ops.watched) and of the fixed directories; fs_watch.c tells it of
 * every change before then.
 */
#define FS_CACHE_TIMEOUT 1.0

/* The session's user data. */
struct fs_config {
	/* Contents through the page cache (-o kernel_cache). */
	int kernel_cache;
};

extern const struct fuse_lowlevel_ops fs_ops;

/* The thread that passes on changes made by others (fs_watch.c). */
int watch_start(struct fuse_session *se, const struct fs_config *cfg);
void watch_stop(void);

#endif
