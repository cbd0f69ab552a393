// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scans of the real /proc, and the reuse of one by the process that asked
 * for it.  getfattr asks for each attribute twice (its length, then its
 * value), and getfattr -d for three that need the same scan: without
 * reuse that is six scans of every process per file, and two answers that
 * need not agree in length.  A scan is reused only by the same process,
 * for the same object, within REUSE_NS of its end: long enough for the
 * requests of one getfattr on a loaded machine, and another command (a
 * script's next step) always gets a fresh one.
 */
#include "procscan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "cred.h"
#include "log.h"

#define PROC	    "/proc"
#define REUSE_SLOTS 4 /* getfattr -d of a few files at a time */
#define REUSE_NS    100000000LL

struct reuse {
	struct procscan_target t;
	pid_t pid; /* who asked */
	uid_t uid;
	gid_t gid;
	int64_t done_ns; /* 0: the slot is free */
	struct procscan scan;
};

/* All under lock; each slot's scan owns its pids. */
static struct {
	pthread_mutex_t lock;
	struct reuse slot[REUSE_SLOTS];
	size_t next; /* the slot to fill next, round robin */
} reuse = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int same_target(const struct procscan_target *a,
		       const struct procscan_target *b)
{
	return a->shmid == b->shmid &&
	       (a->shmid >= 0 || (a->dev == b->dev && a->ino == b->ino));
}

static int copy_scan(const struct procscan *from, struct procscan *to)
{
	*to = *from;
	to->pids = NULL;
	to->cap = 0;
	if (from->n == 0)
		return 0;
	to->pids = malloc(from->n * sizeof(*to->pids));
	if (to->pids == NULL)
		return -ENOMEM;
	memcpy(to->pids, from->pids, from->n * sizeof(*to->pids));
	to->cap = from->n;
	return 0;
}

/* A scan C may have again: 1 (in OUT), 0 (none), or -errno. */
static int reuse_get(const struct seg_cred *c, const struct procscan_target *t,
		     struct procscan *out)
{
	int64_t now = clock_now_ns();
	int res = 0;

	pthread_mutex_lock(&reuse.lock);
	for (size_t i = 0; i < REUSE_SLOTS && res == 0; i++) {
		struct reuse *r = &reuse.slot[i];

		if (r->done_ns == 0 || r->pid != c->pid || r->uid != c->uid ||
		    r->gid != c->gid || !same_target(&r->t, t) ||
		    now - r->done_ns > REUSE_NS)
			continue;
		res = copy_scan(&r->scan, out);
		res = res ?: 1;
	}
	pthread_mutex_unlock(&reuse.lock);
	return res;
}

/* Keep a copy of SCAN; without memory, none. */
static void reuse_put(const struct seg_cred *c, const struct procscan_target *t,
		      const struct procscan *scan)
{
	struct procscan copy;
	struct reuse *r;

	if (copy_scan(scan, &copy) < 0)
		return;
	pthread_mutex_lock(&reuse.lock);
	r = &reuse.slot[reuse.next];
	reuse.next = (reuse.next + 1) % REUSE_SLOTS;
	procscan_free(&r->scan);
	r->t = *t;
	r->pid = c->pid;
	r->uid = c->uid;
	r->gid = c->gid;
	r->done_ns = clock_now_ns();
	r->scan = copy;
	pthread_mutex_unlock(&reuse.lock);
}

int procscan_run(const struct procscan_target *t, struct procscan *out)
{
	const struct seg_cred *c = cred_serving();
	int64_t t0;
	int fd, res;

	memset(out, 0, sizeof(*out));
	if (c != NULL) {
		res = reuse_get(c, t, out);
		if (res != 0)
			return res < 0 ? res : 0;
	}
	t0 = clock_now_ns();
	/* Read as the caller: what hidepid and ptrace rules show it. */
	fd = open(PROC, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	res = procscan_run_at(fd, t, cred_caller() != NULL ? getpid() : 0, out);
	close(fd);
	t0 = clock_now_ns() - t0;
	log_debug("procscan: %s %lld: %zu found%s, %lld us\n",
		  t->shmid >= 0 ? "shmid" : "inode",
		  t->shmid >= 0 ? (long long)t->shmid : (long long)t->ino,
		  out->n, out->complete ? "" : " (incomplete)",
		  (long long)(t0 / 1000));
	if (res == 0 && c != NULL)
		reuse_put(c, t, out);
	return res;
}

int procscan_alive(pid_t pid)
{
	int fd = open(PROC, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int res;

	/* Without /proc only kill(2) can tell. */
	if (fd < 0)
		return pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH;
	res = procscan_alive_at(fd, pid);
	close(fd);
	return res;
}
