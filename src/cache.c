// SPDX-License-Identifier: GPL-2.0-or-later
/* The policy: what the kernel is allowed to keep, and for how long. */
#include "cache.h"
#include "cache_int.h"

#include <string.h>

#include "attr.h"
#include "kind.h"
#include "node.h"

/* -o kernel_cache; set at INIT, before any other request. */
static int kernel_cache;

/* The watch of the kind whose objects have OPS, or NULL. */
static const struct kind_watch *watch_of(const struct seg_ops *ops)
{
	for (const struct kind *const *k = kinds; *k != NULL; k++)
		if ((*k)->watch != NULL && (*k)->watch->ops == ops)
			return (*k)->watch;
	return NULL;
}

int cache_start(struct fuse_session *se, const struct fs_config *cfg)
{
	return watch_start(se, cfg->kernel_cache);
}

void cache_stop(void)
{
	watch_stop();
}

void cache_init_conn(struct fuse_conn_info *conn, const struct fs_config *cfg)
{
	kernel_cache = cfg->kernel_cache;
	conn->max_readahead = kernel_cache ? FS_MAX_IO : 0;
	/*
	 * Cached contents are dropped by this module, on changes it sees; the
	 * kernel's own check (size and mtime at each getattr) adds nothing.
	 */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
}

double cache_timeout(fuse_ino_t ino, const struct seg_ref *ref,
		     const struct stat *st)
{
	const struct kind_watch *kw;

	if (!watch_working())
		return 0;
	/* The fixed directories never change. */
	if (ref != NULL) {
		/* Without a name no event names its changes. */
		kw = watch_of(ref->ops);
		if (kw == NULL || !kw->active() || st->st_nlink == 0)
			return 0;
		node_seen(ino, attr_stamp(st));
	}
	watch_arm();
	return CACHE_TIMEOUT;
}

void cache_entry(fuse_ino_t ino, const struct seg_ref *ref,
		 const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->attr = *st;
	e->attr_timeout = e->entry_timeout = cache_timeout(ino, ref, st);
}

void cache_changed(fuse_ino_t ino)
{
	node_seen(ino, ATTR_STAMP_NONE);
	watch_arm();
}

/*
 * By default the kernel caches nothing of the contents (direct I/O), so
 * every read sees what other processes store.  With -o kernel_cache it
 * keeps what it read across opens, until the watcher drops it.
 */
void cache_opened(fuse_ino_t ino, struct fuse_file_info *fi,
		  struct seg_file *file, int truncated, int passthrough)
{
	fi->fh = (uintptr_t)file;
	/*
	 * A passthrough open is the kernel's own I/O on the object's memory:
	 * no copy to keep or bypass.  The kernel refuses FOPEN_KEEP_CACHE
	 * with it, and FOPEN_DIRECT_IO would bring its read(2) and write(2)
	 * back to the daemon, which passthrough.c asks for where a kind does.
	 */
	if (!passthrough) {
		fi->direct_io = !kernel_cache;
		fi->keep_cache = kernel_cache && !file->others_wrote;
	}
	/* Attaching changes a SysV segment's nattch and atime. */
	cache_changed(ino);
	if (truncated)
		cache_contents_changed(ino);
	node_opened(ino, 1);
}

void cache_closed(fuse_ino_t ino)
{
	node_opened(ino, -1);
	cache_changed(ino);
}

void cache_contents_changed(fuse_ino_t ino)
{
	if (kernel_cache)
		watch_drop_contents(ino);
}
