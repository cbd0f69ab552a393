// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scan of /proc: every process's maps, and for a file its open
 * descriptors too, read one process at a time through a buffer of fixed
 * size, so that memory does not grow with the number of processes or
 * mappings, only with the pids found.  A process that exits mid-scan is
 * simply not found; one the caller may not inspect makes the scan
 * incomplete.
 */
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "grow.h"

#define READ_BUF (PROCSCAN_LINE_MAX + 1)

/* ---- Reading a file of /proc line by line ---- */

struct reader {
	int fd;
	char *buf; /* READ_BUF bytes */
	size_t start, end;
	int eof, skip;
};

/*
 * The next line, without its newline; NULL at the end.  A read that fails
 * (the process exited) ends the file.  A line longer than the buffer is
 * cut there, and the rest of it skipped.
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
		if (r->end == READ_BUF - 1 || (r->eof && r->end > 0)) {
			r->buf[r->end] = '\0';
			r->skip = !r->eof;
			r->end = 0;
			return r->buf;
		}
		if (r->eof)
			return NULL;
		do
			n = read(r->fd, r->buf + r->end, READ_BUF - 1 - r->end);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			r->eof = 1;
		else
			r->end += (size_t)n;
	}
}

/* ---- One process ---- */

struct scan {
	int procfd;
	const struct procscan_target *t;
	struct stat ns; /* the IPC namespace served (SysV targets) */
	char *buf;
	struct procscan *out;
};

/* What an error reaching a process's file means: it exited (0), or it is
 * closed to the caller (-1). */
static int gone_or_closed(int err)
{
	return err == ENOENT || err == ESRCH ? 0 : -1;
}

static int open_in(const struct scan *s, pid_t pid, const char *what, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/%s", (int)pid, what);
	return openat(s->procfd, path, flags | O_CLOEXEC);
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether PID is a process of the IPC namespace served; -1: closed. */
static int in_ns(const struct scan *s, pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "%d/ns/ipc", (int)pid);
	if (fstatat(s->procfd, path, &st, 0) < 0)
		return gone_or_closed(errno);
	return same_file(&st, &s->ns);
}

static int is_target(const struct procscan_target *t,
		     const struct procscan_map *m)
{
	/* A segment's file is on an internal mount (shm or hugetlbfs),
	 * whose device is an anonymous one: major 0. */
	if (t->shmid >= 0)
		return m->ino == (uint64_t)t->shmid && m->major == 0 &&
		       procscan_sysv_path(m->path);
	return m->ino == (uint64_t)t->ino && m->major == major(t->dev) &&
	       m->minor == minor(t->dev);
}

/* struct procmap_query and its ioctl, as Linux 6.11 (linux/fs.h) has them:
 * the headers shmfs is built with may be older. */
struct shmfs_procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define SHMFS_PROCMAP_QUERY _IOWR('f', 17, struct shmfs_procmap_query)

/*
 * The page size of PID's mapping at START: one ioctl on its maps (Linux
 * 6.11), else from smaps, whose reading costs a walk of every mapping.
 */
static uint64_t page_size_at(const struct scan *s, pid_t pid, int mapsfd,
			     uint64_t start)
{
	struct shmfs_procmap_query q = { .size = sizeof(q),
					 .query_addr = start };
	struct reader r = { .buf = s->buf };
	uint64_t at = UINT64_MAX, size = 0;
	char *line;

	if (ioctl(mapsfd, SHMFS_PROCMAP_QUERY, &q) == 0 && q.vma_start == start)
		return q.vma_page_size;
	r.fd = open_in(s, pid, "smaps", O_RDONLY);
	if (r.fd < 0)
		return 0;
	while (size == 0 && (line = next_line(&r)) != NULL) {
		uint64_t v = 0;
		int what = procscan_parse_smaps(line, &v, &v);

		if (what == 1)
			at = v;
		else if (what == 2 && at == start)
			size = v;
	}
	close(r.fd);
	return size;
}

