/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one table of operations behind which every kind of shared memory
 * lives.  The FUSE layer only ever calls through these two tables, so it
 * never needs to know whether a file is a SysV segment or a POSIX object.
 *
 * All functions return 0 (or a byte count) on success and -errno on failure.
 */
#ifndef SHMFS_SEG_H
#define SHMFS_SEG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "cred.h"

#define SEG_NAME_MAX NAME_MAX

/*
 * Inode numbers are derived from what the kernel uses to identify the
 * object, so they are stable for its whole life and a SysV segment gets
 * the same number under sysv/ and sysv-id/.  The tag in bits 32..39 keeps
 * the kinds apart; the fixed directories use 1..4.
 */
#define SEG_INO_TAG(tag, n) (((uint64_t)(tag) << 32) | (uint64_t)(n))
#define SEG_TAG_SYSV	    1
#define SEG_TAG_NEW	    2
#define SEG_TAG_POSIX	    3

struct seg_ops;

/* An open file; each backend embeds this as the first member of its own. */
struct seg_file {
	int flags; /* open(2) flags */
	/*
	 * Someone else may have written since we last attached or detached:
	 * contents the kernel cached (-o kernel_cache) must go at this open.
	 */
	int others_wrote;
};

/* What a node of the tree refers to; copied freely, owns nothing. */
struct seg_ref {
	const struct seg_ops *ops;
	uint64_t id; /* SysV: shmid; POSIX: inode in the backing dir */
	char name[SEG_NAME_MAX + 1]; /* POSIX: file name; else empty */
};

/*
 * Called by a backend's read with a pointer into the live mapping; the
 * pointer is only valid during the call, so the FUSE layer replies from it
 * right there, without a copy of its own.
 */
typedef int (*seg_reply_fn)(void *ctx, const void *buf, size_t len);

/*
 * One directory entry of a listing: its NAME, the object it names (REF)
 * and its attributes (ST), as a lookup of NAME would give them now.
 */
typedef int (*seg_fill_fn)(void *ctx, const char *name,
			   const struct seg_ref *ref, const struct stat *st);

/* What can be done to one segment. */
struct seg_ops {
	/*
	 * Non-zero while changes that others make to objects of this kind
	 * are being detected (see change.h), so the kernel may cache their
	 * names and attributes until told otherwise.  NULL: never.
	 */
	int (*watched)(void);
	int (*getattr)(const struct seg_ref *ref, struct seg_file *file,
		       struct stat *st);
	int (*chmod)(const struct seg_ref *ref, mode_t mode);
	int (*chown)(const struct seg_ref *ref, uid_t uid, gid_t gid);
	int (*truncate)(const struct seg_ref *ref, struct seg_file *file,
			off_t size);
	int (*utimens)(const struct seg_ref *ref, const struct timespec tv[2]);
	/* access(2): may CRED do MASK (R_OK, W_OK, X_OK)?  0 or -EACCES */
	int (*access)(const struct seg_ref *ref, const struct seg_cred *cred,
		      int mask);

	int (*open)(const struct seg_ref *ref, int flags,
		    struct seg_file **file);
	int (*read)(struct seg_file *file, size_t size, off_t off,
		    seg_reply_fn reply, void *ctx);
	ssize_t (*write)(struct seg_file *file, const void *buf, size_t size,
			 off_t off);
	int (*flush)(struct seg_file *file);
	void (*release)(struct seg_file *file);

	ssize_t (*getxattr)(const struct seg_ref *ref, const char *name,
			    char *buf, size_t size);
	ssize_t (*listxattr)(const struct seg_ref *ref, char *buf, size_t size);
	int (*setxattr)(const struct seg_ref *ref, const char *name,
			const char *value, size_t size, int flags);
	int (*removexattr)(const struct seg_ref *ref, const char *name);
};

/* What can be done in one directory of segments. */
struct seg_dir_ops {
	int (*lookup)(const char *name, struct seg_ref *ref, struct stat *st);
	int (*list)(seg_fill_fn fill, void *ctx);
	/* NULL where names are chosen by the kernel: EPERM */
	int (*create)(const char *name, mode_t mode, int flags,
		      const struct seg_cred *cred, struct seg_ref *ref,
		      struct stat *st, struct seg_file **file);
	int (*unlink)(const char *name);
};

#endif
