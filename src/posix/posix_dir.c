// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The POSIX kind: posix/ shows the files of the directory shm_open() uses
 * (/dev/shm on Linux), less glibc's named semaphores.  They behave like
 * tmpfs files, because that is what they are.
 */
#include "posix.h"
#include "posix_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kind.h"
#include "fd_reserve.h"
#include "log.h"
#include "name.h"

#define DEFAULT_POSIX_DIR "/dev/shm"

/*
 * Without the directory posix/ stays empty, unless the user named one
 * (-o posix_dir=DIR): then the mount fails.
 */
static void posix_stop(void *inst)
{
	struct posix_dir *pd = inst;

	if (pd == NULL)
		return;
	posix_watch_stop(pd);
	if (pd->dirfd >= 0)
		close(pd->dirfd);
	free(pd->path);
	pthread_mutex_destroy(&pd->files_lock);
	free(pd);
}

static int posix_start(const struct kind_params *params, void **inst)
{
	const char *path = params->posix_dir ? params->posix_dir : DEFAULT_POSIX_DIR;
	struct posix_dir *pd = calloc(1, sizeof(*pd));
	int res;

	if (pd == NULL)
		return -ENOMEM;
	pd->inotify_fd = -1;
	pd->dirfd = -1;
	pthread_mutex_init(&pd->files_lock, NULL);
	*inst = pd;
	if (params->ipc_ns_ino != 0) {
		/* ns/N: nothing opened now, nor watched (never cached). */
		res = posix_ns_start(pd, params->ipc_ns_ino, params->ino_salt);
		if (res < 0) {
			posix_stop(pd);
			*inst = NULL;
		}
		return res;
	}
	pd->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	res = pd->dirfd < 0 ? -errno : 0;
	if (res == 0 && (pd->path = strdup(path)) == NULL) {
		close(pd->dirfd);
		pd->dirfd = -1;
		res = -ENOMEM;
	}
	if (res < 0) {
		fprintf(stderr, "shmfs: cannot open POSIX directory `%s': %s\n",
			path, strerror(-res));
		if (params->posix_dir == NULL)
			return 0;
		posix_stop(pd);
		*inst = NULL;
		return res;
	}
	posix_watch_start(pd);
	return 0;
}

static int dir_lookup(const struct seg_dir *dir, const char *name,
		      struct seg_ref *ref, struct stat *st)
{
	struct posix_dir *pd = dir->inst;
	int res = name_check_posix(name);

