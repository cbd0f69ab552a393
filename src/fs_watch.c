// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keeping the kernel's caches true.  Names and attributes of watched
 * objects are handed to the kernel with a timeout of FS_CACHE_TIMEOUT, so
 * that `ls -l` and stat() need no request per file.  This thread makes
 * that safe: it passes on, as invalidation notices, every change that
 * other processes make:
 *  - POSIX objects: inotify on their directory, at once;
 *  - SysV segments: a poll of /proc/sysvipc/shm, compared with what the
 *    kernel was told of each segment it holds.  The poll runs only while
 *    the kernel may hold something (until FS_CACHE_TIMEOUT after the last
 *    answer that let it cache), every POLL_MIN_NS or, if a poll takes
 *    longer, one poll after the other: at most half a CPU, for at most
 *    that second.  The worst delay is thus one interval plus one poll.
 * With -o kernel_cache, a notice also drops an inode's cached contents
 * when someone else may have written: a POSIX object's every change, a
 * SysV segment's when another process attached or detached last.  Stores
 * by processes that stay attached are not seen (see shmfs(1)).
 * Notices go out from this thread, never from a request handler: an entry
 * notice waits for the directory's lock, which a lookup in progress holds.
 */
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "change.h"
#include "log.h"
#include "posix.h"
#include "sysv.h"

#define POLL_MIN_NS 50000000LL
/* The kernel starts a timeout when the answer arrives, a moment later. */
#define ARM_MARGIN_NS 100000000LL

/* Inodes whose cached contents we changed behind the kernel (truncate). */
#define DROP_MAX 64

static struct {
	struct fuse_session *se;
	pthread_mutex_t lock; /* guards drop */
	fuse_ino_t drop[DROP_MAX];
	size_t ndrop;
	off_t inval_from; /* -1: attributes only; 0: cached contents too */
	pthread_t thread;
	int running;
	int wake[2]; /* a byte wakes the thread; 'q' stops it */
	_Atomic int64_t armed_until;
	_Atomic int idle; /* the thread sleeps without a timeout */
	int64_t poll_cost_ns;
} w = { .wake = { -1, -1 }, .lock = PTHREAD_MUTEX_INITIALIZER };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void watch_arm(void)
{
	int64_t until =
		now_ns() + (int64_t)(FS_CACHE_TIMEOUT * 1e9) + ARM_MARGIN_NS;

	if (atomic_load(&w.armed_until) < until)
		atomic_store(&w.armed_until, until);
	if (atomic_exchange(&w.idle, 0) && w.wake[1] >= 0) {
		ssize_t n = write(w.wake[1], "a", 1);

		(void)n; /* a full pipe wakes the thread just as well */
	}
}

void watch_drop_contents(fuse_ino_t ino)
{
	ssize_t n;

	if (w.inval_from < 0)
		return;
	pthread_mutex_lock(&w.lock);
	/* Full: drop them all the slow way, by the next poll's notices. */
	if (w.ndrop < DROP_MAX)
		w.drop[w.ndrop++] = ino;
	pthread_mutex_unlock(&w.lock);
	n = write(w.wake[1], "d", 1);
	(void)n;
}

static void send_drops(void)
{
	fuse_ino_t drop[DROP_MAX];
	size_t n;

	pthread_mutex_lock(&w.lock);
	n = w.ndrop;
	memcpy(drop, w.drop, n * sizeof(*drop));
	w.ndrop = 0;
	pthread_mutex_unlock(&w.lock);
	for (size_t i = 0; i < n; i++)
		fuse_lowlevel_notify_inval_inode(w.se, drop[i], 0, 0);
}

static void send_changes(const struct change_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct change *c = &l->v[i];
		int res;

		if (c->ino != 0) {
			res = fuse_lowlevel_notify_inval_inode(
				w.se, c->ino, c->contents ? w.inval_from : -1,
				0);
			log_debug("watch: %s of %llu changed (%d)\n",
				  c->contents ? "contents" : "attributes",
				  (unsigned long long)c->ino, res);
		} else {
			res = fuse_lowlevel_notify_inval_entry(
				w.se, dir_ino_of(c->dir), c->name,
				strlen(c->name));
			log_debug("watch: name %s changed (%d)\n", c->name,
				  res);
		}
	}
}

static int64_t poll_interval(void)
{
	return w.poll_cost_ns > POLL_MIN_NS ? w.poll_cost_ns : POLL_MIN_NS;
}

static void *watch_loop(void *arg)
{
	struct pollfd fds[2] = {
		{ .fd = w.wake[0], .events = POLLIN },
		{ .fd = posix_watch_fd(), .events = POLLIN },
	};
	int64_t next_poll = 0;

	(void)arg;
	for (;;) {
		struct change_list changes = { 0 };
		int64_t now = now_ns(), timeout = -1;
		char c = 0;

		if (atomic_load(&w.armed_until) > now) {
			timeout = next_poll > now ? next_poll - now : 0;
		} else {
			atomic_store(&w.idle, 1);
			/* Armed between the check and the flag: go on. */
			if (atomic_load(&w.armed_until) > now)
				timeout = 0;
		}
		if (poll(fds, fds[1].fd >= 0 ? 2 : 1,
			 timeout < 0
				 ? -1
				 : (int)((timeout + 999999) / 1000000)) < 0 &&
		    errno != EINTR)
			break;
		atomic_store(&w.idle, 0);
		if (fds[0].revents & POLLIN) {
			while (read(w.wake[0], &c, 1) == 1 && c != 'q')
				;
			if (c == 'q')
				break;
			send_drops();
		}
		if (fds[1].revents & POLLIN)
			posix_changes(&changes);
		now = now_ns();
		if (atomic_load(&w.armed_until) > now && now >= next_poll) {
			sysv_changes(&changes,
				     now - (int64_t)(FS_CACHE_TIMEOUT * 1e9) -
					     ARM_MARGIN_NS);
			w.poll_cost_ns = now_ns() - now;
			log_debug(
				"watch: SysV poll took %lld us, %zu changes\n",
				(long long)(w.poll_cost_ns / 1000), changes.n);
			next_poll = now + poll_interval();
		}
		send_changes(&changes);
		change_list_free(&changes);
	}
	return NULL;
}

int watch_start(struct fuse_session *se, const struct fs_config *cfg)
{
	int res;

	w.se = se;
	w.inval_from = cfg->kernel_cache ? 0 : -1;
	if (pipe2(w.wake, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	res = pthread_create(&w.thread, NULL, watch_loop, NULL);
	if (res != 0) {
		close(w.wake[0]);
		close(w.wake[1]);
		w.wake[0] = w.wake[1] = -1;
		return -res;
	}
	w.running = 1;
	return 0;
}

void watch_stop(void)
{
	ssize_t n;

	if (!w.running)
		return;
	n = write(w.wake[1], "q", 1);
	(void)n;
	pthread_join(w.thread, NULL);
	close(w.wake[0]);
	close(w.wake[1]);
	w.wake[0] = w.wake[1] = -1;
	w.running = 0;
}
