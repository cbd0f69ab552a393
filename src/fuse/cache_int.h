/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between the cache policy (cache.c) and its thread (cache_watch.c). */
#ifndef SHMFS_CACHE_INT_H
#define SHMFS_CACHE_INT_H

#include "cache.h"

#include <stdint.h>

/* KERNEL_CACHE: contents are cached too, and must be dropped. */
struct fs_tree;
int watch_start(struct fuse_session *se, const struct fs_tree *tree,
		int kernel_cache);
void watch_stop(void);
/* The kernel may cache until CACHE_TIMEOUT from now: watch till then. */
void watch_arm(void);
/* Whether the thread runs: if not, nothing may be cached. */
int watch_working(void);
/* Wake the thread: drops are queued (cache_drop.c). */
void watch_wake(void);
/* A notice from the thread, which may wait on a request: -errno or 0. */
int watch_notify_inode(fuse_ino_t ino, off_t from);
/* Since when the thread has waited in a notice (clock.h), or 0. */
int64_t watch_held_since(void);

/*
 * cache_drop.c.  Drop the pages of INO the kernel may have cached,
 * DROP_DELAY_NS from the first one queued, from the thread.  Files queue
 * once an epoch: watch_drop_epoch() changes when the queue is sent.
 */
void watch_drop_later(fuse_ino_t ino);
unsigned watch_drop_epoch(void);
/*
 * Have the thread drop INO's cached pages from FROM on, and wait for it,
 * but no longer than DROP_WAIT_NS: 0 once they are gone, -ETIMEDOUT if
 * they may still be there (the thread drops them later), -ENOMEM, or
 * -ESRCH if the thread is not running.
 */
int watch_drop_now(fuse_ino_t ino, off_t from);
/* For the thread: before it starts, and once it has ended. */
int drops_start(void);
void drops_stop(void);
/* When the next drop is due (any time at or before NOW: now), or 0. */
int64_t drops_due(void);
/* The drops due at NOW. */
void drops_send(int64_t now);

#endif
