// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memfd/: one file per memfd that some process the caller may inspect
 * holds open or maps, named NAME.INODE (NAME as memfd_create() had it,
 * '/' written %2F and '%' written %25, cut to fit NAME_MAX before the
 * inode).  Listed and looked up from the caller's holder map (procscan.h),
 * so a whole listing costs one scan of /proc.
 */
#include "memfd_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defer.h"
#include "kind.h"
#include "memfd.h"

/* Room for ".INODE" (32 bits) after the name. */
#define SUFFIX_MAX 11

/* NAME's file name for inode INO, into OUT (SEG_NAME_MAX + 1 bytes). */
static void encode(const char *name, uint64_t ino, char *out)
{
	size_t at = 0;

	for (const char *p = name; *p != '\0'; p++) {
		const char *put = *p == '/' ? "%2F" : *p == '%' ? "%25" : NULL;
		size_t len = put != NULL ? 3 : 1;

		/* Never an escape cut in two. */
		if (at + len > SEG_NAME_MAX - SUFFIX_MAX)
			break;
		memcpy(out + at, put != NULL ? put : p, len);
		at += len;
	}
	snprintf(out + at, SEG_NAME_MAX + 1 - at, ".%" PRIu64, ino);
}

/* The dev index of DEV among the shm mounts, or -1. */
static int dev_index(uint64_t dev)
{
	const struct procscan_devs *d = procscan_shm_devs();

	for (size_t i = 0; i < d->n; i++)
		if ((uint64_t)d->dev[i] == dev)
			return (int)i;
	return -1;
}

struct list_ctx {
	seg_fill_fn fill;
	void *ctx;
};

/* Every memfd of the map once (its entries are sorted by dev, ino). */
static int list_map(const struct procscan_map *m, void *arg)
{
	struct list_ctx *l = arg;
	char name[SEG_NAME_MAX + 1];
	int res = 0;

	for (size_t i = 0; i < m->nmf && res == 0; i++) {
		const struct procscan_memfd *h = &m->mf[i];
		int dev;

		if (i > 0 && h->dev == m->mf[i - 1].dev &&
		    h->ino == m->mf[i - 1].ino)
			continue;
		dev = dev_index(h->dev);
		if (dev < 0)
			continue;
		encode(m->names + h->name, h->ino, name);
		res = l->fill(l->ctx, name,
			      SEG_INO_TAG(SEG_TAG_MEMFD + dev, h->ino),
			      S_IFREG);
	}
	return res;
}

static int dir_list(const struct seg_dir *dir, seg_fill_fn fill, void *ctx)
{
	struct list_ctx l = { fill, ctx };

	(void)dir;

	return procscan_with_map(list_map, &l);
}

struct find_ctx {
	uint64_t dev, ino;
	const char *listed; /* the name looked up; NULL: any */
	struct memfd_where *w;
};

static int find_map(const struct procscan_map *m, void *arg)
{
	struct find_ctx *f = arg;
	size_t lo = 0, hi = m->nmf;
	char name[SEG_NAME_MAX + 1];

	f->w->n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct procscan_memfd *h = &m->mf[mid];

		if (h->dev < f->dev || (h->dev == f->dev && h->ino < f->ino))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (;
	     lo < m->nmf && m->mf[lo].dev == f->dev && m->mf[lo].ino == f->ino;
	     lo++) {
		const struct procscan_memfd *h = &m->mf[lo];

		if (f->w->n == 0) {
			snprintf(f->w->name, sizeof(f->w->name), "%s",
				 m->names + h->name);
			encode(f->w->name, h->ino, name);
			if (f->listed != NULL && strcmp(name, f->listed) != 0)
				return -ENOENT;
		}
		if (f->w->n < MEMFD_TRY)
			f->w->h[f->w->n++] = *h;
	}
	return f->w->n > 0 ? 0 : -ENOENT;
}

static int find(unsigned dev, uint64_t ino, const char *listed,
		struct memfd_where *w)
{
	const struct procscan_devs *d = procscan_shm_devs();
	struct find_ctx f = { .ino = ino, .listed = listed, .w = w };

	if (dev >= d->n)
		return -ENOENT;
	f.dev = (uint64_t)d->dev[dev];
	return procscan_with_map(find_map, &f);
}

int memfd_find(const struct seg_ref *ref, struct memfd_where *w)
{
	return find((unsigned)(ref->id >> 32), ref->id & UINT32_MAX, ref->name,
		    w);
}

/* The inode a name ends in: ".INODE". */
static int parse_ino(const char *name, uint64_t *ino)
{
	const char *dot = strrchr(name, '.');
	char *end;

	if (dot == NULL || dot[1] < '0' || dot[1] > '9')
		return -ENOENT;
	errno = 0;
	*ino = strtoull(dot + 1, &end, 10);
	if (*end != '\0' || errno != 0 || *ino > UINT32_MAX)
		return -ENOENT;
	return 0;
}

static int dir_lookup(const struct seg_dir *dir, const char *name,
		      struct seg_ref *ref, struct stat *st)
{
	const struct procscan_devs *d = procscan_shm_devs();
	struct memfd_where w;
	uint64_t ino;
	int res = parse_ino(name, &ino);

	(void)dir;
	if (res < 0)
		return res;
	/* The same inode on two mounts: the first whose name is this. */
	for (unsigned dev = 0; dev < d->n; dev++) {
		memset(ref, 0, sizeof(*ref));
		ref->ops = &memfd_seg_ops;
		ref->id = memfd_id(dev, ino);
		snprintf(ref->name, sizeof(ref->name), "%s", name);
		res = find(dev, ino, name, &w);
		if (res == 0)
			return memfd_stat(ref, &w, st);
		if (res != -ENOENT)
			return res;
	}
	return -ENOENT;
}

/* A memfd has no name to remove: it lives while it is held. */
static int dir_unlink(const struct seg_dir *dir, const char *name)
{
	(void)dir;
	(void)name;
	return -EPERM;
}

const struct seg_dir_ops memfd_dir_ops = {
	.per_caller = 1,
	.lookup = dir_lookup,
	.list = dir_list,
	.unlink = dir_unlink,
};

/* Nobody makes a file here. */
static const struct kind_dir memfd_dirs[] = {
	{ "memfd", S_IFDIR | 0555, &memfd_dir_ops },
};

/* An instance keeps nothing: each call finds its memfds in the holder
 * map (memfd_int.h). */
static int memfd_start(const struct kind_params *params, void **inst)
{
	(void)params;
	*inst = NULL;
	return 0;
}

static void memfd_stop(void *inst)
{
	(void)inst;
}

const struct kind memfd_kind = {
	.name = "memfd",
	.dirs = memfd_dirs,
	.ndirs = 1,
	.start = memfd_start,
	.stop = memfd_stop,
};
