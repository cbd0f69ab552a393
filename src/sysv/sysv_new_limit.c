// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's limits on the segment a file being created will become,
 * applied as soon as they can be known, where every program sees the
 * error: a shell ignores the one of the close that makes the segment.
 *
 *   shmmni: at the create, counting the segments of the IPC namespace and
 *           the files being created, each of which is to be one: ENOSPC,
 *           as a full file system says.  One removed, or whose creation
 *           failed, counts until its last file is closed, as tmpfs counts
 *           an open file's inode after unlink; so does one made while a
 *           file of it could not be attached to the segment.
 *   shmmax: at the write or truncate reaching past it: EFBIG, as a file
 *           size limit says.
 *   shmall: there too, counting the pages of the segments and of the
 *           files being created: ENOSPC.
 *
 * The limits and the use are read afresh each time (an administrator may
 * change them; IPC_INFO and SHM_INFO are one system call each).  What
 * another process makes meanwhile is a race that only the close can see;
 * it fails then (shmfs(1)).
 */
#include "sysv_new_int.h"

#include <errno.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "log.h"

struct limits {
	uint64_t shmmax, shmall, shmmni; /* shmall in pages */
	uint64_t ids, pages;		 /* in use: segments, their pages */
};

static int read_limits(struct sysv_inst *si, struct limits *l)
{
	struct shm_info use;
	struct shminfo max;
	int res = sysv_enter(si);

	if (res < 0)
		return res;

	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&max) < 0 ||
	    shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&use) < 0) {
		log_debug("sysv: cannot read the limits of shared memory: %s\n",
			  strerror(errno));
		return -errno;
	}
	l->shmmax = max.shmmax;
	l->shmall = max.shmall;
	l->shmmni = max.shmmni;
	l->ids = (uint64_t)use.used_ids;
	l->pages = use.shm_tot;
	return 0;
}

/* As shmget() counts a size: whole pages. */
static uint64_t pages_of(uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return size / page + (size % page != 0);
}

int new_limit_enter(struct sysv_new *n)
{
	unsigned long files =
		__atomic_add_fetch(&n->si->pending_files, 1, __ATOMIC_RELAXED);
	struct limits l;

	n->counted = 1;
	n->counted_size = 0;
	/* Unreadable limits check nothing early: the close still will. */
	if (read_limits(n->si, &l) == 0 && l.ids + files > l.shmmni) {
		new_limit_leave(n);
		log_debug("sysv: not creating key 0x%08x: kernel.shmmni (%llu) "
			  "segments and files being created exist\n",
			  (unsigned)n->key, (unsigned long long)l.shmmni);
		return -ENOSPC;
	}
	return 0;
}

int new_limit_size(struct sysv_new *n, uint64_t size)
{
	uint64_t had, want, total;
	struct limits l;

	if (!n->counted)
		return 0;
	had = pages_of(n->counted_size);
	want = pages_of(size);
	if (size <= n->counted_size) {
		__atomic_sub_fetch(&n->si->pending_pages, had - want,
				   __ATOMIC_RELAXED);
		n->counted_size = size;
		return 0;
	}
	if (read_limits(n->si, &l) < 0)
		return 0;
	if (size > l.shmmax)
		return -EFBIG;
	total = __atomic_add_fetch(&n->si->pending_pages, want - had,
				   __ATOMIC_RELAXED);
	if (l.pages + total < l.pages || l.pages + total > l.shmall) {
		__atomic_sub_fetch(&n->si->pending_pages, want - had,
				   __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	n->counted_size = size;
	return 0;
}

void new_limit_leave(struct sysv_new *n)
{
	if (!n->counted)
		return;
	__atomic_sub_fetch(&n->si->pending_pages, pages_of(n->counted_size),
			   __ATOMIC_RELAXED);
	__atomic_sub_fetch(&n->si->pending_files, 1, __ATOMIC_RELAXED);
	n->counted = 0;
	n->counted_size = 0;
}
