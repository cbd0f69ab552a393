// SPDX-License-Identifier: GPL-2.0-or-later
/* The policy: what the kernel is allowed to keep, and for how long. */
#include "cache.h"
#include "cache_int.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "fs_tree.h"
#include "kind.h"
#include "log.h"
#include "node.h"

/*
 * -o kernel_cache; set at INIT, before any other request.  This and the
 * FUSE layer's other file-scope state are the one mount's (a daemon
 * serves one session).
 */
static int kernel_cache;
/* The mount's tree (fs_config.tree); set by cache_start(), read after. */
static const struct fs_tree *mount_tree;

/* The watch of the kind whose object REF is, or NULL. */
static const struct kind_watch *watch_of(const struct seg_ref *ref)
{
	for (size_t i = 0; i < tree_ninsts(mount_tree); i++) {
		const struct kind_watch *kw =
			tree_inst_at(mount_tree, i)->kind->watch;

		if (kw != NULL && kw->ops == ref->ops &&
		    tree_inst_at(mount_tree, i)->inst == ref->inst)
			return kw;
	}
	return NULL;
}

int cache_start(struct fuse_session *se, const struct fs_config *cfg)
{
	mount_tree = cfg->tree;
	return watch_start(se, cfg->tree, cfg->kernel_cache);
}

/*
 * Files open now, so that those the kernel never released (the session
 * ended by a signal, a release still on its way) are released at the
 * end: their segments detached, their memory given back.
 */
static struct {
	pthread_mutex_t lock;
	struct seg_file *head;
} open_files = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* After the session loop: no request is served any more. */
void cache_stop(void)
{
	struct seg_file *f;

	watch_stop();
	while ((f = open_files.head) != NULL) {
		open_files.head = f->cache_next;
		f->ops->release(f);
	}
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
	const struct tree_dir *d;

	if (!watch_working())
		return 0;
	/*
	 * A directory that shows another (posix/ is /dev/shm) changes with
	 * every create and remove there, by anyone: cached while its kind's
	 * watch tells of those.  The fixed directories never change.
	 */
	if (ref == NULL && (d = tree_dir(mount_tree, ino)) != NULL &&
	    d->dir.ops->getattr != NULL &&
	    ((kw = d->watch) == NULL || !kw->active(d->dir.inst)))
		return 0;
	/*
	 * What a per-caller directory shows one caller the kernel must not
	 * show another from its caches (which all callers share): never kept.
	 */
	if (ref != NULL && ref->ops->named_in != NULL &&
	    ref->ops->named_in->per_caller)
		return 0;
	if (ref != NULL) {
		/* Without a name no event names its changes. */
		kw = watch_of(ref);
		if (kw == NULL || !kw->active(ref->inst) || st->st_nlink == 0)
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
	e->attr_timeout = cache_timeout(ino, ref, st);
	/* The tree's own names never change, whatever their attributes do. */
	e->entry_timeout = ref == NULL && watch_working() ? CACHE_TIMEOUT
							: e->attr_timeout;
}

/*
 * An alias is bound to what it named when it was looked up, and no notice
 * names it: cached, it would outlive a removal and a re-creation of the
 * key elsewhere and reach the removed segment.  Its attributes are the
 * inode's, which notices do cover.
 */
void cache_entry_named(const struct seg_dir *dir, const char *name,
		       fuse_ino_t ino, const struct seg_ref *ref,
		       const struct stat *st, struct fuse_entry_param *e)
{
	cache_entry(ino, ref, st, e);
	if (seg_alias(dir, name))
		e->entry_timeout = 0;
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
		/* Without keep_cache the kernel drops its pages at this open. */
		fi->keep_cache =
			kernel_cache && !file->others_wrote && !truncated;
	}
	/* Attaching changes a SysV segment's nattch and atime. */
	cache_changed(ino);
	node_opened(ino, 1);
	pthread_mutex_lock(&open_files.lock);
	file->cache_ino = ino;
	file->cache_prev = NULL;
	file->cache_next = open_files.head;
	if (open_files.head != NULL)
		open_files.head->cache_prev = file;
	open_files.head = file;
	pthread_mutex_unlock(&open_files.lock);
}

int cache_open_getattr(fuse_ino_t ino, const struct seg_ref *ref,
		       struct stat *st)
{
	int res = -ENOENT;

	pthread_mutex_lock(&open_files.lock);
	for (struct seg_file *f = open_files.head; f != NULL; f = f->cache_next)
		if (f->cache_ino == ino) {
			res = ref->ops->getattr(ref, f, st);
			break;
		}
	pthread_mutex_unlock(&open_files.lock);
	return res;
}

void cache_closed(fuse_ino_t ino, struct seg_file *file)
{
	pthread_mutex_lock(&open_files.lock);
	if (file->cache_prev != NULL)
		file->cache_prev->cache_next = file->cache_next;
	else
		open_files.head = file->cache_next;
	if (file->cache_next != NULL)
		file->cache_next->cache_prev = file->cache_prev;
	pthread_mutex_unlock(&open_files.lock);
	node_opened(ino, -1);
	cache_changed(ino);
}

/*
 * A truncate of a SysV segment zero-fills it and keeps its size, so the
 * kernel, seeing no change of size, would keep the pages it has (-o
 * kernel_cache, and in any mode those that splice, sendfile and
 * copy_file_range read through its cache): drop them before the reply,
 * so that the next read after truncate() returns sees the zeros.  The
 * watcher drops them, not this worker (cache_drop.c says why), and the
 * wait for it is bounded: past it the truncate is answered anyway, and
 * the watcher drops the pages when the READ it waits for is answered.
 */
void cache_truncated(fuse_ino_t ino, off_t size)
{
	off_t page = (off_t)sysconf(_SC_PAGESIZE);
	int res = watch_drop_now(ino, size / page * page);

	/* The truncate is done: a failure here is no failure of it. */
	if (res == -ETIMEDOUT)
		log_debug("the kernel's pages of %llu are dropped late\n",
			  (unsigned long long)ino);
	else if (res < 0)
		log_err("cannot drop the kernel's pages of %llu: %s\n",
			(unsigned long long)ino, strerror(-res));
}

/*
 * Even a direct-I/O file's pages are cached when read by splice or
 * sendfile (and copy_file_range between file systems), which the kernel
 * serves from its page cache and which no READ request tells apart; an
 * open drops them, but a descriptor kept open would read them for ever.
 * So every file that was read has its inode's pages dropped shortly
 * after (cache_watch.c), once for all its reads of that moment: the
 * lookup here is one atomic load.  Files whose pages are meant to stay
 * (-o kernel_cache) are left alone.
 */
void cache_read(fuse_ino_t ino, struct seg_file *file)
{
	unsigned epoch = watch_drop_epoch() + 1;

	if (kernel_cache ||
	    __atomic_exchange_n(&file->cache_epoch, epoch, __ATOMIC_RELAXED) ==
		    epoch)
		return;
	watch_drop_later(ino);
}
