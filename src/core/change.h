/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What changed behind the kernel's back.  The kernel may cache names and
 * attributes of the objects of a watched kind (kind.h); the cache module
 * of the FUSE layer hands the kind's watch the nodes the kernel may hold
 * (struct watch_node, chosen as the watch wants), the watch lists what it
 * found to differ from what the kernel was told, and the cache module
 * passes each change on as an invalidation notice.
 */
#ifndef SHMFS_CHANGE_H
#define SHMFS_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "seg.h"

struct change {
	uint64_t ino;		       /* attributes of ino, if not 0 */
	int contents;		       /* and maybe its contents too */
	struct seg_dir dir;	       /* else NAME in DIR, */
	char *name;		       /* or DIR's own attributes if NULL */
};

struct change_list {
	struct change *v;
	size_t n, cap;
};

/*
 * CONTENTS: someone else may have written.  Only cached contents (-o
 * kernel_cache) care; what we write goes through the kernel's cache.
 */
int change_inode(struct change_list *l, uint64_t ino, int contents);
int change_name(struct change_list *l, const struct seg_dir *dir,
		const char *name);
/* DIR's own attributes, of the directory it shows (seg_dir_ops.getattr). */
int change_dir(struct change_list *l, const struct seg_dir *dir);
/* Append FROM's changes to TO, leaving FROM empty. */
int change_list_move(struct change_list *to, struct change_list *from);
void change_list_free(struct change_list *l);

/* A node the kernel may hold, as a watch's check sees it. */
struct watch_node {
	uint64_t ino;
	struct seg_ref ref;
	/*
	 * A fingerprint of what the kernel was last told (attr_stamp); the
	 * check sets it to what it found, so a change is passed on once.
	 */
	uint64_t stamp;
	int64_t told_ns; /* when the kernel was told: not the check's */
	int drop_name;	 /* set by the check: REF's name no longer names it */
};

/* Which nodes a check wants to see; any that matches one rule. */
struct watch_want {
	int all;
	int by_time;	  /* those told of since SINCE_NS (CLOCK_MONOTONIC), */
	int64_t since_ns; /* and those with a file open */
	struct watch_names {  /* sorted, without repeats */
		char **v;
		size_t n, cap;
	} names;
	uint64_t *ids; /* sorted, of IDS_N */
	size_t ids_n;
};

void watch_want_free(struct watch_want *w);
/* Whether REF is one of those W names by name or id (W sorted). */
int watch_wants(const struct watch_want *w, const struct seg_ref *ref);
/* Sort W's names and ids and drop repeats. */
void watch_want_sort(struct watch_want *w);
int watch_want_name(struct watch_want *w, const char *name);

/*
 * How a kind tells what others changed.  Either it has a descriptor that
 * becomes readable (fd() >= 0), and news() reads it and says which nodes
 * to check; or it is polled while the kernel may hold anything, and
 * every node the kernel was told of within the cache timeout is checked.
 */
struct kind_watch {
	const struct seg_ops *ops; /* the objects it watches (of INST) */
	/* Non-zero while changes are being detected: names may be cached. */
	int (*active)(void *inst);
	int (*fd)(void *inst); /* -1: polled */
	/* Drain fd(); fill WANT (and name changes straight into OUT). */
	int (*news)(void *inst, struct watch_want *want,
		    struct change_list *out);
	/* The nodes WANT chose: what changed since the kernel was told. */
	int (*check)(void *inst, struct watch_node *v, size_t n,
		     const struct watch_want *want, struct change_list *out);
};

#endif
