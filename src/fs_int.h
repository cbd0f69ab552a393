/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of the FUSE layer share; nothing outside src/fs*.c. */
#ifndef SHMFS_FS_INT_H
#define SHMFS_FS_INT_H

#include "fs.h"
#include "seg.h"

struct fs_dir {
	const char *name;
	fuse_ino_t ino;
	mode_t mode;
	const struct seg_dir_ops *ops;
};

const struct fs_dir *dir_by_ino(fuse_ino_t ino);
fuse_ino_t dir_ino_of(const struct seg_dir_ops *ops);
int is_dir(fuse_ino_t ino);
void dir_stat(fuse_ino_t ino, struct stat *st);
struct seg_file *file_of(const struct fuse_file_info *fi);
/*
 * The kernel is about to be told ST of INO, which names REF (NULL for a
 * fixed directory): how long it may cache it.  Remembers what it was
 * told, for fs_watch.c, and makes sure the watcher runs.
 */
double cache_for(fuse_ino_t ino, const struct seg_ref *ref,
		 const struct stat *st);
/* An entry for a lookup or create of REF, as cache_for() allows. */
void entry_of(fuse_ino_t ino, const struct seg_ref *ref, const struct stat *st,
	      struct fuse_entry_param *e);
/* What we did to INO may have changed its attributes: stop caching. */
void attrs_changed(fuse_ino_t ino);

/* fs_watch.c: the kernel may cache until FS_CACHE_TIMEOUT from now. */
void watch_arm(void);
/* Whether the watcher runs: if not, nothing may be cached. */
int watch_working(void);
/*
 * We changed INO's contents where the kernel's cache (-o kernel_cache)
 * does not see it (a SysV truncate keeps the size): drop them, at once
 * but after the reply, for a handler may not wait on the kernel's cache.
 */
void watch_drop_contents(fuse_ino_t ino);

/*
 * Opens and changes are done as the caller (see cred.h); lookups, stat
 * and listings as the daemon, since anyone may see what ipcs shows.
 */
void req_cred(fuse_req_t req, struct seg_cred *cred);
int enter_caller(fuse_req_t req, struct seg_cred *cred,
		 struct cred_saved *saved);
/* The segment INO names, with this thread acting as the caller. */
int enter_node(fuse_req_t req, fuse_ino_t ino, struct seg_ref *ref,
	       struct seg_cred *cred, struct cred_saved *saved);

/* fs_file.c */
void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi);
void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi);
void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
	      off_t off, struct fuse_file_info *fi);
void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
	      struct fuse_file_info *fi);

/* fs_xattr.c */
void fs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void fs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		 const char *value, size_t size, int flags);
void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);
void fs_access(fuse_req_t req, fuse_ino_t ino, int mask);

#endif
