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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fs_ns.h"
#include "fs_tree.h"
#include "node.h"

/* Each handle is a place in its directory's listing. */
struct dir_handle {
	struct dir_slot *slot;
	/*
	 * ns/ and ns/N show each caller its own: their handles share no
	 * snapshot, each has its slot.
	 */
	int own_slot;
	int served; /* a readdir at offset 0 is then a rewind */
};

/* Who asks, for what ns/ shows (*CP NULL elsewhere). */
static int ns_cred(fuse_req_t req, fuse_ino_t ino, struct seg_cred *cred,
		   const struct seg_cred **cp)
{
	*cp = NULL;
	if (!ns_is_dir(ino))
		return 0;
	*cp = cred;
	return req_cred(req, cred);
}

void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct seg_cred *c;
	struct seg_cred cred;
	struct dir_slot *slot;
	struct dir_handle *h;
	struct snap *s;
	int res, own = ns_is_dir(ino);

	if (!tree_is_dir(ino)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	res = ns_cred(req, ino, &cred, &c);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	slot = own ? own_slot() : slot_of(ino);
	h = calloc(1, sizeof(*h));
	if (slot == NULL || h == NULL) {
		free(h);
		if (own)
			free(slot);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	h->slot = slot;
	h->own_slot = own;
	pthread_mutex_lock(&slot->lock);
	slot->handles++;
	pthread_mutex_unlock(&slot->lock);
	/* The listing as it is now: the handle reads this or a newer one. */
	res = snap_fresh(slot, ino, c, &s);
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
static int plus_entry(fuse_ino_t dir, const char *name,
		      struct fuse_entry_param *e)
{
	const struct tree_dir *d = tree_dir(dir), *top;
	struct seg_ref ref;
	struct stat st;

	memset(e, 0, sizeof(*e));
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    ns_is_dir(dir))
		return 0;
	if (d == NULL) {
		top = tree_dir_named(name);
		if (top != NULL || strcmp(name, ns_top_name()) == 0) {
			tree_stat(top != NULL ? top->ino : ns_top_ino(), &st);
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
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;
	const struct seg_cred *c;
	struct seg_cred cred;
	fuse_ino_t *held = NULL;
	size_t used = 0, nheld = 0, i;
	struct snap *s;
	char *buf;
	int res;

	/* A rewind asks for the directory as it is now. */
	res = ns_cred(req, ino, &cred, &c);
	if (res == 0 && off == 0 && h->served)
		res = snap_fresh(h->slot, ino, c, &s);
	else if (res == 0)
		res = snap_newest(h->slot, ino, c, &s);
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
		if (plus_entry(ino, name, &e))
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
	if (h->own_slot) {
		slot_free(h->slot);
	}
	free(h);
	if (req != NULL)
		fuse_reply_err(req, 0);
}
