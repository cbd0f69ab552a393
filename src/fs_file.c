// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open files: each is the backend's own open file, which holds the
 * segment attached or mapped until the release.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cred.h"
#include "fs_int.h"
#include "log.h"
#include "node.h"

/*
 * By default the kernel caches nothing of the contents (direct I/O), so
 * every read sees what other processes store.  With -o kernel_cache it
 * keeps what it read across opens, until fs_watch.c drops it.
 */
static void file_info(fuse_req_t req, struct fuse_file_info *fi,
		      struct seg_file *file)
{
	const struct fs_config *cfg = fuse_req_userdata(req);

	fi->fh = (uintptr_t)file;
	fi->direct_io = !cfg->kernel_cache;
	fi->keep_cache = cfg->kernel_cache && !file->others_wrote;
}

void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct seg_file *file;
	int res;

	log_debug("open %llu, flags 0%o\n", (unsigned long long)ino, fi->flags);
	if (is_dir(ino)) {
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
			ref.ops->release(file);
	}
	cred_leave(&saved);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	file_info(req, fi, file);
	/* Attaching changes a SysV segment's nattch and atime. */
	attrs_changed(ino);
	if (fi->flags & O_TRUNC)
		watch_drop_contents(ino);
	node_opened(ino, 1);
	/* Interrupted: the caller will never close it. */
	if (fuse_reply_open(req, fi) == -ENOENT) {
		node_opened(ino, -1);
		ref.ops->release(file);
	}
}

/*
 * A create the caller was told failed (or never heard of) leaves nothing:
 * the name goes first, so the release makes no segment of it.
 */
static void undo_create(const struct fs_dir *d, const char *name,
			const struct seg_ref *ref, struct seg_file *file)
{
	d->ops->unlink(name);
	ref->ops->release(file);
}

void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi)
{
	const struct fs_dir *d = dir_by_ino(parent);
	struct fuse_entry_param e;
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_file *file;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("create %llu/%s, mode 0%o, flags 0%o\n",
		  (unsigned long long)parent, name, mode, fi->flags);
	if (d == NULL || d->ops->create == NULL) {
		fuse_reply_err(req,
			       parent == FUSE_ROOT_ID || d ? EPERM : ENOTDIR);
		return;
	}
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = d->ops->create(name, mode, fi->flags, &cred, &ref, &st,
				     &file);
		cred_leave(&saved);
	}
	if (res == 0) {
		res = node_remember(st.st_ino, &ref);
		if (res < 0)
			undo_create(d, name, &ref, file);
	}
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	file_info(req, fi, file);
	entry_of(st.st_ino, &ref, &st, &e);
	node_opened(st.st_ino, 1);
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		node_opened(st.st_ino, -1);
		undo_create(d, name, &ref, file);
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
	struct seg_ref ref;
	int res;

	res = node_get(ino, &ref);
	if (res == 0)
		res = ref.ops->read(file, size, off, read_reply, &rc);
	/* Once a reply went out, the request is gone, whatever it cost. */
	if (res < 0 && !rc.replied)
		fuse_reply_err(req, -res);
	else if (res < 0)
		log_debug("read %llu: reply failed: %s\n",
			  (unsigned long long)ino, strerror(-res));
}

void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
	      off_t off, struct fuse_file_info *fi)
{
	struct seg_ref ref;
	ssize_t res;

	res = node_get(ino, &ref);
	if (res == 0)
		res = ref.ops->write(file_of(fi), buf, size, off);
	if (res < 0) {
		fuse_reply_err(req, (int)-res);
		return;
	}
	attrs_changed(ino);
	fuse_reply_write(req, (size_t)res);
}

void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct seg_ref ref;
	int res = node_get(ino, &ref);

	if (res == 0)
		res = ref.ops->flush(file_of(fi));
	fuse_reply_err(req, -res);
}

void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct seg_ref ref;
	int res = node_get(ino, &ref);

	log_debug("release %llu\n", (unsigned long long)ino);
	/* The kernel holds a reference while a file is open: cannot fail. */
	if (res == 0) {
		ref.ops->release(file_of(fi));
		node_opened(ino, -1);
		attrs_changed(ino);
	} else
		log_err("release of unknown inode %llu\n",
			(unsigned long long)ino);
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
