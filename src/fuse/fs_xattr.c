// SPDX-License-Identifier: GPL-2.0-or-later
/* Extended attributes and access(2), both asked as the caller. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "cred.h"
#include "defer.h"
#include "fs_int.h"
#include "fs_ns.h"
#include "fs_tree.h"
#include "log.h"
#include "node.h"

static void reply_xattr(fuse_req_t req, ssize_t res, const char *buf,
			size_t size)
{
	if (res < 0)
		fuse_reply_err(req, (int)-res);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)res);
	else
		fuse_reply_buf(req, buf, (size_t)res);
}

static void xattr_read(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size);

/* A getxattr or listxattr that would wait, run again on the pool. */
static void xattr_again(fuse_req_t req, fuse_ino_t ino, const char *name,
			struct fuse_file_info *fi, void *size)
{
	(void)fi;
	xattr_read(req, ino, name, *(size_t *)size);
}

/* getxattr, or listxattr when NAME is NULL: the same but for the call. */
static void xattr_read(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	char *buf = NULL;
	ssize_t res;

	if (name != NULL && !attr_xattr_served(name)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	if (name != NULL && ns_of_ino(ino) != 0) {
		buf = size > 0 ? malloc(size) : NULL;
		res = size > 0 && buf == NULL
			      ? -ENOMEM
			      : ns_getxattr(req, ino, name, buf, size);
		reply_xattr(req, res, buf, size);
		free(buf);
		return;
	}
	if (tree_is_dir(t, ino)) {
		reply_xattr(req, name != NULL ? -ENODATA : 0, NULL, size);
		return;
	}
	if (size > 0 && (buf = malloc(size)) == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res == 0) {
		res = name != NULL ? seg_getxattr(&ref, name, buf, size)
				   : seg_listxattr(&ref, buf, size);
		cred_leave(&saved);
	}
	/* Deferred, it is answered from the pool. */
	if (res != -DEFER_AGAIN ||
	    (res = fs_later(req, ino, name, NULL, &size, sizeof(size),
			    xattr_again)) < 0)
		reply_xattr(req, res, buf, size);
	free(buf);
}

void fs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	xattr_read(req, ino, name, size);
}

void fs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	xattr_read(req, ino, NULL, size);
}

/* setxattr, or removexattr when VALUE is NULL. */
static void xattr_change(fuse_req_t req, fuse_ino_t ino, const char *name,
			 const char *value, size_t size, int flags)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	int res = tree_is_dir(t, ino) || !attr_xattr_served(name)
			  ? -ENOTSUP
			  : node_get(ino, &ref);

	if (res == 0)
		res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = value != NULL
			      ? seg_setxattr(&ref, name, value, size, flags)
			      : seg_removexattr(&ref, name);
		cred_leave(&saved);
	}
	fuse_reply_err(req, -res);
}

void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		 const char *value, size_t size, int flags)
{
	xattr_change(req, ino, name, value, size, flags);
}

void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	xattr_change(req, ino, name, NULL, 0, 0);
}

/*
 * access(2) and test -r: only asked when the kernel does not check modes
 * itself (no default_permissions).
 */
static void access_again(fuse_req_t req, fuse_ino_t ino, const char *name,
			 struct fuse_file_info *fi, void *mask)
{
	(void)name;
	(void)fi;
	fs_access(req, ino, *(int *)mask);
}

void fs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct stat st;
	int res;

	if (tree_is_dir(t, ino)) {
		res = req_cred(req, &cred);
		tree_stat(t, ino, &st);
		/* A directory has no creator: the owner rule is the file rule. */
		if (res == 0)
			res = cred_ipc_perm(&cred, st.st_mode & 0777, st.st_uid,
					    st.st_gid, st.st_uid, st.st_gid,
					    mask);
		fuse_reply_err(req, -res);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res == 0) {
		res = ref.ops->access(&ref, &cred, mask);
		cred_leave(&saved);
	}
	if (res == -DEFER_AGAIN &&
	    (res = fs_later(req, ino, NULL, NULL, &mask, sizeof(mask),
			    access_again)) == 0)
		return;
	fuse_reply_err(req, -res);
}
