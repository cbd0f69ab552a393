// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keeping the kernel's caches true (cache.h): this thread passes on, as
 * invalidation notices, every change that other processes make, as each
 * registered kind's watch (change.h) finds them:
 *  - a kind with a descriptor (POSIX: inotify) when it becomes readable;
 *  - a polled kind (SysV) only while the kernel may hold something (until
 *    CACHE_TIMEOUT after the last answer that let it cache), every
 *    POLL_MIN_NS or, if a poll takes longer, one poll after the other.
 *    The worst delay is thus one interval plus one poll.
 * The nodes to check are copied out of the node table (node_pick), so a
 * slow check holds no lock that a request needs.
 * A descriptor is read at most every NEWS_REST_NS: every write(2) that
 * the kernel does through passthrough is an inotify event (IN_MODIFY),
 * and identical events that queue meanwhile merge,
 * so that a busy file costs a check per rest, not one per request.
 * A notice about an inode or name the kernel does not hold yet does
 * nothing, and an answer read before a change may still be on its way to
 * the kernel: so every notice is sent again REPEAT_NS later.
 * With -o kernel_cache, a notice also drops an inode's cached contents
 * when someone else may have written: a POSIX object's every change, a
 * SysV segment's when another process attached or detached last; and the
 * poll goes on while files are open, since their pages stay cached.
 * Stores by processes that stay attached are not seen (see shmfs(1)).
 * Notices go out from this thread, never from a request handler: an entry
 * notice waits for the directory's lock, which a lookup in progress holds,
 * and a notice that drops pages for the locks of pages that READs being
 * answered hold (cache_drop.c).
 * If the daemon is killed (kill -9) while such a notice waits, the lookup
 * is never answered and the thread, stuck in the kernel, keeps the
 * connection open until it is aborted (/sys/fs/fuse/connections/N/abort);
 * so entry notices go out only for names that really came or went.
 */
#include "cache_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "change.h"
#include "clock.h"
#include "fs_tree.h"
#include "kind.h"
#include "log.h"
#include "node.h"

#define POLL_MIN_NS 50000000LL
/* The kernel starts a timeout when the answer arrives, a moment later. */
#define ARM_MARGIN_NS 100000000LL
#define REPEAT_NS     20000000LL
#define NEWS_REST_NS  5000000LL
/* How long watch_stop waits for a notice stuck on a directory's lock. */
#define STOP_WAIT_S 2

static struct {
	struct fuse_session *se;
	const struct fs_tree *tree; /* the mount's, whose kinds it watches */
	off_t inval_from; /* -1: attributes only; 0: cached contents too */
	pthread_t thread;
	/*
	 * RUNNING, ARMED_UNTIL, IDLE, EXITED and HELD_SINCE are read and
	 * written by several threads without the lock: only through
	 * __atomic_*_n (sequentially consistent).
	 */
	int running;	     /* and has not failed */
	int wake[2];	     /* a byte wakes the thread; 'q' stops it */
	int64_t armed_until;
	int idle; /* the thread sleeps without a timeout */
	int exited;
	int64_t poll_cost_ns;
	struct watch_node *nodes; /* the thread's, for node_pick() */
	size_t nodes_cap;
	int64_t held_since; /* in a notice since then; 0: in none */
} w = { .wake = { -1, -1 } };

static void wake(char c)
{
	ssize_t n = write(w.wake[1], &c, 1);

	(void)n; /* a full pipe wakes the thread just as well */
}

void watch_wake(void)
{
	wake('d');
}

/*
 * Every notice goes through these, which tell since when the thread has
 * waited in one: a notice can wait for a request that only a worker
 * answers (a READ holds the pages it fills, a LOOKUP its directory).
 */
int watch_notify_inode(fuse_ino_t ino, off_t from)
{
	int res;

	__atomic_store_n(&w.held_since, clock_now_ns(), __ATOMIC_SEQ_CST);
	res = fuse_lowlevel_notify_inval_inode(w.se, ino, from, 0);
	__atomic_store_n(&w.held_since, 0, __ATOMIC_SEQ_CST);
	return res;
}

static int notify_entry(fuse_ino_t dir, const char *name)
{
	int res;

	__atomic_store_n(&w.held_since, clock_now_ns(), __ATOMIC_SEQ_CST);
	res = fuse_lowlevel_notify_inval_entry(w.se, dir, name, strlen(name));
	__atomic_store_n(&w.held_since, 0, __ATOMIC_SEQ_CST);
	return res;
}

int64_t watch_held_since(void)
{
	return __atomic_load_n(&w.held_since, __ATOMIC_SEQ_CST);
}

int watch_working(void)
{
	return __atomic_load_n(&w.running, __ATOMIC_SEQ_CST);
}

