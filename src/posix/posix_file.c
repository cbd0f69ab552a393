// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * POSIX objects and their open files.  Reads reply straight from a shared
 * mapping of the object (window.c); writes go through pwrite(), which
 * grows the object and, unlike a store into a mapping, cannot fault with
 * SIGBUS when another process has shrunk it.
 */
#include "posix_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd_reserve.h"
#include "log.h"

struct posix_file {
	struct seg_file base;
	struct posix_dir *pd;	 /* its instance */
	struct posix_file *next; /* in pd->files */
	ino_t ino;
	int fd;
	int kill_setid; /* opened by a caller without CAP_FSETID */
	struct map_window window;
};

static void open_files_add(struct posix_file *f)
{
	pthread_mutex_lock(&f->pd->files_lock);
	f->next = f->pd->files;
	f->pd->files = f;
	pthread_mutex_unlock(&f->pd->files_lock);
}

static void open_files_del(struct posix_file *f)
{
	pthread_mutex_lock(&f->pd->files_lock);
	for (struct posix_file **p = &f->pd->files; *p; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			break;
		}
	}
	pthread_mutex_unlock(&f->pd->files_lock);
}

/* A descriptor of our own on REF's object, or -ENOENT. */
static int orphan_fd(const struct seg_ref *ref)
{
	struct posix_dir *pd = ref->inst;
	int fd = -ENOENT;

	pthread_mutex_lock(&pd->files_lock);
	for (struct posix_file *f = pd->files; f; f = f->next) {
		if (f->ino == (ino_t)ref->id) {
			fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				fd = -errno;
			break;
		}
	}
	pthread_mutex_unlock(&pd->files_lock);
	return fd;
}

static uint64_t posix_ino(ino_t ino)
{
	if ((uint64_t)ino <= UINT32_MAX)
		return SEG_INO_TAG(SEG_TAG_POSIX, ino);
	return (UINT64_C(1) << 63) | (uint64_t)ino;
}

void posix_stat_export(const struct posix_dir *pd, struct stat *st)
{
	st->st_ino = posix_ino(st->st_ino) | pd->ino_salt;
	/* One name here; none once unlinked (reached through an open file). */
	st->st_nlink = st->st_nlink > 0 ? 1 : 0;
}

int posix_stat_ref(const struct seg_ref *ref, struct stat *st)
{
	const struct posix_dir *pd = ref->inst;

	if (fstatat(posix_fd(pd), ref->name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode) || st->st_ino != (ino_t)ref->id)
		return -ENOENT;
	return 0;
}

static int open_ref(const struct seg_ref *ref, int flags)
{
	const struct posix_dir *pd = ref->inst;
	struct stat st;
	int fd;

	fd = openat(posix_fd(pd), ref->name,
		    flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_ino != (ino_t)ref->id) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static int posix_getattr(const struct seg_ref *ref, struct seg_file *file,
			 struct stat *st)
{
	struct posix_file *f = (struct posix_file *)file;
	int res = 0;

	if (f != NULL)
		res = fstat(f->fd, st) < 0 ? -errno : 0;
	else
		res = posix_stat_ref(ref, st);
	if (res == -ENOENT) {
		int fd = orphan_fd(ref);

		if (fd >= 0) {
			res = fstat(fd, st) < 0 ? -errno : 0;
			close(fd);
		}
	}
	if (res == 0)
		posix_stat_export(ref->inst, st);
	return res;
}

enum meta_op { CHMOD, CHOWN, UTIMENS };

struct change_args {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const struct timespec *tv;
};

/*
 * Change the object by name; once the name is gone, through one of our
 * open files, as fchmod() on a descriptor of an unlinked file would.
 */
static int change_meta(const struct seg_ref *ref, enum meta_op what,
		       const struct change_args *a)
{
	struct stat st;
	int fd, res = posix_stat_ref(ref, &st);

	if (res == 0) {
		if (what == CHMOD)
			res = fchmodat(posix_fd(ref->inst), ref->name, a->mode,
				       AT_SYMLINK_NOFOLLOW);
		else if (what == CHOWN)
			res = fchownat(posix_fd(ref->inst), ref->name, a->uid,
				       a->gid, AT_SYMLINK_NOFOLLOW);
		else
			res = utimensat(posix_fd(ref->inst), ref->name, a->tv,
					AT_SYMLINK_NOFOLLOW);
		return res < 0 ? -errno : 0;
	}
	if (res != -ENOENT || (fd = orphan_fd(ref)) < 0)
		return res;
	if (what == CHMOD)
		res = fchmod(fd, a->mode);
	else if (what == CHOWN)
		res = fchown(fd, a->uid, a->gid);
	else
		res = futimens(fd, a->tv);
	res = res < 0 ? -errno : 0;
	close(fd);
	return res;
}

static int posix_chmod(const struct seg_ref *ref, mode_t mode)
{
	struct change_args a = { .mode = mode & 07777 };

	return change_meta(ref, CHMOD, &a);
}

static int posix_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	struct change_args a = { .uid = uid, .gid = gid };

	return change_meta(ref, CHOWN, &a);
}

/*
 * On the descriptor, not by name: the name may be gone (shm_unlink while
 * in use) or stand for another object.  CAP_FOWNER, since a writer that
 * does not own the object may clear the bits by writing anyway.
 */
