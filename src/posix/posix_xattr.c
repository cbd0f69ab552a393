// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The extended attributes of POSIX objects: the tmpfs file's own, and
 * shmfs's read-only user.shm.pids, .orphan, .pagesize and .all (attr.h),
 * read by name and never listed.
 */
#include "posix_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "attr.h"
#include "procscan.h"

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
	if ((size_t)snprintf(buf, size, "/proc/self/fd/%d/%s",
			     posix_fd(ref->inst), ref->name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * One of ours: who maps the object or holds it open (a scan of /proc, as
 * the caller), or the page size of its file system (hugetlbfs for a
 * posix_dir on one).
 */
static ssize_t live_getxattr(const struct seg_ref *ref, const char *name,
			     int need, char *buf, size_t size)
{
	struct attr_live live = { .creator_alive = 1 };
	struct procscan_target t = { .shmid = -1 };
	uint64_t pagesize = 0;
	struct statfs fs;
	struct stat st;
	ssize_t res = posix_stat_ref(ref, &st);

	if (res < 0)
		return res;
	t.dev = st.st_dev;
	t.ino = st.st_ino;
	if (fstatfs(posix_fd(ref->inst), &fs) < 0)
		res = -errno;
	else
		pagesize = (uint64_t)fs.f_bsize;
	if (res == 0 && (need & ATTR_NEEDS_SCAN))
		res = procscan_run(&t, &live.scan);
	if (res == 0)
		res = attr_posix_getxattr(&live, pagesize, name, buf, size);
	procscan_free(&live.scan);
	return res;
}

ssize_t posix_getxattr(const struct seg_ref *ref, const char *name,
			      char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int need = attr_posix_needs(name);
	int res;

	if (need >= 0)
		return live_getxattr(ref, name, need, buf, size);
	res = ref_path(ref, path, sizeof(path));

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

		/* Ours are read instead of any the file has by that name. */
		if (!attr_xattr_served(p) || attr_posix_needs(p) >= 0)
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

	if (res == 0 && attr_posix_needs(name) >= 0)
		res = -EPERM; /* ours are read-only */
	if (res == 0 && lsetxattr(path, name, value, size, flags) < 0)
		res = -errno;
	return res;
}

int posix_removexattr(const struct seg_ref *ref, const char *name)
{
	char path[PATH_MAX];
	int res = ref_path(ref, path, sizeof(path));

	if (res == 0 && attr_posix_needs(name) >= 0)
		res = -EPERM;
	if (res == 0 && lremovexattr(path, name) < 0)
		res = -errno;
	return res;
}

