// SPDX-License-Identifier: GPL-2.0-or-later
#include "sysv_new.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "log.h"
#include "name.h"
#include "newbuf.h"
#include "sysv_int.h"

static const struct seg_ops sysv_new_ops;

enum new_state { PENDING, CREATED, DISCARDED };

struct sysv_new {
	struct sysv_new *next;
	uint64_t serial;
	unsigned refs; /* open files, plus callers inside an operation */
	key_t key;
	struct sysv_owner owner; /* chown and chmod may change it */
	struct seg_cred cred; /* the creator's: the segment is made as them */
	time_t ctime;
	enum new_state state;
	int shmid;	    /* once CREATED */
	struct newbuf data; /* while PENDING */
};

struct new_file {
	struct seg_file base;
	struct sysv_new *n;
	int creator;
	struct seg_file *real; /* the segment's own file, once created */
};

/*
 * One lock for the registry and every pending file in it: creations are
 * rare, and a single lock cannot be taken in the wrong order.  Once a
 * file's segment exists, its operations are the segment's own, done
 * outside the lock.
 */
static struct {
	pthread_mutex_t lock;
	struct sysv_new *head;
	uint64_t serial;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct sysv_new *find_serial(uint64_t serial)
{
	for (struct sysv_new *n = reg.head; n != NULL; n = n->next)
		if (n->serial == serial)
			return n;
	return NULL;
}

static struct sysv_new *find_pending_key(key_t key)
{
	for (struct sysv_new *n = reg.head; n != NULL; n = n->next)
		if (n->key == key && n->state == PENDING)
			return n;
	return NULL;
}

/* The entry REF names, with a reference and the lock held; or NULL. */
static struct sysv_new *get_ref(const struct seg_ref *ref)
{
	struct sysv_new *n;

	pthread_mutex_lock(&reg.lock);
	n = find_serial(ref->id);
	if (n == NULL)
		pthread_mutex_unlock(&reg.lock);
	else
		n->refs++;
	return n;
}

/* Drop a reference and the lock; the last reference unlinks and frees. */
static void put_unlock(struct sysv_new *n)
{
	if (--n->refs == 0) {
		for (struct sysv_new **p = &reg.head; *p != NULL;
		     p = &(*p)->next) {
			if (*p == n) {
				*p = n->next;
				break;
			}
		}
		newbuf_free(&n->data);
		free(n);
	}
	pthread_mutex_unlock(&reg.lock);
}

/* The kernel's rules, for what the kernel does not know of yet. */
static int may_access(const struct sysv_new *n, int mask)
{
	const struct seg_cred *c = cred_caller();

	if (c == NULL)
		return 0;
	return cred_ipc_perm(c, n->owner.mode & 0777, n->owner.uid,
			     n->owner.gid, n->cred.uid, n->cred.gid, mask);
}

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

/* IPC_SET and IPC_RMID: the owner, the creator or root. */
static int may_change(const struct sysv_new *n)
{
	const struct seg_cred *c = cred_caller();

	if (c == NULL || c->uid == n->owner.uid || c->uid == n->cred.uid)
		return 0;
	return -EPERM;
}

static void stat_pending(const struct sysv_new *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = SEG_INO_TAG(SEG_TAG_NEW, n->serial);
	st->st_mode = S_IFREG | (n->owner.mode & 0777);
	st->st_nlink = 1;
	st->st_uid = n->owner.uid;
	st->st_gid = n->owner.gid;
	st->st_size = (off_t)n->data.len;
	st->st_blksize = sysconf(_SC_PAGESIZE);
	st->st_blocks = (blkcnt_t)((n->data.len + 511) / 512);
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = n->ctime;
}

static void ref_pending(const struct sysv_new *n, struct seg_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &sysv_new_ops;
	ref->id = n->serial;
}

static void ref_created(const struct sysv_new *n, struct seg_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &sysv_seg_ops;
	ref->id = (uint64_t)n->shmid;
}

/*
 * The entry REF names, locked and referenced, while its segment does not
 * exist; once it does, NULL with REAL naming the segment (*RES 0); NULL
 * with *RES -ENOENT if the entry is gone.
 */
static struct sysv_new *get_pending(const struct seg_ref *ref,
				    struct seg_ref *real, int *res)
{
	struct sysv_new *n = get_ref(ref);