	if (res < 0)
		return res == -EINVAL ? -ENOENT : res;
	if (posix_fd(pd) < 0)
		return -ENOENT;
	if (fstatat(posix_fd(pd), name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -ENOENT;
	posix_ref_init(pd, ref, name, st->st_ino);
	posix_stat_export(pd, st);
	return 0;
}

static int dir_list(const struct seg_dir *dir, seg_fill_fn fill, void *ctx)
{
	struct posix_dir *pd = dir->inst;
	struct dirent *de;
	DIR *d;
	int fd, res = 0;

	if (posix_fd(pd) < 0)
		return 0;
	fd = openat(posix_fd(pd), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		res = -errno;
		close(fd);
		return res;
	}
	while (res == 0 && (de = readdir(d)) != NULL) {
		struct stat st = { .st_ino = de->d_ino, .st_mode = S_IFREG };

		if (name_check_posix(de->d_name) < 0)
			continue;
		if (de->d_type != DT_UNKNOWN && de->d_type != DT_REG)
			continue;
		/* Only a file system without d_type needs a stat: gone
		 * meanwhile, or not a plain file, it is not listed. */
		if (de->d_type == DT_UNKNOWN &&
		    (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			     0 ||
		     !S_ISREG(st.st_mode)))
			continue;
		posix_stat_export(pd, &st);
		res = fill(ctx, de->d_name, st.st_ino, S_IFREG);
	}
	closedir(d);
	return res;
}

static int dir_create(const struct seg_dir *dir, const char *name, mode_t mode,
		      int flags, const struct seg_cred *cred,
		      struct seg_ref *ref, struct stat *st,
		      struct seg_file **file)
{
	struct posix_dir *pd = dir->inst;
	int fd, res = name_check_posix(name);

	if (res < 0)
		return res;
	if (posix_fd(pd) < 0)
		return -ENOTSUP;
	/* What shm_open(O_CREAT | O_EXCL) does, in our directory. */
	fd = openat(posix_fd(pd), name,
		    (flags & (O_ACCMODE | O_APPEND)) | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    mode & 07777);
	if (fd < 0)
		return -errno;
	if (fd_in_reserve(fd)) {
		res = -EMFILE;
		goto err_unlink;
	}
	/*
	 * Acting as the caller, the kernel made it theirs.  Else the daemon
	 * did, and gives it to them (a chown clears set-id bits, which a
	 * create keeps: so only then).
	 */
	if (!cred_active() && geteuid() == 0 &&
	    fchown(fd, cred->uid, cred->gid) < 0) {
		res = -errno;
		goto err_unlink;
	}
	if (fstat(fd, st) < 0) {
		res = -errno;
		goto err_unlink;
	}
	posix_ref_init(pd, ref, name, st->st_ino);
	posix_stat_export(pd, st);
	res = posix_file_new(pd, fd, (ino_t)ref->id, flags, file);
	if (res < 0)
		goto err_unlink;
	return 0;

err_unlink:
	unlinkat(posix_fd(pd), name, 0);
	close(fd);
	return res;
}

/* NAME, an object posix/ shows: 0, or -ENOENT as for a name it hides. */
static int object_named(const struct posix_dir *pd, const char *name)
{
	struct stat st;
	int res = name_check_posix(name);

	if (res < 0)
		return res == -EINVAL ? -ENOENT : res;
	if (posix_fd(pd) < 0)
		return -ENOENT;
	if (fstatat(posix_fd(pd), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : -ENOENT;
}

static int dir_unlink(const struct seg_dir *dir, const char *name)
{
	const struct posix_dir *pd = dir->inst;
	int res = object_named(pd, name);

	/* shm_unlink() */
	if (res == 0 && unlinkat(posix_fd(pd), name, 0) < 0)
		res = -errno;
	return res;
}

/*
 * What renameat2() does in /dev/shm: the object keeps its contents, its
 * mappings and its open files under the new name.  Only objects move, and
 * only onto names posix/ can show: a name taken by something it does not
 * show (a directory, a symbolic link) is EEXIST, as a create of it is.
 * RENAME_WHITEOUT would leave a device file nobody here can see: EINVAL.
 */
static int dir_rename(const struct seg_dir *dir, const char *name,
		      const char *newname, unsigned int flags)
{
	const struct posix_dir *pd = dir->inst;
	struct stat st;
	int res = name_check_posix(name);

	if (res < 0)
		return res == -EINVAL ? -ENOENT : res;
	res = name_check_posix(newname);
	if (res < 0)
		return res;
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	res = object_named(pd, name);
	if (res < 0)
		return res;
	if (fstatat(posix_fd(pd), newname, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode))
		return -EEXIST;
	if (renameat2(posix_fd(pd), name, posix_fd(pd), newname, flags) < 0)
		return -errno;
	return 0;
}

/*
 * posix/ is the directory itself: its mode, owner and times, which the
 * kernel changes as objects come and go.  Its subdirectories are not
 * shown, so it has the links of a directory without any.
 */
static int dir_getattr(const struct seg_dir *dir, struct stat *st)
{
	const struct posix_dir *pd = dir->inst;

	if (posix_fd(pd) < 0)
		return -ENOENT;
	if (fstat(posix_fd(pd), st) < 0)
		return -errno;
	st->st_nlink = 2;
	return 0;
}

/*
 * Changes go through the directory's /proc/self/fd link, since chmod(2)
 * takes no descriptor opened O_PATH; following it needs no right of the
 * caller's (same process), so the kernel's only check is ownership, or
 * write permission for a touch, as on /dev/shm itself.
 */
static int dir_path(const struct seg_dir *dir, char *buf, size_t size)
{
	const struct posix_dir *pd = dir->inst;

	if (posix_fd(pd) < 0)
		return -EPERM;
	snprintf(buf, size, "/proc/self/fd/%d", posix_fd(pd));
	return 0;
}

static int dir_chmod(const struct seg_dir *dir, mode_t mode)
{
	char path[40];
	int res = dir_path(dir, path, sizeof(path));

	if (res == 0 && chmod(path, mode) < 0)
		res = -errno;
	return res;
}

static int dir_chown(const struct seg_dir *dir, uid_t uid, gid_t gid)
{
	char path[40];
	int res = dir_path(dir, path, sizeof(path));

	if (res == 0 && chown(path, uid, gid) < 0)
		res = -errno;
	return res;
}

static int dir_utimens(const struct seg_dir *dir, const struct timespec tv[2])
{
	char path[40];
	int res = dir_path(dir, path, sizeof(path));

	if (res == 0 && utimensat(AT_FDCWD, path, tv, 0) < 0)
		res = -errno;
	return res;
}

/* The directory's own file system: df of posix/ reads as df of /dev/shm. */
int posix_statfs(const struct posix_dir *pd, struct statvfs *st)
{
	if (posix_fd(pd) < 0)
		return -ENOSYS;
	return fstatvfs(posix_fd(pd), st) < 0 ? -errno : 0;
}

static int dir_statfs(const struct seg_dir *dir, struct statvfs *st)
{
	return posix_statfs(dir->inst, st);
}

const struct seg_dir_ops posix_dir_ops = {
	.lookup = dir_lookup,
	.list = dir_list,
	.create = dir_create,
	.unlink = dir_unlink,
	.rename = dir_rename,
	.getattr = dir_getattr,
	.chmod = dir_chmod,
	.chown = dir_chown,
	.utimens = dir_utimens,
	.statfs = dir_statfs,
};

/* Anyone may create here, as in /dev/shm. */
static const struct kind_dir posix_dirs[] = {
	{ "posix", S_IFDIR | 01777, &posix_dir_ops },
};

const struct kind posix_kind = {
	.name = "posix",
	.dirs = posix_dirs,
	.ndirs = 1,
	.start = posix_start,
	.stop = posix_stop,
	.watch = &posix_watch,
	.per_ipc_ns = 1,
};
