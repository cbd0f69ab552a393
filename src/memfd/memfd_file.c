// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A memfd's attributes and open files, reached through a process that
 * holds it: /proc/PID/fd/N, as the caller (the kernel's ptrace-read rule
 * decides whether the caller may follow it, and the memfd's mode whether
 * it may open it so), or, where that process holds no descriptor but
 * only maps it, /proc/PID/map_files/START-END, which the kernel opens
 * only with CAP_SYS_ADMIN: the daemon lends it for an O_PATH open of the
 * link, the caller's own map having shown that the caller may read that
 * process's mappings (pin()).  Nothing
 * is kept but an open file's descriptor, closed at its release: the
 * daemon never keeps a memfd alive.  Seals are the kernel's: every write
 * and truncate is done on the memfd itself.
 */
#include "memfd_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cred.h"
#include "defer.h"
#include "fd_reserve.h"

struct memfd_file {
	struct seg_file base;
	int fd;
};

/* H's path in /proc, and whether it needs CAP_SYS_ADMIN (map_files). */
static int path_of(const struct procscan_memfd *h, char *buf, size_t size)
{
	if (h->fd >= 0) {
		snprintf(buf, size, "/proc/%d/fd/%d", (int)h->pid, h->fd);
		return 0;
	}
	snprintf(buf, size, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)h->pid, h->start, h->end);
	return 1;
}

static void export(const struct seg_ref *ref, struct stat *st)
{
	st->st_ino = SEG_INO_TAG(SEG_TAG_MEMFD + (ref->id >> 32),
				 ref->id & UINT32_MAX);
	st->st_nlink = 1;
}

static int is_it(const struct seg_ref *ref, const struct stat *st)
{
	const struct procscan_devs *d = procscan_shm_devs();
	unsigned dev = (unsigned)(ref->id >> 32);

	return dev < d->n && st->st_dev == d->dev[dev] &&
	       (uint64_t)st->st_ino == (ref->id & UINT32_MAX) &&
	       S_ISREG(st->st_mode);
}

/*
 * H's link as a path only, with CAP_SYS_ADMIN lent for a mapping's: no
 * file system is called to open it, so whatever the holder put there
 * since the scan (another process's pid, a device, a file on a FUSE
 * mount that never answers) is neither opened with the capability nor
 * waited for.  Its descriptor if it is still REF's memfd, as the kernel
 * has its attributes without asking the file system (AT_STATX_DONT_SYNC);
 * else -ENOENT, or -errno.
 */
static int pin(const struct seg_ref *ref, const struct procscan_memfd *h)
{
	char path[96];
	struct statx sx;
	struct stat st;
	uint64_t caps;
	int lend = path_of(h, path, sizeof(path)), fd;

	if (lend && cred_raise_cap(CAP_SYS_ADMIN, &caps) < 0)
		return -EPERM;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	if (lend)
		cred_restore_caps(caps);
	if (fd < 0)
		return fd;
	memset(&st, 0, sizeof(st));
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO, &sx) == 0) {
		st.st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		st.st_ino = sx.stx_ino;
		st.st_mode = sx.stx_mode;
	}
	if (!is_it(ref, &st)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/*
 * The first holder of W through which OP works: OP(path, arg) as the
 * caller, on the memfd pinned (pin()), through the daemon's own
 * descriptor of it, so the kernel checks the memfd's mode for the caller.
 */
static int through(const struct seg_ref *ref, const struct memfd_where *w,
		   int (*op)(const char *path, void *arg), void *arg)
{
	int res = -ENOENT;

	for (size_t i = 0; i < w->n; i++) {
		char path[32];
		int fd = pin(ref, &w->h[i]);

		res = fd;
		if (fd >= 0) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			res = op(path, arg);
			close(fd);
		}
		/* Gone meanwhile: the next holder may still have it. */
		if (res != -ENOENT && res != -ESRCH)
			break;
	}
	return res;
}

struct open_arg {
	const struct seg_ref *ref;
	int flags;
	struct stat *st;
};

