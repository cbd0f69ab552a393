// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open SysV files: each attaches its segment at open (SHM_RDONLY for a
 * read-only open) and detaches at release, so nattch counts them.  Reads
 * reply straight from the attachment, or from a window of the segment's
 * own shmem file once the attachment is trimmed (trim()); writes go
 * through that file where the daemon may open it (file_fd()).
 */
#include "sysv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fd_reserve.h"
#include "log.h"

#define FD_UNKNOWN -1
#define FD_NONE	   -2
#define FD_RESERVE_HIT -3 /* not now: one of the daemon's last (fd_reserve.h) */

int sysv_rmid_forced(struct sysv_inst *si)
{
	FILE *f;
	int v = 0;

	/* The file shows the namespace of the thread that opens it. */
	if (sysv_enter(si) < 0)
		return 0;
	f = fopen("/proc/sys/kernel/shm_rmid_forced", "re");
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
int sysv_attach_allowed(struct sysv_inst *si, int shmid, const char *why)
{
	static struct log_limit limit; /* any user can make it say so */
	struct shmid_ds ds;

	if (!sysv_rmid_forced(si))
		return 0;
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return sysv_err(errno);
	if (ds.shm_nattch > 0)
		return 0;
	log_limited(&limit, LOG_ERR,
		    "sysv: not %s shmid %d: nobody has it attached and "
		    "kernel.shm_rmid_forced=1, so our detach would destroy it",
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

static int file_fd(struct sysv_file *f);

/*
 * An attachment takes the segment's whole size of our address space, and
 * any user may make a segment of 64 TiB (SHM_NORESERVE sets no memory
 * aside for it): a few, held open through the mount, would leave no room
 * for anyone else's.  Once we have the segment's shmem file, reads and
 * writes need nothing of the attachment, so all of it but the first page
 * goes; that page keeps us attached (nattch counts us) until the release,
 * whose shmdt() ends it.  Hugetlb files take no write(), and a segment of
 * a read window or less is not worth it.
 */
static int trim(struct sysv_file *f)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)(f->size + page - 1) / page * page;
	struct cred_saved saved;
	struct statfs sfs;
	int fd;

	if (f->size <= 2 * (uint64_t)MAP_WINDOW)
		return 0;
	/* We attached as the caller, who may not open map_files: we may. */
	if (cred_enter(cred_daemon(), &saved) < 0)
		return 0;
	fd = file_fd(f);
	cred_leave(&saved);
	/* Kept whole, the attachment would not be bounded: no open then. */
	if (fd == FD_RESERVE_HIT)
		return -EMFILE;
	if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type == HUGETLBFS_MAGIC)
		return 0;
	if (munmap((char *)f->addr + page, len - page) == 0)
		f->trimmed = 1;
	return 0;
}

int sysv_open_id(struct sysv_inst *si, int shmid, int flags,
		 struct seg_file **file)
{
	struct sysv_file *f;
	struct shmid_ds ds;
	int rdonly = (flags & O_ACCMODE) == O_RDONLY;
	int res;