	*res = n == NULL ? -ENOENT : 0;
	if (n == NULL || n->state != CREATED)
		return n;
	ref_created(n, real);
	put_unlock(n);
	return NULL;
}

/*
 * Make the segment, SIZE bytes, as its creator whoever asked (a truncate
 * by another user must not make them the creator).  FILE, if not NULL,
 * is attached to it.  Lock held.
 */
static int create_segment(struct sysv_new *n, size_t size,
			  struct new_file *file)
{
	struct cred_saved saved;
	int shmid, res;

	res = cred_enter(&n->cred, &saved);
	if (res < 0)
		return res;
	res = sysv_make(n->key, size, n->data.p, n->data.len, &n->owner,
			file != NULL ? file->base.flags : 0, &shmid,
			file != NULL ? &file->real : NULL);
	cred_leave(&saved);
	if (res < 0)
		return res;
	n->state = CREATED;
	n->shmid = shmid;
	newbuf_free(&n->data);
	return 0;
}

/* As create_segment(); a failure throws the collected data away. */
static int create_or_discard(struct sysv_new *n, size_t size,
			     struct new_file *file)
{
	int res = create_segment(n, size, file);

	if (res < 0) {
		log_err("sysv: cannot create key 0x%08x, %zu bytes: %s\n",
			(unsigned)n->key, size, strerror(-res));
		n->state = DISCARDED;
	}
	return res;
}

int sysv_new_create(key_t key, mode_t mode, int flags,
		    const struct seg_cred *cred, struct seg_ref *ref,
		    struct stat *st, struct seg_file **file)
{
	struct new_file *f;
	struct sysv_new *n;

	f = calloc(1, sizeof(*f));
	n = calloc(1, sizeof(*n));
	if (f == NULL || n == NULL) {
		free(f);
		free(n);
		return -ENOMEM;
	}
	pthread_mutex_lock(&reg.lock);
	if (find_pending_key(key) != NULL) {
		pthread_mutex_unlock(&reg.lock);
		free(f);
		free(n);
		return -EEXIST;
	}
	n->serial = ++reg.serial;
	n->refs = 1;
	n->key = key;
	n->owner.uid = cred->uid;
	n->owner.gid = cred->gid;
	n->owner.mode = mode & 0777;
	n->cred = *cred;
	n->ctime = time(NULL);
	n->state = PENDING;
	n->shmid = -1;
	n->next = reg.head;
	reg.head = n;
	f->base.ops = &sysv_new_ops;
	f->base.flags = flags;
	f->n = n;
	f->creator = 1;
	ref_pending(n, ref);
	stat_pending(n, st);
	pthread_mutex_unlock(&reg.lock);
	*file = &f->base;
	return 0;
}

int sysv_new_lookup(key_t key, struct seg_ref *ref, struct stat *st)
{
	struct sysv_new *n;
	int res = -ENOENT;

	pthread_mutex_lock(&reg.lock);
	n = find_pending_key(key);
	if (n != NULL) {
		ref_pending(n, ref);
		stat_pending(n, st);
		res = 0;
	}
	pthread_mutex_unlock(&reg.lock);
	return res;
}

int sysv_new_list(seg_fill_fn fill, void *ctx)
{
	int res = 0;

	pthread_mutex_lock(&reg.lock);
	for (struct sysv_new *n = reg.head; n != NULL && res == 0;
	     n = n->next) {
		char name[NAME_KEY_LEN];

		if (n->state != PENDING)
			continue;
		name_format_key(n->key, name);
		res = fill(ctx, name, SEG_INO_TAG(SEG_TAG_NEW, n->serial),
			   S_IFREG);
	}
	pthread_mutex_unlock(&reg.lock);
	return res;
}

int sysv_new_unlink(key_t key)
{
	struct sysv_new *n;
	int res;

	pthread_mutex_lock(&reg.lock);
	n = find_pending_key(key);
	res = n == NULL ? -ENOENT : may_change(n);
	/* As on tmpfs: the data lives on in open files, then is gone. */
	if (res == 0)
		n->state = DISCARDED;
	pthread_mutex_unlock(&reg.lock);
	return res;
}

/* The created segment's file behind F, attaching it on first use. */
static int real_file(struct new_file *f, struct seg_file **real)
{
	if (f->real == NULL) {
		int res = sysv_open_id(f->n->shmid, f->base.flags, &f->real);

		if (res < 0)
			return res;
	}
	*real = f->real;
	return 0;
}

static int new_getattr(const struct seg_ref *ref, struct seg_file *file,
		       struct stat *st)
{
	struct seg_ref real;
	int res;
	struct sysv_new *n = get_pending(ref, &real, &res);

