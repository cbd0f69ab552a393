// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One process's mappings: asked one at a time with PROCMAP_QUERY (Linux
 * 6.11), which tells a file mapping's device, inode and page size without
 * rendering its path; else read from the text of maps, through a buffer
 * of fixed size and never past PROCSCAN_TEXT_MAX bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "procscan_int.h"

/* ---- Reading a file of /proc line by line ---- */

struct reader {
	int fd;
	char *buf; /* PROCSCAN_READ_BUF bytes */
	size_t start, end, total;
	int eof, skip;
};

/*
 * The next line, without its newline; NULL at the end, or past
 * PROCSCAN_TEXT_MAX bytes (then r->total says so).  A read that fails (the
 * process exited) ends the file.  A line longer than the buffer is cut
 * there, and the rest of it skipped.
 */
static char *next_line(struct reader *r)
{
	for (;;) {
		char *p = r->buf + r->start;
		char *nl = memchr(p, '\n', r->end - r->start);
		ssize_t n;

		if (nl != NULL && r->skip) {
			r->skip = 0;
			r->start = (size_t)(nl + 1 - r->buf);
			continue;
		}
		if (nl != NULL) {
			*nl = '\0';
			r->start = (size_t)(nl + 1 - r->buf);
			return p;
		}
		if (r->skip)
			r->start = r->end = 0;
		memmove(r->buf, p, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		if (r->end == PROCSCAN_READ_BUF - 1 || (r->eof && r->end > 0)) {
			r->buf[r->end] = '\0';
			r->skip = !r->eof;
			r->end = 0;
			return r->buf;
		}
		if (r->eof || r->total > PROCSCAN_TEXT_MAX)
			return NULL;
		do
			n = read(r->fd, r->buf + r->end,
				 PROCSCAN_READ_BUF - 1 - r->end);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			r->eof = 1;
		} else {
			r->end += (size_t)n;
			r->total += (size_t)n;
		}
	}
}

/* ---- PROCMAP_QUERY ---- */

/* struct procmap_query and its ioctl, as Linux 6.11 (linux/fs.h) has them:
 * the headers shmfs is built with (Debian 12's are 6.1) may be older. */
struct shmfs_procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define SHMFS_PROCMAP_QUERY _IOWR('f', 17, struct shmfs_procmap_query)
#define Q_COVERING_OR_NEXT  0x10 /* PROCMAP_QUERY_COVERING_OR_NEXT_VMA */
#define Q_FILE_BACKED	    0x20 /* PROCMAP_QUERY_FILE_BACKED_VMA */

/*
 * The name of the mapping at START, where it may be a SysV segment's or a
 * memfd's (on a shm mount): a second query, the only one that renders a
 * path.  NULL when it is longer than any of theirs.
 */
static const char *name_at(int fd, uint64_t start, char *name)
{
	struct shmfs_procmap_query q = {
		.size = sizeof(q),
		.query_addr = start,
		.vma_name_size = PROCSCAN_PATH_BUF,
		.vma_name_addr = (uint64_t)(uintptr_t)name,
	};

	/*
	 * The kernel writes no name for a mapping without one (and sets
	 * vma_name_size to 0); valgrind knows nothing of what this ioctl
	 * writes.  So the buffer starts empty.
	 */
	memset(name, 0, PROCSCAN_PATH_BUF);
	if (ioctl(fd, SHMFS_PROCMAP_QUERY, &q) < 0 || q.vma_start != start ||
	    q.vma_name_size == 0)
		return NULL;
	return name;
}

/* By queries: 0, -1 (closed, past a bound), -ENOMEM; -ENOTTY: no query. */
static int query_maps(struct build *b, int fd)
{
	uint64_t at = 0;
	char name[PROCSCAN_PATH_BUF];

	for (size_t n = 0;; n++) {
		struct shmfs_procmap_query q = {
			.size = sizeof(q),
			.query_flags = Q_COVERING_OR_NEXT | Q_FILE_BACKED,
			.query_addr = at,
		};
		dev_t dev;
		int res;

		if (ioctl(fd, SHMFS_PROCMAP_QUERY, &q) < 0) {
			if (errno == ENOENT) /* no mapping past AT */
				return 0;
			if (errno == ENOTTY || errno == EINVAL)
				return n == 0 ? -ENOTTY : -1;
			/* No mm: a kernel thread, an exited one. */
			b->no_mm = n == 0 && errno == ESRCH;
			return errno == ESRCH ? 0 : -1;
		}
		if (n == PROCSCAN_VMAS_MAX)
			return -1;
		at = q.vma_end;
		if (q.dev_major != 0)
			continue;
		dev = makedev(q.dev_major, q.dev_minor);
		res = procscan_mapping(b, dev, q.inode,
				       procscan_is_shm_dev(b, dev)
					       ? name_at(fd, q.vma_start, name)
					       : NULL,
				       q.vma_page_size, q.vma_start, q.vma_end);
		if (res < 0)
			return res;
	}
}

/* ---- Text ---- */

/*
 * The page size of the mapping at START, from smaps, whose reading costs
 * a walk of every mapping: only for a hugetlbfs mapping, without
 * PROCMAP_QUERY.
 */
static uint64_t page_size_at(const struct build *b, uint64_t start)
{
	struct reader r = { .buf = malloc(PROCSCAN_READ_BUF) };
	uint64_t at = UINT64_MAX, size = 0;
	char *line;

	if (r.buf == NULL)
		return 0;
	r.fd = procscan_open_in(b, "smaps", O_RDONLY);
	if (r.fd < 0) {
		free(r.buf);
		return 0;
	}
	while (size == 0 && (line = next_line(&r)) != NULL) {
		uint64_t v = 0;
		int what = procscan_parse_smaps(line, &v, &v);

		if (what == 1)
			at = v;
		else if (what == 2 && at == start)
			size = v;
	}
	close(r.fd);
	free(r.buf);
	return size;
}

static int text_maps(struct build *b, int fd)
{
	struct reader r = { .fd = fd, .buf = b->buf };
	struct procscan_map_line m;
	char *line;
	int res = 0;

	while (res == 0 && (line = next_line(&r)) != NULL) {
		uint64_t pagesize = 0;
		dev_t dev;

		if (procscan_parse_map(line, &m) < 0 || m.major != 0)
			continue;
		dev = makedev(m.major, m.minor);
		/* The kernel's shm mount is of the base page size; a
		 * hugetlbfs one's mapping must be asked. */
		if (procscan_is_shm_dev(b, dev))
			pagesize = dev == b->devs->dev[0]
					   ? (uint64_t)sysconf(_SC_PAGESIZE)
					   : page_size_at(b, m.start);
		res = procscan_mapping(b, dev, m.ino, m.path, pagesize, m.start,
				       m.end);
	}
	if (res == 0 && r.total > PROCSCAN_TEXT_MAX)
		res = -1;
	b->no_mm = r.total == 0;
	return res;
}

int procscan_read_maps(struct build *b)
{
	int fd = procscan_open_in(b, "maps", O_RDONLY), res;

	b->no_mm = 0;
	if (fd < 0)
		return procscan_gone_or_closed(errno);
	res = b->devs->text ? -ENOTTY : query_maps(b, fd);
	if (res == -ENOTTY)
		res = text_maps(b, fd);
	close(fd);
	return res;
}
