// SPDX-License-Identifier: GPL-2.0-or-later
/* What an optional operation that a kind leaves out means. */
#include "seg.h"

#include <errno.h>

/* The mode and owner are the kernel's to keep: not changeable. */
int seg_chmod(const struct seg_ref *ref, mode_t mode)
{
	return ref->ops->chmod ? ref->ops->chmod(ref, mode) : -EPERM;
}

int seg_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	return ref->ops->chown ? ref->ops->chown(ref, uid, gid) : -EPERM;
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

int seg_create(const struct seg_dir_ops *dir, const char *name, mode_t mode,
	       int flags, const struct seg_cred *cred, struct seg_ref *ref,
	       struct stat *st, struct seg_file **file)
{
	if (dir->create == NULL)
		return -EPERM;
	return dir->create(name, mode, flags, cred, ref, st, file);
}

int seg_unlink(const struct seg_dir_ops *dir, const char *name)
{
	return dir->unlink ? dir->unlink(name) : -EPERM;
}

/* Names that are listed as they are spelled. */
int seg_alias(const struct seg_dir_ops *dir, const char *name)
{
	return dir->alias ? dir->alias(name) : 0;
}

/* No figures of its own: those of the whole mount stand for it. */
int seg_statfs(const struct seg_ref *ref, struct statvfs *st)
{
	return ref->ops->statfs ? ref->ops->statfs(st) : -ENOSYS;
}

int seg_dir_statfs(const struct seg_dir_ops *dir, struct statvfs *st)
{
	return dir->statfs ? dir->statfs(st) : -ENOSYS;
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
