// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool of defer.h.  Its queue is a list in order of arrival; a free
 * thread takes the oldest work of the next uid after the one served last
 * (round robin over the uids that have work queued), so that one user's
 * many requests never starve another's.  The list is at most
 * DEFER_QUEUED_MAX long, so picking by a walk of it is bounded.
 */
#include "defer.h"

#include <errno.h>
#include <pthread.h>
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
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
	   .more = PTHREAD_COND_INITIALIZER,
	   .tail = &pool.head };

static __thread int on_pool;

int defer_on_pool(void)
{
	return on_pool;
}

/* The next work to run, unlinked: see the top.  NULL if none. */
static struct work *take(void)
{
	struct work **after = NULL, **least = NULL, **best, *w;

	/* The oldest work of the smallest uid after LAST, else of the
	 * smallest uid. */
	for (struct work **p = &pool.head; *p != NULL; p = &(*p)->next) {
		uid_t u = (*p)->uid;

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

static void *pool_main(void *unused)
{
	(void)unused;
	on_pool = 1;
	pthread_mutex_lock(&pool.lock);
	while (!pool.stopping) {
		struct work *w = take();

		if (w == NULL) {
			pthread_cond_wait(&pool.more, &pool.lock);
			continue;
		}
		pthread_mutex_unlock(&pool.lock);
		w->fn(w->arg, 0);
		free(w);
		nshome_now(); /* never wait for work in another's namespace */
		pthread_mutex_lock(&pool.lock);
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
				      pool_main, NULL);
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
