// SPDX-License-Identifier: GPL-2.0-or-later
#include "fs_tree.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs_ns.h"
#include "kind.h"
#include "log.h"

void tree_init(struct fs_tree *t, const struct kind_inst *insts, size_t ninsts)
{
	t->n = 0;
	t->made = time(NULL);
	t->insts = insts;
	t->ninsts = ninsts;
	for (size_t j = 0; j < ninsts; j++) {
		const struct kind *k = insts[j].kind;

		for (size_t i = 0; i < k->ndirs; i++) {
			struct tree_dir *d = &t->dirs[t->n];

			if (t->n == TREE_MAX_DIRS) {
				log_err("too many directories: %s/ left out\n",
					k->dirs[i].name);
				continue;
			}
			d->name = k->dirs[i].name;
			d->mode = k->dirs[i].mode;
			d->dir.ops = k->dirs[i].ops;
			d->dir.inst = insts[j].inst;
			d->watch = k->watch;
			d->ino = FUSE_ROOT_ID + 1 + t->n++;
		}
	}
	ns_init(FUSE_ROOT_ID + 1 + t->n, t->made); /* ns/ after them */
}

size_t tree_ninsts(const struct fs_tree *t)
{
	return t->ninsts;
}

const struct kind_inst *tree_inst_at(const struct fs_tree *t, size_t i)
{
	return i < t->ninsts ? &t->insts[i] : NULL;
}

const struct tree_dir *tree_dir(const struct fs_tree *t, fuse_ino_t ino)
{
	if (ino <= FUSE_ROOT_ID || ino > FUSE_ROOT_ID + t->n)
		return ns_sub_dir(ino); /* ns/N/sysv, ..., or NULL */
	return &t->dirs[ino - FUSE_ROOT_ID - 1];
}

const struct tree_dir *tree_dir_named(const struct fs_tree *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->dirs[i].name, name) == 0)
			return &t->dirs[i];
	return NULL;
}

fuse_ino_t tree_ino_of(const struct fs_tree *t, const struct seg_dir *dir)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->dirs[i].dir.ops == dir->ops &&
		    t->dirs[i].dir.inst == dir->inst)
			return t->dirs[i].ino;
	return 0;
}

size_t tree_ndirs(const struct fs_tree *t)
{
	return t->n;
}

const struct tree_dir *tree_dir_at(const struct fs_tree *t, size_t i)
{
	return i < t->n ? &t->dirs[i] : NULL;
}

int tree_is_dir(const struct fs_tree *t, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID || tree_dir(t, ino) != NULL ||
	       ns_is_dir(ino);
}

void tree_stat(const struct fs_tree *t, fuse_ino_t ino, struct stat *st)
{
	const struct tree_dir *d = tree_dir(t, ino);

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
	st->st_nlink = d != NULL ? 2 : 3 + t->n; /* and ns/ */
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_blksize = sysconf(_SC_PAGESIZE);
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = t->made;
}
