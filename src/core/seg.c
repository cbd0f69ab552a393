// SPDX-License-Identifier: GPL-2.0-or-later
/* What an optional operation that a kind leaves out means. */
#include "seg.h"

#include <errno.h>
#include <unistd.h>

/* The mode and owner are the kernel's to keep: not changeable. */
int seg_chmod(const struct seg_ref *ref, mode_t mode)
{
	return ref->ops->chmod ? ref->ops->chmod(ref, mode) : -EPERM;
}

int seg_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	return ref->ops->chown ? ref->ops->chown(ref, uid, gid) : -EPERM;
}

/* Without set-id bits (SysV) there is no descriptor to do it on. */
int seg_kill_setid(const struct seg_ref *ref)
{
	return ref->ops->kill_setid ? ref->ops->kill_setid(ref) : -ENOENT;
}

/* Times the kernel keeps itself (SysV): there is nothing to set. */
int seg_utimens(const struct seg_ref *ref, const struct timespec tv[2])
{
	return ref->ops->utimens ? ref->ops->utimens(ref, tv) : 0;
}

ssize_t seg_getxattr(const struct seg_ref *ref, const char *name, char *buf,
		     size_t size)
{
	if (ref->ops->getxattr == NULL)
		return -ENODATA;
	return ref->ops->getxattr(ref, name, buf, size);
}

ssize_t seg_listxattr(const struct seg_ref *ref, char *buf, size_t size)
{
	return ref->ops->listxattr ? ref->ops->listxattr(ref, buf, size) : 0;
}

int seg_setxattr(const struct seg_ref *ref, const char *name,
		 const char *value, size_t size, int flags)
{
	if (ref->ops->setxattr == NULL)
		return -ENOTSUP;
	return ref->ops->setxattr(ref, name, value, size, flags);
}

int seg_removexattr(const struct seg_ref *ref, const char *name)
{
	if (ref->ops->removexattr == NULL)
		return -ENOTSUP;
	return ref->ops->removexattr(ref, name);
}

/* Shared memory has no store behind it to write back to. */
int seg_flush(struct seg_file *file)
{
	return file->ops->flush ? file->ops->flush(file) : 0;
}

int seg_close(struct seg_file *file)
{
	int res = file->ops->close ? file->ops->close(file) : 0;

	file->ops->release(file);
	return res;
}

/* The daemon serves every request of the file itself. */
int seg_backing(struct seg_file *file, int *fd)
{
	return file->ops->backing ? file->ops->backing(file, fd) : -ENOTSUP;
}

int seg_lookup(const struct seg_dir *dir, const char *name, struct seg_ref *ref,
	       struct stat *st)
{
	int res = dir->ops->lookup(dir, name, ref, st);

	if (res == 0 && ref->inst == NULL)
		ref->inst = dir->inst;
	return res;
}

int seg_create(const struct seg_dir *dir, const char *name, mode_t mode,
	       int flags, const struct seg_cred *cred, struct seg_ref *ref,
	       struct stat *st, struct seg_file **file)
{
	int res;

	if (dir->ops->create == NULL)
		return -EPERM;
	res = dir->ops->create(dir, name, mode, flags, cred, ref, st, file);
	if (res == 0 && ref->inst == NULL)
		ref->inst = dir->inst;
	return res;
}

int seg_unlink(const struct seg_dir *dir, const char *name)
{
	return dir->ops->unlink ? dir->ops->unlink(dir, name) : -EPERM;
}

/* Names that are listed as they are spelled. */
int seg_alias(const struct seg_dir *dir, const char *name)
{
	return dir->ops->alias ? dir->ops->alias(dir, name) : 0;
}

/* A name is the object's identity (a SysV key): mv copies and removes. */
int seg_rename(const struct seg_dir *dir, const char *name, const char *newname,
	       unsigned int flags)
{
	if (dir->ops->rename == NULL)
		return -EXDEV;
	return dir->ops->rename(dir, name, newname, flags);
}

/* shmfs's own directories are fixed, as the tree is. */
int seg_dir_chmod(const struct seg_dir *dir, mode_t mode)
{
	return dir->ops->chmod ? dir->ops->chmod(dir, mode) : -EPERM;
}

int seg_dir_chown(const struct seg_dir *dir, uid_t uid, gid_t gid)
{
	return dir->ops->chown ? dir->ops->chown(dir, uid, gid) : -EPERM;
}

int seg_dir_utimens(const struct seg_dir *dir, const struct timespec tv[2])
{
	return dir->ops->utimens ? dir->ops->utimens(dir, tv) : -EPERM;
}

/*
 * Never ENOSYS: the kernel would take that as "no fallocate on this
 * connection" and refuse it for every kind from then on.
 */
int seg_fallocate(struct seg_file *file, int mode, off_t off, off_t len)
{
	if (file->ops->fallocate == NULL)
		return -EOPNOTSUPP;
	return file->ops->fallocate(file, mode, off, len);
}

/*
 * Without holes of its own the file is all data, as the kernel's own
 * lseek has it; not ENOSYS, which would end lseek for every kind.
 */
off_t seg_lseek(const struct seg_ref *ref, struct seg_file *file, off_t off,
		int whence)
{
	struct stat st;
	int res;

	if (file->ops->lseek != NULL)
		return file->ops->lseek(file, off, whence);
	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EINVAL;
	res = ref->ops->getattr(ref, file, &st);
	if (res < 0)
		return res;
	if (off < 0 || off >= st.st_size)
		return -ENXIO;
	return whence == SEEK_DATA ? off : st.st_size;
}

/* No figures of its own: those of the whole mount stand for it. */
int seg_statfs(const struct seg_ref *ref, struct statvfs *st)
{
	return ref->ops->statfs ? ref->ops->statfs(ref, st) : -ENOSYS;
}

int seg_dir_statfs(const struct seg_dir *dir, struct statvfs *st)
{
	return dir->ops->statfs ? dir->ops->statfs(dir, st) : -ENOSYS;
}

int seg_span(uint64_t size, off_t off, size_t len, int writing, size_t *n)
{
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= size) {
		*n = 0;
		return writing && len > 0 ? -ENOSPC : 0;
	}
	*n = size - (uint64_t)off < len ? (size_t)(size - (uint64_t)off) : len;
	return 0;
}
