// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The request handlers for names and attributes (their changes are
 * fs_setattr.c's), and the table of all handlers.  Every one answers from
 * the kernel's live state; what the kernel may keep of an answer, and for
 * how long, is cache.c's to say.
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
#include "defer.h"
#include "fs_ns.h"
#include "fs_tree.h"
#include "log.h"
#include "node.h"
#include "passthrough.h"

struct seg_file *file_of(const struct fuse_file_info *fi)
{
	return fi != NULL ? (struct seg_file *)(uintptr_t)fi->fh : NULL;
}

/* Why a caller was refused, once a minute: any user can make it happen. */
static void say_refused(const struct seg_cred *c, int err)
{
	static struct log_limit limit;

	log_limited(&limit, LOG_WARNING,
		    "refused a request of pid %d, uid %u: cannot read its "
		    "groups and capabilities: %s",
		    (int)c->pid, (unsigned)c->uid,
		    c->pid == 0 ? "not in the daemon's PID namespace"
				: strerror(-err));
}

int req_cred(fuse_req_t req, struct seg_cred *cred)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	int res;

	cred->uid = ctx->uid;
	cred->gid = ctx->gid;
	cred->pid = ctx->pid;
	cred_groups_clear(cred);
	/* Not acting as callers, the daemon does all with its own rights. */
	cred->caps = cred_daemon()->caps;
	if (!cred_active())
		return 0;
	/*
	 * Unknown groups would be more rights, not fewer: a mode that denies
	 * a group what it gives others (0604) would give a member the
	 * others' rights.  So the caller is refused, as the kernel refuses
	 * one without the right.  Whatever the reason (out of descriptors,
	 * pid 0 from another PID namespace, a status not the request's), the
	 * caller is still waiting for this answer (cred_task.c); a release
	 * or a forget, which carry no caller, never come here.
	 */
	res = cred_read_task(cred);
	if (res < 0) {
		say_refused(cred, res);
		return -EACCES;
	}
	return 0;
}

int enter_caller(fuse_req_t req, struct seg_cred *cred,
		 struct cred_saved *saved)
{
	int res = req_cred(req, cred);

	return res ?: cred_enter(cred, saved);
}

int enter_node(fuse_req_t req, fuse_ino_t ino, struct seg_ref *ref,
	       struct seg_cred *cred, struct cred_saved *saved)
{
	int res = node_get(ino, ref);

	return res ?: enter_caller(req, cred, saved);
}

int stale_if_gone(int res, const struct seg_ref *ref,
		  const struct seg_file *file)
{
	struct seg_dir dir = { ref->ops->named_in, ref->inst };
	struct seg_ref now;
	struct stat st;

	if (res != -ENOENT || file != NULL || dir.ops == NULL ||
	    ref->name[0] == '\0')
		return res;
	if (seg_lookup(&dir, ref->name, &now, &st) < 0 ||
	    (now.ops == ref->ops && now.inst == ref->inst && now.id == ref->id))
		return res;
	return -ESTALE;
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
		cache_entry_named(&dir->dir, name, st->st_ino, ref, st, &e);
	else
		cache_entry(st->st_ino, ref, st, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT && ref != NULL)
		node_forget(st->st_ino, 1);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->max_write = FS_MAX_IO;
	cache_init_conn(conn, userdata);
	passthrough_init_conn(conn);
	/* POSIX objects keep nanoseconds; SysV times are whole seconds. */
	conn->time_gran = 1;
}

int fs_start(struct fuse_session *se, struct fs_config *cfg)
{
	int res;

	cfg->tree = calloc(1, sizeof(*cfg->tree));
	if (cfg->tree == NULL)
		return -ENOMEM;
	tree_init(cfg->tree, cfg->insts, cfg->ninsts);
	passthrough_report();
	res = cache_start(se, cfg);
	if (res < 0) {
		free(cfg->tree);
		cfg->tree = NULL;
	}
	return res;
}

void fs_stop(struct fs_config *cfg)
{
	cache_stop();
	free(cfg->tree);
	cfg->tree = NULL;
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);

