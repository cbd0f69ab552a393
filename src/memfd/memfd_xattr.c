// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A memfd's extended attributes: shmfs's read-only user.shm.* (attr.h),
 * read by name and never listed.  A memfd has no attributes of its own
 * (shmem's user.* need a tmpfs mounted with them; memfds have none).
 */
#include "memfd_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif

/* F_GET_SEALS's bits as words, in the kernel's order (F_SEAL_*). */
static void format_seals(int seals, char *buf, size_t size)
{
	static const char *const words[] = { "seal",  "shrink",	      "grow",
					     "write", "future_write", "exec" };
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (seals & (1 << i) && at + strlen(words[i]) + 2 < size)
			at += (size_t)snprintf(buf + at, size - at, "%s%s",
					       at > 0 ? "," : "", words[i]);
}

ssize_t memfd_getxattr(const struct seg_ref *ref, const char *name, char *buf,
		       size_t size)
{
	struct attr_memfd a = { .name = "", .seals = "" };
	struct procscan_target t = { .shmid = -1 };
	int need = attr_memfd_needs(name), fd, seals;
	struct memfd_where w;
	char words[64];
	struct stat st;
	ssize_t res;

	if (need < 0)
		return -ENODATA;
	res = memfd_find(ref, &w);
	if (res < 0)
		return res;
	a.name = w.name;
	/* Its seals need a descriptor: the caller's, for the call. */
	fd = memfd_reopen(ref, &w, O_RDONLY, &st);
	if (fd < 0)
		return fd;
	seals = fcntl(fd, F_GET_SEALS);
	close(fd);
	format_seals(seals < 0 ? 0 : seals, words, sizeof(words));
	a.seals = words;
	a.pagesize = (uint64_t)st.st_blksize;
	t.dev = st.st_dev;
	t.ino = (ino_t)(ref->id & UINT32_MAX);
	if (need & ATTR_NEEDS_SCAN)
		res = procscan_run(&t, &a.scan);
	if (res == 0)
		res = attr_memfd_getxattr(&a, name, buf, size);
	procscan_free(&a.scan);
	return res;
}

/* Ours are read by name only (attr.h); it has none of its own. */
ssize_t memfd_listxattr(const struct seg_ref *ref, char *buf, size_t size)
{
	(void)ref;
	(void)buf;
	(void)size;
	return 0;
}
