// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The instances behind ns/N/: for each namespace number served, every
 * kind that can be started per IPC namespace (kind.per_ipc_ns), and its
 * directories as ns/N/sysv, ns/N/sysv-id.  An instance holds nothing of
 * its namespace (kind_params.ipc_ns_ino): it enters it through a process
 * of it at each request, so a namespace dies with its last process as it
 * would without shmfs.
 *
 * Entries are never freed: handlers keep a tree_dir pointer for as long
 * as a request runs, and nodes keep instance pointers for as long as the
 * kernel holds an inode.  They stay bounded: the kernel reuses a dead
 * namespace's inode number (its inode numbers are allocated lowest free
 * first), and a reused number finds its entry again, so there are at
 * most as many entries as namespaces that existed at one time.  Each
 * entry gets a salt for its inode numbers from its place in the table.
 */
#include "fs_ns.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fs_tree.h"
#include "grow.h"
#include "kind.h"
#include "log.h"

#define NS_SUB_MAX 8

struct ns_entry {
	uint64_t ns;
	size_t ndirs;
	struct tree_dir dirs[NS_SUB_MAX];
};

/* LOCK guards the table; an entry, once in it, is never changed. */
static struct {
	pthread_mutex_t lock;
	struct ns_entry **v;
	size_t n, cap;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The largest salt fits bits 40..62 (seg.h). */
#define NS_SALT_MAX ((UINT64_C(1) << 23) - 1)

static struct ns_entry *make(uint64_t ns, size_t slot)
{
	struct kind_params params = { .ipc_ns_ino = ns,
				      .ino_salt = (uint64_t)(slot + 1) << 40 };
	struct ns_entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->ns = ns;
	for (size_t i = 0; kinds[i] != NULL; i++) {
		const struct kind *k = kinds[i];
		void *inst;

		if (!k->per_ipc_ns || e->ndirs + k->ndirs > NS_SUB_MAX ||
		    k->start(&params, &inst) < 0)
			continue;
		for (size_t j = 0; j < k->ndirs; j++) {
			struct tree_dir *d = &e->dirs[e->ndirs];

			d->name = k->dirs[j].name;
			d->mode = k->dirs[j].mode;
			d->dir.ops = k->dirs[j].ops;
			d->dir.inst = inst;
			d->watch = NULL; /* never cached: no watch polls it */
			d->ino = SEG_INO_TAG(SEG_TAG_NS_SUB + e->ndirs, ns);
			e->ndirs++;
		}
	}
	return e;
}

/* NS's entry, made if MAKE; NULL without memory, or if not made. */
static const struct ns_entry *entry_of(uint64_t ns, int make_it)
{
	struct ns_entry *e = NULL, **p;

	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.n && e == NULL; i++)
		if (reg.v[i]->ns == ns)
			e = reg.v[i];
	if (e == NULL && make_it && reg.n < NS_SALT_MAX &&
	    (p = grow(reg.v, &reg.cap, reg.n + 1, sizeof(*p))) != NULL) {
		reg.v = p;
		e = make(ns, reg.n);
		if (e != NULL)
			reg.v[reg.n++] = e;
	}
	pthread_mutex_unlock(&reg.lock);
	return e;
}

const struct tree_dir *ns_sub_dir(fuse_ino_t ino)
{
	uint64_t tag = ino >> 32;
	const struct ns_entry *e;

	if (tag < SEG_TAG_NS_SUB || tag >= SEG_TAG_NS_SUB + NS_SUB_MAX)
		return NULL;
	e = entry_of((uint32_t)ino, 1);
	if (e == NULL || tag - SEG_TAG_NS_SUB >= e->ndirs)
		return NULL;
	return &e->dirs[tag - SEG_TAG_NS_SUB];
}

int ns_sub_each(uint64_t ns, int (*fn)(void *ctx, const struct tree_dir *d),
		void *ctx)
{
	const struct ns_entry *e = entry_of(ns, 1);
	int res = 0;

	if (e == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < e->ndirs && res == 0; i++)
		res = fn(ctx, &e->dirs[i]);
	return res;
}
