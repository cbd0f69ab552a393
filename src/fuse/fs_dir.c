// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directories.  A directory's names are taken whole (a snapshot) at an
 * opendir, unless one taken since that opendir began can be shared, and
 * again at a rewind; every handle of the directory reads its newest
 * snapshot.  So listings cost the daemon one snapshot a directory, however
 * many handles users hold open, and a handle nothing but its place.
 * READDIRPLUS looks each name up when it answers.
 *
 * A place is the offset the kernel gives back: a snapshot is sorted by a
 * keyed hash of the names (the cookie, 63 bits), each entry carries its
 * own as the offset to go on from, and a readdir goes on after it in the
 * newest snapshot, whichever that is by then.  A name that stays is
 * listed exactly once by every handle, as readdir(3) wants; one made or
 * removed meanwhile may be or not.  Only two names of one cookie could
 * lose one of them at a reply's edge: about one pair in 10^10 among
 * 20,000 names, and nobody who lacks the key can choose names to collide.
 */
#include "fs_dir_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "defer.h"
#include "cred.h"
#include "fs_ns.h"
#include "fs_tree.h"
#include "grow.h"
#include "log.h"
#include "node.h"
#include "siphash.h"

/* The cookies of "." and ".."; a name's is above them. */
#define COOKIE_DOT    1
#define COOKIE_DOTDOT 2

static struct {
	pthread_once_t once;
	size_t n;
	struct dir_slot *v;
	uint8_t key[16];
} dirs = { .once = PTHREAD_ONCE_INIT };


static void dirs_init(void)
{
	/* The root, as many as a tree has, and one for all of ns/. */
	dirs.n = TREE_MAX_DIRS + 2;
	dirs.v = calloc(dirs.n, sizeof(*dirs.v));
	if (dirs.v == NULL)
		dirs.n = 0;
	for (size_t i = 0; i < dirs.n; i++) {
		pthread_mutex_init(&dirs.v[i].take, NULL);
		pthread_mutex_init(&dirs.v[i].lock, NULL);
	}
	/* Only a guessed key lets someone choose names that collide. */
	if (getrandom(dirs.key, sizeof(dirs.key), 0) != sizeof(dirs.key)) {
		uint64_t seed[2] = { (uint64_t)time(NULL), (uint64_t)getpid() };

		log_err("getrandom: no key for listing cookies, using time\n");
		memcpy(dirs.key, seed, sizeof(dirs.key));
	}
}

/* The slot of directory INO (tree_is_dir()), or NULL without memory. */
static struct dir_slot *slot_of(fuse_ino_t ino)
{
	pthread_once(&dirs.once, dirs_init);
	/* ns/'s handles list their own (per caller): the slot only counts. */
	if (ns_is_dir(ino))
		return dirs.n > 0 ? &dirs.v[dirs.n - 1] : NULL;
	return ino - FUSE_ROOT_ID < dirs.n - 1 ? &dirs.v[ino - FUSE_ROOT_ID]
					       : NULL;
}

void snap_put(struct snap *s)
{
	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(s->v);
	free(s->names);
	free(s);
}

static uint64_t cookie_of(const char *name)
{
	uint64_t c;

	if (strcmp(name, ".") == 0)
		return COOKIE_DOT;
	if (strcmp(name, "..") == 0)
		return COOKIE_DOTDOT;
	c = siphash24(dirs.key, name, strlen(name)) >> 1;
	return c > COOKIE_DOTDOT ? c : COOKIE_DOTDOT + 1;
}

static int snap_add(void *ctx, const char *name, uint64_t ino, mode_t type)
{
	struct snap *s = ctx;
	size_t len = strlen(name) + 1;
	struct dent *d = grow(s->v, &s->cap, s->n + 1, sizeof(*d));
	char *p;

	if (d == NULL)
		return -ENOMEM;
	s->v = d;
	p = grow(s->names, &s->names_cap, s->names_len + len, 1);
	if (p == NULL)
		return -ENOMEM;
	s->names = p;
	memcpy(s->names + s->names_len, name, len);
	d = &s->v[s->n++];
	d->cookie = cookie_of(name);
	d->name = s->names_len;
	d->ino = ino;
	d->mode = type;
	s->names_len += len;
	return 0;
}

