// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The operations of a SysV file being created.  Each finds what it acts
 * on through target_get(): the entry while the segment does not exist,
 * the segment's own ref or file once it does.  Those that decide
 * permission take the caller once, first (the FUSE layer acts as them
 * around the call), and pass it on: seg_ops has no place for it.
 */
#include "sysv_new_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int open_mask(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return R_OK;
	case O_WRONLY:
		return W_OK;
	default:
		return R_OK | W_OK;
	}
}

/*
 * What an operation acts on, found in one place for all of them: the
 * entry while its segment does not exist, the segment once it does.
 */
struct target {
	struct sysv_new *n;
	int referenced;	       /* N's reference is ours to drop */
	struct seg_ref real;   /* once created: the segment */
	struct seg_file *file; /* once created, for a file: its attachment */
};

/* Done with a pending target: unlock, then drop what we took. */
static void target_put(struct target *t)
{
	pthread_mutex_unlock(&t->n->lock);
	if (t->referenced)
		new_reg_put(t->n);
}

/*
 * T->n is locked and CREATED: name the segment, and for a file F attach
 * it if F has not yet (F was opened while pending).  Returns holding
 * nothing: the ref is a copy, and F keeps its own attachment.
 */
static int target_created(struct target *t, struct new_file *f)
{
	int res = 0;

	new_ref_created(t->n, &t->real);
	if (f != NULL && f->real == NULL) {
		res = sysv_open_id(t->n->si, t->n->shmid, f->base.flags,
				   &t->file);
		if (res == 0)
			__atomic_store_n(&f->real, t->file, __ATOMIC_RELEASE);
	} else if (f != NULL) {
		t->file = f->real;
	}
	target_put(t);
	return res;
}

/*
 * Resolve the entry of file F, or else of REF, taking a reference.
 * Returns 1 while its segment does not exist: T->n is locked; act on it,
 * then target_put().  Returns 0 once it does, holding nothing: forward to
 * T->real, or for a file to T->file.  -ENOENT if the entry is gone.
 */
static int target_get(struct target *t, const struct seg_ref *ref,
		      struct new_file *f)
{
	memset(t, 0, sizeof(*t));
	if (f != NULL) {
		t->n = f->n;
		t->file = __atomic_load_n(&f->real, __ATOMIC_ACQUIRE);
		/* Attached: shmid was set before, and stays. */
		if (t->file != NULL) {
			new_ref_created(t->n, &t->real);
			return 0;
		}
	} else {
		t->n = new_reg_get(ref->inst, ref->id);
		if (t->n == NULL)
			return -ENOENT;
		t->referenced = 1;
	}
	pthread_mutex_lock(&t->n->lock);
	return t->n->state == CREATED ? target_created(t, f) : 1;
}

static int new_getattr(const struct seg_ref *ref, struct seg_file *file,
		       struct stat *st)
{
	struct target t;
	int res = target_get(&t, ref, NULL);

	(void)file;
	if (res <= 0)
		return res ?: t.real.ops->getattr(&t.real, NULL, st);
	new_stat_pending(t.n, st);
	target_put(&t);
	return 0;
}

static int new_chmod(const struct seg_ref *ref, mode_t mode)
{
	const struct seg_cred *who = cred_caller();
	struct target t;
	int res = target_get(&t, ref, NULL);

	if (res <= 0)
		return res ?: t.real.ops->chmod(&t.real, mode);
	/* SysV has no set-id or sticky bits, as sysv_chmod says. */
	res = mode & 07000 ? -EINVAL : new_may_change(t.n, who);
	if (res == 0)
		t.n->owner.mode = mode & 0777;
	target_put(&t);
	return res;
}

static int new_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	const struct seg_cred *who = cred_caller();
	struct target t;
	int res = target_get(&t, ref, NULL);

	if (res <= 0)
		return res ?: t.real.ops->chown(&t.real, uid, gid);
	res = new_may_change(t.n, who);
	if (res == 0 && uid != (uid_t)-1)
		t.n->owner.uid = uid;
	if (res == 0 && gid != (gid_t)-1)
		t.n->owner.gid = gid;
	target_put(&t);
	return res;
}