	(void)file;
	if (n == NULL)
		return res ?: real.ops->getattr(&real, NULL, st);
	stat_pending(n, st);
	put_unlock(n);
	return 0;
}

static int new_chmod(const struct seg_ref *ref, mode_t mode)
{
	struct seg_ref real;
	int res;
	struct sysv_new *n = get_pending(ref, &real, &res);

	if (n == NULL)
		return res ?: real.ops->chmod(&real, mode);
	/* SysV has no set-id or sticky bits, as sysv_chmod says. */
	res = mode & 07000 ? -EINVAL : may_change(n);
	if (res == 0)
		n->owner.mode = mode & 0777;
	put_unlock(n);
	return res;
}

static int new_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	struct seg_ref real;
	int res;
	struct sysv_new *n = get_pending(ref, &real, &res);

	if (n == NULL)
		return res ?: real.ops->chown(&real, uid, gid);
	res = may_change(n);
	if (res == 0 && uid != (uid_t)-1)
		n->owner.uid = uid;
	if (res == 0 && gid != (gid_t)-1)
		n->owner.gid = gid;
	put_unlock(n);
	return res;
}

static int new_truncate(const struct seg_ref *ref, struct seg_file *file,
			off_t size)
{
	struct new_file *f = (struct new_file *)file;
	struct sysv_new *n = get_ref(ref);
	struct seg_file *rf = NULL;
	struct seg_ref real;
	int res = 0;

	if (n == NULL)
		return -ENOENT;
	if (size < 0)
		res = -EINVAL;
	else if ((uint64_t)size > SIZE_MAX)
		res = -EFBIG;
	else if (n->state != CREATED)
		res = may_access(n, W_OK);
	if (res == 0 && n->state != CREATED && size == 0)
		newbuf_shrink(&n->data, 0); /* O_TRUNC: no size chosen yet */
	else if (res == 0 && n->state == PENDING)
		res = create_or_discard(n, (size_t)size, f);
	else if (res == 0 && n->state == DISCARDED)
		newbuf_shrink(&n->data, (uint64_t)size);
	if (res < 0 || n->state != CREATED) {
		put_unlock(n);
		return res;
	}
	ref_created(n, &real);
	if (f != NULL)
		res = real_file(f, &rf);
	put_unlock(n);
	return res ?: real.ops->truncate(&real, rf, size);
}

static int new_access(const struct seg_ref *ref, const struct seg_cred *cred,
		      int mask)
{
	struct seg_ref real;
	int res;
	struct sysv_new *n = get_pending(ref, &real, &res);

	if (n == NULL)
		return res ?: real.ops->access(&real, cred, mask);
	res = cred_ipc_perm(cred, n->owner.mode & 0777, n->owner.uid,
			    n->owner.gid, n->cred.uid, n->cred.gid, mask);
	put_unlock(n);
	return res;
}

/*
 * Before the segment exists, shmfs applies the kernel's rule itself; after,
 * the attach does, here and now, as the caller (fs_open acts as them).
 */
static int new_open(const struct seg_ref *ref, int flags,
		    struct seg_file **file)
{
	struct new_file *f = calloc(1, sizeof(*f));
	struct sysv_new *n;
	int res;

	if (f == NULL)
		return -ENOMEM;
	n = get_ref(ref);
	if (n == NULL) {
		free(f);
		return -ENOENT;
	}
	f->base.ops = &sysv_new_ops;
	f->base.flags = flags;
	f->n = n;
	if (n->state == CREATED)
		res = sysv_open_id(n->shmid, flags, &f->real);
	else
		res = may_access(n, open_mask(flags));
	if (res < 0) {
		put_unlock(n);
		free(f);
		return res;
	}
	/* The reference taken by get_ref() is now the file's. */
	pthread_mutex_unlock(&reg.lock);
	*file = &f->base;
	return 0;
}