static int dir_entry(const struct fs_tree *t, struct snap *s, const char *name,
		     fuse_ino_t ino)
{
	struct stat st;

	tree_stat(t, ino, &st);
	return snap_add(s, name, st.st_ino, st.st_mode & S_IFMT);
}

static int by_cookie(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

static fuse_ino_t parent_of(fuse_ino_t ino)
{
	if (ns_is_sub(ino))
		return SEG_INO_TAG(SEG_TAG_NS, ns_number(ino));
	return ns_of_ino(ino) != 0 ? ns_top_ino() : FUSE_ROOT_ID;
}

/* A snapshot of directory INO as it is now. */
static int snap_take(const struct fs_tree *t, fuse_ino_t ino, struct snap **sp)
{
	const struct tree_dir *d = tree_dir(t, ino);
	struct snap *s = calloc(1, sizeof(*s));
	int res;

	if (s == NULL)
		return -ENOMEM;
	s->refs = 1;
	res = dir_entry(t, s, ".", ino)
		      ?: dir_entry(t, s, "..", parent_of(ino));
	if (d != NULL)
		res = res ?: d->dir.ops->list(&d->dir, snap_add, s);
	else if (ns_is_dir(ino)) /* as the caller sees it (snap_own) */
		res = res ?: ns_list(cred_serving(), ino, snap_add, s);
	for (size_t i = 0; ino == FUSE_ROOT_ID && i < tree_ndirs(t) && res == 0;
	     i++)
		res = snap_add(s, tree_dir_at(t, i)->name,
			       tree_dir_at(t, i)->ino, S_IFDIR);
	if (ino == FUSE_ROOT_ID)
		res = res ?: snap_add(s, ns_top_name(), ns_top_ino(), S_IFDIR);
	if (res < 0) {
		snap_put(s);
		return res;
	}
	qsort(s->v, s->n, sizeof(*s->v), by_cookie);
	*sp = s;
	return 0;
}

/*
 * A reference to a snapshot of SLOT's directory INO taken after this call
 * began: the newest, if it is, or a new one.  Callers that come while one
 * is being taken wait for it, then take the next one together.
 */
int snap_fresh(const struct fs_tree *t, struct dir_slot *slot, fuse_ino_t ino,
	       struct snap **sp)
{
	uint64_t me = __atomic_add_fetch(&slot->asked, 1, __ATOMIC_ACQ_REL);
	struct snap *s, *old = NULL;
	int res = 0;

	pthread_mutex_lock(&slot->take);
	pthread_mutex_lock(&slot->lock);
	s = slot->cur;
	if (s != NULL && s->gen >= me)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	else
		s = NULL;
	pthread_mutex_unlock(&slot->lock);
	if (s == NULL) {
		/* It serves all that were asked before it began. */
		uint64_t gen = __atomic_load_n(&slot->asked, __ATOMIC_ACQUIRE);

		res = snap_take(t, ino, &s);
		if (res == 0) {
			s->gen = gen;
			s->refs = 2;
			pthread_mutex_lock(&slot->lock);
			old = slot->cur;
			slot->cur = s;
			pthread_mutex_unlock(&slot->lock);
		}
	}
	pthread_mutex_unlock(&slot->take);
	snap_put(old);
	*sp = s;
	return res;
}

/* A reference to the newest snapshot of SLOT's directory INO. */
int snap_newest(const struct fs_tree *t, struct dir_slot *slot, fuse_ino_t ino,
		struct snap **sp)
{
	struct snap *s;

	pthread_mutex_lock(&slot->lock);
	s = slot->cur;
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&slot->lock);
	*sp = s;
	return s != NULL ? 0 : snap_fresh(t, slot, ino, sp);
}

static void opendir_again(fuse_req_t req, fuse_ino_t ino, const char *name,
			  struct fuse_file_info *fi, void *more)
{
	(void)name;
	(void)more;
	fs_opendir(req, ino, fi);
}

/*
 * What per-caller listings (dir_handle.own) hold, by the uid whose
 * handles hold them: at most OWN_MAX bytes a uid, so that however many
 * handles a user opens, the daemon holds no more than that for them (each
 * handle holds a listing of its own).  Past it, opendir fails (EMFILE).
 * One entry a uid with such a handle open.
 */
#define OWN_MAX ((size_t)64 << 20)

struct own_use {
	uid_t uid;
	size_t bytes;
};