/*
 * A truncate to a size makes the segment that large; one to 0 (O_TRUNC)
 * chooses no size yet.  Once made, it is the segment's truncate.  A size
 * the kernel would refuse fails here, as EFBIG or ENOSPC, and nothing is
 * made (sysv_new_limit.c).
 */
static int new_truncate(const struct seg_ref *ref, struct seg_file *file,
			off_t size)
{
	const struct seg_cred *who = cred_caller();
	struct new_file *f = (struct new_file *)file;
	struct target t;
	int res = target_get(&t, ref, f);

	if (res == 1) {
		if (size < 0)
			res = -EINVAL;
		else if ((uint64_t)size > SIZE_MAX)
			res = -EFBIG;
		else
			res = new_may_access(t.n, who, W_OK);
		if (res == 0 && (size == 0 || t.n->state == DISCARDED)) {
			newbuf_shrink(&t.n->data, (uint64_t)size);
			/* Smaller, so it cannot fail: it counts less. */
			new_limit_size(t.n, t.n->data.len);
		} else if (res == 0) {
			res = new_limit_size(t.n, (uint64_t)size);
			if (res < 0)
				new_discard(t.n);
			else
				res = new_make(t.n, (size_t)size, f);
		}
		if (res < 0 || t.n->state != CREATED) {
			target_put(&t);
			return res;
		}
		res = target_created(&t, f);
	}
	return res ?: t.real.ops->truncate(&t.real, t.file, size);
}

static int new_access(const struct seg_ref *ref, const struct seg_cred *cred,
		      int mask)
{
	struct target t;
	int res = target_get(&t, ref, NULL);

	if (res <= 0)
		return res ?: t.real.ops->access(&t.real, cred, mask);
	res = new_may_access(t.n, cred, mask);
	target_put(&t);
	return res;
}

/*
 * Before the segment exists, shmfs applies the kernel's rule itself; after,
 * the attach does, here and now, as the caller (fs_open acts as them).
 */
static int new_open(const struct seg_ref *ref, int flags,
		    struct seg_file **file)
{
	const struct seg_cred *who = cred_caller();
	struct new_file *f = calloc(1, sizeof(*f));
	struct target t;
	int res;

	if (f == NULL)
		return -ENOMEM;
	/* The file's reference, for as long as it is open. */
	f->n = new_reg_get(ref->inst, ref->id);
	if (f->n == NULL) {
		res = -ENOENT;
		goto err_free;
	}
	f->base.ops = &sysv_new_ops;
	f->base.flags = flags;
	res = target_get(&t, NULL, f);
	if (res == 1) {
		res = new_may_access(t.n, who, open_mask(flags));
		/* To be attached when the segment is made (new_make()). */
		if (res == 0)
			new_file_link(t.n, f);
		target_put(&t);
	}
	if (res < 0)
		goto err_put;
	*file = &f->base;
	return 0;

err_put:
	new_reg_put(f->n);
err_free:
	free(f);
	return res;
}

/*
 * Pending data is copied out under the lock and replied from after it:
 * a write may move it meanwhile, and a reply may take as long as the
 * reader likes.
 */
static int new_read(struct seg_file *file, size_t size, off_t off,
		    seg_reply_fn reply, void *ctx)
{
	struct new_file *f = (struct new_file *)file;
	struct target t;
	char *copy = NULL;
	size_t len = 0;
	int res = target_get(&t, NULL, f);

	if (res <= 0)
		return res ?: t.file->ops->read(t.file, size, off, reply, ctx);
	if (off >= 0 && (uint64_t)off < t.n->data.len) {
		len = t.n->data.len - (uint64_t)off < size
			      ? (size_t)(t.n->data.len - (uint64_t)off)
			      : size;
		copy = malloc(len);
		if (copy != NULL)
			newbuf_read(&t.n->data, copy, len, (uint64_t)off);
	}
	target_put(&t);
	if (len > 0 && copy == NULL)
		return -ENOMEM;
	res = reply(ctx, copy, len);
	free(copy);
	return res;
}

