// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshots of listings (see fs_dir.c), and the slot in which each
 * directory keeps its newest.
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

#include "fs_ns.h"
#include "fs_tree.h"
#include "grow.h"
#include "log.h"
#include "siphash.h"

static struct {
	pthread_once_t once;
	size_t n;
	struct dir_slot *v;
	uint8_t key[16];
} dirs = { .once = PTHREAD_ONCE_INIT };

static void dirs_init(void)
{
	dirs.n = tree_ndirs() + 1;
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

struct dir_slot *slot_of(fuse_ino_t ino)
{
	pthread_once(&dirs.once, dirs_init);
	return ino - FUSE_ROOT_ID < dirs.n ? &dirs.v[ino - FUSE_ROOT_ID] : NULL;
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

static int dir_entry(struct snap *s, const char *name, fuse_ino_t ino)
{
	struct stat st;

	tree_stat(ino, &st);
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

/* A snapshot of directory INO as it is now (ns/: as C sees it). */
static int snap_take(fuse_ino_t ino, const struct seg_cred *c, struct snap **sp)
{
	const struct tree_dir *d = tree_dir(ino);
	struct snap *s = calloc(1, sizeof(*s));
	int res;

	if (s == NULL)
		return -ENOMEM;
	s->refs = 1;
	res = dir_entry(s, ".", ino) ?: dir_entry(s, "..", parent_of(ino));
	if (d != NULL)
		res = res ?: d->dir.ops->list(&d->dir, snap_add, s);
	else if (ns_is_dir(ino))
		res = res ?: ns_list(c, ino, snap_add, s);
	for (size_t i = 0; ino == FUSE_ROOT_ID && i < tree_ndirs() && res == 0;
	     i++)
		res = snap_add(s, tree_dir_at(i)->name, tree_dir_at(i)->ino,
			       S_IFDIR);
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
int snap_fresh(struct dir_slot *slot, fuse_ino_t ino, const struct seg_cred *c,
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

		res = snap_take(ino, c, &s);
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
int snap_newest(struct dir_slot *slot, fuse_ino_t ino, const struct seg_cred *c,
		struct snap **sp)
{
	struct snap *s;

	pthread_mutex_lock(&slot->lock);
	s = slot->cur;
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&slot->lock);
	*sp = s;
	return s != NULL ? 0 : snap_fresh(slot, ino, c, sp);
}

struct dir_slot *own_slot(void)
{
	struct dir_slot *slot = calloc(1, sizeof(*slot));

	pthread_once(&dirs.once, dirs_init); /* the key of the cookies */
	if (slot != NULL) {
		pthread_mutex_init(&slot->take, NULL);
		pthread_mutex_init(&slot->lock, NULL);
	}
	return slot;
}

void slot_free(struct dir_slot *slot)
{
	pthread_mutex_destroy(&slot->take);
	pthread_mutex_destroy(&slot->lock);
	free(slot);
}
