// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dropping the kernel's cached pages of a file (cache.h): the queues of
 * inodes whose pages must go, which the watcher thread (cache_watch.c)
 * sends as notices.
 *
 * A notice that drops pages waits for the lock of every page it drops,
 * and a page that a READ is filling through the page cache (splice,
 * sendfile, copy_file_range, every read with -o kernel_cache) stays
 * locked until a worker answers that READ.  So no worker sends such a
 * notice: were every worker inside one, no READ would be answered and
 * the mount would hang for every user.  A worker that needs pages gone
 * before it replies (a truncate) hands them to the watcher and waits for
 * it, but only DROP_WAIT_NS, counted from when the watcher's current
 * notice began: then the worker is free again to answer the request the
 * watcher may be waiting on, and a worker that comes later does not wait
 * at all for a watcher held that long.  In a notice the watcher waits
 * only for requests that workers answer (a READ, or a LOOKUP holding its
 * directory), never for a worker, and it holds no lock of ours there.
 */
#include "cache_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "grow.h"
#include "log.h"

/*
 * Pages read into the kernel's cache are dropped this long after: soon
 * enough that they are never much older than the memory, late enough
 * that the splice which read them has taken them (else it reads again).
 */
#define DROP_DELAY_NS 20000000LL
/*
 * How long a truncate waits for its drop, from when the watcher's notice
 * in progress began (or from now): a watcher that waits for no request
 * drops a file's pages in microseconds (a whole truncate takes 0.1 ms
 * here, 0.4 ms at worst, on a busy machine); one that waits for a READ
 * may wait for this very worker to answer it.  After that the truncate is
 * answered anyway, and a read right after it may see the old bytes until
 * the watcher has dropped them.
 */
#define DROP_WAIT_NS 100000000LL

/* An inode whose pages from FROM on must go. */
struct drop_from {
	fuse_ino_t ino;
	off_t from;
};

static struct {
	/*
	 * Guards every field but epoch, and is never held across a notice:
	 * the notice may wait for a READ, whose worker may wait for this
	 * lock to queue a drop of its own.
	 */
	pthread_mutex_t lock;
	/* Pages that reads put in the kernel's cache (watch_drop_later). */
	fuse_ino_t *later;
	size_t nlater, later_cap;
	int64_t later_at;	/* when the first of them is due */
	unsigned epoch;		/* __atomic_*: moves when LATER is taken */
	/* Pages that must go before a reply (watch_drop_now), not yet taken. */
	struct drop_from *now;
	size_t nnow, now_cap;
	uint64_t batch; /* what NOW is sent as; the next one is batch + 1 */
	uint64_t sent;	/* every batch up to this one has been sent */
	pthread_cond_t sent_cond; /* SENT moved; on CLOCK_MONOTONIC */
} d = { .lock = PTHREAD_MUTEX_INITIALIZER, .batch = 1 };

int drops_start(void)
{
	pthread_condattr_t attr;
	int res = pthread_condattr_init(&attr);

	if (res != 0)
		return -res;
	res = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (res == 0)
		res = pthread_cond_init(&d.sent_cond, &attr);
	pthread_condattr_destroy(&attr);
	return -res;
}

/* After the watcher ended: nobody waits, nothing is sent any more. */
void drops_stop(void)
{
	free(d.later);
	d.later = NULL;
	d.nlater = d.later_cap = 0;
	free(d.now);
	d.now = NULL;
	d.nnow = d.now_cap = 0;
	pthread_cond_destroy(&d.sent_cond);
}

void watch_drop_later(fuse_ino_t ino)
{
	fuse_ino_t *v;
	int first;

	pthread_mutex_lock(&d.lock);
	first = d.nlater == 0;
	v = grow(d.later, &d.later_cap, d.nlater + 1, sizeof(*v));
	if (v != NULL) {
		d.later = v;
		d.later[d.nlater++] = ino;
		if (first)
			d.later_at = clock_now_ns() + DROP_DELAY_NS;
	}
	pthread_mutex_unlock(&d.lock);
	/* No memory: the pages stay until the next open or truncate. */
	if (v != NULL && first)
		watch_wake();
}

