// SPDX-License-Identifier: GPL-2.0-or-later
#include "attr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "name.h"
#include "seg.h"

static long page_size(void)
{
	static long size;

	if (size == 0)
		size = sysconf(_SC_PAGESIZE);
	return size;
}

uint64_t attr_sysv_ino(int shmid)
{
	return SEG_INO_TAG(SEG_TAG_SYSV, (uint32_t)shmid);
}

void attr_sysv_stat(const struct sysv_info *info, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = attr_sysv_ino(info->shmid);
	st->st_mode = S_IFREG | (info->mode & 0777);
	/* Named under sysv/ and under sysv-id/ while it has a key. */
	st->st_nlink = info->key != 0 ? 2 : 1;
	st->st_uid = info->uid;
	st->st_gid = info->gid;
	st->st_size = (off_t)info->size;
	st->st_blksize = page_size();
	/* du then shows the memory really in use, not the nominal size. */
	st->st_blocks = info->have_usage ? (blkcnt_t)(info->rss / 512) : 0;
	st->st_atim.tv_sec = info->atime;
	st->st_mtim.tv_sec = info->dtime ? info->dtime : info->ctime;
	st->st_ctim.tv_sec = info->ctime;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= UINT64_C(0x100000001b3);
	return h;
}

uint64_t attr_stamp(const struct stat *st)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = mix(h, st->st_ino);
	h = mix(h, st->st_mode);
	h = mix(h, st->st_nlink);
	h = mix(h, st->st_uid);
	h = mix(h, st->st_gid);
	h = mix(h, (uint64_t)st->st_size);
	h = mix(h, (uint64_t)st->st_blocks);
	h = mix(h, (uint64_t)st->st_atim.tv_sec);
	h = mix(h, (uint64_t)st->st_atim.tv_nsec);
	h = mix(h, (uint64_t)st->st_mtim.tv_sec);
	h = mix(h, (uint64_t)st->st_mtim.tv_nsec);
	h = mix(h, (uint64_t)st->st_ctim.tv_sec);
	h = mix(h, (uint64_t)st->st_ctim.tv_nsec);
	h |= 1; /* never ATTR_STAMP_NONE */
	return h == ATTR_STAMP_GONE ? h - 2 : h;
}

int attr_xattr_served(const char *name)
{
	static const char user[] = "user.";

	return strncmp(name, user, sizeof(user) - 1) == 0;
}

void attr_sysv_status(mode_t mode, int hugetlb, char *buf, size_t size)
{
	int any = (mode & (SHM_DEST | SHM_LOCKED)) != 0;

	snprintf(buf, size, "%s%s%s%s%s", mode & SHM_DEST ? "dest" : "",
		 (mode & SHM_DEST) && (mode & SHM_LOCKED) ? "," : "",
		 mode & SHM_LOCKED ? "locked" : "", any && hugetlb ? "," : "",
		 hugetlb ? "hugetlb" : "");
}

/* The most getxattr(2) can return (XATTR_SIZE_MAX). */
#define VALUE_MAX 65536

/* VALUE, LEN bytes, by getxattr's conventions. */
static ssize_t reply_value(const char *value, size_t len, char *buf,
			   size_t size)
{
	if (size == 0)
		return (ssize_t)len;
	if (len > size)
		return -ERANGE;
	memcpy(buf, value, len);
	return (ssize_t)len;
}

/* "1,22,333", "" for none; -E2BIG past what an attribute may hold. */
static ssize_t reply_pids(const struct procscan *scan, char *buf, size_t size)
{
	size_t need = 0, at = 0;
	char num[16];

	for (size_t i = 0; i < scan->n; i++)
		need += (size_t)snprintf(num, sizeof(num), "%d",
					 (int)scan->pids[i]) +
			(i > 0);
	if (need > VALUE_MAX)
		return -E2BIG;
	if (size == 0)
		return (ssize_t)need;
	if (need > size)
		return -ERANGE;
	for (size_t i = 0; i < scan->n; i++) {
		int n = snprintf(num, sizeof(num), "%s%d", i > 0 ? "," : "",
				 (int)scan->pids[i]);

		memcpy(buf + at, num, (size_t)n);
		at += (size_t)n;
	}
	return (ssize_t)need;
}

/* A page size, or "" when no mapping told it. */
static void format_pagesize(uint64_t pagesize, char *buf, size_t size)
{
	if (pagesize == 0)
		buf[0] = '\0';
	else
		snprintf(buf, size, "%" PRIu64, pagesize);
}

enum xattr_id {
	X_KEY,
	X_ID,
	X_NATTCH,
	X_CPID,
	X_LPID,
	X_CUID,
	X_CGID,
	X_STATUS,
	X_RSS,
	X_SWAP,
	X_PAGESIZE,
	X_PIDS,
	X_ORPHAN,
	X_ALL,
	X_COUNT
};

