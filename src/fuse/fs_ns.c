// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ns/: one directory per IPC namespace that has processes on the host
 * (core/nsscan.h), named by its inode number, each shown only to a caller
 * who could open /proc/PID/ns/ipc of one of its processes.  Since what
 * ns/ holds depends on who asks, and namespaces come and go, nothing of
 * it is cached by the kernel: entries and attributes have no timeout.
 */
#include "fs_ns.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_int.h"
#include "fs_tree.h"
#include "nsscan.h"

#define NS_NAME "ns"

/*
 * ns/'s inode and the tree's time: set by tree_init() before any request
 * (a daemon serves one mount), read-only after.
 */
static fuse_ino_t top_ino;
static time_t made;

void ns_init(fuse_ino_t top, time_t when)
{
	top_ino = top;
	made = when;
}

fuse_ino_t ns_top_ino(void)
{
	return top_ino;
}

uint64_t ns_of_ino(fuse_ino_t ino)
{
	return ino >> 32 == SEG_TAG_NS ? (uint32_t)ino : 0;
}

int ns_is_sub(fuse_ino_t ino)
{
	return ino >> 32 >= SEG_TAG_NS_SUB && ino >> 32 < SEG_TAG_NS_SUB + 8;
}

uint64_t ns_number(fuse_ino_t ino)
{
	return ns_of_ino(ino) != 0 || ns_is_sub(ino) ? (uint32_t)ino : 0;
}

int ns_is_dir(fuse_ino_t ino)
{
	return ino == ns_top_ino() || ns_number(ino) != 0;
}

const char *ns_top_name(void)
{
	return NS_NAME;
}

void ns_stat(fuse_ino_t ino, struct stat *st)
{
	const struct tree_dir *d = ns_is_sub(ino) ? ns_sub_dir(ino) : NULL;

	/* posix/ shows the /dev/shm it is, as at the top. */
	if (d != NULL && d->dir.ops->getattr != NULL &&
	    d->dir.ops->getattr(&d->dir, st) == 0) {
		st->st_ino = ino;
		return;
	}
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = d != NULL ? d->mode : S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_blksize = 4096;
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = made;
}

/* Whether C sees INO (ns/ itself always), or -errno. */
static int visible(const struct seg_cred *c, fuse_ino_t ino)
{
	int res;

	if (ino == ns_top_ino())
		return 0;
	res = nsscan_visible(c, ns_number(ino));
	return res < 0 ? res : res > 0 ? 0 : -ENOENT;
}

int ns_sub_allowed(fuse_req_t req, fuse_ino_t ino)
{
	struct seg_cred cred;

	if (!ns_is_sub(ino))
		return 0;
	return req_cred(req, &cred) ?: visible(&cred, ino);
}

int ns_getattr(fuse_req_t req, fuse_ino_t ino, struct stat *st)
{
	struct seg_cred cred;
	int res = ino == ns_top_ino() ? 0 : req_cred(req, &cred);

	res = res ?: visible(&cred, ino);
	if (res == 0)
		ns_stat(ino, st);
	return res;
}

/* Decimal digits only, no leading zero, fitting in 32 bits: the ns/ names. */
static uint64_t name_to_ns(const char *name)
{
	uint64_t ns = 0;

	if (name[0] < '1' || name[0] > '9' || strlen(name) > 10)
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		ns = ns * 10 + (uint64_t)(*p - '0');
	}
	return ns <= UINT32_MAX ? ns : 0;
}

struct sub_named {
	const char *name;
	fuse_ino_t ino;
};

static int sub_named(void *ctx, const struct tree_dir *d)
{
	struct sub_named *s = ctx;

	if (strcmp(d->name, s->name) != 0)
		return 0;
	s->ino = d->ino;
	return 1;
}

struct sub_fill {
	seg_fill_fn fill;
	void *ctx;
};

static int sub_fill(void *ctx, const struct tree_dir *d)
{
	struct sub_fill *f = ctx;

	return f->fill(f->ctx, d->name, d->ino, S_IFDIR);
}

int ns_lookup(fuse_req_t req, fuse_ino_t parent, const char *name,
	      struct stat *st)
{
	struct seg_cred cred;
	uint64_t ns = name_to_ns(name);
	fuse_ino_t ino = SEG_INO_TAG(SEG_TAG_NS, ns);
	int res;

	if (ns_of_ino(parent) != 0) {
		struct sub_named s = { name, 0 };

		ns_sub_each(ns_of_ino(parent), sub_named, &s);
		ino = s.ino;
		ns = ino != 0;
	} else if (parent != ns_top_ino()) {
		return -ENOENT;
	}
	if (ns == 0)
		return -ENOENT;
	res = req_cred(req, &cred) ?: visible(&cred, ino);
	if (res == 0)
		ns_stat(ino, st);
	return res;
}

int ns_list(const struct seg_cred *c, fuse_ino_t ino, seg_fill_fn fill,
	    void *ctx)
{
	uint64_t *v;
	size_t n;
	int res;

	if (ns_of_ino(ino) != 0) {
		struct sub_fill f = { fill, ctx };

		return visible(c, ino)
			       ?: ns_sub_each(ns_of_ino(ino), sub_fill, &f);
	}
	if (ino != ns_top_ino())
		return -ENOENT;
	res = nsscan_list(c, &v, &n);
	if (res < 0)
		return res;
	for (size_t i = 0; res == 0 && i < n; i++) {
		char name[24];

		snprintf(name, sizeof(name), "%" PRIu64, v[i]);
		res = fill(ctx, name, SEG_INO_TAG(SEG_TAG_NS, v[i]), S_IFDIR);
	}
	free(v);
	return res;
}

ssize_t ns_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, char *buf,
		    size_t size)
{
	struct seg_cred cred;
	int res;

	if (ino == ns_top_ino())
		return -ENODATA;
	res = req_cred(req, &cred);
	return res < 0 ? res
		       : nsscan_getxattr(&cred, ns_of_ino(ino), name, buf,
					 size);
}
