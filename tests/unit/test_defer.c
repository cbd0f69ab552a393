// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool that runs what may wait (defer.h): uids take turns, a uid's
 * work runs on one thread at a time, the queue is bounded per uid, only
 * its threads are "on the pool", and nothing is queued once it stopped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>

#include "defer.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int order[256], n_order, cancelled, on_pool;
static sem_t gate[DEFER_THREADS], started, done;

/* Work that holds a pool thread until its gate opens. */
static void blocker(void *arg, int was_cancelled)
{
	(void)was_cancelled;
	sem_post(&started);
	sem_wait(&gate[(intptr_t)arg]);
	sem_post(&done);
}

/* Work that notes its uid (ARG) in the order it ran. */
static void note(void *arg, int was_cancelled)
{
	pthread_mutex_lock(&lock);
	if (was_cancelled)
		cancelled++;
	else
		order[n_order++] = (int)(intptr_t)arg;
	on_pool += defer_on_pool();
	pthread_mutex_unlock(&lock);
	sem_post(&done);
}

/* Nothing noted, every gate closed. */
static void reset(void)
{
	n_order = cancelled = on_pool = 0;
	sem_init(&done, 0, 0);
	sem_init(&started, 0, 0);
	for (int i = 0; i < DEFER_THREADS; i++)
		sem_init(&gate[i], 0, 0);
}

/* Every thread held, by uids 1, 2, ... (gates 0, 1, ...): what comes
 * now queues. */
static void hold_threads(void)
{
	for (intptr_t i = 0; i < DEFER_THREADS; i++)
		assert_int_equal(defer_run((uid_t)(1 + i), blocker, (void *)i),
				 0);
	for (int i = 0; i < DEFER_THREADS; i++)
		sem_wait(&started);
}

static void turns(void **state)
{
	static const int uids[] = { 5, 5, 5, 7, 6 };
	int ran;

	(void)state;
	reset();
	assert_int_equal(defer_on_pool(), 0);
	assert_int_equal(defer_run(1, note, (void *)1), -ESHUTDOWN);
	assert_int_equal(defer_start(), 0);
	hold_threads();
	for (size_t i = 0; i < sizeof(uids) / sizeof(*uids); i++)
		assert_int_equal(defer_run((uid_t)uids[i], note,
					   (void *)(intptr_t)uids[i]),
				 0);
	/* a uid's share of the queue is bounded */
	for (int i = 0; i < DEFER_PER_UID_MAX; i++)
		assert_int_equal(defer_run(9, note, (void *)9), 0);
	assert_int_equal(defer_run(9, note, (void *)9), -EAGAIN);
	/* one thread freed: it runs the queue in turns of uids */
	sem_post(&gate[0]);
	ran = 0;
	while (ran < 1 + 5 + DEFER_PER_UID_MAX) {
		sem_wait(&done);
		ran++;
	}
	/* uid 2's blocker was taken last before them: 5, 6, 7, 9, 5, 9... */
	assert_int_equal(order[0], 5);
	assert_int_equal(order[1], 6);
	assert_int_equal(order[2], 7);
	assert_int_equal(order[3], 9);
	assert_int_equal(order[4], 5);
	assert_int_equal(order[5], 9);
	assert_int_equal(order[6], 5);
	assert_int_equal(order[7], 9);
	assert_int_equal(n_order, 5 + DEFER_PER_UID_MAX);
	assert_int_equal(on_pool, n_order);
	sem_post(&gate[1]);
	sem_wait(&done);
	defer_stop();
	assert_int_equal(cancelled, 0);
	assert_int_equal(defer_run(1, note, (void *)1), -ESHUTDOWN);
}

/*
 * While a uid's work runs, its next waits: it would mostly wait for the
 * same scan, holding a second thread, and a user whose scans are long
 * would hold both.  Another uid's work runs on the free thread meanwhile.
 */
static void one_thread_a_uid(void **state)
{
	(void)state;
	reset();
	assert_int_equal(defer_start(), 0);
	assert_int_equal(defer_run(1, blocker, (void *)0), 0);
	assert_int_equal(defer_run(9, blocker, (void *)1), 0);
	for (int i = 0; i < DEFER_THREADS; i++)
		sem_wait(&started);
	/* uid 9 served last: uid 1 is next in turn, then 3 */
	assert_int_equal(defer_run(1, note, (void *)1), 0);
	assert_int_equal(defer_run(3, note, (void *)3), 0);
	sem_post(&gate[1]); /* uid 9's thread is free; uid 1's still runs */
	sem_wait(&done);
	sem_wait(&done);
	pthread_mutex_lock(&lock);
	assert_int_equal(n_order, 1);
	assert_int_equal(order[0], 3);
	pthread_mutex_unlock(&lock);
	sem_post(&gate[0]); /* uid 1's first is done: its next runs */
	sem_wait(&done);
	sem_wait(&done);
	assert_int_equal(n_order, 2);
	assert_int_equal(order[1], 1);
	defer_stop();
	assert_int_equal(cancelled, 0);
}

/* Work taken off the queue before it started never runs; work that runs
 * cannot be taken off. */
static void cancel(void **state)
{
	(void)state;
	reset();
	assert_int_equal(defer_start(), 0);
	hold_threads();
	assert_int_equal(defer_cancel((void *)0), 0); /* it runs */
	assert_int_equal(defer_run(5, note, (void *)5), 0);
	assert_int_equal(defer_run(6, note, (void *)6), 0);
	assert_int_equal(defer_run(7, note, (void *)7), 0);
	assert_int_equal(defer_cancel((void *)6), 1);
	assert_int_equal(defer_cancel((void *)6), 0);
	assert_int_equal(defer_cancel((void *)7), 1); /* the last */
	assert_int_equal(defer_run(8, note, (void *)8), 0);
	for (int i = 0; i < DEFER_THREADS; i++)
		sem_post(&gate[i]);
	for (int i = 0; i < DEFER_THREADS + 2; i++)
		sem_wait(&done);
	defer_stop();
	assert_int_equal(n_order, 2);
	assert_int_equal(order[0] + order[1], 5 + 8);
	assert_int_equal(cancelled, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(turns),
		cmocka_unit_test(one_thread_a_uid),
		cmocka_unit_test(cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
