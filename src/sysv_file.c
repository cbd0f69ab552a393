// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open SysV files: each attaches its segment at open (SHM_RDONLY for a
 * read-only open) and detaches at release, so nattch counts them.  Reads
 * reply straight from the attachment; writes go through the segment's
 * own shmem file where the daemon may open it (file_fd()).
 */
#include "sysv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "log.h"

#define FD_UNKNOWN -1
#define FD_NONE	   -2

int sysv_rmid_forced(void)
{
	FILE *f = fopen("/proc/sys/kernel/shm_rmid_forced", "re");
	int v = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

/*
 * With kernel.shm_rmid_forced=1 the last detach destroys a segment, so
 * attaching one that nobody has attached, and detaching it again, would
 * destroy it: refuse, and say why.  (A process attaching between this
 * check and our detach is not protected; the kernel offers no way.)
 */
int sysv_attach_allowed(int shmid, const char *why)
{
	struct shmid_ds ds;

	if (!sysv_rmid_forced())
		return 0;
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return sysv_err(errno);
	if (ds.shm_nattch > 0)
		return 0;
	log_err("sysv: not %s shmid %d: nobody has it attached and "
		"kernel.shm_rmid_forced=1, so our detach would destroy it\n",
		why, shmid);
	return -EBUSY;
}

static off_t page_off(off_t off)
{
	return off & (off_t)(sysconf(_SC_PAGESIZE) - 1);
}

/*
 * Store into an attached segment: SRC's bytes, or zeros if SRC is NULL.
 * Mapping the pages first takes one call instead of a fault per page
 * (2.4 times faster for 1 MiB writes here), and it is how a store that
 * would fault learns so: a SHM_HUGETLB segment whose huge pages cannot be
 * had would otherwise kill the daemon with SIGBUS.
 */
int sysv_store(void *dst, const void *src, size_t n)
{
	off_t head = page_off((off_t)(uintptr_t)dst);

#ifdef MADV_POPULATE_WRITE
	if (n > 0 &&
	    madvise((char *)dst - head, n + (size_t)head, MADV_POPULATE_WRITE) <
		    0 &&
	    (errno == EFAULT || errno == ENOMEM || errno == EHWPOISON))
		return -ENOMEM;
#endif
	if (src != NULL)
		memcpy(dst, src, n);
	else
		memset(dst, 0, n);
	return 0;
}

int sysv_open_id(int shmid, int flags, struct seg_file **file)
{
	struct sysv_file *f;
	struct shmid_ds ds;
	int rdonly = (flags & O_ACCMODE) == O_RDONLY;
	int res;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	/* The last to attach or detach, before we do. */
	f->base.others_wrote =
		shmctl(shmid, IPC_STAT, &ds) < 0 || ds.shm_lpid != getpid();
	f->addr = shmat(shmid, NULL, rdonly ? SHM_RDONLY : 0);
	if (f->addr == (void *)-1) {
		res = sysv_err(errno);
		goto err_free;
	}
	/* After the attach: the size cannot change while we hold it. */
	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		res = -errno;
		goto err_detach;
	}
	f->base.ops = &sysv_file_ops;
	f->base.flags = flags;
	f->shmid = shmid;
	f->size = ds.shm_segsz;
	f->writable = !rdonly;
	f->fd = FD_UNKNOWN;
	*file = &f->base;
	log_debug("sysv: attached shmid %d (%s), %llu bytes\n", shmid,
		  rdonly ? "read-only" : "read-write",
		  (unsigned long long)f->size);
	return 0;

err_detach:
	shmdt(f->addr);
err_free:
	free(f);
	return res;
}


static int sysv_read(struct seg_file *file, size_t size, off_t off,
		     seg_reply_fn reply, void *ctx)
{
	struct sysv_file *f = (struct sysv_file *)file;
	size_t n;
	int res = seg_span(f->size, off, size, 0, &n);

	if (res < 0)
		return res;
	return reply(ctx, (const char *)f->addr + off, n);
}

/*
 * The segment's own shmem file, reached through /proc/self/map_files: a
 * pwrite() to it copies in the kernel, where a store into our mapping
 * takes a page fault for every page the first time (five times slower for
 * 1 MiB writes here).  Opening it needs CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE, which a root daemon has; otherwise, and for
 * hugetlb segments, whose files take no write(), the mapping serves.
 */
static int file_fd(struct sysv_file *f)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = __atomic_load_n(&f->fd, __ATOMIC_ACQUIRE);
	int expected = FD_UNKNOWN;
	char path[64];

	if (fd != FD_UNKNOWN)
		return fd;
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)(uintptr_t)f->addr,
		 (unsigned long)((uintptr_t)f->addr +
				 (f->size + page - 1) / page * page));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = FD_NONE;
	if (!__atomic_compare_exchange_n(&f->fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (fd >= 0)
			close(fd);
		fd = expected;
	}
	return fd;
}

static ssize_t sysv_write(struct seg_file *file, const void *buf, size_t size,
			  off_t off)
{
	struct sysv_file *f = (struct sysv_file *)file;
	size_t n;
	int fd, res;

	if (!f->writable)
		return -EBADF;
	res = seg_span(f->size, off, size, 1, &n);
	if (res < 0)
		return res;
	fd = file_fd(f);
	if (fd >= 0) {
		/* N stays within the segment: the file cannot grow. */
		ssize_t done = pwrite(fd, buf, n, off);

		if (done >= 0)
			return done;
		if (errno != EINVAL)
			return -errno;
		__atomic_store_n(&f->fd, FD_NONE, __ATOMIC_RELEASE);
		close(fd);
	}
	res = sysv_store((char *)f->addr + off, buf, n);
	return res < 0 ? res : (ssize_t)n;
}

/*
 * The segment's shmem file (file_fd()), for reads and mappings.  write(2)
 * stays here, where the size is fixed: a write to that file would grow it
 * past shm_segsz.  A mapping cannot grow it, so a writable open maps it
 * too.  The kernel refuses hugetlbfs files as backing files (ELOOP on
 * 6.18): then passthrough.c leaves those opens here as well.
 */
static int sysv_backing(struct seg_file *file, int *fd)
{
	struct sysv_file *f = (struct sysv_file *)file;

	if (fd != NULL && (*fd = file_fd(f)) < 0)
		return -ENOTSUP;
	return f->writable ? SEG_BACKING_MAP : SEG_BACKING_ALL;
}

static void sysv_release(struct seg_file *file)
{
	struct sysv_file *f = (struct sysv_file *)file;

	if (f->fd >= 0)
		close(f->fd);
	if (shmdt(f->addr) < 0)
		log_err("sysv: detaching shmid %d: %s\n", f->shmid,
			strerror(errno));
	else
		log_debug("sysv: detached shmid %d\n", f->shmid);
	free(f);
}

const struct seg_ops sysv_file_ops = {
	.read = sysv_read,
	.write = sysv_write,
	.backing = sysv_backing,
	.release = sysv_release,
};
