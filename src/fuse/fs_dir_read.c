// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a directory: the entries of its handle's snapshot after the
 * place the kernel gives back (fs_dir.c says how places are kept).
 */
#include "fs_dir_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cred.h"
#include "fs_ns.h"
#include "fs_tree.h"
#include "node.h"

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
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || ns_is_dir(dir))
		return 0; /* ns/: who sees what is a lookup's to say */
	if (d == NULL) {
		top = tree_dir_named(t, name);
		if (top != NULL || strcmp(name, ns_top_name()) == 0) {
			tree_stat(t, top != NULL ? top->ino : ns_top_ino(),
				  &st);
			cache_entry(st.st_ino, NULL, &st, e);
		}
		return 0;
	}
	/* One that would wait for a scan goes without, as a gone one. */
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
	const struct tree_dir *dir = tree_dir(t, ino);
	struct cred_saved saved;
	struct seg_cred cred;
	int entered = 0;
	fuse_ino_t *held = NULL;
	size_t used = 0, nheld = 0, i;
	struct snap *s;
	char *buf;
	int res;

	/* A rewind asks for the directory as it is now. */
	if (h->own != NULL) {
		s = h->own;
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
		res = 0;
	} else if (off == 0 && h->served)
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
	/* A per-caller directory's entries are looked up as the caller. */
	if (plus && dir != NULL && dir->dir.ops->per_caller &&
	    enter_caller(req, &cred, &saved) == 0)
		entered = 1;
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
	if (entered)
		cred_leave(&saved);
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

