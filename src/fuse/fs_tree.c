// SPDX-License-Identifier: GPL-2.0-or-later
#include "fs_tree.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs_ns.h"
#include "kind.h"
#include "log.h"

#define TREE_MAX_DIRS 16

/* Written once by tree_init(), before any request; read-only after. */
static struct {
	struct tree_dir dirs[TREE_MAX_DIRS];
	size_t n;
	time_t made;
	const struct kind_inst *insts;
	size_t ninsts;
} tree;

void tree_init(const struct kind_inst *insts, size_t ninsts)
{
	tree.n = 0;
	tree.made = time(NULL);
	tree.insts = insts;
	tree.ninsts = ninsts;
	for (size_t j = 0; j < ninsts; j++) {
		const struct kind *k = insts[j].kind;

		for (size_t i = 0; i < k->ndirs; i++) {
			struct tree_dir *d = &tree.dirs[tree.n];

			if (tree.n == TREE_MAX_DIRS) {
				log_err("too many directories: %s/ left out\n",
					k->dirs[i].name);
				continue;
			}
			d->name = k->dirs[i].name;
			d->mode = k->dirs[i].mode;
			d->dir.ops = k->dirs[i].ops;
			d->dir.inst = insts[j].inst;
			d->watch = k->watch;
			d->ino = FUSE_ROOT_ID + 1 + tree.n++;
		}
	}
}

size_t tree_ninsts(void)
{
	return tree.ninsts;
}

const struct kind_inst *tree_inst_at(size_t i)
{
	return i < tree.ninsts ? &tree.insts[i] : NULL;
}

const struct tree_dir *tree_dir(fuse_ino_t ino)
{
	if (ino <= FUSE_ROOT_ID || ino > FUSE_ROOT_ID + tree.n)
		return ns_sub_dir(ino); /* ns/N/sysv, ..., or NULL */
	return &tree.dirs[ino - FUSE_ROOT_ID - 1];
}

const struct tree_dir *tree_dir_named(const char *name)
{
	for (size_t i = 0; i < tree.n; i++)
		if (strcmp(tree.dirs[i].name, name) == 0)
			return &tree.dirs[i];
	return NULL;
}

fuse_ino_t tree_ino_of(const struct seg_dir *dir)
{
	for (size_t i = 0; i < tree.n; i++)
		if (tree.dirs[i].dir.ops == dir->ops &&
		    tree.dirs[i].dir.inst == dir->inst)
			return tree.dirs[i].ino;
	return 0;
}

size_t tree_ndirs(void)
{
	return tree.n;
}

const struct tree_dir *tree_dir_at(size_t i)
{
	return i < tree.n ? &tree.dirs[i] : NULL;
}

int tree_is_dir(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID || tree_dir(ino) != NULL || ns_is_dir(ino);
}

time_t tree_made(void)
{
	return tree.made;
}

void tree_stat(fuse_ino_t ino, struct stat *st)
{
	const struct tree_dir *d = tree_dir(ino);

	if (ns_is_dir(ino)) {
		ns_stat(ino, st);
		return;
	}
	if (d != NULL && d->dir.ops->getattr != NULL &&
	    d->dir.ops->getattr(&d->dir, st) == 0) {
		st->st_ino = ino;
		return;
	}
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = d != NULL ? d->mode : S_IFDIR | 0755;
	st->st_nlink = d != NULL ? 2 : 3 + tree.n; /* and ns/ */
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_blksize = sysconf(_SC_PAGESIZE);
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec =
		tree.made;
}