static const char *const xattr_names[X_COUNT] = {
	[X_KEY] = "key",	   [X_ID] = "id",
	[X_NATTCH] = "nattch",	   [X_CPID] = "cpid",
	[X_LPID] = "lpid",	   [X_CUID] = "cuid",
	[X_CGID] = "cgid",	   [X_STATUS] = "status",
	[X_RSS] = "rss",	   [X_SWAP] = "swap",
	[X_PAGESIZE] = "pagesize", [X_PIDS] = "pids",
	[X_ORPHAN] = "orphan",	   [X_ALL] = "all",
};

static int xattr_present(const struct sysv_info *info, enum xattr_id x)
{
	return x != X_ALL && ((x != X_RSS && x != X_SWAP) || info->have_usage);
}

static void xattr_format(const struct sysv_info *info,
			 const struct attr_live *live, enum xattr_id x,
			 char *buf, size_t size)
{
	switch (x) {
	case X_KEY:
		name_format_key(info->key, buf);
		break;
	case X_ID:
		snprintf(buf, size, "%d", info->shmid);
		break;
	case X_NATTCH:
		snprintf(buf, size, "%" PRIu64, info->nattch);
		break;
	case X_CPID:
		snprintf(buf, size, "%d", (int)info->cpid);
		break;
	case X_LPID:
		snprintf(buf, size, "%d", (int)info->lpid);
		break;
	case X_CUID:
		snprintf(buf, size, "%u", (unsigned)info->cuid);
		break;
	case X_CGID:
		snprintf(buf, size, "%u", (unsigned)info->cgid);
		break;
	case X_STATUS:
		attr_sysv_status(info->mode,
				 live->scan.pagesize > (uint64_t)page_size(),
				 buf, size);
		break;
	case X_RSS:
		snprintf(buf, size, "%" PRIu64, info->rss);
		break;
	case X_SWAP:
		snprintf(buf, size, "%" PRIu64, info->swap);
		break;
	case X_PAGESIZE:
		format_pagesize(live->scan.pagesize, buf, size);
		break;
	case X_ORPHAN:
		/* Nobody attached, and the creator gone: nobody's any more. */
		snprintf(buf, size, "%d",
			 info->nattch == 0 && !live->creator_alive);
		break;
	case X_PIDS:
	case X_ALL:
	case X_COUNT:
		buf[0] = '\0';
		break;
	}
}

/*
 * user.shm.all: every attribute of ours, one NAME=VALUE line each, so that
 * a person sees them at once though none is listed (attr.h).  No bigger
 * than any attribute may be.
 */
struct all {
	char *buf; /* VALUE_MAX bytes */
	size_t len;
};

/* One line: VALUE, or the pids of SCAN where it is not NULL. */
static int all_add(struct all *a, const char *prefix, const char *name,
		   const struct procscan *scan, const char *value)
{
	size_t room = VALUE_MAX - a->len;
	int n = snprintf(a->buf + a->len, room, "%s%s=", prefix, name);
	ssize_t len;

	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	a->len += (size_t)n;
	room -= (size_t)n;
	len = scan != NULL ? reply_pids(scan, a->buf + a->len, room)
			   : reply_value(value, strlen(value), a->buf + a->len,
					 room);
	if (len < 0 || a->len + (size_t)len >= VALUE_MAX)
		return -E2BIG;
	a->len += (size_t)len;
	a->buf[a->len++] = '\n';
	return 0;
}

static ssize_t all_reply(struct all *a, int res, char *buf, size_t size)
{
	ssize_t n = res < 0 ? res : reply_value(a->buf, a->len, buf, size);

	free(a->buf);
	return n;
}

static ssize_t sysv_all(const struct sysv_info *info,
			const struct attr_live *live, char *buf, size_t size)
{
	struct all a = { malloc(VALUE_MAX), 0 };
	int res = a.buf != NULL ? 0 : -ENOMEM;
	char value[48];

	for (int x = 0; x < X_COUNT && res == 0; x++) {
		if (!xattr_present(info, x))
			continue;
		xattr_format(info, live, x, value, sizeof(value));
		res = all_add(&a, ATTR_XATTR_PREFIX, xattr_names[x],
			      x == X_PIDS ? &live->scan : NULL, value);
	}
	return all_reply(&a, res, buf, size);
}

static int xattr_lookup(const char *name)
{
	size_t plen = strlen(ATTR_XATTR_PREFIX);

	if (strncmp(name, ATTR_XATTR_PREFIX, plen) != 0)
		return -1;
	for (int x = 0; x < X_COUNT; x++)
		if (strcmp(name + plen, xattr_names[x]) == 0)
			return x;
	return -1;
}

int attr_sysv_needs(const struct sysv_info *info, const char *name)
{
	switch (xattr_lookup(name)) {
	case X_PIDS:
	case X_PAGESIZE:
	case X_STATUS: /* hugetlb: only a mapping tells */
		return ATTR_NEEDS_SCAN;
	case X_ORPHAN:
		return info->nattch == 0 ? ATTR_NEEDS_CREATOR : 0;
	case X_ALL:
		return ATTR_NEEDS_SCAN |
		       (info->nattch == 0 ? ATTR_NEEDS_CREATOR : 0);
	default:
		return 0;
	}
}