static void fs_lookup_again(fuse_req_t req, fuse_ino_t parent, const char *name,
			    struct fuse_file_info *fi, void *more)
{
	(void)fi;
	(void)more;
	fs_lookup(req, parent, name);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("lookup %llu/%s\n", (unsigned long long)parent, name);
	if (parent == FUSE_ROOT_ID) {
		d = tree_dir_named(t, name);
		if (d == NULL && strcmp(name, ns_top_name()) != 0) {
			fuse_reply_err(req, ENOENT);
			return;
		}
		tree_stat(t, d != NULL ? d->ino : ns_top_ino(), &st);
		reply_entry(req, NULL, name, NULL, &st);
		return;
	}
	if (ns_is_dir(parent) && !ns_is_sub(parent)) {
		/* Who sees it depends on who asks: never cached. */
		struct fuse_entry_param e = { 0 };

		res = ns_lookup(req, parent, name, &e.attr);
		if (res < 0) {
			fuse_reply_err(req, -res);
			return;
		}
		e.ino = e.attr.st_ino;
		fuse_reply_entry(req, &e);
		return;
	}
	d = tree_dir(t, parent);
	res = d != NULL ? ns_sub_allowed(req, parent) : -ENOTDIR;
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	res = fs_dir_lookup(req, &d->dir, name, &ref, &st);
	if (res == 0)
		res = node_remember(st.st_ino, &ref);
	if (res == -DEFER_AGAIN &&
	    (res = fs_later(req, parent, name, NULL, NULL, 0,
			    fs_lookup_again)) == 0)
		return;
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	reply_entry(req, d, name, &ref, &st);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	const struct fs_tree *t = fs_req_tree(req);
	if (!tree_is_dir(t, ino))
		node_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	const struct fs_tree *t = fs_req_tree(req);
	for (size_t i = 0; i < count; i++)
		if (!tree_is_dir(t, forgets[i].ino))
			node_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fs_getattr_again(fuse_req_t req, fuse_ino_t ino, const char *name,
			     struct fuse_file_info *fi, void *more)
{
	(void)name;
	(void)more;
	fs_getattr(req, ino, fi);
}

int fs_ref_getattr(fuse_req_t req, const struct seg_ref *ref,
		   struct seg_file *file, struct stat *st)
{
	const struct seg_dir_ops *dir = ref->ops->named_in;
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	if (dir == NULL || !dir->per_caller)
		return ref->ops->getattr(ref, file, st);
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = ref->ops->getattr(ref, file, st);
		cred_leave(&saved);
	}
	return res;
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct seg_ref ref;
	struct stat st;
	int res;

	if (ns_is_dir(ino)) {
		res = ns_getattr(req, ino, &st);
		if (res < 0)
			fuse_reply_err(req, -res);
		else
			fuse_reply_attr(req, &st, 0);
		return;
	}
	if (tree_is_dir(t, ino)) {
		tree_stat(t, ino, &st);
		fuse_reply_attr(req, &st, cache_timeout(ino, NULL, &st));
		return;
	}
	res = node_get(ino, &ref);
	if (res == 0) {
		res = fs_ref_getattr(req, &ref, file_of(fi), &st);
		/* Gone by name, but open through the mount: fstat(2). */
		if (res == -ENOENT && fi == NULL)
			res = cache_open_getattr(ino, &ref, &st);
		if (res != -DEFER_AGAIN)
			res = stale_if_gone(res, &ref, file_of(fi));
	}
	if (res == -DEFER_AGAIN && (res = fs_later(req, ino, NULL, fi, NULL, 0,
						   fs_getattr_again)) == 0)
		return;
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, cache_timeout(ino, &ref, &st));
}

/* ---- files ---- */

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d = tree_dir(t, parent);
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	log_debug("unlink %llu/%s\n", (unsigned long long)parent, name);
	if (d == NULL) {
		fuse_reply_err(req, tree_is_dir(t, parent) ? EPERM : ENOTDIR);
		return;
	}
	res = ns_sub_allowed(req, parent) ?: enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_unlink(&d->dir, name);
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

/*
 * The object now called NAME in D: its node follows it (the kernel moved
 * its own entry), and its ctime changed.
 */
static void renamed(const struct tree_dir *d, const char *name)
{
	struct seg_ref ref;
	struct stat st;

	if (seg_lookup(&d->dir, name, &ref, &st) == 0) {
		node_renamed(st.st_ino, &ref);
		cache_changed(st.st_ino);
	}
}

/*
 * Within a directory, as its kind renames (POSIX: renameat2() as the
 * caller); between directories, in the root, and where a name is the
 * object's identity (a SysV key), EXDEV, so that mv copies and removes.
 */
static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d = tree_dir(t, parent);
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	log_debug("rename %llu/%s to %llu/%s, flags 0x%x\n",
		  (unsigned long long)parent, name,
		  (unsigned long long)newparent, newname, flags);
	if (d == NULL || newparent != parent) {
		fuse_reply_err(req, EXDEV);
		return;
	}
	res = ns_sub_allowed(req, parent) ?: enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_rename(&d->dir, name, newname, flags);
		cred_leave(&saved);
	}
	if (res == 0) {
		renamed(d, newname);
		if (flags & RENAME_EXCHANGE)
			renamed(d, name);
	}
	fuse_reply_err(req, -res);
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
	.fallocate = fs_fallocate,
	.lseek = fs_lseek,
	.statfs = fs_statfs,
};
