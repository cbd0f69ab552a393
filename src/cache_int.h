/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between the cache policy (cache.c) and its thread (cache_watch.c). */
#ifndef SHMFS_CACHE_INT_H
#define SHMFS_CACHE_INT_H

#include "cache.h"

/* KERNEL_CACHE: contents are cached too, and must be dropped. */
int watch_start(struct fuse_session *se, int kernel_cache);
void watch_stop(void);
/* The kernel may cache until CACHE_TIMEOUT from now: watch till then. */
void watch_arm(void);
/* Whether the thread runs: if not, nothing may be cached. */
int watch_working(void);
/*
 * Drop the pages of INO the kernel may have cached, DROP_DELAY_NS from
 * the first one queued, from this thread.  Files queue once an epoch:
 * watch_drop_epoch() changes when the queue is sent.
 */
void watch_drop_later(fuse_ino_t ino);
unsigned watch_drop_epoch(void);
/* Drop INO's cached pages from FROM on, before returning. */
int watch_drop_now(fuse_ino_t ino, off_t from);

#endif