static int new_read(struct seg_file *file, size_t size, off_t off,
		    seg_reply_fn reply, void *ctx)
{
	struct new_file *f = (struct new_file *)file;
	struct sysv_new *n = f->n;
	struct seg_file *rf;
	int res;

	pthread_mutex_lock(&reg.lock);
	if (n->state != CREATED) {
		size_t len = 0;

		if (off >= 0 && (uint64_t)off < n->data.len)
			len = n->data.len - (size_t)off < size
				      ? n->data.len - (size_t)off
				      : size;
		/* Under the lock: F's entry outlives the reply. */
		res = reply(ctx, len ? n->data.p + off : NULL, len);
		pthread_mutex_unlock(&reg.lock);
		return res;
	}
	res = real_file(f, &rf);
	pthread_mutex_unlock(&reg.lock);
	return res ?: rf->ops->read(rf, size, off, reply, ctx);
}

static ssize_t new_write(struct seg_file *file, const void *buf, size_t size,
			 off_t off)
{
	struct new_file *f = (struct new_file *)file;
	struct sysv_new *n = f->n;
	struct seg_file *rf;
	int res;

	if (off < 0)
		return -EINVAL;
	pthread_mutex_lock(&reg.lock);
	if (n->state != CREATED) {
		res = newbuf_write(&n->data, buf, size, (uint64_t)off);
		/* A segment that could never hold what was written is not
		 * made with a part of it. */
		if (res < 0 && n->state == PENDING) {
			log_err("sysv: key 0x%08x cannot hold what was "
				"written (%s): not creating it\n",
				(unsigned)n->key, strerror(-res));
			n->state = DISCARDED;
		}
		pthread_mutex_unlock(&reg.lock);
		return res < 0 ? res : (ssize_t)size;
	}
	res = real_file(f, &rf);
	pthread_mutex_unlock(&reg.lock);
	return res ?: rf->ops->write(rf, buf, size, off);
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

	pthread_mutex_lock(&reg.lock);
	if (f->creator && n->state == PENDING && n->data.len > 0)
		res = create_or_discard(n, n->data.len, f);
	pthread_mutex_unlock(&reg.lock);
	return res;
}

static void new_release(struct seg_file *file)
{
	struct new_file *f = (struct new_file *)file;
	struct sysv_new *n = f->n;

	pthread_mutex_lock(&reg.lock);
	if (f->creator && n->state == PENDING)
		create_or_discard(n,
				  n->data.len ? n->data.len
					      : (size_t)sysconf(_SC_PAGESIZE),
				  NULL);
	put_unlock(n);
	if (f->real != NULL)
		f->real->ops->release(f->real);
	free(f);
}

static ssize_t new_getxattr(const struct seg_ref *ref, const char *name,
			    char *buf, size_t size)
{
	struct seg_ref real;
	int res;
	struct sysv_new *n = get_pending(ref, &real, &res);

	if (n == NULL)
		return res ?: real.ops->getxattr(&real, name, buf, size);
	put_unlock(n);
	return -ENODATA;
}

static ssize_t new_listxattr(const struct seg_ref *ref, char *buf, size_t size)
{
	struct seg_ref real;
	int res;
	struct sysv_new *n = get_pending(ref, &real, &res);

	if (n == NULL)
		return res ?: real.ops->listxattr(&real, buf, size);
	put_unlock(n);
	return 0;
}

static const struct seg_ops sysv_new_ops = {
	.getattr = new_getattr,
	.chmod = new_chmod,
	.chown = new_chown,
	.truncate = new_truncate,
	.access = new_access,
	.open = new_open,
	.read = new_read,
	.write = new_write,
	.flush = new_flush,
	.release = new_release,
	.getxattr = new_getxattr,
	.listxattr = new_listxattr,
	/* as the segment's own will be: read-only */
	.setxattr = sysv_setxattr,
	.removexattr = sysv_removexattr,
};
