// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV file being created: its entry, the rules it follows until its
 * segment exists, the making of that segment, and what the sysv/
 * directory asks of it (sysv_new.h).  Its operations are in
 * sysv_new_ops.c, its registry in sysv_new_reg.c.
 */
#include "sysv_new.h"
#include "sysv_new_int.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* ipcperms(), for what the kernel does not know of yet. */
int new_may_access(const struct sysv_new *n, const struct seg_cred *who,
		   int mask)
{
	if (who == NULL)
		return 0;
	return cred_ipc_perm(who, n->owner.mode & 0777, n->owner.uid,
			     n->owner.gid, n->cred.uid, n->cred.gid, mask);
}

/*
 * IPC_SET and IPC_RMID (ipcctl_obtain_check()): the owner, the creator, or
 * a caller with CAP_SYS_ADMIN, which the kernel asks of the IPC
 * namespace's user namespace and shmfs of the daemon's (cred_task.c), as
 * cred_ipc_perm() does CAP_IPC_OWNER.  Uid 0 is no right of its own.
 */
int new_may_change(const struct sysv_new *n, const struct seg_cred *who)
{
	if (who == NULL || who->uid == n->owner.uid ||
	    who->uid == n->cred.uid || cred_capable(who, CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

/* N's lock held. */
void new_stat_pending(const struct sysv_new *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = SEG_INO_TAG(SEG_TAG_NEW, n->serial) | n->si->ino_salt;
	st->st_mode = S_IFREG | (n->owner.mode & 0777);
	st->st_nlink = 1;
	st->st_uid = n->owner.uid;
	st->st_gid = n->owner.gid;
	st->st_size = (off_t)n->data.len;
	st->st_blksize = sysconf(_SC_PAGESIZE);
	/* Sparse, as on tmpfs: what it takes of the daemon's memory. */
	st->st_blocks = (blkcnt_t)(newbuf_held(&n->data) / 512);
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = n->ctime;
}

static void ref_pending(const struct sysv_new *n, struct seg_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &sysv_new_ops;
	ref->inst = n->si;
	ref->id = n->serial;
}

/* The segment, once CREATED: as sysv_ref() names it. */
void new_ref_created(const struct sysv_new *n, struct seg_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &sysv_seg_ops;
	ref->inst = n->si;
	ref->id = (uint64_t)(uint32_t)n->shmid;
}

/*
 * No longer PENDING: never to be made.  N's lock held.  It still counts
 * against the limits until its last file is closed (new_reg_put()), as
 * tmpfs counts a removed file that is still open: else removing and
 * creating again, descriptors held, would pass shmmni without bound.
 */
void new_discard(struct sysv_new *n)
{
	n->state = DISCARDED;
	new_reg_hide(n);
}

struct fill {
	char *addr;
	size_t size;
};

/* One run of what was written, cut at the segment's end. */
static int store_run(void *ctx, uint64_t off, const void *data, size_t len)
{
	struct fill *f = ctx;

	if (off >= f->size)
		return 1; /* runs come in order: the rest is past it too */
	return sysv_store(f->addr + off, data,
			  len < f->size - off ? len : f->size - off);
}

/*
 * Only what was written, and of that only pages that are not all zeros:
 * the rest of a new segment is zeros already, and stays without memory,
 * so one byte written at 3 GB makes a segment of one resident page.
 */
static int fill_written(void *ctx, void *addr, size_t size)
{
	const struct sysv_new *n = ctx;
	struct fill f = { addr, size };
	int res = newbuf_each(&n->data, (size_t)sysconf(_SC_PAGESIZE),
			      store_run, &f);

	return res > 0 ? 0 : res;
}

/*
 * Why a segment could not be made, for the administrator: the user learns
 * it from the close or truncate (errno), and may cause it as often as they
 * like, so one line a minute at most for each kind, saying how many were
 * held back.  The user's own (the key taken meanwhile, no room left, a
 * size or right refused) is no error of the daemon's: a notice.
 */
static void log_make_failed(key_t key, size_t size, int err)
{
	static const int own[] = { EEXIST, ENOSPC, EFBIG, EINVAL,
				   EACCES, EPERM,  EBUSY };
	static struct log_limit limits[sizeof(own) / sizeof(own[0]) + 1];
	size_t k = 0;

	while (k < sizeof(own) / sizeof(own[0]) && own[k] != err)
		k++;
	log_limited(&limits[k],
		    k < sizeof(own) / sizeof(own[0]) ? LOG_NOTICE
						     : LOG_ERR,
		    "sysv: cannot create key 0x%08x, %zu bytes: %s",
		    (unsigned)key, size, strerror(err));
}

void new_file_link(struct sysv_new *n, struct new_file *f)
{
	f->next = n->files;
	if (f->next != NULL)
		f->next->pprev = &f->next;
	f->pprev = &n->files;
	n->files = f;
}

void new_file_unlink(struct new_file *f)
{
	if (f->pprev == NULL)
		return;
	*f->pprev = f->next;
	if (f->next != NULL)
		f->next->pprev = f->pprev;
	f->next = NULL;
	f->pprev = NULL;
}

/*
 * The files opened before the segment existed, but F, attach it now, as
 * the daemon: each was allowed its access when it opened (new_open()),
 * and the owner may have changed the mode since, as for any open file.
 * One that cannot (out of descriptors, or the segment already removed by
 * its creator) tries again at its next operation (target_created()).
 * Returns whether every one is attached.  N's lock held.
 */
static int attach_others(struct sysv_new *n, const struct new_file *f)
{
	struct cred_saved saved;
	int as_daemon = cred_enter(cred_daemon(), &saved) == 0;
	struct seg_file *rf;
	int all = 1;

	for (struct new_file *g = n->files; g != NULL; g = g->next) {
		if (g == f || g->real != NULL)
			continue;
		if (as_daemon &&
		    sysv_open_id(n->si, n->shmid, g->base.flags, &rf) == 0)
			__atomic_store_n(&g->real, rf, __ATOMIC_RELEASE);
		else
			all = 0;
	}
	if (as_daemon)
		cred_leave(&saved);
	return all;
}

/*
 * Make the segment, SIZE bytes, as its creator whoever asked (a truncate
 * by another user must not make them the creator).  F, if not NULL, gets
 * it attached.  N's lock held, and no other: shmget, the copy and IPC_SET
 * keep only this file's operations waiting.  A failure leaves it
 * DISCARDED: what was written never becomes a segment.
 */
int new_make(struct sysv_new *n, size_t size, struct new_file *f)
{
	struct seg_file *rf = NULL;
	struct cred_saved saved;
	int shmid, res;

	res = cred_enter(&n->cred, &saved);
	if (res == 0) {
		res = sysv_make(n->si, n->key, size,
				newbuf_held(&n->data) > 0 ? fill_written : NULL,
				n, &n->owner, f != NULL ? f->base.flags : 0,
				&shmid, f != NULL ? &rf : NULL);
		cred_leave(&saved);
	}
	if (res < 0) {
		log_make_failed(n->key, size, -res);
		new_discard(n);
		return res;
	}
	n->shmid = shmid;
	n->state = CREATED;
	newbuf_free(&n->data);
	new_reg_hide(n);
	if (f != NULL)
		__atomic_store_n(&f->real, rf, __ATOMIC_RELEASE);
	/*
	 * The kernel counts it from now on, while an open file holds it.
	 * Counted twice until here, so a create racing this one at the limit
	 * may be refused; never is one let past it.  A file that could not be
	 * attached holds only the entry, which the segment's removal leaves
	 * counted nowhere: then it counts until its last close, as a removed
	 * one does.
	 */
	if (attach_others(n, f))
		new_limit_leave(n);
	return 0;
}

int sysv_new_create(struct sysv_inst *si, key_t key, mode_t mode, int flags,
		    const struct seg_cred *cred, struct seg_ref *ref,
		    struct stat *st, struct seg_file **file)
{
	struct new_file *f;
	struct sysv_new *n;
	int res;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		res = -ENOMEM;
		goto err_free_file;
	}
	n->si = si;
	n->key = key;
	n->cred = *cred;
	n->ctime = time(NULL);
	n->state = PENDING;
	n->owner.uid = cred->uid;
	n->owner.gid = cred->gid;
	n->owner.mode = mode & 0777;
	n->shmid = -1;
	newbuf_init(&n->data, cred->uid);
	pthread_mutex_init(&n->lock, NULL);
	/* Locked before anyone can find it: its stat is the one we made. */
	pthread_mutex_lock(&n->lock);
	res = new_limit_enter(n);
	if (res < 0)
		goto err_free_entry;
	res = new_reg_add(n);
	if (res < 0)
		goto err_leave;
	ref_pending(n, ref);
	new_stat_pending(n, st);
	f->base.ops = &sysv_new_ops;
	f->base.flags = flags;
	f->n = n;
	f->creator = 1;
	new_file_link(n, f);
	pthread_mutex_unlock(&n->lock);
	*file = &f->base;
	return 0;

err_leave:
	new_limit_leave(n);
err_free_entry:
	pthread_mutex_unlock(&n->lock);
	pthread_mutex_destroy(&n->lock);
	free(n);
err_free_file:
	free(f);
	return res;
}

int sysv_new_lookup(struct sysv_inst *si, key_t key, struct seg_ref *ref,
		    struct stat *st)
{
	struct sysv_new *n = new_reg_get_key(si, key);
	int res = -ENOENT;

	if (n == NULL)
		return -ENOENT;
	/* Waits out a creation under way; then the segment is the dir's. */
	pthread_mutex_lock(&n->lock);
	if (n->state == PENDING) {
		ref_pending(n, ref);
		new_stat_pending(n, st);
		res = 0;
	}
	pthread_mutex_unlock(&n->lock);
	new_reg_put(n);
	return res;
}

int sysv_new_list(struct sysv_inst *si, seg_fill_fn fill, void *ctx)
{
	return new_reg_list(si, fill, ctx);
}

/* As the caller: fs_unlink acts as them. */
int sysv_new_unlink(struct sysv_inst *si, key_t key)
{
	const struct seg_cred *who = cred_caller();
	struct sysv_new *n = new_reg_get_key(si, key);
	int res = -ENOENT;

	if (n == NULL)
		return -ENOENT;
	pthread_mutex_lock(&n->lock);
	if (n->state == PENDING)
		res = new_may_change(n, who);
	/* As on tmpfs: the data lives on in open files, then is gone. */
	if (res == 0)
		new_discard(n);
	pthread_mutex_unlock(&n->lock);
	new_reg_put(n);
	return res;
}
