// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open files: each is the backend's own open file, which holds the
 * segment attached or mapped until the release, and carries its
 * operations: reads and writes need nothing but fi->fh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "cred.h"
#include "fs_int.h"
#include "defer.h"
#include "fs_ns.h"
#include "fs_tree.h"
#include "log.h"
#include "node.h"
#include "passthrough.h"

/* Open FILE on REF with open(2) FLAGS, as the caller (fs_open, fs_create). */
static int open_ref(const struct seg_ref *ref, int flags,
		    struct seg_file **file)
{
	int res = ref->ops->open(ref, flags, file);

	/* libfuse asks for atomic O_TRUNC: the kernel sends no setattr. */
	if (res == 0 && (flags & O_TRUNC)) {
		res = ref->ops->truncate(ref, *file, 0);
		if (res < 0)
			(*file)->ops->release(*file);
	}
	return res;
}

static void fs_open_again(fuse_req_t req, fuse_ino_t ino, const char *name,
			  struct fuse_file_info *fi, void *more)
{
	(void)name;
	(void)more;
	fs_open(req, ino, fi);
}

void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct seg_file *file;
	struct pt_open pt;
	int res;

	log_debug("open %llu, flags 0%o\n", (unsigned long long)ino, fi->flags);
	if (tree_is_dir(t, ino)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	res = stale_if_gone(open_ref(&ref, fi->flags, &file), &ref, NULL);
	cred_leave(&saved);
	/* As the daemon: only it may give the kernel a backing file. */
	if (res == 0 && (res = passthrough_opened(ino, file, &pt)) < 0)
		file->ops->release(file);
	if (res == -DEFER_AGAIN &&
	    (res = fs_later(req, ino, NULL, fi, NULL, 0, fs_open_again)) == 0)
		return;
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	cache_opened(ino, fi, file, fi->flags & O_TRUNC, pt.id > 0);
	/* Interrupted: the caller will never close it. */
	if (passthrough_reply_open(req, fi, &pt) == -ENOENT) {
		cache_closed(ino, file);
		passthrough_closed(ino);
		file->ops->release(file);
	}
}

/*
 * What open(O_CREAT) without O_EXCL finds made meanwhile by someone else
 * (the kernel had the name as absent): it opens it, as open(2) would.
 */
static int open_made(const struct tree_dir *d, const char *name, int flags,
		     struct seg_ref *ref, struct stat *st,
		     struct seg_file **file)
{
	int res = seg_lookup(&d->dir, name, ref, st);

	return res ?: open_ref(ref, flags & ~(O_CREAT | O_EXCL), file);
}

/*
 * A create the caller was told failed (or never heard of) leaves nothing:
 * the name goes first, so the release makes no segment of it.  What was
 * only opened is only released.
 */
static void undo_create(const struct tree_dir *d, const char *name,
			int made, struct seg_file *file)
{
	if (made)
		seg_unlink(&d->dir, name);
	file->ops->release(file);
}

/*
 * Create NAME in PARENT as the caller, with open(2) FLAGS: the kind's
 * create or, without O_EXCL, an open of what someone made meanwhile
 * (*MADE 0).  FILE is then open, and the node remembered.
 */
static int create_node(fuse_req_t req, fuse_ino_t parent, const char *name,
		       mode_t mode, int flags, const struct tree_dir **dp,
		       struct seg_ref *ref, struct stat *st,
		       struct seg_file **file, int *made)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d = tree_dir(t, parent);
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	log_debug("create %llu/%s, mode 0%o, flags 0%o\n",
		  (unsigned long long)parent, name, mode, flags);
	if (d == NULL)
		return tree_is_dir(t, parent) ? -EPERM : -ENOTDIR;
	*dp = d;
	*made = 1;
	res = ns_sub_allowed(req, parent) ?: enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_create(&d->dir, name, mode, flags, &cred, ref, st,
				 file);
		if (res == -EEXIST && !(flags & O_EXCL)) {
			*made = 0;
			res = open_made(d, name, flags, ref, st, file);
		}
		cred_leave(&saved);
	}
	if (res == 0) {
		res = node_remember(st->st_ino, ref);
		if (res < 0)
			undo_create(d, name, *made, *file);
	}
	return res;
}

void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi)
{
	const struct tree_dir *d;
	struct fuse_entry_param e;
	struct seg_file *file;
	struct seg_ref ref;
	struct pt_open pt;
	struct stat st;
	int res, made;

	res = create_node(req, parent, name, mode, fi->flags, &d, &ref, &st,
			  &file, &made);
	if (res == 0 && (res = passthrough_opened(st.st_ino, file, &pt)) < 0) {
		undo_create(d, name, made, file);
		node_forget(st.st_ino, 1);
	}
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	cache_opened(st.st_ino, fi, file, !made && (fi->flags & O_TRUNC),
		     pt.id > 0);
	cache_entry_named(&d->dir, name, st.st_ino, &ref, &st, &e);
	if (passthrough_reply_create(req, &e, fi, &pt) == -ENOENT) {
		cache_closed(st.st_ino, file);
		passthrough_closed(st.st_ino);
		undo_create(d, name, made, file);
		node_forget(st.st_ino, 1);
	}
}

