// SPDX-License-Identifier: GPL-2.0-or-later
/* The extended attributes of POSIX objects: the tmpfs file's own. */
#include "posix_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "attr.h"

/*
 * xattr calls have no *at() form: go by a path through our own descriptor
 * of the directory, which works for any posix_dir (a caller we act as may
 * not walk another process's /proc/PID/root) and cannot name another one.
 */
static int ref_path(const struct seg_ref *ref, char *buf, size_t size)
{
	struct stat st;
	int res = posix_stat_ref(ref, &st);

	if (res < 0)
		return res;
	if ((size_t)snprintf(buf, size, "/proc/self/fd/%d/%s", posix_dir.dirfd,
			     ref->name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

ssize_t posix_getxattr(const struct seg_ref *ref, const char *name,
			      char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int res = ref_path(ref, path, sizeof(path));

	if (res < 0)
		return res;
	n = lgetxattr(path, name, buf, size);
	return n < 0 ? -errno : n;
}

/* The kernel's own bound on a list of names (XATTR_LIST_MAX). */
#define LIST_MAX 65536

ssize_t posix_listxattr(const struct seg_ref *ref, char *buf,
			       size_t size)
{
	char path[PATH_MAX], *all;
	size_t out = 0;
	ssize_t n;
	int res = ref_path(ref, path, sizeof(path));

	if (res < 0)
		return res;
	all = malloc(LIST_MAX);
	if (all == NULL)
		return -ENOMEM;
	n = llistxattr(path, all, LIST_MAX);
	if (n < 0) {
		res = errno == ERANGE ? -E2BIG : -errno;
		goto out_free;
	}
	/* Only the namespace that is served. */
	for (char *p = all; p < all + n; p += strlen(p) + 1) {
		size_t len = strlen(p) + 1;

		if (!attr_xattr_served(p))
			continue;
		if (size > 0 && out + len > size) {
			res = -ERANGE;
			goto out_free;
		}
		if (size > 0)
			memcpy(buf + out, p, len);
		out += len;
	}
out_free:
	free(all);
	return res < 0 ? res : (ssize_t)out;
}

int posix_setxattr(const struct seg_ref *ref, const char *name,
			  const char *value, size_t size, int flags)
{
	char path[PATH_MAX];
	int res = ref_path(ref, path, sizeof(path));

	if (res == 0 && lsetxattr(path, name, value, size, flags) < 0)
		res = -errno;
	return res;
}

int posix_removexattr(const struct seg_ref *ref, const char *name)
{
	char path[PATH_MAX];
	int res = ref_path(ref, path, sizeof(path));

	if (res == 0 && lremovexattr(path, name) < 0)
		res = -errno;
	return res;
}

