/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tables of operations behind which every kind of shared memory
 * lives: one for what a directory of a kind can do (seg_dir_ops), one for
 * what its objects and their open files can do (seg_ops).  The FUSE layer
 * calls only through these, and through seg.c where an operation is
 * optional.
 *
 * All functions return 0 (or a byte count) on success and -errno on failure.
 */
#ifndef SHMFS_SEG_H
#define SHMFS_SEG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>

#include "cred.h"

#define SEG_NAME_MAX NAME_MAX

/*
 * Inode numbers are derived from what the kernel uses to identify the
 * object, so they are stable for its whole life and a SysV segment gets
 * the same number under sysv/ and sysv-id/.  The tag in bits 32..39 keeps
 * the kinds apart (a POSIX inode too large for 32 bits sets bit 63
 * instead); the fixed directories use small numbers (ns/ the last), and
 * ns/N is SEG_TAG_NS with N, the IPC namespace's inode number, and its
 * directories SEG_TAG_NS_SUB on.  Objects in ns/N have a salt in bits
 * 40..62 (kind_params.ino_salt), so that two namespaces' differ.
 */
#define SEG_INO_TAG(tag, n) (((uint64_t)(tag) << 32) | (uint64_t)(n))
#define SEG_TAG_SYSV	    1
#define SEG_TAG_NEW	    2
#define SEG_TAG_POSIX	    3
#define SEG_TAG_MEMFD	    4 /* and up: one a shm mount */
#define SEG_TAG_NS	    0xf0 /* above memfd's */
#define SEG_TAG_NS_SUB	    0xf1 /* ns/N/DIR: 0xf1 + DIR's place, with N */

struct seg_ops;

/*
 * An open file; each backend embeds this as the first member of its own.
 * It carries its operations, so that I/O needs nothing but the file.
 */
struct seg_file {
	const struct seg_ops *ops;
	int flags; /* open(2) flags */
	/*
	 * Someone else may have written since we last attached or detached:
	 * contents the kernel cached (-o kernel_cache) must go at this open.
	 */
	int others_wrote;
	unsigned cache_epoch; /* the FUSE layer's cache.c, atomically */
	uint64_t cache_ino;   /* cache.c's: the node it is open on */
	struct seg_file *cache_prev, *cache_next; /* cache.c's, its lock */
};

/*
 * One directory of a started kind: its operations, and the instance of
 * the kind they act on (its tables, watches, namespace: the kind's own
 * struct, which only the kind looks into).
 */
struct seg_dir {
	const struct seg_dir_ops *ops;
	void *inst;
};

/* What a node of the tree refers to; copied freely, owns nothing. */
struct seg_ref {
	const struct seg_ops *ops;
	void *inst;  /* the instance of the kind the object belongs to */
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
 * One name of a listing, with what readdir(3) shows of it: the inode
 * number the object has (as a lookup would give it) and its file type
 * (S_IFREG).  Attributes are a lookup's to give, when they are asked for.
 */
typedef int (*seg_fill_fn)(void *ctx, const char *name, uint64_t ino,
			   mode_t type);

/*
 * How much of an open file the kernel may serve by itself from the
 * object's own memory (seg_ops.backing; FUSE passthrough).
 */
enum seg_backing {
	SEG_BACKING_MAP = 1, /* mmap(2) only; read(2) and write(2) come here */
	SEG_BACKING_ALL,     /* read(2), write(2), mmap(2), splice */
};

/*
 * What can be done to one object, and to a file open on it.  Those marked
 * optional may be NULL; seg.c says what that means, in one place.
 */
struct seg_ops {
	/*
	 * The operations of the directory in which a ref's name is a name,
	 * in the ref's instance (NULL: none).
	 */
	const struct seg_dir_ops *named_in;
	int (*getattr)(const struct seg_ref *ref, struct seg_file *file,
		       struct stat *st);
	int (*chmod)(const struct seg_ref *ref, mode_t mode);	    /* optional */
	int (*chown)(const struct seg_ref *ref, uid_t uid, gid_t gid); /* optional */
	int (*truncate)(const struct seg_ref *ref, struct seg_file *file,
			off_t size);
	int (*utimens)(const struct seg_ref *ref,
		       const struct timespec tv[2]); /* optional */
	/*
	 * optional: chown(-1, -1) of the object through a descriptor that
	 * one of its open files holds, not by name, if this thread's caller
	 * may write it: the kernel then clears, from the mode the object
	 * has, the set-id bits that the caller's write would.  -ENOENT if
	 * none of its files is open or the caller may not write.
	 */
	int (*kill_setid)(const struct seg_ref *ref);
	/* access(2): may CRED do MASK (R_OK, W_OK, X_OK)?  0 or -EACCES */
	int (*access)(const struct seg_ref *ref, const struct seg_cred *cred,
		      int mask);
	/* Sets (*file)->ops: the file's operations may be another table. */
	int (*open)(const struct seg_ref *ref, int flags,
		    struct seg_file **file);

