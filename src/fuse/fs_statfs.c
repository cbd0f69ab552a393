// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * statfs(2), as df and stat -f ask it: the kernel names the inode the
 * path reached, so each directory, and each file, answers with the
 * figures of what it stands for (seg.h); the root, and whatever has none
 * of its own, with those of the directory kind.c names.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fs_int.h"
#include "fs_tree.h"
#include "kind.h"
#include "node.h"

static int root_statfs(const struct fs_tree *t, struct statvfs *st)
{
	const struct tree_dir *d = tree_dir_named(t, kind_root_statfs);
	int res = d != NULL ? seg_dir_statfs(&d->dir, st) : -ENOSYS;

	if (res != -ENOSYS)
		return res;
	/* Nothing to count: an empty file system. */
	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = (unsigned long)sysconf(_SC_PAGESIZE);
	st->f_namemax = NAME_MAX;
	return 0;
}

void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d = tree_dir(t, ino);
	struct statvfs st;
	struct seg_ref ref;
	int res = -ENOSYS;

	if (d != NULL)
		res = seg_dir_statfs(&d->dir, &st);
	else if (ino != FUSE_ROOT_ID && node_get(ino, &ref) == 0)
		res = seg_statfs(&ref, &st);
	if (res == -ENOSYS)
		res = root_statfs(t, &st);
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_statfs(req, &st);
}