static int open_op(const char *path, void *arg)
{
	struct open_arg *a = arg;
	int fd = open(path, a->flags | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, a->st) < 0 || !is_it(a->ref, a->st)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

int memfd_reopen(const struct seg_ref *ref, const struct memfd_where *w,
		 int flags, struct stat *st)
{
	struct stat tmp;
	struct open_arg a = { ref, flags & O_ACCMODE, st != NULL ? st : &tmp };
	int fd = through(ref, w, open_op, &a);

	if (fd >= 0)
		export(ref, a.st);
	return fd;
}

struct stat_arg {
	const struct seg_ref *ref;
	struct stat *st;
};

static int stat_op(const char *path, void *arg)
{
	struct stat_arg *a = arg;

	if (stat(path, a->st) < 0)
		return -errno;
	return is_it(a->ref, a->st) ? 0 : -ENOENT;
}

int memfd_stat(const struct seg_ref *ref, const struct memfd_where *w,
	       struct stat *st)
{
	struct stat_arg a = { ref, st };
	int res = through(ref, w, stat_op, &a);

	if (res == 0)
		export(ref, st);
	return res;
}

static int memfd_getattr(const struct seg_ref *ref, struct seg_file *file,
			 struct stat *st)
{
	struct memfd_where w;
	int res;

	if (file != NULL) {
		if (fstat(((struct memfd_file *)file)->fd, st) < 0)
			return -errno;
		export(ref, st);
		return 0;
	}
	res = memfd_find(ref, &w);
	return res ?: memfd_stat(ref, &w, st);
}

/* As open(2) of the holder's link would decide, for the caller. */
static int access_op(const char *path, void *arg)
{
	return faccessat(AT_FDCWD, path, *(int *)arg, AT_EACCESS) < 0 ? -errno
								      : 0;
}

static int memfd_access(const struct seg_ref *ref, const struct seg_cred *cred,
			int mask)
{
	struct memfd_where w;
	int res = memfd_find(ref, &w);

	(void)cred;
	return res ?: through(ref, &w, access_op, &mask);
}

static int memfd_truncate(const struct seg_ref *ref, struct seg_file *file,
			  off_t size)
{
	struct memfd_where w;
	int fd, res;

	if (file != NULL && (file->flags & O_ACCMODE) != O_RDONLY)
		return ftruncate(((struct memfd_file *)file)->fd, size) < 0
			       ? -errno
			       : 0;
	res = memfd_find(ref, &w);
	if (res < 0)
		return res;
	fd = memfd_reopen(ref, &w, O_WRONLY, NULL);
	if (fd < 0)
		return fd;
	res = ftruncate(fd, size) < 0 ? -errno : 0;
	close(fd);
	return res;
}

/*
 * -EPERM for a writable open of a memfd sealed against writing: with
 * passthrough the kernel maps the memfd under the mount's file, and
 * mmap(2) checks the seals of that file (none), not the memfd's, so a
 * shared writable mapping would write a sealed memfd.  A seal added after
 * the open is refused while a writable mapping exists (EBUSY), but a
 * mapping made after it through that open is not checked (shmfs(1)).
 */
static int write_sealed(int fd, int flags)
{
	int seals;

	if ((flags & O_ACCMODE) == O_RDONLY)
		return 0;
	seals = fcntl(fd, F_GET_SEALS);
	return seals > 0 && (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		       ? -EPERM
		       : 0;
}

static int memfd_open(const struct seg_ref *ref, int flags,
		      struct seg_file **file)
{
	struct memfd_where w;
	struct memfd_file *f;
	int fd, res = memfd_find(ref, &w);

	if (res < 0)
		return res;
	fd = memfd_reopen(ref, &w, flags, NULL);
	if (fd < 0)
		return fd;
	res = write_sealed(fd, flags);
	if (res < 0 || fd_in_reserve(fd)) {
		close(fd);
		return res < 0 ? res : -EMFILE;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		close(fd);
		return -ENOMEM;
	}
	f->base.ops = &memfd_seg_ops;
	f->base.flags = flags;
	f->fd = fd;
	*file = &f->base;
	return 0;
}

static int memfd_read(struct seg_file *file, size_t size, off_t off,
		      seg_reply_fn reply, void *ctx)
{
	struct memfd_file *f = (struct memfd_file *)file;
	char *buf = malloc(size > 0 ? size : 1);
	ssize_t n;
	int res;

	if (buf == NULL)
		return -ENOMEM;
	n = pread(f->fd, buf, size, off);
	res = n < 0 ? -errno : reply(ctx, buf, (size_t)n);
	free(buf);
	return res;
}

/* On the memfd itself: the kernel applies its seals (EPERM). */
static ssize_t memfd_write(struct seg_file *file, const void *buf, size_t size,
			   off_t off)
{
	ssize_t n = pwrite(((struct memfd_file *)file)->fd, buf, size, off);

	return n < 0 ? -errno : n;
}

static int memfd_backing(struct seg_file *file, int *fd)
{
	if (fd != NULL)
		*fd = ((struct memfd_file *)file)->fd;
	return SEG_BACKING_ALL;
}

static void memfd_release(struct seg_file *file)
{
	close(((struct memfd_file *)file)->fd);
	free(file);
}

const struct seg_ops memfd_seg_ops = {
	.named_in = &memfd_dir_ops,
	.getattr = memfd_getattr,
	.truncate = memfd_truncate,
	.access = memfd_access,
	.open = memfd_open,
	.read = memfd_read,
	.write = memfd_write,
	.backing = memfd_backing,
	.release = memfd_release,
	.getxattr = memfd_getxattr,
	.listxattr = memfd_listxattr,
};
