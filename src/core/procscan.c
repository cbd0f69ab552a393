// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scan of /proc: every process's mappings (procscan_maps.c) and open
 * descriptors, one process at a time, into one map of who holds which
 * shared memory.  Memory grows with the holds found only, up to
 * PROCSCAN_HOLDS_MAX; what one process costs is bounded (procscan.h).  A
 * process that exits mid-scan is simply not found; one the caller may
 * not inspect, or past a bound, makes the map incomplete.
 */
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "grow.h"
#include "procscan_int.h"

/* A process's holds are sorted and made unique every this many. */
#define TIDY_EVERY 256

int procscan_gone_or_closed(int err)
{
	return err == ENOENT || err == ESRCH ? 0 : -1;
}

int procscan_open_in(const struct build *b, const char *what, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", b->dir, what);
	return openat(b->procfd, path, flags | O_CLOEXEC);
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether the current process runs in the IPC namespace served; -1:
 * closed.  Asked once a process. */
static int in_ns(struct build *b)
{
	char path[64];
	struct stat st;

	if (b->in_ns != -2)
		return b->in_ns;
	snprintf(path, sizeof(path), "%s/ns/ipc", b->dir);
	if (fstatat(b->procfd, path, &st, 0) < 0)
		b->in_ns = procscan_gone_or_closed(errno);
	else
		b->in_ns = same_file(&st, &b->ns);
	return b->in_ns;
}

int procscan_is_shm_dev(const struct build *b, dev_t dev)
{
	for (size_t i = 0; i < b->devs->n; i++)
		if (b->devs->dev[i] == dev)
			return 1;
	return 0;
}

static int by_hold(const void *a, const void *b)
{
	const struct procscan_hold *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The current process's holds, sorted, each object once (with a page
 * size if any of its mappings told one). */
static void tidy(struct build *b)
{
	struct procscan_map *m = b->m;
	size_t out = b->from;

	if (m->n - b->from > 1)
		qsort(m->h + b->from, m->n - b->from, sizeof(*m->h), by_hold);
	for (size_t i = b->from; i < m->n; i++) {
		if (out > b->from && by_hold(&m->h[out - 1], &m->h[i]) == 0) {
			if (m->h[out - 1].pagesize == 0)
				m->h[out - 1].pagesize = m->h[i].pagesize;
			continue;
		}
		m->h[out++] = m->h[i];
	}
	m->n = out;
	b->tidy_at = m->n + TIDY_EVERY;
}

static int add(struct build *b, uint64_t dev, uint64_t ino, uint64_t pagesize)
{
	struct procscan_map *m = b->m;
	struct procscan_hold *h;

	/* The same object mapped again right after: often. */
	if (m->n > b->from && m->h[m->n - 1].dev == dev &&
	    m->h[m->n - 1].ino == ino)
		return 0;
	if (m->n >= b->tidy_at)
		tidy(b);
	if (m->n >= PROCSCAN_HOLDS_MAX) {
		b->full = 1;
		return 0;
	}
	h = grow(m->h, &m->cap, m->n + 1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	m->h = h;
	m->h[m->n++] = (struct procscan_hold){
		.dev = dev, .ino = ino, .pagesize = pagesize, .pid = b->pid
	};
	return 0;
}

int procscan_mapping(struct build *b, dev_t dev, uint64_t ino, const char *name,
		     uint64_t pagesize, uint64_t start, uint64_t end)
{
	uint32_t key;
	int here, res;

	if (major(dev) != 0)
		return 0;
	/*
	 * A segment's file is on the kernel's own shm mount (or hugetlbfs's),
	 * named by its key, with the shmid as inode: a file of the same name
	 * and inode on a tmpfs of one's own is not one.
	 */
	if (name != NULL && ino <= INT32_MAX && procscan_is_shm_dev(b, dev) &&
	    procscan_sysv_path(name, &key)) {
		here = in_ns(b);
		if (here <= 0)
			return here;
		return add(b, PROCSCAN_SYSV, ino << 32 | key, pagesize);
	}
	res = add(b, (uint64_t)dev, ino, pagesize);
	if (res == 0 && name != NULL && procscan_is_shm_dev(b, dev))
		res = procscan_memfd_add(b, (uint64_t)dev, ino, -1, start, end,
					 name);
	return res;
}

/* The current process's directory WHAT; NULL with *RES set as
 * procscan_gone_or_closed() tells (-1 if it cannot be read). */
static DIR *dir_in(const struct build *b, const char *what, int *res)
{
	int fd = procscan_open_in(b, what, O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL) {
		*res = fd < 0 ? procscan_gone_or_closed(errno) : -1;
		if (fd >= 0)
			close(fd);
	}
	return d;
}

/*
 * The current process's descriptors of files on anonymous devices.  Never
 * stat(): a descriptor on a FUSE mount (shmfs's own) whose attributes
 * have lapsed would send a request to that file system, which may be
 * waiting for this very scan.  AT_STATX_DONT_SYNC gives what the kernel
 * has cached (fuse_update_get_attr() asks nothing then): the device and
 * inode, which never change.
 */
static int read_fds(struct build *b)
{
	int res = 0;
	size_t n = 0;
	struct dirent *de;
	DIR *d = dir_in(b, "fd", &res);

	if (d == NULL)
		return res;
	while (res == 0 && (de = readdir(d)) != NULL) {
		char path[PROCSCAN_PATH_BUF];
		struct statx sx;
		ssize_t len;
		dev_t dev;

		if (de->d_name[0] == '.')
			continue;
		if (++n > PROCSCAN_FDS_MAX) {
			res = -1;
			break;
		}
		/* A descriptor closed meanwhile is not one. */
		if (statx(dirfd(d), de->d_name, AT_STATX_DONT_SYNC,
			  STATX_TYPE | STATX_INO, &sx) < 0 ||
		    !S_ISREG(sx.stx_mode) || sx.stx_dev_major != 0)
			continue;
		dev = makedev(0, sx.stx_dev_minor);
		res = add(b, (uint64_t)dev, sx.stx_ino, 0);
		/* Only what is on a shm mount may be a memfd: its path. */
		if (res == 0 && procscan_is_shm_dev(b, dev) &&
		    (len = readlinkat(dirfd(d), de->d_name, path,
				      sizeof(path) - 1)) > 0) {
			path[len] = '\0';
			res = procscan_memfd_add(b, (uint64_t)dev, sx.stx_ino,
						 atoi(de->d_name), 0, 0, path);
		}
	}
	closedir(d);
	return res;
}

/*
 * A process whose main thread exited (pthread_exit()) lives on in its
 * other threads, but /proc/PID shows the main thread's mappings and
 * descriptors: none.  Then DIR becomes one of the others'; 0 if there is
 * none (a kernel thread, a process that exited), else 1 or -1 (closed).
 */
static int other_thread(struct build *b)
{
	int res = 0;
	struct dirent *de;
	DIR *d = dir_in(b, "task", &res);

	if (d == NULL)
		return res;
	while (res == 0 && (de = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid > 0 && tid != b->pid) {
			snprintf(b->dir, sizeof(b->dir), "%d/task/%d",
				 (int)b->pid, (int)tid);
			res = 1;
		}
	}
	closedir(d);
	return res;
}

/* Process PID into the map: 1 (read), 0 (gone), -1 (closed, past a
 * bound: its holds are dropped) or -ENOMEM. */
static int inspect(struct build *b, pid_t pid)
{
	size_t mf_from = b->m->nmf;
	int res;

	b->pid = pid;
	snprintf(b->dir, sizeof(b->dir), "%d", (int)pid);
	b->from = b->m->n;
	b->tidy_at = b->from + TIDY_EVERY;
	b->in_ns = -2;
	res = procscan_read_maps(b);
	if (res == 0 && b->no_mm) {
		res = other_thread(b);
		if (res == 1)
			res = procscan_read_maps(b);
	}
	if (res == 0)
		res = read_fds(b);
	if (res == -1) {
		b->m->n = b->from;
		b->m->nmf = mf_from;
	} else if (res == 0)
		tidy(b);
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

int procscan_build_at(int procfd, const struct procscan_devs *devs,
		      pid_t hidden, struct procscan_map *m)
{
	struct build b = { .procfd = procfd, .devs = devs, .m = m };
	int res = 0, closed = 0, seen_init = 0, fd;
	struct dirent *de;
	DIR *d;

	memset(m, 0, sizeof(*m));
	if (fstatat(procfd, "self/ns/ipc", &b.ns, 0) < 0)
		return -errno;
	b.buf = malloc(PROCSCAN_READ_BUF);
	if (b.buf == NULL)
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
		found = pid == hidden ? -1 : inspect(&b, pid);
		if (found == -ENOMEM)
			res = found;
		else if (found < 0)
			closed = 1;
		else if (pid == 1)
			seen_init = 1;
	}
	closedir(d);
	if (m->n > 1)
		qsort(m->h, m->n, sizeof(*m->h), by_hold);
	procscan_memfd_tidy(m);
	m->complete = seen_init && !closed && !b.full;
out_free:
	free(b.buf);
	return res;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Whether hold H is of T. */
static int holds(const struct procscan_hold *h, const struct procscan_target *t)
{
	if (t->shmid < 0)
		return h->dev == (uint64_t)t->dev && h->ino == t->ino;
	/* A removed segment's key is IPC_PRIVATE; its file keeps its name. */
	return h->dev == PROCSCAN_SYSV && h->ino >> 32 == (uint64_t)t->shmid &&
	       (t->key == 0 || (uint32_t)h->ino == t->key);
}

int procscan_lookup(const struct procscan_map *m,
		    const struct procscan_target *t, struct procscan *out)
{
	struct procscan_hold want = { .dev = (uint64_t)t->dev, .ino = t->ino };
	size_t lo = 0, hi = m->n, end;

	memset(out, 0, sizeof(*out));
	out->complete = m->complete;
	if (t->shmid >= 0) {
		want.dev = PROCSCAN_SYSV;
		want.ino = (uint64_t)t->shmid << 32;
	}
	/* The first hold that may be of the object: pid 0 sorts first. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (by_hold(&m->h[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A segment's holds are by shmid, then the key of their name. */
	for (end = lo; end < m->n && m->h[end].dev == want.dev &&
		       (t->shmid >= 0 ? m->h[end].ino >> 32 == want.ino >> 32
				      : m->h[end].ino == want.ino);
	     end++)
		;
	if (end == lo)
		return 0;
	out->pids = malloc((end - lo) * sizeof(*out->pids));
	if (out->pids == NULL)
		return -ENOMEM;
	out->cap = end - lo;
	for (size_t i = lo; i < end; i++) {
		if (!holds(&m->h[i], t))
			continue;
		if (out->pagesize == 0)
			out->pagesize = m->h[i].pagesize;
		out->pids[out->n++] = m->h[i].pid;
	}
	if (out->n > 1)
		qsort(out->pids, out->n, sizeof(*out->pids), by_pid);
	return 0;
}

void procscan_map_free(struct procscan_map *m)
{
	free(m->h);
	free(m->mf);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

void procscan_free(struct procscan *s)
{
	free(s->pids);
	s->pids = NULL;
	s->n = s->cap = 0;
}

int procscan_run_at(int procfd, const struct procscan_devs *devs,
		    const struct procscan_target *t, pid_t hidden,
		    struct procscan *out)
{
	struct procscan_map m;
	int res = procscan_build_at(procfd, devs, hidden, &m);

	memset(out, 0, sizeof(*out));
	if (res == 0)
		res = procscan_lookup(&m, t, out);
	procscan_map_free(&m);
	return res;
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