	ssize_t (*getxattr)(const struct seg_ref *ref, const char *name,
			    char *buf, size_t size); /* optional */
	ssize_t (*listxattr)(const struct seg_ref *ref, char *buf,
			     size_t size); /* optional */
	int (*setxattr)(const struct seg_ref *ref, const char *name,
			const char *value, size_t size,
			int flags); /* optional */
	int (*removexattr)(const struct seg_ref *ref,
			   const char *name); /* optional */

	/* The open file's own, called through file->ops. */
	int (*read)(struct seg_file *file, size_t size, off_t off,
		    seg_reply_fn reply, void *ctx);
	ssize_t (*write)(struct seg_file *file, const void *buf, size_t size,
			 off_t off);
	int (*flush)(struct seg_file *file); /* optional */
	/*
	 * optional: how much of this open file the kernel may serve from the
	 * object's own memory (SEG_BACKING_*), or -ENOTSUP: all comes here.
	 * FD, unless NULL, gets a descriptor of that memory, FILE's own and
	 * valid while it is open.
	 */
	int (*backing)(struct seg_file *file, int *fd);
	/*
	 * optional: what the last close, the release, will do, done now
	 * where its failure can still be told (mknod closes what it made).
	 */
	int (*close)(struct seg_file *file);
	void (*release)(struct seg_file *file);
	/* fallocate(2) MODE on the open file (written to); optional */
	int (*fallocate)(struct seg_file *file, int mode, off_t off, off_t len);
	/* lseek(2) SEEK_DATA or SEEK_HOLE: the offset found; optional */
	off_t (*lseek)(struct seg_file *file, off_t off, int whence);

	/* optional: the figures of the file system it is on (statfs) */
	int (*statfs)(const struct seg_ref *ref, struct statvfs *st);
};

/* What can be done in one directory of objects (DIR: which, of whom). */
struct seg_dir_ops {
	/*
	 * What the directory shows depends on who asks (memfd/: only what
	 * the caller may inspect): lookup, list and its objects' getattr are
	 * called as the caller, and a listing is never shared between
	 * callers.  Else they are called as the daemon.  Any of them may give
	 * -DEFER_AGAIN (defer.h): the request is run again on the pool.
	 */
	int per_caller;
	int (*lookup)(const struct seg_dir *dir, const char *name,
		      struct seg_ref *ref, struct stat *st);
	int (*list)(const struct seg_dir *dir, seg_fill_fn fill, void *ctx);
	/* optional: names chosen by the kernel cannot be made */
	int (*create)(const struct seg_dir *dir, const char *name, mode_t mode,
		      int flags, const struct seg_cred *cred,
		      struct seg_ref *ref, struct stat *st,
		      struct seg_file **file);
	int (*unlink)(const struct seg_dir *dir,
		      const char *name); /* optional */
	/*
	 * optional: whether NAME is another spelling of a name this
	 * directory lists (sysv/1234 for sysv/0x000004d2).  Notices of
	 * changes name only the listed one, so an alias is never cached.
	 */
	int (*alias)(const struct seg_dir *dir, const char *name);
	/* optional: renameat2(2) FLAGS, NAME to NEWNAME in this directory */
	int (*rename)(const struct seg_dir *dir, const char *name,
		      const char *newname, unsigned int flags);

