/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Work that may wait, run on a small pool of its own threads instead of a
 * request's worker (a FUSE worker must never wait for a scan of /proc: the
 * scan may wait on a process whose page fault needs a worker, and a few
 * callers would hold every worker).  A handler that would wait returns
 * -DEFER_AGAIN; its request is then queued with defer_run() and run again
 * on the pool, where waiting is allowed.  The queue is bounded and served
 * fairly: the owners (uids) of queued work take turns, and one uid's work
 * runs on one thread at a time.
 */
#ifndef SHMFS_DEFER_H
#define SHMFS_DEFER_H

#include <sys/types.h>

/* Not an errno: "it would wait; run it again on the pool". */
#define DEFER_AGAIN	  1024

#define DEFER_THREADS	  2    /* the pool */
#define DEFER_QUEUED_MAX  1024 /* work queued, in all */
#define DEFER_PER_UID_MAX 64   /* work queued, per uid */

/* Start the pool (before any thread acts as a caller: cred.h). */
int defer_start(void);
/*
 * Stop it: queued work that has not run gets FN(ARG, 1), and what runs is
 * waited for.
 */
void defer_stop(void);
/*
 * Run FN(ARG, 0) on the pool, after the work queued before it by UID and
 * its turn among the other uids'.  -EAGAIN when the queue is full (in all,
 * or for UID), -ESHUTDOWN when the pool is not running: then FN is not
 * called.
 */
int defer_run(uid_t uid, void (*fn)(void *arg, int cancelled), void *arg);
/*
 * Take the work of ARG off the queue if it has not started: 1 (FN is
 * never called for it), else 0 (it runs, ran, or was never queued).
 */
int defer_cancel(void *arg);
/* Whether this thread is one of the pool's: it may wait. */
int defer_on_pool(void);

#endif
