// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One scan of /proc for every caller: readlink(2) of each process's
 * /proc/PID/ns/ipc gives "ipc:[INODE]" without opening the namespace, so
 * the scan holds nothing of any namespace.  It is done as the daemon
 * (root reads every link), kept NSSCAN_FRESH_MS, and filtered for each
 * caller by the kernel itself: the same readlink as the caller succeeds
 * only where the ptrace rule (PTRACE_MODE_READ_FSCREDS) lets the caller
 * open the namespace.  Readlinks of ns links take no lock a stuck process
 * holds (unlike maps), so this runs on the FUSE workers.
 */
#include "nsscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "grow.h"

struct ns_pid {
	uint64_t ns;
	pid_t pid;
};

/*
 * The last scan, sorted by namespace then pid; daemon-wide, as /proc is.
 * LOCK guards all of it, and is held while a scan runs, so that callers
 * arriving meanwhile use that scan rather than make their own.
 */
static struct {
	pthread_mutex_t lock;
	struct ns_pid *v;
	size_t n, cap;
	int64_t when_ns; /* when it began; 0: never */
} scan = { .lock = PTHREAD_MUTEX_INITIALIZER };

uint64_t nsscan_parse_link(const char *link)
{
	char *end;
	uint64_t ino;

	if (strncmp(link, "ipc:[", 5) != 0 || link[5] < '0' || link[5] > '9')
		return 0;
	errno = 0;
	ino = strtoull(link + 5, &end, 10);
	if (errno != 0 || strcmp(end, "]") != 0)
		return 0;
	return ino;
}

/* The namespace of PID as this thread's rights show it, or 0. */
static uint64_t ns_of(int procfd, pid_t pid)
{
	char path[32], link[64];
	ssize_t len;

	snprintf(path, sizeof(path), "%d/ns/ipc", (int)pid);
	len = readlinkat(procfd, path, link, sizeof(link) - 1);
	if (len < 0)
		return 0;
	link[len] = '\0';
	return nsscan_parse_link(link);
}

