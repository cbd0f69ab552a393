// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool of defer.h.  Its queue is a list in order of arrival; a free
 * thread takes the oldest work of the next uid after the one served last
 * (round robin over the uids that have work queued), so that one user's
 * many requests never starve another's.  A uid's work runs on one thread
 * at a time: its second request would mostly wait for the scan its first
 * is making (the same rights share one), and both threads would be held
 * by one user whose processes make that scan long.  The list is at most
 * DEFER_QUEUED_MAX long, so picking by a walk of it is bounded.
 */
#include "defer.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nshome.h"

struct work {
	struct work *next;
	uid_t uid;
	void (*fn)(void *arg, int cancelled);
	void *arg;
};

/*
 * All under lock.  Daemon-wide: one small pool of threads bounds what
 * waiting work the whole daemon does at once.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t more; /* work queued, or stopping */
	struct work *head, **tail;
	size_t n;
	uid_t last; /* the uid served last */
	int running, stopping;
	pthread_t thread[DEFER_THREADS];
	size_t threads;
	/* The uid whose work thread I runs, if busy[I]. */
	uid_t owner[DEFER_THREADS];
	int busy[DEFER_THREADS];
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
	   .more = PTHREAD_COND_INITIALIZER,
	   .tail = &pool.head };

static __thread int on_pool;

int defer_on_pool(void)
{
	return on_pool;
}

/* Whether a thread runs work of UID. */
static int running(uid_t uid)
{
	for (size_t i = 0; i < DEFER_THREADS; i++)
		if (pool.busy[i] && pool.owner[i] == uid)
			return 1;
	return 0;
}

/* The next work to run, unlinked: see the top.  NULL if none may run. */
static struct work *take(void)
{
	struct work **after = NULL, **least = NULL, **best, *w;

	/* The oldest work of the smallest uid after LAST, else of the
	 * smallest uid, of the uids none of whose work runs. */
	for (struct work **p = &pool.head; *p != NULL; p = &(*p)->next) {
		uid_t u = (*p)->uid;

		if (running(u))
			continue;
		if (u > pool.last && (after == NULL || u < (*after)->uid))
			after = p;
		if (least == NULL || u < (*least)->uid)
			least = p;
	}
	best = after != NULL ? after : least;
	if (best == NULL)
		return NULL;
	w = *best;
	*best = w->next;
	if (pool.tail == &w->next)
		pool.tail = best;
	pool.n--;
	pool.last = w->uid;
	return w;
}

static void *pool_main(void *arg)
{
	size_t self = (size_t)(uintptr_t)arg;

	on_pool = 1;
	pthread_mutex_lock(&pool.lock);
	while (!pool.stopping) {
		struct work *w = take();

		if (w == NULL) {
			pthread_cond_wait(&pool.more, &pool.lock);
			continue;
		}
		pool.owner[self] = w->uid;
		pool.busy[self] = 1;
		pthread_mutex_unlock(&pool.lock);
		w->fn(w->arg, 0);
		free(w);
		nshome_now(); /* never wait for work in another's namespace */
		pthread_mutex_lock(&pool.lock);
		pool.busy[self] = 0;
		/* Its uid's next work may run now, on any thread. */
		pthread_cond_broadcast(&pool.more);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

int defer_start(void)
{
	int res = 0;

	pthread_mutex_lock(&pool.lock);
	pool.running = 1;
	pool.stopping = 0;
	while (pool.threads < DEFER_THREADS && res == 0) {
		res = -pthread_create(&pool.thread[pool.threads], NULL,
				      pool_main,
				      (void *)(uintptr_t)pool.threads);
		if (res == 0)
			pool.threads++;
	}
	pthread_mutex_unlock(&pool.lock);
	if (res < 0)
		log_err("defer: cannot start a thread: %s\n", strerror(-res));
	return pool.threads > 0 ? 0 : res;
}

void defer_stop(void)
{
	struct work *w;

	pthread_mutex_lock(&pool.lock);
	pool.stopping = 1;
	pool.running = 0;
	pthread_cond_broadcast(&pool.more);
	pthread_mutex_unlock(&pool.lock);
	for (size_t i = 0; i < pool.threads; i++)
		pthread_join(pool.thread[i], NULL);
	pool.threads = 0;
	/* No thread left: the queue is ours. */
	while ((w = take()) != NULL) {
		w->fn(w->arg, 1);
		free(w);
	}
}

int defer_cancel(void *arg)
{
	struct work **p, *w = NULL;

	pthread_mutex_lock(&pool.lock);
	for (p = &pool.head; *p != NULL; p = &(*p)->next) {
		if ((*p)->arg == arg) {
			w = *p;
			*p = w->next;
			if (pool.tail == &w->next)
				pool.tail = p;
			pool.n--;
			break;
		}
	}
	pthread_mutex_unlock(&pool.lock);
	free(w);
	return w != NULL;
}

int defer_run(uid_t uid, void (*fn)(void *arg, int cancelled), void *arg)
{
	struct work *w = malloc(sizeof(*w)), *p;
	size_t mine = 0;
	int res = 0;

	if (w == NULL)
		return -ENOMEM;
	*w = (struct work){ .uid = uid, .fn = fn, .arg = arg };
	pthread_mutex_lock(&pool.lock);
	for (p = pool.head; p != NULL; p = p->next)
		mine += p->uid == uid;
	if (!pool.running)
		res = -ESHUTDOWN;
	else if (pool.n >= DEFER_QUEUED_MAX || mine >= DEFER_PER_UID_MAX)
		res = -EAGAIN;
	if (res == 0) {
		*pool.tail = w;
		pool.tail = &w->next;
		pool.n++;
		pthread_cond_signal(&pool.more);
	}
	pthread_mutex_unlock(&pool.lock);
	if (res < 0)
		free(w);
	return res;
}
