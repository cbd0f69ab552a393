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
#include "fs_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "fs_tree.h"
#include "grow.h"
#include "log.h"
#include "node.h"
#include "siphash.h"

/* The cookies of "." and ".."; a name's is above them. */
#define COOKIE_DOT    1
#define COOKIE_DOTDOT 2

/* One name, with what readdir(3) shows of it (d_ino, d_type). */
struct dent {
	uint64_t cookie;
	size_t name; /* offset into the snapshot's names */
	ino_t ino;
	mode_t mode;
};

struct snap {
	unsigned refs; /* the directory's, and each reader's (atomic) */
	uint64_t gen;  /* it serves the opendirs counted up to gen */
	struct dent *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

/* The newest snapshot of one directory: the root, or a kind's. */
struct dir_slot {
	pthread_mutex_t take; /* one taking a snapshot at a time */
	pthread_mutex_t lock; /* guards cur and handles */
	struct snap *cur;
	unsigned handles; /* open; the last to close drops cur */
	uint64_t asked;	  /* opendirs and rewinds counted (atomic) */
};

static struct {
	pthread_once_t once;
	size_t n;
	struct dir_slot *v;
	uint8_t key[16];
} dirs = { .once = PTHREAD_ONCE_INIT };

/* Each handle is a place in its directory's listing. */
struct dir_handle {
	struct dir_slot *slot;
	int served; /* a readdir at offset 0 is then a rewind */
};

static void dirs_init(void)
{
	dirs.n = TREE_MAX_DIRS + 1; /* the root, and as many as a tree has */
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
	return ino - FUSE_ROOT_ID < dirs.n ? &dirs.v[ino - FUSE_ROOT_ID] : NULL;
}

static void snap_put(struct snap *s)
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

/* A snapshot of directory INO as it is now. */
static int snap_take(const struct fs_tree *t, fuse_ino_t ino, struct snap **sp)
{
	const struct tree_dir *d = tree_dir(t, ino);
	struct snap *s = calloc(1, sizeof(*s));
	int res;

	if (s == NULL)
		return -ENOMEM;
	s->refs = 1;
	res = dir_entry(t, s, ".", ino);
	res = res ?: dir_entry(t, s, "..", FUSE_ROOT_ID);
	if (d != NULL)
		res = res ?: d->dir.ops->list(&d->dir, snap_add, s);
	for (size_t i = 0; d == NULL && i < tree_ndirs(t) && res == 0; i++)
		res = snap_add(s, tree_dir_at(t, i)->name,
			       tree_dir_at(t, i)->ino, S_IFDIR);
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
static int snap_fresh(const struct fs_tree *t, struct dir_slot *slot,
		      fuse_ino_t ino, struct snap **sp)
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
static int snap_newest(const struct fs_tree *t, struct dir_slot *slot,
		       fuse_ino_t ino, struct snap **sp)
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

void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct dir_slot *slot;
	struct dir_handle *h;
	struct snap *s;
	int res;

	if (!tree_is_dir(t, ino)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	slot = slot_of(ino);
	h = calloc(1, sizeof(*h));
	if (slot == NULL || h == NULL) {
		free(h);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	h->slot = slot;
	pthread_mutex_lock(&slot->lock);
	slot->handles++;
	pthread_mutex_unlock(&slot->lock);
	/* The listing as it is now: the handle reads this or a newer one. */
	res = snap_fresh(t, slot, ino, &s);
	snap_put(s);
	fi->fh = (uintptr_t)h;
	if (res < 0 || fuse_reply_open(req, fi) == -ENOENT) {
		fs_releasedir(NULL, ino, fi);
		if (res < 0)
			fuse_reply_err(req, -res);
	}
}

/*
 * A READDIRPLUS entry is a lookup: the kernel takes a reference to it, so
 * we remember it as one.  Its attributes are read now, as a LOOKUP would
 * read them, never taken from the listing: the kernel orders what it is
 * told only against requests it sent before a change it saw (its
 * attr_version), so attributes read at opendir and handed out at a later
 * readdir would replace newer ones it holds, for the whole timeout (a
 * truncate through the mount, then stat showing the size from before).
 * Where the name is gone, or for . and .., the entry goes without
 * attributes (ino 0), which the kernel takes as no lookup.
 */
static int plus_entry(const struct fs_tree *t, fuse_ino_t dir, const char *name,
		      struct fuse_entry_param *e)
{
	const struct tree_dir *d = tree_dir(t, dir), *top;
	struct seg_ref ref;
	struct stat st;

	memset(e, 0, sizeof(*e));
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (d == NULL) {
		top = tree_dir_named(t, name);
		if (top != NULL) {
			tree_stat(t, top->ino, &st);
			cache_entry(st.st_ino, NULL, &st, e);
		}
		return 0;
	}
	if (seg_lookup(&d->dir, name, &ref, &st) < 0 ||
	    node_remember(st.st_ino, &ref) < 0)
		return 0;
	cache_entry(st.st_ino, &ref, &st, e);
	return 1;
}

/* The first entry of S after offset OFF. */
static size_t first_after(const struct snap *s, off_t off)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].cookie <= (uint64_t)off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void listing_reply(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi, int plus)
{
	const struct fs_tree *t = fs_req_tree(req);
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
	fuse_ino_t *held = NULL;
	size_t used = 0, nheld = 0, i;
	struct snap *s;
	char *buf;
	int res;

	/* A rewind asks for the directory as it is now. */
	if (off == 0 && h->served)
		res = snap_fresh(t, h->slot, ino, &s);
	else
		res = snap_newest(t, h->slot, ino, &s);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	h->served = 1;
	buf = malloc(size);
	/* An entry takes more than 24 bytes of the reply. */
	held = malloc((size / 24 + 1) * sizeof(*held));
	if (buf == NULL || held == NULL) {
		free(buf);
		free(held);
		snap_put(s);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = off < 0 ? s->n : first_after(s, off); i < s->n; i++) {
		const struct dent *d = &s->v[i];
		const char *name = s->names + d->name;
		struct fuse_entry_param e;
		size_t len;

		if (!plus) {
			struct stat st = { .st_ino = d->ino,
					   .st_mode = d->mode };

			len = fuse_add_direntry(req, buf + used, size - used,
						name, &st, (off_t)d->cookie);
			if (len > size - used)
				break;
			used += len;
			continue;
		}
		len = fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0);
		if (len > size - used)
			break;
		if (plus_entry(t, ino, name, &e))
			held[nheld++] = e.ino;
		if (e.ino == 0) {
			e.attr.st_ino = d->ino;
			e.attr.st_mode = d->mode;
		}
		fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
				       (off_t)d->cookie);
		used += len;
	}
	snap_put(s);
	/* Entries the kernel never got are no references. */
	if (fuse_reply_buf(req, buf, used) == -ENOENT)
		for (i = 0; i < nheld; i++)
			node_forget(held[i], 1);
	free(held);
	free(buf);
}

void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	listing_reply(req, ino, size, off, fi, 0);
}

void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	listing_reply(req, ino, size, off, fi, 1);
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
	free(h);
	if (req != NULL)
		fuse_reply_err(req, 0);
}