/*
 * Whether PID maps the target (1) or not (0), or its maps are closed to
 * the caller (-1).  *ANY: it maps anything at all (kernel threads and
 * zombies map nothing, and have no descriptors either).
 */
static int scan_maps(const struct scan *s, pid_t pid, int *any)
{
	struct reader r = { .buf = s->buf };
	struct procscan_map m;
	int found = 0;
	char *line;

	*any = 0;
	r.fd = open_in(s, pid, "maps", O_RDONLY);
	if (r.fd < 0)
		return gone_or_closed(errno);
	while (!found && (line = next_line(&r)) != NULL) {
		*any = 1;
		found = procscan_parse_map(line, &m) == 0 &&
			is_target(s->t, &m);
	}
	if (found && s->t->shmid >= 0)
		found = in_ns(s, pid);
	if (found > 0 && s->out->pagesize == 0)
		s->out->pagesize = page_size_at(s, pid, r.fd, m.start);
	close(r.fd);
	return found;
}

/* Whether PID holds the target open: 1, 0, or -1 (closed to the caller). */
static int scan_fds(const struct scan *s, pid_t pid)
{
	struct dirent *de;
	int found = 0, fd = open_in(s, pid, "fd", O_RDONLY | O_DIRECTORY);
	struct stat want = { .st_dev = s->t->dev, .st_ino = s->t->ino };
	DIR *d;

	if (fd < 0)
		return gone_or_closed(errno);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while (!found && (de = readdir(d)) != NULL) {
		struct stat st;

		/* A descriptor closed meanwhile is not one. */
		found = de->d_name[0] != '.' &&
			fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
			same_file(&st, &want);
	}
	closedir(d);
	return found;
}

static int inspect(const struct scan *s, pid_t pid)
{
	int any, res = scan_maps(s, pid, &any);

	if (res == 0 && any && s->t->shmid < 0)
		res = scan_fds(s, pid);
	return res;
}

/* A directory of /proc that is a process: its pid, else 0. */
static pid_t pid_of(const char *name)
{
	long v = 0;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > (INT_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return (pid_t)v;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int push(struct procscan *out, pid_t pid)
{
	pid_t *v = grow(out->pids, &out->cap, out->n + 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	out->pids = v;
	out->pids[out->n++] = pid;
	return 0;
}

int procscan_run_at(int procfd, const struct procscan_target *t, pid_t hidden,
		    struct procscan *out)
{
	struct scan s = { .procfd = procfd, .t = t, .out = out };
	int res = 0, closed = 0, seen_init = 0, fd;
	struct dirent *de;
	DIR *d;

	memset(out, 0, sizeof(*out));
	if (t->shmid >= 0 && fstatat(procfd, "self/ns/ipc", &s.ns, 0) < 0)
		return -errno;
	s.buf = malloc(READ_BUF);
	if (s.buf == NULL)
		return -ENOMEM;
	fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		res = -errno;
		if (fd >= 0)
			close(fd);
		goto out_free;
	}
	while (res == 0 && (de = readdir(d)) != NULL) {
		pid_t pid = pid_of(de->d_name);
		int found;

		if (pid == 0)
			continue;
		found = pid == hidden ? -1 : inspect(&s, pid);
		if (found < 0)
			closed = 1;
		else if (pid == 1)
			seen_init = 1;
		if (found > 0)
			res = push(out, pid);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->pids, out->n, sizeof(*out->pids), by_pid);
	out->complete = seen_init && !closed;
out_free:
	free(s.buf);
	return res;
}

void procscan_free(struct procscan *s)
{
	free(s->pids);
	s->pids = NULL;
	s->n = s->cap = 0;
}

int procscan_alive_at(int procfd, pid_t pid)
{
	struct stat here, st;
	char path[32];

	if (pid <= 0)
		return 1;
	/* Only ESRCH says no such process; EPERM is one we may not signal. */
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof(path), "%d/ns/ipc", (int)pid);
	if (fstatat(procfd, "self/ns/ipc", &here, 0) < 0 ||
	    fstatat(procfd, path, &st, 0) < 0)
		return 1;
	return same_file(&here, &st);
}