	res = sysv_enter(si);
	if (res < 0)
		return res;
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
	f->si = si;
	f->shmid = shmid;
	f->size = ds.shm_segsz;
	f->writable = !rdonly;
	f->fd = FD_UNKNOWN;
	map_window_init(&f->window);
	res = trim(f);
	if (res < 0) {
		map_window_free(&f->window);
		goto err_detach;
	}
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
	if (f->trimmed)
		return map_window_read(&f->window, f->fd, n, off, reply, ctx);
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
	fd = open(path, (f->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	/* Not kept: the mapping serves without it, and it may come later. */
	if (fd >= 0 && fd_in_reserve(fd)) {
		close(fd);
		return FD_RESERVE_HIT;
	}
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
	fd = __atomic_load_n(&f->no_pwrite, __ATOMIC_ACQUIRE) ? -1 : file_fd(f);
	if (fd >= 0) {
		/* N stays within the segment: the file cannot grow. */
		ssize_t done = pwrite(fd, buf, n, off);

		if (done >= 0)
			return done;
		if (errno != EINVAL || f->trimmed)
			return -errno;
		/*
		 * A file that takes no write(2) (hugetlb): stores from now
		 * on.  The descriptor stays open until the release, since
		 * other workers may be using it this moment.
		 */
		__atomic_store_n(&f->no_pwrite, 1, __ATOMIC_RELEASE);
	}
	res = sysv_store((char *)f->addr + off, buf, n);
	return res < 0 ? res : (ssize_t)n;
}

/* Zeros into a trimmed file's segment, through its shmem file. */
static int pwrite_zeros(int fd, off_t off, size_t n)
{
	static const char zeros[65536];

	while (n > 0) {
		ssize_t done = pwrite(
			fd, zeros, n < sizeof(zeros) ? n : sizeof(zeros), off);

		if (done < 0)
			return -errno;
		n -= (size_t)done;
		off += done;
	}
	return 0;
}

/*
 * Whole pages of zeros are a hole punched (the segment may be 64 TiB, and
 * hardly any of it there): readers see zeros at once, and the memory goes.
 */
int sysv_file_zero(struct sysv_file *f, off_t off, size_t n)
{
	off_t page = (off_t)sysconf(_SC_PAGESIZE);
	off_t from = (off + page - 1) / page * page,
	      to = (off + (off_t)n) / page * page;
	int res;

	if (!f->trimmed)
		return sysv_store((char *)f->addr + off, NULL, n);
	if (to <= from)
		return pwrite_zeros(f->fd, off, n);
	res = pwrite_zeros(f->fd, off, (size_t)(from - off));
	if (res == 0 &&
	    fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from,
		      to - from) < 0)
		res = pwrite_zeros(f->fd, from, (size_t)(to - from));
	return res ?: pwrite_zeros(f->fd, to, (size_t)(off + (off_t)n - to));
}

/*
 * Make sure memory backs [OFF, OFF + N): the pages are faulted in
 * writable, as a first store would, without changing a byte.
 */
static int sysv_allocate(struct sysv_file *f, off_t off, size_t n)
{
	/* A trimmed attachment has no mapping of the range: its file does. */
	if (f->trimmed)
		return fallocate(f->fd, FALLOC_FL_KEEP_SIZE, off, (off_t)n) < 0
			       ? -errno
			       : 0;
#ifdef MADV_POPULATE_WRITE
	off_t head = page_off(off);

	if (madvise((char *)f->addr + off - head, n + (size_t)head,
		    MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno != EINVAL)
		return errno == EFAULT || errno == EHWPOISON ? -ENOMEM : -errno;
#endif
	(void)f;
	(void)off;
	(void)n;
	return -EOPNOTSUPP;
}

/*
 * Zero [OFF, OFF + N) as tmpfs punches a hole: whole pages are given
 * back (MADV_REMOVE, so the memory is freed, for every process attached),
 * the parts of pages at either end are zeroed.
 */
static int sysv_punch(struct sysv_file *f, off_t off, size_t n)
{
	off_t page = (off_t)sysconf(_SC_PAGESIZE);
	off_t first = (off + page - 1) / page * page;
	off_t last = (off + (off_t)n) / page * page;
	char *addr = f->addr;
	int res;

	if (f->trimmed)
		return sysv_file_zero(f, off, n);
	if (first >= last)
		return sysv_store(addr + off, NULL, n);
	res = sysv_store(addr + off, NULL, (size_t)(first - off));
	if (res == 0 &&
	    madvise(addr + first, (size_t)(last - first), MADV_REMOVE) < 0)
		res = sysv_store(addr + first, NULL, (size_t)(last - first));
	if (res == 0)
		res = sysv_store(addr + last, NULL,
				 (size_t)(off + (off_t)n - last));
	return res;
}

/*
 * A segment's size is fixed, so fallocate works within it: allocating
 * backs the range with memory, punching a hole zeroes it; a range past
 * the end is EFBIG, as a truncate there is, unless FALLOC_FL_KEEP_SIZE
 * says to leave the size alone: then the part past the end is ignored.
 */
static int sysv_fallocate(struct seg_file *file, int mode, off_t off, off_t len)
{
	struct sysv_file *f = (struct sysv_file *)file;
	uint64_t end = (uint64_t)off + (uint64_t)len;

	if (!f->writable)
		return -EBADF;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > f->size)
		return -EFBIG;
	if ((uint64_t)off >= f->size)
		return 0;
	if (end > f->size)
		end = f->size;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return sysv_punch(f, off, (size_t)(end - (uint64_t)off));
	return sysv_allocate(f, off, (size_t)(end - (uint64_t)off));
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

	map_window_free(&f->window);
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
	.fallocate = sysv_fallocate,
};
