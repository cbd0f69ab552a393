/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Creating a SysV segment by creating its file.  A segment's size is fixed
 * at shmget() time, but a file's is only known once it has been written:
 * so the new file collects what is written to it, and the segment is made
 * on the first truncate to a size, or else when the creating file is
 * closed, with what was written (one page if nothing was).
 */
#ifndef SHMFS_SYSV_NEW_H
#define SHMFS_SYSV_NEW_H

#include <sys/types.h>

#include "seg.h"

struct sysv_inst;

int sysv_new_create(struct sysv_inst *si, key_t key, mode_t mode, int flags,
		    const struct seg_cred *cred, struct seg_ref *ref,
		    struct stat *st, struct seg_file **file);

/* Files still being created, by key: -ENOENT if KEY is not one. */
int sysv_new_lookup(struct sysv_inst *si, key_t key, struct seg_ref *ref,
		    struct stat *st);
int sysv_new_list(struct sysv_inst *si, seg_fill_fn fill, void *ctx);
int sysv_new_unlink(struct sysv_inst *si, key_t key);

#endif