/*
 * mknod(2) of a regular file (GNU tar makes every member that has
 * extended attributes so) is open(O_CREAT | O_EXCL) and close: in sysv/
 * the close makes the segment, of one page, as after touch, and mknod
 * says why it could not (seg_close()).  A directory of objects holds
 * nothing else: other types are EPERM.
 */
void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	      dev_t rdev)
{
	const struct tree_dir *d;
	struct fuse_entry_param e;
	struct seg_file *file;
	struct seg_ref ref;
	struct stat st, closed;
	fuse_ino_t ino;
	int res, made;

	(void)rdev;
	res = S_ISREG(mode) ? create_node(req, parent, name, mode,
					  O_WRONLY | O_CREAT | O_EXCL, &d, &ref,
					  &st, &file, &made)
			    : -EPERM;
	/* Never made (no room, the key taken meanwhile): refused. */
	if (res == 0 && (res = seg_close(file)) < 0)
		node_forget(st.st_ino, 1);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	ino = st.st_ino;
	/* What the close made of it; the node stays the one created. */
	if (ref.ops->getattr(&ref, NULL, &closed) == 0)
		st = closed;
	cache_entry_named(&d->dir, name, ino, &ref, &st, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT) {
		seg_unlink(&d->dir, name);
		node_forget(ino, 1);
	}
}

struct read_ctx {
	fuse_req_t req;
	int replied;
};

static int read_reply(void *ctx, const void *buf, size_t len)
{
	struct read_ctx *rc = ctx;

	rc->replied = 1;
	return fuse_reply_buf(rc->req, buf, len);
}

void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi)
{
	struct seg_file *file = file_of(fi);
	struct read_ctx rc = { req, 0 };
	int res;

	/* Before the reply: after it, the reader may close and free FILE. */
	cache_read(ino, file);
	res = file->ops->read(file, size, off, read_reply, &rc);
	/* Once a reply went out, the request is gone, whatever it cost. */
	if (res < 0 && !rc.replied)
		fuse_reply_err(req, -res);
	else if (res < 0)
		log_debug("read %llu: reply failed: %s\n",
			  (unsigned long long)ino, strerror(-res));
}

/*
 * No cache_changed(): the kernel drops the size and times it holds after
 * every write itself, and what others can see change is theirs to tell.
 */
void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
	      off_t off, struct fuse_file_info *fi)
{
	struct seg_file *file = file_of(fi);
	ssize_t res = file->ops->write(file, buf, size, off);

	(void)ino;
	if (res < 0)
		fuse_reply_err(req, (int)-res);
	else
		fuse_reply_write(req, (size_t)res);
}

void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	fuse_reply_err(req, -seg_flush(file_of(fi)));
}

void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct seg_file *file = file_of(fi);

	log_debug("release %llu\n", (unsigned long long)ino);
	passthrough_closed(ino);
	cache_closed(ino, file);
	file->ops->release(file);
	fuse_reply_err(req, 0);
}

struct copy_ctx {
	struct seg_file *out;
	off_t off;
	ssize_t done;
};

/* The source's bytes, straight from its memory, written to the target. */
static int copy_reply(void *ctx, const void *buf, size_t len)
{
	struct copy_ctx *c = ctx;

	c->done = len > 0 ? c->out->ops->write(c->out, buf, len, c->off) : 0;
	return c->done < 0 ? (int)c->done : 0;
}

/*
 * copy_file_range(2) between two files of the mount: done here, from one
 * live memory to the other.  Left to the kernel, it would copy through its
 * page cache (splice), whose pages of a direct-I/O file go stale.  At
 * most FS_MAX_IO a request: a short copy, which callers repeat.  The
 * kernel has refused overlapping ranges of one file already.
 */
void fs_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			off_t off_out, struct fuse_file_info *fi_out, size_t len,
			int flags)
{
	struct seg_file *in = file_of(fi_in);
	struct copy_ctx c = { file_of(fi_out), off_out, 0 };
	int res;

	(void)ino_in;
	log_debug("copy_file_range %llu+%lld -> %llu+%lld, %zu bytes\n",
		  (unsigned long long)ino_in, (long long)off_in,
		  (unsigned long long)ino_out, (long long)off_out, len);
	if (flags != 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	res = in->ops->read(in, len < FS_MAX_IO ? len : FS_MAX_IO, off_in,
			    copy_reply, &c);
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_write(req, (size_t)c.done);
}

/* Shared memory has no backing store to flush to. */
void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
	      struct fuse_file_info *fi)
{
	(void)ino;
	(void)datasync;
	(void)fi;
	fuse_reply_err(req, 0);
}