	/*
	 * The directory's own attributes, when it shows another directory
	 * (posix/ is /dev/shm); optional: NULL, or a failure, shows shmfs's
	 * own fixed ones (fs_tree.c).  Changes to it are done as the caller.
	 */
	int (*getattr)(const struct seg_dir *dir, struct stat *st);
	int (*chmod)(const struct seg_dir *dir, mode_t mode); /* optional */
	int (*chown)(const struct seg_dir *dir, uid_t uid,
		     gid_t gid); /* optional */
	int (*utimens)(const struct seg_dir *dir,
		       const struct timespec tv[2]); /* optional */
	/* optional: the figures of the file system it shows (statfs) */
	int (*statfs)(const struct seg_dir *dir, struct statvfs *st);
};

/*
 * The optional operations, with what their absence means.  Everything
 * else is called through the tables directly.
 */
int seg_chmod(const struct seg_ref *ref, mode_t mode);
int seg_chown(const struct seg_ref *ref, uid_t uid, gid_t gid);
int seg_kill_setid(const struct seg_ref *ref);
int seg_utimens(const struct seg_ref *ref, const struct timespec tv[2]);
ssize_t seg_getxattr(const struct seg_ref *ref, const char *name, char *buf,
		     size_t size);
ssize_t seg_listxattr(const struct seg_ref *ref, char *buf, size_t size);
int seg_setxattr(const struct seg_ref *ref, const char *name,
		 const char *value, size_t size, int flags);
int seg_removexattr(const struct seg_ref *ref, const char *name);
int seg_flush(struct seg_file *file);
/* The last close of FILE, and its release: why the close failed, if it did. */
int seg_close(struct seg_file *file);
int seg_backing(struct seg_file *file, int *fd);
int seg_create(const struct seg_dir *dir, const char *name, mode_t mode,
	       int flags, const struct seg_cred *cred, struct seg_ref *ref,
	       struct stat *st, struct seg_file **file);
int seg_unlink(const struct seg_dir *dir, const char *name);
int seg_alias(const struct seg_dir *dir, const char *name);
int seg_rename(const struct seg_dir *dir, const char *name, const char *newname,
	       unsigned int flags);
int seg_dir_chmod(const struct seg_dir *dir, mode_t mode);
int seg_dir_chown(const struct seg_dir *dir, uid_t uid, gid_t gid);
int seg_dir_utimens(const struct seg_dir *dir, const struct timespec tv[2]);
int seg_fallocate(struct seg_file *file, int mode, off_t off, off_t len);
/* REF's open FILE; its getattr gives the size where lseek is left out. */
off_t seg_lseek(const struct seg_ref *ref, struct seg_file *file, off_t off,
		int whence);
/* -ENOSYS where there are none: the FUSE layer then gives the root's. */
int seg_statfs(const struct seg_ref *ref, struct statvfs *st);
/* DIR's lookup, the ref in DIR's instance unless the kind says another. */
int seg_lookup(const struct seg_dir *dir, const char *name, struct seg_ref *ref,
	       struct stat *st);
int seg_dir_statfs(const struct seg_dir *dir, struct statvfs *st);

/*
 * How many of LEN bytes at OFF a transfer moves in an object of SIZE
 * bytes: reads end at the end; a write (WRITING), where the size is
 * fixed, is short there, and one that starts at or past it has no space
 * at all (ENOSPC).
 */
int seg_span(uint64_t size, off_t off, size_t len, int writing, size_t *n);

#endif
