/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's view of our inodes: every inode number handed out by a
 * lookup maps to the segment it names, until the kernel forgets it.
 */
#ifndef SHMFS_NODE_H
#define SHMFS_NODE_H

#include <stdint.h>

#include "change.h"
#include "seg.h"

/* One more kernel reference to INO, which names REF. */
int node_remember(uint64_t ino, const struct seg_ref *ref);
/* INO, if the kernel holds it, is now called REF's name (a rename). */
void node_renamed(uint64_t ino, const struct seg_ref *ref);
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
 * Copies of the nodes of objects with OPS, of the kind's instance INST,
 * that WANT chooses (change.h:
 * also every node with a file open on it, whose contents may be cached),
 * into *V (grown as needed, *CAP its room), *N of them.  Copied under the
 * table's lock, so that checking them takes it from nobody.
 */
int node_pick(const struct seg_ops *ops, const void *inst,
	      const struct watch_want *want, struct watch_node **v, size_t *cap,
	      size_t *n);
/*
 * What a check found: the stamps it set and the names it dropped, for
 * each node that was not told of again since it was picked (that reply
 * is newer than what the check saw).
 */
void node_checked(const struct watch_node *v, size_t n);
size_t node_count(void);
void node_clear(void);

#endif