void watch_arm(void)
{
	int64_t until =
		clock_now_ns() + (int64_t)(CACHE_TIMEOUT * 1e9) + ARM_MARGIN_NS;

	if (__atomic_load_n(&w.armed_until, __ATOMIC_SEQ_CST) < until)
		__atomic_store_n(&w.armed_until, until, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&w.idle, 0, __ATOMIC_SEQ_CST) && w.wake[1] >= 0)
		wake('a');
}

static void send_changes(const struct change_list *l)
{
	for (size_t i = 0;
	     i < l->n && !__atomic_load_n(&w.exited, __ATOMIC_SEQ_CST); i++) {
		const struct change *c = &l->v[i];
		int res;

		if (c->ino != 0) {
			res = watch_notify_inode(
				c->ino, c->contents ? w.inval_from : -1);
			log_debug("watch: %s of %llu changed (%d)\n",
				  c->contents ? "contents" : "attributes",
				  (unsigned long long)c->ino, res);
		} else if (c->name == NULL) {
			res = watch_notify_inode(tree_ino_of(w.tree, &c->dir),
						 -1);
			log_debug("watch: a directory's attributes changed "
				  "(%d)\n",
				  res);
		} else {
			res = notify_entry(tree_ino_of(w.tree, &c->dir),
					   c->name);
			log_debug("watch: name %s changed (%d)\n", c->name,
				  res);
		}
	}
}

static int64_t poll_interval(void)
{
	return w.poll_cost_ns > POLL_MIN_NS ? w.poll_cost_ns : POLL_MIN_NS;
}

/*
 * How long poll(2) may sleep, in ms: -1 while nothing is due.  WAKE_AT,
 * if not 0, is due too (a repeat, the end of a rest).
 */
static int sleep_ms(int64_t now, int64_t next_poll, int64_t wake_at)
{
	int64_t due = -1, drop_at = drops_due();

	if (__atomic_load_n(&w.armed_until, __ATOMIC_SEQ_CST) > now)
		due = next_poll;
	if (drop_at > 0 && (due < 0 || drop_at < due))
		due = drop_at;
	if (wake_at > 0 && (due < 0 || wake_at < due))
		due = wake_at;
	if (due < 0) {
		__atomic_store_n(&w.idle, 1, __ATOMIC_SEQ_CST);
		/* Armed between the check and the flag: go on. */
		if (__atomic_load_n(&w.armed_until, __ATOMIC_SEQ_CST) <= now)
			return -1;
		due = now;
	}
	return due > now ? (int)((due - now + 999999) / 1000000) : 0;
}

/* What K's watch finds changed among the nodes WANT chooses. */
static void check(const struct kind_inst *k, const struct watch_want *want,
		  struct change_list *out)
{
	const struct kind_watch *kw = k->kind->watch;
	size_t n;
	int res = node_pick(kw->ops, k->inst, want, &w.nodes, &w.nodes_cap, &n);

	if (res == 0 && n > 0)
		res = kw->check(k->inst, w.nodes, n, want, out);
	if (res == 0)
		node_checked(w.nodes, n);
	else
		log_debug("watch: a check failed (%s); the next one tries "
			  "again\n",
			  strerror(-res));
}

/* What a kind with a descriptor has to say, now that it is readable. */
static void news(const struct kind_inst *k, struct change_list *out)
{
	struct watch_want want = { 0 };
	int res = k->kind->watch->news(k->inst, &want, out);

	if (res == 0 && (want.all || want.names.n > 0 || want.ids_n > 0))
		check(k, &want, out);
	watch_want_free(&want);
}

/* Every polled kind's nodes that the kernel may still hold. */
static void poll_kinds(int64_t now, struct change_list *out)
{
	struct watch_want want = {
		.by_time = 1,
		.since_ns = now - (int64_t)(CACHE_TIMEOUT * 1e9) - ARM_MARGIN_NS,
	};

	for (size_t i = 0; i < tree_ninsts(w.tree); i++) {
		const struct kind_inst *k = tree_inst_at(w.tree, i);
		const struct kind_watch *kw = k->kind->watch;

		if (kw != NULL && kw->fd(k->inst) < 0 && kw->active(k->inst))
			check(k, &want, out);
	}
}

#define MAX_FDS 8