static struct {
	pthread_mutex_t lock;
	struct own_use *v; /* under lock */
	size_t n, cap;
} own_use = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Charge BYTES (negative: give back) to UID: 0, -EMFILE past OWN_MAX. */
static int own_charge(uid_t uid, ssize_t bytes)
{
	struct own_use *u = NULL;
	int res = 0;

	pthread_mutex_lock(&own_use.lock);
	for (size_t i = 0; i < own_use.n && u == NULL; i++)
		if (own_use.v[i].uid == uid)
			u = &own_use.v[i];
	if (u == NULL && bytes > 0) {
		u = grow(own_use.v, &own_use.cap, own_use.n + 1, sizeof(*u));
		if (u == NULL) {
			res = -ENOMEM;
			goto out;
		}
		own_use.v = u;
		u = &own_use.v[own_use.n++];
		*u = (struct own_use){ .uid = uid };
	}
	if (u == NULL)
		goto out;
	if (bytes > 0 && u->bytes + (size_t)bytes > OWN_MAX)
		res = -EMFILE;
	else
		u->bytes += (size_t)bytes;
	if (u->bytes == 0)
		*u = own_use.v[--own_use.n];
out:
	pthread_mutex_unlock(&own_use.lock);
	return res;
}

static size_t snap_bytes(const struct snap *s)
{
	return sizeof(*s) + s->cap * sizeof(*s->v) + s->names_cap;
}

/* A snapshot of per-caller directory INO, as REQ's caller. */
static int snap_own(fuse_req_t req, const struct fs_tree *t, fuse_ino_t ino,
		    struct snap **sp)
{
	struct cred_saved saved;
	struct seg_cred cred;
	int res = enter_caller(req, &cred, &saved);

	if (res == 0) {
		res = snap_take(t, ino, sp);
		cred_leave(&saved);
	}
	return res;
}

void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct fs_tree *t = fs_req_tree(req);
	const struct tree_dir *d = tree_dir(t, ino);
	struct snap *own = NULL;
	struct dir_slot *slot;
	struct dir_handle *h;
	struct snap *s;
	int res;

	res = tree_is_dir(t, ino) ? ns_sub_allowed(req, ino) : -ENOTDIR;
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	/* ns/ depends on who asks: listed as the caller, like those. */
	if ((d != NULL && d->dir.ops->per_caller) || ns_is_dir(ino)) {
		res = snap_own(req, t, ino, &own);
		if (res == -DEFER_AGAIN &&
		    (res = fs_later(req, ino, NULL, fi, NULL, 0,
				    opendir_again)) == 0)
			return;
		if (res < 0) {
			fuse_reply_err(req, -res);
			return;
		}
	}
	slot = slot_of(ino);
	h = calloc(1, sizeof(*h));
	if (slot == NULL || h == NULL) {
		free(h);
		snap_put(own);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	h->slot = slot;
	if (own != NULL) {
		h->own_uid = fuse_req_ctx(req)->uid;
		res = own_charge(h->own_uid, (ssize_t)snap_bytes(own));
		if (res < 0) {
			free(h);
			snap_put(own);
			fuse_reply_err(req, -res);
			return;
		}
		h->own = own;
		h->own_bytes = snap_bytes(own);
	}
	pthread_mutex_lock(&slot->lock);
	slot->handles++;
	pthread_mutex_unlock(&slot->lock);
	/* The listing as it is now: the handle reads this or a newer one. */
	res = 0;
	if (own == NULL) {
		res = snap_fresh(t, slot, ino, &s);
		snap_put(s);
	}
	fi->fh = (uintptr_t)h;
	if (res < 0 || fuse_reply_open(req, fi) == -ENOENT) {
		fs_releasedir(NULL, ino, fi);
		if (res < 0)
			fuse_reply_err(req, -res);
	}
}

/* REQ is NULL for a handle the caller never got. */
void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
	struct snap *old = NULL;

	(void)ino;
	pthread_mutex_lock(&h->slot->lock);
	if (--h->slot->handles == 0) {
		/* Nobody lists: the snapshot need not wait for the next one. */
		old = h->slot->cur;
		h->slot->cur = NULL;
	}
	pthread_mutex_unlock(&h->slot->lock);
	snap_put(old);
	if (h->own != NULL)
		own_charge(h->own_uid, -(ssize_t)h->own_bytes);
	snap_put(h->own);
	free(h);
	if (req != NULL)
		fuse_reply_err(req, 0);
}
