// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directories.  A listing's names are taken whole at opendir (and again
 * at a rewind); READDIRPLUS looks each one up when it answers.
 */
#include "fs_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fs_tree.h"
#include "grow.h"
#include "node.h"

/*
 * One name of a listing, with what readdir(3) shows of it (d_ino,
 * d_type).  READDIRPLUS looks each name up afresh (plus_entry).
 */
struct dent {
	size_t name; /* offset into the listing's names */
	ino_t ino;
	mode_t mode;
};

struct listing {
	struct dent *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	int served;
};

static int listing_add(void *ctx, const char *name, uint64_t ino, mode_t type)
{
	struct listing *l = ctx;
	size_t len = strlen(name) + 1;
	struct dent *d = grow(l->v, &l->cap, l->n + 1, sizeof(*d));
	char *p;

	if (d == NULL)
		return -ENOMEM;
	l->v = d;
	p = grow(l->names, &l->names_cap, l->names_len + len, 1);
	if (p == NULL)
		return -ENOMEM;
	l->names = p;
	memcpy(l->names + l->names_len, name, len);
	d = &l->v[l->n++];
	d->name = l->names_len;
	d->ino = ino;
	d->mode = type;
	l->names_len += len;
	return 0;
}

static int dir_entry(struct listing *l, const char *name, fuse_ino_t ino)
{
	struct stat st;

	tree_stat(ino, &st);
	return listing_add(l, name, st.st_ino, st.st_mode & S_IFMT);
}

static int listing_fill(struct listing *l, fuse_ino_t ino)
{
	const struct tree_dir *d = tree_dir(ino);
	int res;

	l->n = 0;
	l->names_len = 0;
	l->served = 0;
	res = dir_entry(l, ".", ino);
	res = res ?: dir_entry(l, "..", FUSE_ROOT_ID);
	if (d != NULL)
		return res ?: d->ops->list(listing_add, l);
	for (size_t i = 0; i < tree_ndirs() && res == 0; i++)
		res = dir_entry(l, tree_dir_at(i)->name, tree_dir_at(i)->ino);
	return res;
}

static void listing_free(struct listing *l)
{
	free(l->v);
	free(l->names);
	free(l);
}

void fs_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct listing *l;
	int res;

	if (!tree_is_dir(ino)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	res = listing_fill(l, ino);
	if (res < 0) {
		listing_free(l);
		fuse_reply_err(req, -res);
		return;
	}
	fi->fh = (uintptr_t)l;
	if (fuse_reply_open(req, fi) == -ENOENT)
		listing_free(l);
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
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (d == NULL) {
		top = tree_dir_named(name);
		if (top != NULL) {
			tree_stat(top->ino, &st);
			cache_entry(st.st_ino, NULL, &st, e);
		}
		return 0;
	}
	if (d->ops->lookup(name, &ref, &st) < 0 ||
	    node_remember(st.st_ino, &ref) < 0)
		return 0;
	cache_entry(st.st_ino, &ref, &st, e);
	return 1;
}

/* Offsets are entry indexes: each entry carries the next one's. */
static void listing_reply(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi, int plus)
{
	struct listing *l = (struct listing *)(uintptr_t)fi->fh;
	fuse_ino_t *held = NULL;
	size_t used = 0, nheld = 0, i;
	char *buf;
	int res;

	/* A rewind asks for the directory as it is now. */
	if (off == 0 && l->served) {
		res = listing_fill(l, ino);
		if (res < 0) {
			fuse_reply_err(req, -res);
			return;
		}
	}
	l->served = 1;
	buf = malloc(size);
	/* An entry takes more than 24 bytes of the reply. */
	held = malloc((size / 24 + 1) * sizeof(*held));
	if (buf == NULL || held == NULL) {
		free(buf);
		free(held);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = (size_t)off; i < l->n; i++) {
		const struct dent *d = &l->v[i];
		const char *name = l->names + d->name;
		struct fuse_entry_param e;
		size_t len;

		if (!plus) {
			struct stat st = { .st_ino = d->ino, .st_mode = d->mode };

			len = fuse_add_direntry(req, buf + used, size - used,
						name, &st, (off_t)(i + 1));
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
				       (off_t)(i + 1));
		used += len;
	}
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

void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	listing_reply(req, ino, size, off, fi, 1);
}

void fs_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	(void)ino;
	listing_free((struct listing *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

