// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The request handlers for names and attributes, and the table of all
 * handlers.  Every one answers from the kernel's live state; what the
 * kernel may keep of an answer, and for how long, is cache.c's to say.
 */
#include "fs.h"
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "cred.h"
#include "fs_tree.h"
#include "log.h"
#include "node.h"

struct seg_file *file_of(const struct fuse_file_info *fi)
{
	return fi != NULL ? (struct seg_file *)(uintptr_t)fi->fh : NULL;
}

void req_cred(fuse_req_t req, struct seg_cred *cred)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	int n;

	cred->uid = ctx->uid;
	cred->gid = ctx->gid;
	cred->pid = ctx->pid;
	cred->ngroups = 0;
	if (!cred_active() || ctx->uid == 0)
		return;
	/* Unknown groups (the caller is gone) mean fewer rights, not more. */
	n = fuse_req_getgroups(req, CRED_MAX_GROUPS, cred->groups);
	cred->ngroups = n < 0 ? 0 : n > CRED_MAX_GROUPS ? CRED_MAX_GROUPS : n;
}

int enter_caller(fuse_req_t req, struct seg_cred *cred,
		 struct cred_saved *saved)
{
	req_cred(req, cred);
	return cred_enter(cred, saved);
}

int enter_node(fuse_req_t req, fuse_ino_t ino, struct seg_ref *ref,
	       struct seg_cred *cred, struct cred_saved *saved)
{
	int res = node_get(ino, ref);

	return res ?: enter_caller(req, cred, saved);
}

int stale_if_gone(int res, const struct seg_file *file)
{
	return res == -ENOENT && file == NULL ? -ESTALE : res;
}

/*
 * The entry for NAME in DIR (NULL: the root), which names REF (NULL: a
 * fixed directory).  A lookup the caller never saw (interrupted) is no
 * reference to keep.
 */
static void reply_entry(fuse_req_t req, const struct tree_dir *dir,
			const char *name, const struct seg_ref *ref,
			const struct stat *st)
{
	struct fuse_entry_param e;

	if (dir != NULL)
		cache_entry_named(dir->ops, name, st->st_ino, ref, st, &e);
	else
		cache_entry(st->st_ino, ref, st, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT && ref != NULL)
		node_forget(st->st_ino, 1);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	conn->max_write = FS_MAX_IO;
	cache_init_conn(conn);
	/* POSIX objects keep nanoseconds; SysV times are whole seconds. */
	conn->time_gran = 1;
}

int fs_start(struct fuse_session *se, const struct fs_config *cfg)
{
	tree_init();
	return cache_start(se, cfg);
}

void fs_stop(void)
{
	cache_stop();
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct tree_dir *d;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("lookup %llu/%s\n", (unsigned long long)parent, name);
	if (parent == FUSE_ROOT_ID) {
		d = tree_dir_named(name);
		if (d == NULL) {
			fuse_reply_err(req, ENOENT);
			return;
		}
		tree_stat(d->ino, &st);
		reply_entry(req, NULL, name, NULL, &st);
		return;
	}
	d = tree_dir(parent);
	if (d == NULL) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	res = d->ops->lookup(name, &ref, &st);
	if (res == 0)
		res = node_remember(st.st_ino, &ref);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	reply_entry(req, d, name, &ref, &st);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	if (!tree_is_dir(ino))
		node_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		if (!tree_is_dir(forgets[i].ino))
			node_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct seg_ref ref;
	struct stat st;
	int res;

	if (tree_is_dir(ino)) {
		tree_stat(ino, &st);
		fuse_reply_attr(req, &st, cache_timeout(ino, NULL, &st));
		return;
	}
	res = node_get(ino, &ref);
	if (res == 0)
		res = stale_if_gone(ref.ops->getattr(&ref, file_of(fi), &st),
				    file_of(fi));
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, cache_timeout(ino, &ref, &st));
}

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

static int apply_setattr(const struct seg_ref *ref, const struct stat *attr,
			 int to_set, struct seg_file *file)
{
	const struct seg_ops *ops = ref->ops;
	int res = 0;

	if (to_set & FUSE_SET_ATTR_MODE)
		res = seg_chmod(ref, attr->st_mode & 07777);
	if (res == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		res = seg_chown(
			ref,
			to_set & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1,
			to_set & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1);
	if (res == 0 && (to_set & FUSE_SET_ATTR_SIZE))
		res = ops->truncate(ref, file, attr->st_size);
	if (res == 0 &&
	    (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
		       FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW))) {
		struct timespec tv[2];

		set_time(&tv[0], to_set, FUSE_SET_ATTR_ATIME_NOW,
			 FUSE_SET_ATTR_ATIME, &attr->st_atim);
		set_time(&tv[1], to_set, FUSE_SET_ATTR_MTIME_NOW,
			 FUSE_SET_ATTR_MTIME, &attr->st_mtim);
		res = seg_utimens(ref, tv);
	}
	return res;
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("setattr %llu, to_set 0x%x\n", (unsigned long long)ino,
		  to_set);
	if (tree_is_dir(ino)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res == 0) {
		res = stale_if_gone(apply_setattr(&ref, attr, to_set,
						  file_of(fi)),
				    file_of(fi));
		cred_leave(&saved);
	}
	if (res == 0 && (to_set & FUSE_SET_ATTR_SIZE))
		res = cache_truncated(ino, attr->st_size);
	if (res == 0)
		res = ref.ops->getattr(&ref, file_of(fi), &st);
	if (res < 0) {
		/* A chmod that went through before a chown failed. */
		cache_changed(ino);
		fuse_reply_err(req, -res);
	} else {
		fuse_reply_attr(req, &st, cache_timeout(ino, &ref, &st));
	}
}

/* ---- files ---- */

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct tree_dir *d = tree_dir(parent);
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	log_debug("unlink %llu/%s\n", (unsigned long long)parent, name);
	if (d == NULL) {
		fuse_reply_err(req, parent == FUSE_ROOT_ID ? EPERM : ENOTDIR);
		return;
	}
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_unlink(d->ops, name);
		cred_leave(&saved);
	}
	fuse_reply_err(req, -res);
}

/* The tree's shape is fixed: nothing may add to it but segments. */
static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EPERM);
}

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, EPERM);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	(void)ino;
	(void)newparent;
	(void)newname;
	fuse_reply_err(req, EPERM);
}

/* Neither kind can be renamed in place; mv then copies and removes. */
static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, EXDEV);
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.readdirplus = fs_readdirplus,
	.releasedir = fs_releasedir,
	.open = fs_open,
	.create = fs_create,
	.read = fs_read,
	.write = fs_write,
	.flush = fs_flush,
	.release = fs_release,
	.fsync = fs_fsync,
	.copy_file_range = fs_copy_file_range,
	.unlink = fs_unlink,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.mknod = fs_mknod,
	.symlink = fs_symlink,
	.link = fs_link,
	.rename = fs_rename,
	.getxattr = fs_getxattr,
	.listxattr = fs_listxattr,
	.setxattr = fs_setxattr,
	.removexattr = fs_removexattr,
	.access = fs_access,
	.statfs = fs_statfs,
};