ssize_t attr_sysv_getxattr(const struct sysv_info *info,
			   const struct attr_live *live, const char *name,
			   char *buf, size_t size)
{
	static const struct attr_live none;
	char value[48];
	int x = xattr_lookup(name);

	if (live == NULL)
		live = &none;
	if (x == X_ALL)
		return sysv_all(info, live, buf, size);
	if (x < 0 || !xattr_present(info, x))
		return -ENODATA;
	if (x == X_PIDS)
		return reply_pids(&live->scan, buf, size);
	xattr_format(info, live, x, value, sizeof(value));
	return reply_value(value, strlen(value), buf, size);
}

enum posix_id { P_PAGESIZE, P_PIDS, P_ORPHAN, P_ALL, P_COUNT };

static const char *const posix_names[P_COUNT] = {
	[P_PAGESIZE] = ATTR_XATTR_PREFIX "pagesize",
	[P_PIDS] = ATTR_XATTR_PREFIX "pids",
	[P_ORPHAN] = ATTR_XATTR_PREFIX "orphan",
	[P_ALL] = ATTR_XATTR_PREFIX "all",
};

static int posix_lookup(const char *name)
{
	for (int x = 0; x < P_COUNT; x++)
		if (strcmp(name, posix_names[x]) == 0)
			return x;
	return -1;
}

int attr_posix_needs(const char *name)
{
	int x = posix_lookup(name);

	return x < 0 ? -1 : x == P_PAGESIZE ? 0 : ATTR_NEEDS_SCAN;
}

static void posix_format(const struct attr_live *live, uint64_t pagesize,
			 enum posix_id x, char *buf, size_t size)
{
	if (x == P_PAGESIZE)
		format_pagesize(pagesize, buf, size);
	else if (x == P_ORPHAN) /* nobody found, and nobody could be missed */
		snprintf(buf, size, "%d",
			 live->scan.n == 0 && live->scan.complete);
	else
		buf[0] = '\0';
}

ssize_t attr_posix_getxattr(const struct attr_live *live, uint64_t pagesize,
			    const char *name, char *buf, size_t size)
{
	int x = posix_lookup(name), res = 0;
	struct all a = { NULL, 0 };
	char value[32];

	if (x < 0)
		return -ENODATA;
	if (x == P_PIDS)
		return reply_pids(&live->scan, buf, size);
	if (x != P_ALL) {
		posix_format(live, pagesize, x, value, sizeof(value));
		return reply_value(value, strlen(value), buf, size);
	}
	a.buf = malloc(VALUE_MAX);
	if (a.buf == NULL)
		res = -ENOMEM;
	for (x = 0; x < P_ALL && res == 0; x++) {
		posix_format(live, pagesize, x, value, sizeof(value));
		res = all_add(&a, "", posix_names[x],
			      x == P_PIDS ? &live->scan : NULL, value);
	}
	return all_reply(&a, res, buf, size);
}

enum memfd_id { M_NAME, M_PAGESIZE, M_SEALS, M_PIDS, M_ALL, M_COUNT };

static const char *const memfd_names[M_COUNT] = {
	[M_NAME] = "name", [M_PAGESIZE] = "pagesize", [M_SEALS] = "seals",
	[M_PIDS] = "pids", [M_ALL] = "all",
};

static int memfd_lookup(const char *name)
{
	size_t plen = strlen(ATTR_XATTR_PREFIX);

	for (int x = 0; x < M_COUNT; x++)
		if (strncmp(name, ATTR_XATTR_PREFIX, plen) == 0 &&
		    strcmp(name + plen, memfd_names[x]) == 0)
			return x;
	return -1;
}

int attr_memfd_needs(const char *name)
{
	int x = memfd_lookup(name);

	return x < 0 ? -1 : x == M_PIDS || x == M_ALL ? ATTR_NEEDS_SCAN : 0;
}

ssize_t attr_memfd_getxattr(const struct attr_memfd *m, const char *name,
			    char *buf, size_t size)
{
	int x = memfd_lookup(name), res;
	struct all a = { NULL, 0 };
	const char *v[M_COUNT] = { [M_NAME] = m->name, [M_SEALS] = m->seals };
	char num[32];

	format_pagesize(m->pagesize, num, sizeof(num));
	v[M_PAGESIZE] = num;
	if (x < 0 || x == M_PIDS)
		return x < 0 ? -ENODATA : reply_pids(&m->scan, buf, size);
	if (x != M_ALL)
		return reply_value(v[x], strlen(v[x]), buf, size);
	a.buf = malloc(VALUE_MAX);
	res = a.buf != NULL ? 0 : -ENOMEM;
	for (x = 0; x < M_ALL && res == 0; x++)
		res = all_add(&a, ATTR_XATTR_PREFIX, memfd_names[x],
			      x == M_PIDS ? &m->scan : NULL, v[x]);
	return all_reply(&a, res, buf, size);
}

int attr_sysv_set_error(const char *name)
{
	size_t plen = strlen(ATTR_XATTR_PREFIX);

	return strncmp(name, ATTR_XATTR_PREFIX, plen) == 0 ? -EPERM : -ENOTSUP;
}
