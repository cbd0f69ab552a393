// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Requests that would wait (a kind's operation gave -DEFER_AGAIN: it
 * needs a scan of /proc, defer.h) run again on the pool, whole: the
 * handler is called again there with what the request carried, and
 * answers it: lookup, getattr, setattr, access, opendir, open, getxattr
 * and listxattr, which carry a node, a name, an open file's flags, and a
 * little more (a size, access(2)'s mask, setattr's attributes).
 */
#include "fs_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "defer.h"

struct later {
	fuse_req_t req;
	fuse_ino_t ino;
	fs_again_fn again;
	int has_fi;
	struct fuse_file_info fi;
	void *more; /* in buf, after the name; NULL: none */
	/* the name ("" when there is none), then MORE, aligned */
	char buf[] __attribute__((aligned(16)));
};

static void resume(void *arg, int cancelled)
{
	struct later *l = arg;

	/* Waits for interrupted() if it runs: none will after this.  One
	 * interrupted before it was queued is answered now. */
	fuse_req_interrupt_func(l->req, NULL, NULL);
	if (cancelled || fuse_req_interrupted(l->req))
		fuse_reply_err(l->req, EINTR);
	else
		l->again(l->req, l->ino, l->buf[0] != '\0' ? l->buf : NULL,
			 l->has_fi ? &l->fi : NULL, l->more);
	free(l);
}

/*
 * The caller was interrupted (a signal: killed, say) while its request
 * waited in the queue: it is answered now, not in its turn.  The kernel
 * waits for the answer to a request the daemon has read even when its
 * caller is killed, and the queue may be long (libfuse calls this with
 * the request held, at most once).
 */
static void interrupted(fuse_req_t req, void *arg)
{
	if (defer_cancel(arg)) {
		fuse_reply_err(req, EINTR);
		free(arg);
	}
}

int fs_later(fuse_req_t req, fuse_ino_t ino, const char *name,
	     const struct fuse_file_info *fi, const void *more, size_t len,
	     fs_again_fn again)
{
	size_t nlen = name != NULL ? strlen(name) : 0;
	/* MORE aligned as any type, after the name */
	size_t at = (nlen + 1 + 15) & ~(size_t)15;
	struct later *l;
	int res;

	/* On the pool nothing needs to wait for it: a kind's mistake. */
	if (defer_on_pool())
		return -EIO;
	l = aligned_alloc(16, (sizeof(*l) + at + len + 15) & ~(size_t)15);
	if (l == NULL)
		return -ENOMEM;
	*l = (struct later){ .req = req, .ino = ino, .again = again };
	if (fi != NULL) {
		l->has_fi = 1;
		l->fi = *fi;
	}
	memcpy(l->buf, name != NULL ? name : "", nlen + 1);
	if (more != NULL) {
		l->more = l->buf + at;
		memcpy(l->more, more, len);
	}
	/* Before it is queued: once queued, it may be answered and gone. */
	fuse_req_interrupt_func(req, interrupted, l);
	res = defer_run(fuse_req_ctx(req)->uid, resume, l);
	if (res < 0) {
		fuse_req_interrupt_func(req, NULL, NULL);
		free(l);
	}
	return res;
}

int fs_dir_lookup(fuse_req_t req, const struct seg_dir *dir, const char *name,
		  struct seg_ref *ref, struct stat *st)
{
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	if (!dir->ops->per_caller)
		return seg_lookup(dir, name, ref, st);
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = seg_lookup(dir, name, ref, st);
		cred_leave(&saved);
	}
	return res;
}
