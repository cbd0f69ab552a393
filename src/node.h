/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's view of our inodes: every inode number handed out by a
 * lookup maps to the segment it names, until the kernel forgets it.
 */
#ifndef SHMFS_NODE_H
#define SHMFS_NODE_H

#include <stdint.h>

#include "seg.h"

/* One more kernel reference to INO, which names REF. */
int node_remember(uint64_t ino, const struct seg_ref *ref);
/* -ESTALE if the kernel holds no reference to INO. */
int node_get(uint64_t ino, struct seg_ref *ref);
void node_forget(uint64_t ino, uint64_t nlookup);

/*
 * The kernel is told INO's attributes now (STAMP: see attr_stamp); it may
 * cache them, and the name, for a while from this moment.
 */
void node_seen(uint64_t ino, uint64_t stamp);

/* A file on INO was opened (DELTA 1) or released (-1). */
void node_opened(uint64_t ino, int delta);
/* Files open on all nodes. */
size_t node_open_count(void);

/*
 * FN for every node, under the table's lock (FN must not call this
 * module), with when the kernel was last told of it (CLOCK_MONOTONIC ns;
 * INT64_MAX while a file is open on it: cached contents may be in use).
 * FN may change *STAMP; returning NODE_DROP_NAME forgets the node's name.
 */
#define NODE_DROP_NAME 1
typedef int (*node_each_fn)(void *ctx, uint64_t ino, const struct seg_ref *ref,
			    uint64_t *stamp, int64_t told_ns);
void node_each(node_each_fn fn, void *ctx);
size_t node_count(void);
void node_clear(void);

#endif
