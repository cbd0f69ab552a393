// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SETATTR: chmod, chown, truncate and utimens, as the caller, of an
 * object, or of a directory of the tree that is another directory
 * (posix/ is /dev/shm); shmfs's own directories and the root are fixed.
 */
#include "fs_int.h"

#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "cache.h"
#include "cred.h"
#include "defer.h"
#include "fs_tree.h"
#include "log.h"
#include "node.h"

static void set_time(struct timespec *ts, int to_set, int now_bit, int bit,
		     const struct timespec *value)
{
	if (to_set & now_bit) {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_NOW;
	} else if (to_set & bit) {
		*ts = *value;
	} else {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_OMIT;
	}
}

/* The times a setattr asks for, into TV; 0 if none. */
static int times_of(const struct stat *attr, int to_set, struct timespec tv[2])
{
	if (!(to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
			FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)))
		return 0;
	set_time(&tv[0], to_set, FUSE_SET_ATTR_ATIME_NOW, FUSE_SET_ATTR_ATIME,
		 &attr->st_atim);
	set_time(&tv[1], to_set, FUSE_SET_ATTR_MTIME_NOW, FUSE_SET_ATTR_MTIME,
		 &attr->st_mtim);
	return 1;
}

static uid_t uid_of(const struct stat *attr, int to_set)
{
	return to_set & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1;
}

static gid_t gid_of(const struct stat *attr, int to_set)
{
	return to_set & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1;
}

static int apply_setattr(const struct seg_ref *ref, const struct stat *attr,
			 int to_set, struct seg_file *file)
{
	struct timespec tv[2];
	int res = 0;

	if (to_set & FUSE_SET_ATTR_MODE)
		res = seg_chmod(ref, attr->st_mode & 07777);
	if (res == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		res = seg_chown(ref, uid_of(attr, to_set),
				gid_of(attr, to_set));
	if (res == 0 && (to_set & FUSE_SET_ATTR_SIZE))
		res = ref->ops->truncate(ref, file, attr->st_size);
	if (res == 0 && times_of(attr, to_set, tv))
		res = seg_utimens(ref, tv);
	return res;
}

/* A directory of the tree: the kind's to change, if it is another's. */
static int apply_dir_setattr(const struct seg_dir *dir, const struct stat *attr,
			     int to_set)
{
	struct timespec tv[2];
	int res = 0;

	if (to_set & FUSE_SET_ATTR_SIZE)
		return -EISDIR;
	if (to_set == 0)
		return seg_dir_chown(dir, (uid_t)-1, (gid_t)-1);
	if (to_set & FUSE_SET_ATTR_MODE)
		res = seg_dir_chmod(dir, attr->st_mode & 07777);
	if (res == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		res = seg_dir_chown(dir, uid_of(attr, to_set),
				    gid_of(attr, to_set));
	if (res == 0 && times_of(attr, to_set, tv))
		res = seg_dir_utimens(dir, tv);
	return res;
}

/* The root is shmfs's own and fixed: EPERM. */
static void dir_setattr(fuse_req_t req, fuse_ino_t ino, const struct stat *attr,
			int to_set)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d = tree_dir(t, ino);
	struct cred_saved saved;
	struct seg_cred cred;
	struct stat st;
	int res = d != NULL ? enter_caller(req, &cred, &saved) : -EPERM;

	if (res == 0) {
		res = apply_dir_setattr(&d->dir, attr, to_set);
		cred_leave(&saved);
	}
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	tree_stat(t, ino, &st);
	fuse_reply_attr(req, &st, cache_timeout(ino, NULL, &st));
}

/* What a setattr run again on the pool carries besides its node and file. */
struct setattr_more {
	struct stat attr;
	int to_set;
};

static void setattr_again(fuse_req_t req, fuse_ino_t ino, const char *name,
			  struct fuse_file_info *fi, void *more)
{
	struct setattr_more *m = more;

	(void)name;
	fs_setattr(req, ino, &m->attr, m->to_set, fi);
}

void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		struct fuse_file_info *fi)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct setattr_more more;
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("setattr %llu, to_set 0x%x\n", (unsigned long long)ino,
		  to_set);
	if (tree_is_dir(t, ino)) {
		dir_setattr(req, ino, attr, to_set);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res == 0) {
		res = to_set == 0
			      ? fs_kill_priv(&ref)
			      : apply_setattr(&ref, attr, to_set, file_of(fi));
		res = stale_if_gone(res, &ref, file_of(fi));
		cred_leave(&saved);
	}
	if (res == 0)
		res = fs_ref_getattr(req, &ref, file_of(fi), &st);
	/* Done again whole: what was set is set again, the same. */
	if (res == -DEFER_AGAIN) {
		more = (struct setattr_more){ *attr, to_set };
		res = fs_later(req, ino, NULL, fi, &more, sizeof(more),
			       setattr_again);
		if (res == 0)
			return;
	}
	/*
	 * Zeroed from the size asked for, but kept (a SysV segment's fixed
	 * size): seeing no change of size, the kernel keeps its pages.
	 */
	if (res == 0 && (to_set & FUSE_SET_ATTR_SIZE) &&
	    st.st_size > attr->st_size)
		cache_truncated(ino, attr->st_size);
	if (res < 0) {
		/* A chmod that went through before a chown failed. */
		cache_changed(ino);
		fuse_reply_err(req, -res);
	} else {
		fuse_reply_attr(req, &st, cache_timeout(ino, &ref, &st));
	}
}
