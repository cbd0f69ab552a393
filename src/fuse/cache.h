/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel may cache, and keeping that true: the one module of
 * caching policy, for the FUSE handlers.
 *  - Names and attributes of objects of a watched kind (kind.h) are
 *    handed to the kernel with a timeout of CACHE_TIMEOUT, so that `ls -l`
 *    and stat() need no request per file; a thread (cache_watch.c) tells
 *    the kernel of every change others make before then.  The rest, and
 *    everything while the thread does not run, have zero timeouts.
 *  - Contents are not cached (direct I/O), unless -o kernel_cache: then
 *    the kernel keeps them across opens, and this module drops them when
 *    someone else may have written and after our own truncates.  What
 *    the kernel caches of a direct-I/O file anyway (splice, sendfile) is
 *    dropped shortly after it was read (cache_read()).
 */
#ifndef SHMFS_CACHE_H
#define SHMFS_CACHE_H

#include "config.h"

#include <fuse_lowlevel.h>
#include <sys/stat.h>

#include "fs.h"
#include "seg.h"

/* How long the kernel may keep names and attributes of watched objects. */
#define CACHE_TIMEOUT 1.0

/* Start and stop the thread that passes on others' changes. */
int cache_start(struct fuse_session *se, const struct fs_config *cfg);
void cache_stop(void);

/* What the connection caches, at INIT (before cache_start()). */
void cache_init_conn(struct fuse_conn_info *conn, const struct fs_config *cfg);

/*
 * The kernel is about to be told ST of INO, which names REF (NULL for a
 * fixed directory): how long it may cache it.  Remembers what it was
 * told, so that a change shows against it.
 */
double cache_timeout(fuse_ino_t ino, const struct seg_ref *ref,
		     const struct stat *st);
/* An entry for a lookup or create of REF, as cache_timeout() allows. */
void cache_entry(fuse_ino_t ino, const struct seg_ref *ref,
		 const struct stat *st, struct fuse_entry_param *e);
/* The same for NAME in DIR, which may be an alias (seg_dir_ops.alias). */
void cache_entry_named(const struct seg_dir *dir, const char *name,
		       fuse_ino_t ino, const struct seg_ref *ref,
		       const struct stat *st, struct fuse_entry_param *e);
/* What we did to INO may have changed its attributes: stop trusting. */
void cache_changed(fuse_ino_t ino);

/*
 * FILE was opened on INO (TRUNCATED: by O_TRUNC; PASSTHROUGH: served by
 * the kernel, passthrough.h): into FI, with how the kernel may cache its
 * contents.  cache_closed() when it is released.
 */
void cache_opened(fuse_ino_t ino, struct fuse_file_info *fi,
		  struct seg_file *file, int truncated, int passthrough);
void cache_closed(fuse_ino_t ino, struct seg_file *file);
/*
 * REF's attributes through a file open on INO: for a stat(2) by name of
 * an object its kind no longer finds by name (a memfd whose holders are
 * gone, kept by that open file until it is closed).  -ENOENT if none.
 */
int cache_open_getattr(fuse_ino_t ino, const struct seg_ref *ref,
		       struct stat *st);
/* We truncated INO to SIZE: its cached pages from there on go, now. */
void cache_truncated(fuse_ino_t ino, off_t size);
/* FILE, open on INO, was read: pages read through the cache must go. */
void cache_read(fuse_ino_t ino, struct seg_file *file);

#endif
