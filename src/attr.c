// SPDX-License-Identifier: GPL-2.0-or-later
#include "attr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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

void attr_sysv_status(mode_t mode, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", mode & SHM_DEST ? "dest" : "",
		 (mode & SHM_DEST) && (mode & SHM_LOCKED) ? "," : "",
		 mode & SHM_LOCKED ? "locked" : "");
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
	X_COUNT
};

static const char *const xattr_names[X_COUNT] = {
	[X_KEY] = "key",   [X_ID] = "id",	  [X_NATTCH] = "nattch",
	[X_CPID] = "cpid", [X_LPID] = "lpid",	  [X_CUID] = "cuid",
	[X_CGID] = "cgid", [X_STATUS] = "status", [X_RSS] = "rss",
	[X_SWAP] = "swap",
};

static int xattr_present(const struct sysv_info *info, enum xattr_id x)
{
	return (x != X_RSS && x != X_SWAP) || info->have_usage;
}

static void xattr_format(const struct sysv_info *info, enum xattr_id x,
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
		attr_sysv_status(info->mode, buf, size);
		break;
	case X_RSS:
		snprintf(buf, size, "%" PRIu64, info->rss);
		break;
	case X_SWAP:
		snprintf(buf, size, "%" PRIu64, info->swap);
		break;
	case X_COUNT:
		buf[0] = '\0';
		break;
	}
}

ssize_t attr_sysv_listxattr(const struct sysv_info *info, char *buf,
			    size_t size)
{
	size_t need = 0;

	for (int x = 0; x < X_COUNT; x++) {
		size_t len;

		if (!xattr_present(info, x))
			continue;
		len = strlen(ATTR_XATTR_PREFIX) + strlen(xattr_names[x]) + 1;
		if (size != 0) {
			if (need + len > size)
				return -ERANGE;
			snprintf(buf + need, len, "%s%s", ATTR_XATTR_PREFIX,
				 xattr_names[x]);
		}
		need += len;
	}
	return (ssize_t)need;
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

ssize_t attr_sysv_getxattr(const struct sysv_info *info, const char *name,
			   char *buf, size_t size)
{
	char value[32];
	size_t len;
	int x = xattr_lookup(name);

	if (x < 0 || !xattr_present(info, x))
		return -ENODATA;
	xattr_format(info, x, value, sizeof(value));
	len = strlen(value);
	if (size == 0)
		return (ssize_t)len;
	if (len > size)
		return -ERANGE;
	memcpy(buf, value, len);
	return (ssize_t)len;
}

int attr_sysv_set_error(const char *name)
{
	size_t plen = strlen(ATTR_XATTR_PREFIX);

	return strncmp(name, ATTR_XATTR_PREFIX, plen) == 0 ? -EPERM : -ENOTSUP;
}
