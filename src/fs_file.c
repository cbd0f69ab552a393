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
#include "fs_tree.h"
#include "log.h"
#include "node.h"
#include "passthrough.h"

void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct seg_file *file;
	struct pt_open pt;
	int res;

	log_debug("open %llu, flags 0%o\n", (unsigned long long)ino, fi->flags);
	if (tree_is_dir(ino)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	res = ref.ops->open(&ref, fi->flags, &file);
	/* libfuse asks for atomic O_TRUNC: the kernel sends no setattr. */
	if (res == 0 && (fi->flags & O_TRUNC)) {
		res = ref.ops->truncate(&ref, file, 0);
		if (res < 0)
			file->ops->release(file);
	}
	cred_leave(&saved);
	/* As the daemon: only it may give the kernel a backing file. */
	if (res == 0 && (res = passthrough_opened(ino, file, &pt)) < 0)
		file->ops->release(file);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	cache_opened(ino, fi, file, fi->flags & O_TRUNC, pt.id > 0);
	/* Interrupted: the caller will never close it. */
	if (passthrough_reply_open(req, fi, &pt) == -ENOENT) {
		cache_closed(ino);
		passthrough_closed(ino);
		file->ops->release(file);
	}
}

/*
 * A create the caller was told failed (or never heard of) leaves nothing:
 * the name goes first, so the release makes no segment of it.
 */
static void undo_create(const struct tree_dir *d, const char *name,
			struct seg_file *file)
{
	seg_unlink(d->ops, name);
	file->ops->release(file);
}

void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi)
{
	const struct tree_dir *d = tree_dir(parent);
	struct fuse_entry_param e;
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_file *file;
	struct seg_ref ref;
	struct pt_open pt;
	struct stat st;
	int res;

	log_debug("create %llu/%s, mode 0%o, flags 0%o\n",
		  (unsigned long long)parent, name, mode, fi->flags);
	if (d == NULL) {
		fuse_reply_err(req, parent == FUSE_ROOT_ID ? EPERM : ENOTDIR);
		return;
	}
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_create(d->ops, name, mode, fi->flags, &cred, &ref,
				 &st, &file);
		cred_leave(&saved);
	}
	if (res == 0) {
		res = node_remember(st.st_ino, &ref);
		if (res < 0)
			undo_create(d, name, file);
	}
	if (res == 0 && (res = passthrough_opened(st.st_ino, file, &pt)) < 0) {
		undo_create(d, name, file);
		node_forget(st.st_ino, 1);
	}
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	cache_opened(st.st_ino, fi, file, 0, pt.id > 0);
	cache_entry(st.st_ino, &ref, &st, &e);
	if (passthrough_reply_create(req, &e, fi, &pt) == -ENOENT) {
		cache_closed(st.st_ino);
		passthrough_closed(st.st_ino);
		undo_create(d, name, file);
		node_forget(st.st_ino, 1);
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
	int res = file->ops->read(file, size, off, read_reply, &rc);

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
	file->ops->release(file);
	cache_closed(ino);
	fuse_reply_err(req, 0);
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