static void *watch_loop(void *arg)
{
	struct pollfd fds[1 + MAX_FDS] = {
		{ .fd = w.wake[0], .events = POLLIN },
	};
	const struct kind_inst *by_fd[1 + MAX_FDS] = { NULL };
	int64_t rest_until[1 + MAX_FDS] = { 0 };
	struct change_list repeat = { 0 };
	int64_t next_poll = 0, repeat_at = 0;
	nfds_t nfds = 1;

	(void)arg;
	for (size_t i = 0; i < tree_ninsts(w.tree); i++) {
		const struct kind_inst *k = tree_inst_at(w.tree, i);
		const struct kind_watch *kw = k->kind->watch;

		if (kw != NULL && kw->fd(k->inst) >= 0 && nfds < 1 + MAX_FDS) {
			by_fd[nfds] = k;
			fds[nfds].fd = kw->fd(k->inst);
			fds[nfds++].events = POLLIN;
		}
	}
	for (;;) {
		struct change_list changes = { 0 };
		int64_t now = clock_now_ns(), wake_at = repeat_at;
		char c = 0;

		/* poll(2) leaves out a negative descriptor: one resting. */
		for (nfds_t i = 1; i < nfds; i++) {
			fds[i].fd = rest_until[i] > now
					    ? -1
					    : by_fd[i]->kind->watch->fd(
						      by_fd[i]->inst);
			if (fds[i].fd < 0 &&
			    (wake_at == 0 || rest_until[i] < wake_at))
				wake_at = rest_until[i];
		}
		if (poll(fds, nfds, sleep_ms(now, next_poll, wake_at)) < 0 &&
		    errno != EINTR) {
			log_err("watch: poll: %s; caching stops\n",
				strerror(errno));
			break;
		}
		__atomic_store_n(&w.idle, 0, __ATOMIC_SEQ_CST);
		if (fds[0].revents & POLLIN) {
			while (read(w.wake[0], &c, 1) == 1 && c != 'q')
				;
			if (c == 'q')
				break;
		}
		drops_send(clock_now_ns());
		for (nfds_t i = 1; i < nfds; i++) {
			if (fds[i].revents & POLLIN) {
				news(by_fd[i], &changes);
				rest_until[i] = clock_now_ns() + NEWS_REST_NS;
			}
		}
		now = clock_now_ns();
		/* Cached contents of open files stay until dropped. */
		if (w.inval_from >= 0 && node_open_count() > 0)
			watch_arm();
		if (__atomic_load_n(&w.armed_until, __ATOMIC_SEQ_CST) > now &&
		    now >= next_poll) {
			poll_kinds(now, &changes);
			w.poll_cost_ns = clock_now_ns() - now;
			log_debug("watch: poll took %lld us, %zu changes\n",
				  (long long)(w.poll_cost_ns / 1000), changes.n);
			next_poll = now + poll_interval();
		}
		if (repeat_at > 0 && now >= repeat_at) {
			send_changes(&repeat);
			change_list_free(&repeat);
			repeat_at = 0;
		}
		if (changes.n > 0) {
			send_changes(&changes);
			/* Sent again once, after answers in flight arrived. */
			if (change_list_move(&repeat, &changes) == 0 &&
			    repeat_at == 0)
				repeat_at = now + REPEAT_NS;
		}
		change_list_free(&changes);
	}
	change_list_free(&repeat);
	__atomic_store_n(&w.running, 0, __ATOMIC_SEQ_CST);
	return NULL;
}

int watch_start(struct fuse_session *se, const struct fs_tree *tree,
		int kernel_cache)
{
	w.tree = tree;
	int res;

	w.se = se;
	w.inval_from = kernel_cache ? 0 : -1;
	res = drops_start();
	if (res < 0)
		return res;
	if (pipe2(w.wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		res = -errno;
		goto out_drops;
	}
	__atomic_store_n(&w.running, 1, __ATOMIC_SEQ_CST);
	res = -pthread_create(&w.thread, NULL, watch_loop, NULL);
	if (res < 0)
		goto out_pipe;
	return 0;

out_pipe:
	__atomic_store_n(&w.running, 0, __ATOMIC_SEQ_CST);
	close(w.wake[0]);
	close(w.wake[1]);
	w.wake[0] = w.wake[1] = -1;
out_drops:
	drops_stop();
	return res;
}

/*
 * After the session loop: a notice may be stuck on a directory's lock
 * that a lookup nobody will answer holds.  Wait a little; then leave the
 * thread, which the unmount will free by ending the connection.
 */
void watch_stop(void)
{
	struct timespec until;
	int res;

	if (w.wake[1] < 0)
		return;
	__atomic_store_n(&w.exited, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w.running, 0, __ATOMIC_SEQ_CST);
	wake('q');
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_WAIT_S;
#ifdef __GLIBC__
	res = pthread_timedjoin_np(w.thread, NULL, &until);
#else
	res = pthread_join(w.thread, NULL);
#endif
	if (res != 0) {
		log_err("watch: the watcher is stuck; leaving it\n");
		return;
	}
	close(w.wake[0]);
	close(w.wake[1]);
	w.wake[0] = w.wake[1] = -1;
	drops_stop();
	free(w.nodes);
	w.nodes = NULL;
	w.nodes_cap = 0;
}
