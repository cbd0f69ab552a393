/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FUSE layer: low-level requests turned into calls on the core. */
#ifndef SHMFS_FS_H
#define SHMFS_FS_H

#include "config.h"

#include <fuse_lowlevel.h>

/* Largest read or write in one request. */
#define FS_MAX_IO (1024 * 1024)

extern const struct fuse_lowlevel_ops fs_ops;

#endif