static int posix_kill_setid(const struct seg_ref *ref)
{
	int fd = orphan_fd(ref), res = -ENOENT;
	uint64_t caps;

	if (fd < 0)
		return fd;
	if (faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0 &&
	    (res = cred_raise_cap(CAP_FOWNER, &caps)) == 0) {
		res = fchown(fd, (uid_t)-1, (gid_t)-1) < 0 ? -errno : 0;
		cred_restore_caps(caps);
	}
	close(fd);
	return res;
}

static int posix_truncate(const struct seg_ref *ref, struct seg_file *file,
			  off_t size)
{
	struct posix_file *f = (struct posix_file *)file;
	int fd, res = 0;

	if (f != NULL && (f->base.flags & O_ACCMODE) != O_RDONLY)
		return ftruncate(f->fd, size) < 0 ? -errno : 0;
	fd = open_ref(ref, O_WRONLY);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, size) < 0)
		res = -errno;
	close(fd);
	return res;
}

static int posix_utimens(const struct seg_ref *ref, const struct timespec tv[2])
{
	struct change_args a = { .tv = tv };

	return change_meta(ref, UTIMENS, &a);
}

/* The kernel's own answer, for the caller we are acting as. */
static int posix_access(const struct seg_ref *ref, const struct seg_cred *cred,
			int mask)
{
	struct stat st;
	int res = posix_stat_ref(ref, &st);

	(void)cred;
	if (res == 0 && faccessat(posix_fd(ref->inst), ref->name, mask,
				  AT_EACCESS | AT_SYMLINK_NOFOLLOW) < 0)
		res = -errno;
	return res;
}

int posix_file_new(struct posix_dir *pd, int fd, ino_t ino, int flags,
		   struct seg_file **file)
{
	struct posix_file *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	f->base.ops = &posix_seg_ops;
	f->base.flags = flags;
	f->pd = pd;
	f->ino = ino;
	f->fd = fd;
	/* Opened as the caller: cred_caller() is who opens, or the daemon. */
	f->kill_setid = cred_caller() != NULL &&
			!cred_capable(cred_caller(), CAP_FSETID);
	map_window_init(&f->window);
	open_files_add(f);
	*file = &f->base;
	return 0;
}

static int posix_open(const struct seg_ref *ref, int flags,
		      struct seg_file **file)
{
	int fd, res;

	fd = open_ref(ref, flags & (O_ACCMODE | O_APPEND));
	if (fd < 0)
		return fd;
	if (fd_in_reserve(fd)) {
		close(fd);
		return -EMFILE;
	}
	res = posix_file_new(ref->inst, fd, (ino_t)ref->id, flags, file);
	if (res < 0)
		close(fd);
	return res;
}

static int posix_read(struct seg_file *file, size_t size, off_t off,
		      seg_reply_fn reply, void *ctx)
{
	struct posix_file *f = (struct posix_file *)file;

	return map_window_read(&f->window, f->fd, size, off, reply, ctx);
}

static ssize_t posix_write(struct seg_file *file, const void *buf, size_t size,
			   off_t off)
{
	struct posix_file *f = (struct posix_file *)file;
	struct stat st;
	uint64_t caps;
	ssize_t n;
	int drop;

	/*
	 * Written by the daemon, the kernel would keep set-id bits that a
	 * write by the opener clears (kill-priv): write without CAP_FSETID
	 * then, and the kernel clears them as it would for the opener (a
	 * setgid mark without group execute, as for the daemon's groups).
	 */
	drop = f->kill_setid && fstat(f->fd, &st) == 0 &&
	       (st.st_mode & (S_ISUID | S_ISGID));
	if (drop && cred_drop_cap(CAP_FSETID, &caps) < 0)
		return -EPERM;
	n = pwrite(f->fd, buf, size, off);
	n = n < 0 ? -errno : n;
	if (drop)
		cred_restore_caps(caps);
	return n;
}

int posix_file_fd(const struct seg_file *file)
{
	return ((const struct posix_file *)file)->fd;
}

/* The object's own tmpfs file: the kernel may do all of it there. */
static int posix_backing(struct seg_file *file, int *fd)
{
	if (fd != NULL)
		*fd = ((struct posix_file *)file)->fd;
	return SEG_BACKING_ALL;
}

static void posix_release(struct seg_file *file)
{
	struct posix_file *f = (struct posix_file *)file;

	open_files_del(f);
	close(f->fd);
	map_window_free(&f->window);
	free(f);
}

static int ref_statfs(const struct seg_ref *ref, struct statvfs *st)
{
	return posix_statfs(ref->inst, st);
}

const struct seg_ops posix_seg_ops = {
	.named_in = &posix_dir_ops,
	.getattr = posix_getattr,
	.chmod = posix_chmod,
	.chown = posix_chown,
	.kill_setid = posix_kill_setid,
	.truncate = posix_truncate,
	.utimens = posix_utimens,
	.access = posix_access,
	.open = posix_open,
	.read = posix_read,
	.write = posix_write,
	.backing = posix_backing,
	.release = posix_release,
	.fallocate = posix_space_fallocate,
	.lseek = posix_space_lseek,
	.getxattr = posix_getxattr,
	.listxattr = posix_listxattr,
	.setxattr = posix_setxattr,
	.removexattr = posix_removexattr,
	.statfs = ref_statfs,
};

void posix_ref_init(struct posix_dir *pd, struct seg_ref *ref, const char *name,
		    ino_t ino)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &posix_seg_ops;
	ref->inst = pd;
	ref->id = (uint64_t)ino;
	snprintf(ref->name, sizeof(ref->name), "%s", name);
}