unsigned watch_drop_epoch(void)
{
	return __atomic_load_n(&d.epoch, __ATOMIC_SEQ_CST);
}

/* INO from FROM into the batch not yet taken; under d.lock. */
static int queue_now(fuse_ino_t ino, off_t from)
{
	struct drop_from *v;

	for (size_t i = 0; i < d.nnow; i++) {
		if (d.now[i].ino == ino) {
			if (from < d.now[i].from)
				d.now[i].from = from;
			return 0;
		}
	}
	v = grow(d.now, &d.now_cap, d.nnow + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	d.now = v;
	d.now[d.nnow++] = (struct drop_from){ .ino = ino, .from = from };
	return 0;
}

int watch_drop_now(fuse_ino_t ino, off_t from)
{
	int64_t now = clock_now_ns(), held = watch_held_since(), until;
	struct timespec ts;
	uint64_t mine;
	int res, err = 0;

	/* Nobody would send it; sent from here, it could hang the mount. */
	if (!watch_working())
		return -ESRCH;
	pthread_mutex_lock(&d.lock);
	res = queue_now(ino, from);
	mine = d.batch;
	pthread_mutex_unlock(&d.lock);
	if (res < 0)
		return res;
	watch_wake();
	/*
	 * A thread held that long waits for a request the workers have not
	 * come to: one more worker waiting would only keep it from them.
	 */
	until = (held != 0 ? held : now) + DROP_WAIT_NS;
	ts.tv_sec = until / 1000000000LL;
	ts.tv_nsec = until % 1000000000LL;
	pthread_mutex_lock(&d.lock);
	while (d.sent < mine && err == 0 && until > now)
		err = pthread_cond_timedwait(&d.sent_cond, &d.lock, &ts);
	res = d.sent < mine ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&d.lock);
	return res;
}

int64_t drops_due(void)
{
	int64_t due;

	pthread_mutex_lock(&d.lock);
	/* A truncate waits for those: due at once (any past time). */
	due = d.nnow > 0 ? 1 : d.nlater > 0 ? d.later_at : 0;
	pthread_mutex_unlock(&d.lock);
	return due;
}

/* The truncates' drops, which workers wait for. */
static void send_now(void)
{
	struct drop_from *v;
	uint64_t batch;
	size_t n;

	pthread_mutex_lock(&d.lock);
	v = d.now;
	n = d.nnow;
	batch = d.batch;
	if (n > 0) {
		d.batch++;
		d.now = NULL;
		d.nnow = d.now_cap = 0;
	}
	pthread_mutex_unlock(&d.lock);
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		int res = watch_notify_inode(v[i].ino, v[i].from);

		/* -ENOENT: the kernel holds nothing of it to drop. */
		if (res < 0 && res != -ENOENT)
			log_err("cannot drop the kernel's pages of %llu: %s\n",
				(unsigned long long)v[i].ino, strerror(-res));
	}
	free(v);
	pthread_mutex_lock(&d.lock);
	d.sent = batch;
	pthread_cond_broadcast(&d.sent_cond);
	pthread_mutex_unlock(&d.lock);
}

/* The pages reads cached, once due. */
static void send_later(int64_t now)
{
	fuse_ino_t *v = NULL;
	size_t n = 0;

	pthread_mutex_lock(&d.lock);
	if (d.nlater > 0 && now >= d.later_at) {
		v = d.later;
		n = d.nlater;
		d.later = NULL;
		d.nlater = d.later_cap = 0;
		/* Files read from now on queue themselves again. */
		__atomic_fetch_add(&d.epoch, 1, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&d.lock);
	for (size_t i = 0; i < n; i++)
		watch_notify_inode(v[i], 0);
	free(v);
}

void drops_send(int64_t now)
{
	send_now();
	send_later(now);
}