static int by_ns(const void *a, const void *b)
{
	const struct ns_pid *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Scan /proc afresh; scan.lock held. */
static int rescan(void)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int64_t began = clock_now_ns();
	struct cred_saved saved;
	struct dirent *de;
	int res, entered;
	DIR *d;

	if (procfd < 0)
		return -errno;
	d = fdopendir(dup(procfd));
	if (d == NULL) {
		res = -errno;
		close(procfd);
		return res;
	}
	/* As the daemon: every process's link, whoever asked. */
	res = cred_enter(cred_daemon(), &saved);
	entered = res == 0;
	scan.n = 0;
	while (res == 0 && (de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct ns_pid *p;
		uint64_t ns;

		if (*end != '\0' || pid <= 0)
			continue;
		ns = ns_of(procfd, (pid_t)pid);
		if (ns == 0)
			continue; /* gone meanwhile, or a kernel thread */
		p = grow(scan.v, &scan.cap, scan.n + 1, sizeof(*p));
		if (p == NULL) {
			res = -ENOMEM;
			break;
		}
		scan.v = p;
		scan.v[scan.n++] = (struct ns_pid){ ns, (pid_t)pid };
	}
	if (entered)
		cred_leave(&saved);
	closedir(d);
	close(procfd);
	if (res < 0) {
		scan.when_ns = 0;
		return res;
	}
	if (scan.n > 0)
		qsort(scan.v, scan.n, sizeof(*scan.v), by_ns);
	/* It shows every process that existed when it began. */
	scan.when_ns = began;
	return 0;
}

/* A scan at most MAX_MS old; scan.lock held. */
static int fresh(int64_t max_ms)
{
	if (scan.when_ns != 0 &&
	    clock_now_ns() - scan.when_ns <= max_ms * 1000000)
		return 0;
	return rescan();
}

/* The first row of NS in the scan, or scan.n. */
static size_t first_of(uint64_t ns)
{
	size_t lo = 0, hi = scan.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (scan.v[mid].ns < ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The rows of NS that C may see, each one tried as C: the link read as
 * C names NS still.  With ALL 0, stops at the first.  Calls ADD for
 * each; scan.lock held.  How many, or -errno.
 */
static int try_as(const struct seg_cred *c, uint64_t ns, int all,
		  int (*add)(void *ctx, pid_t pid), void *ctx)
{
	struct cred_saved saved;
	int procfd, res, entered, found = 0;
	size_t i = first_of(ns);

	if (i == scan.n || scan.v[i].ns != ns)
		return 0;
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	res = cred_enter(c, &saved);
	entered = res == 0;
	for (; res == 0 && i < scan.n && scan.v[i].ns == ns; i++) {
		if (ns_of(procfd, scan.v[i].pid) != ns)
			continue;
		found++;
		if (add != NULL && (res = add(ctx, scan.v[i].pid)) < 0)
			break;
		if (!all)
			break;
	}
	if (entered)
		cred_leave(&saved);
	close(procfd);
	return res < 0 ? res : found;
}

int nsscan_list(const struct seg_cred *c, uint64_t **vp, size_t *np)
{
	uint64_t *v = NULL, *p;
	size_t n = 0, cap = 0, i, next;
	int res;

	pthread_mutex_lock(&scan.lock);
	res = fresh(NSSCAN_FRESH_MS);
	for (i = 0; res == 0 && i < scan.n; i = next) {
		for (next = i; next < scan.n && scan.v[next].ns == scan.v[i].ns;
		     next++)
			;
		res = try_as(c, scan.v[i].ns, 0, NULL, NULL);
		if (res <= 0)
			continue;
		res = 0;
		p = grow(v, &cap, n + 1, sizeof(*v));
		if (p == NULL) {
			res = -ENOMEM;
			break;
		}
		v = p;
		v[n++] = scan.v[i].ns;
	}
	pthread_mutex_unlock(&scan.lock);
	if (res < 0) {
		free(v);
		return res;
	}
	*vp = v;
	*np = n;
	return 0;
}

int nsscan_visible(const struct seg_cred *c, uint64_t ns)
{
	int64_t asked = clock_now_ns();
	int res;

	pthread_mutex_lock(&scan.lock);
	res = fresh(NSSCAN_FRESH_MS);
	for (int again = 1; res >= 0; again = 0) {
		res = try_as(c, ns, 0, NULL, NULL);
		/*
		 * Not seen: perhaps new (or its number reused, the processes
		 * scanned gone), so once more from a scan that began after
		 * this was asked.  Callers who waited for the lock meanwhile
		 * share it: a scan for each guessed number, never two at once.
		 */
		if (res != 0 || !again || scan.when_ns >= asked)
			break;
		res = rescan();
	}
	pthread_mutex_unlock(&scan.lock);
	return res < 0 ? res : res > 0;
}

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int add_pid(void *ctx, pid_t pid)
{
	struct pid_list *l = ctx;
	pid_t *p = grow(l->v, &l->cap, l->n + 1, sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	l->v = p;
	l->v[l->n++] = pid;
	return 0;
}

int nsscan_pids(const struct seg_cred *c, uint64_t ns, pid_t **vp, size_t *np)
{
	int64_t asked = clock_now_ns();
	struct pid_list l = { 0 };
	int res;

	pthread_mutex_lock(&scan.lock);
	res = fresh(NSSCAN_FRESH_MS);
	if (res == 0)
		res = try_as(c, ns, 1, add_pid, &l);
	/* None: as in nsscan_visible(), once more from a newer scan. */
	if (res == 0 && scan.when_ns < asked && (res = rescan()) == 0)
		res = try_as(c, ns, 1, add_pid, &l);
	pthread_mutex_unlock(&scan.lock);
	if (res <= 0) {
		free(l.v);
		return res < 0 ? res : -ENOENT;
	}
	*vp = l.v;
	*np = l.n;
	return 0;
}

static int first_pid(void *ctx, pid_t pid)
{
	*(pid_t *)ctx = pid;
	return 0;
}

pid_t nsscan_pid(const struct seg_cred *c, uint64_t ns)
{
	int64_t asked = clock_now_ns();
	pid_t pid = -ENOENT;
	int res;

	pthread_mutex_lock(&scan.lock);
	res = fresh(NSSCAN_FRESH_MS);
	if (res == 0)
		res = try_as(c, ns, 0, first_pid, &pid);
	if (res == 0 && scan.when_ns < asked && (res = rescan()) == 0)
		res = try_as(c, ns, 0, first_pid, &pid);
	pthread_mutex_unlock(&scan.lock);
	return res < 0 ? res : pid;
}

void nsscan_reset(void)
{
	pthread_mutex_lock(&scan.lock);
	free(scan.v);
	scan.v = NULL;
	scan.n = scan.cap = 0;
	scan.when_ns = 0;
	pthread_mutex_unlock(&scan.lock);
}
