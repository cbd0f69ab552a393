// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The space of an open file: fallocate(2), and the holes lseek(2) looks
 * for with SEEK_DATA and SEEK_HOLE.  The kernel sends LSEEK for those two
 * only (it answers SEEK_SET, SEEK_CUR and SEEK_END itself).  Neither may
 * ever be answered ENOSYS: the kernel would take it for the whole
 * connection, for every kind (seg.c gives what a kind leaves out).
 */
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cache.h"
#include "cred.h"
#include "log.h"
#include "node.h"

/*
 * As the caller, as a change is: the kernel drops set-id bits, or keeps
 * them, for the caller.  The kernel updates the size it holds and drops
 * cached pages of a hole itself; the blocks changed.
 */
void fs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
		  off_t len, struct fuse_file_info *fi)
{
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	log_debug("fallocate %llu, mode 0x%x, %lld bytes at %lld\n",
		  (unsigned long long)ino, mode, (long long)len,
		  (long long)off);
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_fallocate(file_of(fi), mode, off, len);
		cred_leave(&saved);
	}
	if (res == 0)
		cache_changed(ino);
	fuse_reply_err(req, -res);
}

void fs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
	      struct fuse_file_info *fi)
{
	struct seg_ref ref;
	off_t res = node_get(ino, &ref);

	if (res == 0)
		res = seg_lseek(&ref, file_of(fi), off, whence);
	log_debug("lseek %llu, %s from %lld: %lld\n", (unsigned long long)ino,
		  whence == SEEK_DATA ? "data" : "hole", (long long)off,
		  (long long)res);
	if (res < 0)
		fuse_reply_err(req, (int)-res);
	else
		fuse_reply_lseek(req, res);
}
