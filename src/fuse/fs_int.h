/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the request handlers (src/fs*.c) share; nothing outside them. */
#ifndef SHMFS_FS_INT_H
#define SHMFS_FS_INT_H

#include "fs.h"
#include "seg.h"

/* The mount's tree, from the session's user data (struct fs_config). */
static inline const struct fs_tree *fs_req_tree(fuse_req_t req)
{
	return ((const struct fs_config *)fuse_req_userdata(req))->tree;
}

/* The open file behind FI (NULL if FI is). */
struct seg_file *file_of(const struct fuse_file_info *fi);

/*
 * Opens and changes are done as the caller (see cred.h); lookups, stat
 * and listings as the daemon, since anyone may see what ipcs shows.
 * Acting as callers, one whose groups and capabilities cannot be read is
 * refused: -EACCES.
 */
int req_cred(fuse_req_t req, struct seg_cred *cred);
int enter_caller(fuse_req_t req, struct seg_cred *cred,
		 struct cred_saved *saved);
/* The object INO names, with this thread acting as the caller. */
int enter_node(fuse_req_t req, fuse_ino_t ino, struct seg_ref *ref,
	       struct seg_cred *cred, struct cred_saved *saved);

/*
 * RES, where a node the kernel reached by a name (FILE NULL: not through
 * an open file) names an object that is gone (-ENOENT) and its name now
 * names another: -ESTALE, which makes the VFS look the name up again
 * (LOOKUP_REVAL) and retry, so a key re-created elsewhere opens as the
 * new segment instead of failing.  Where nothing has the name, ENOENT.
 */
int stale_if_gone(int res, const struct seg_ref *ref,
		  const struct seg_file *file);

/*
 * fs_later.c: run REQ again on the pool, as AGAIN(REQ, INO, NAME, FI,
 * MORE) (NAME, FI and LEN bytes of MORE copied; NULL where NULL; MORE:
 * what else the request carried, access(2)'s mask, setattr's
 * attributes): for a kind's -DEFER_AGAIN.  0: AGAIN will answer REQ;
 * else -errno, which the caller answers.
 */
typedef void (*fs_again_fn)(fuse_req_t req, fuse_ino_t ino, const char *name,
			    struct fuse_file_info *fi, void *more);
int fs_later(fuse_req_t req, fuse_ino_t ino, const char *name,
	     const struct fuse_file_info *fi, const void *more, size_t len,
	     fs_again_fn again);
/* REF's attributes, as the caller where its directory is per caller. */
int fs_ref_getattr(fuse_req_t req, const struct seg_ref *ref,
		   struct seg_file *file, struct stat *st);
/*
 * DIR's lookup of NAME, as the caller where what DIR shows depends on
 * who asks (seg_dir_ops.per_caller), else as the daemon.
 */
int fs_dir_lookup(fuse_req_t req, const struct seg_dir *dir, const char *name,
		  struct seg_ref *ref, struct stat *st);

/* fs_setattr.c */
void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		struct fuse_file_info *fi);

/* fs_dir.c */
void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi);
void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* fs_file.c */
void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi);
void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	      dev_t rdev);
void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi);
void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
	      off_t off, struct fuse_file_info *fi);
void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
	      struct fuse_file_info *fi);
void fs_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			off_t off_out, struct fuse_file_info *fi_out, size_t len,
			int flags);

/* fs_space.c */
void fs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
		  off_t len, struct fuse_file_info *fi);
void fs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
	      struct fuse_file_info *fi);

/*
 * fs_killpriv.c: a setattr with nothing to set, from chown(-1, -1) or
 * from the kernel before a write of its own, as this thread's caller:
 * the set-id bits cleared that its write would clear.
 */
int fs_kill_priv(const struct seg_ref *ref);

/* fs_statfs.c */
void fs_statfs(fuse_req_t req, fuse_ino_t ino);

/* fs_xattr.c */
void fs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void fs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		 const char *value, size_t size, int flags);
void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);
void fs_access(fuse_req_t req, fuse_ino_t ino, int mask);

#endif
