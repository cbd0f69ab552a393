/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FUSE layer: low-level requests turned into calls on the core. */
#ifndef SHMFS_FS_H
#define SHMFS_FS_H

#include "config.h"

#include <fuse_lowlevel.h>

/* Largest read or write in one request. */
#define FS_MAX_IO (1024 * 1024)

/* -o passthrough=auto|on|off: who serves open files' I/O (passthrough.h). */
enum shmfs_passthrough {
	PASSTHROUGH_AUTO, /* the kernel, where it can; else the daemon */
	PASSTHROUGH_ON,	  /* the kernel, or no mount */
	PASSTHROUGH_OFF,  /* the daemon */
};

struct fs_tree;

/*
 * The session's user data, the mount's state: handlers reach it through
 * fuse_req_userdata() (fs_int.h), as libfuse's passthrough_ll.c its
 * lo_data.
 */
struct fs_config {
	/* Contents through the page cache (-o kernel_cache). */
	int kernel_cache;
	/* -o passthrough: enum shmfs_passthrough */
	int passthrough;
	/* The started kinds, whose directories make the tree. */
	const struct kind_inst *insts;
	size_t ninsts;
	struct fs_tree *tree; /* made by fs_start(), freed by fs_stop() */
};

extern const struct fuse_lowlevel_ops fs_ops;

/*
 * Around the session loop: the tree from the registered kinds, and the
 * thread that keeps the kernel's caches true.
 */
int fs_start(struct fuse_session *se, struct fs_config *cfg);
void fs_stop(struct fs_config *cfg);

#endif
