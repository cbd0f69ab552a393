/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System V segments: sysv/ names them by key, sysv-id/ by shmid. */
#ifndef SHMFS_SYSV_H
#define SHMFS_SYSV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "seg.h"
#include "sysvtab.h"

extern const struct seg_ops sysv_seg_ops;
extern const struct seg_dir_ops sysv_key_dir_ops;
extern const struct seg_dir_ops sysv_id_dir_ops;

void sysv_destroy(void);

/* Whether kernel.shm_rmid_forced is on in this IPC namespace. */
int sysv_rmid_forced(void);

/*
 * Call FN for every segment of the table, read afresh; stops at FN's
 * first non-zero return, which it returns.  FN must not call this module.
 */
int sysv_each(int (*fn)(void *ctx, const struct sysv_info *info), void *ctx);

struct change_list;

/*
 * List every segment the kernel may still cache (a node told of since
 * SINCE_NS, CLOCK_MONOTONIC) whose attributes or names now differ from
 * what it was told.
 */
int sysv_changes(struct change_list *out, int64_t since_ns);

/* The ref of a segment: its shmid, and its key's name while it has one. */
void sysv_ref(const struct sysv_info *info, struct seg_ref *ref);

/* The kernel record of one segment, with rss and swap where known. */
int sysv_stat_id(int shmid, struct sysv_info *info);

/* Who a new segment belongs to. */
struct sysv_owner {
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/*
 * Make a new segment for KEY, SIZE bytes, holding LEN bytes of DATA, as
 * the current identity (who becomes its creator), then give it to OWNER.
 * FILE, if not NULL, gets it opened with open(2) FLAGS.
 */
int sysv_make(key_t key, size_t size, const void *data, size_t len,
	      const struct sysv_owner *owner, int flags, int *shmid,
	      struct seg_file **file);

/* Attach for OPEN-style FLAGS (O_RDONLY attaches SHM_RDONLY). */
int sysv_open_id(int shmid, int flags, struct seg_file **file);

/*
 * How many of LEN bytes at OFF a transfer moves in a segment of SEGSZ
 * bytes: reads end at the end, writes are short there, and a write that
 * starts at or past the end has no space at all.
 */
int sysv_span(uint64_t segsz, off_t off, size_t len, int writing, size_t *n);

/* Truncate's meaning for a fixed-size segment: zero from SIZE to the end. */
int sysv_truncate_check(uint64_t segsz, off_t size);

#endif
