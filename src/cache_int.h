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
 * Drop INO's cached contents, at once but after the reply: a handler may
 * not wait on the kernel's cache.
 */
void watch_drop_contents(fuse_ino_t ino);

#endif