static ssize_t new_write(struct seg_file *file, const void *buf, size_t size,
			 off_t off)
{
	struct new_file *f = (struct new_file *)file;
	struct target t;
	int res;

	if (off < 0)
		return -EINVAL;
	res = target_get(&t, NULL, f);
	if (res <= 0)
		return res ?: t.file->ops->write(t.file, buf, size, off);
	/* A size the kernel would refuse fails the write that reaches it. */
	res = 0;
	if ((uint64_t)off + size > t.n->data.len)
		res = new_limit_size(t.n, (uint64_t)off + size);
	if (res == 0)
		res = newbuf_write(&t.n->data, buf, size, (uint64_t)off);
	/* A segment that could never hold what was written is not made
	 * with a part of it.  The writer is told; the log only with -d, so
	 * that no user can fill it. */
	if (res < 0 && t.n->state == PENDING) {
		log_debug("sysv: key 0x%08x cannot hold what was written "
			  "(%s): not creating it\n",
			  (unsigned)t.n->key, strerror(-res));
		new_discard(t.n);
	}
	target_put(&t);
	return res < 0 ? res : (ssize_t)size;
}

/*
 * close() of the creating file makes the segment from what was written, so
 * close() can report why it could not.  A flush is sent for every close()
 * of a descriptor, also for the one a shell closes after dup2() and before
 * it writes anything: a file with nothing written yet is made when it is
 * released (the last close), one page long.
 */
static int new_flush(struct seg_file *file)
{
	struct new_file *f = (struct new_file *)file;
	struct sysv_new *n = f->n;
	int res = 0;

	if (!f->creator)
		return 0;
	pthread_mutex_lock(&n->lock);
	if (n->state == PENDING && n->data.len > 0)
		res = new_make(n, n->data.len, f);
	pthread_mutex_unlock(&n->lock);
	return res;
}

/* The creating file's last close makes it.  N's lock held. */
static int make_at_last_close(struct new_file *f)
{
	struct sysv_new *n = f->n;

	new_file_unlink(f);
	if (!f->creator || n->state != PENDING)
		return 0;
	return new_make(n,
			n->data.len ? n->data.len
				    : (size_t)sysconf(_SC_PAGESIZE),
			NULL);
}

/* The release's making, done where the daemon can still say why it failed. */
static int new_close(struct seg_file *file)
{
	struct new_file *f = (struct new_file *)file;
	int res;

	pthread_mutex_lock(&f->n->lock);
	res = make_at_last_close(f);
	pthread_mutex_unlock(&f->n->lock);
	return res;
}

static void new_release(struct seg_file *file)
{
	struct new_file *f = (struct new_file *)file;
	struct sysv_new *n = f->n;

	pthread_mutex_lock(&n->lock);
	make_at_last_close(f);
	pthread_mutex_unlock(&n->lock);
	if (f->real != NULL)
		f->real->ops->release(f->real);
	new_reg_put(n);
	free(f);
}

static ssize_t new_getxattr(const struct seg_ref *ref, const char *name,
			    char *buf, size_t size)
{
	struct target t;
	int res = target_get(&t, ref, NULL);

	if (res <= 0)
		return res ?: t.real.ops->getxattr(&t.real, name, buf, size);
	target_put(&t);
	return -ENODATA;
}

static ssize_t new_listxattr(const struct seg_ref *ref, char *buf, size_t size)
{
	struct target t;
	int res = target_get(&t, ref, NULL);

	if (res <= 0)
		return res ?: t.real.ops->listxattr(&t.real, buf, size);
	target_put(&t);
	return 0;
}

const struct seg_ops sysv_new_ops = {
	.getattr = new_getattr,
	.chmod = new_chmod,
	.chown = new_chown,
	.truncate = new_truncate,
	.access = new_access,
	.open = new_open,
	.read = new_read,
	.write = new_write,
	.flush = new_flush,
	.close = new_close,
	.release = new_release,
	.getxattr = new_getxattr,
	.listxattr = new_listxattr,
	/* as the segment's own will be: read-only */
	.setxattr = sysv_setxattr,
	.removexattr = sysv_removexattr,
};
