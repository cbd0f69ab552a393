// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Changes others make in the POSIX directory, from inotify: which names
 * came or went (entry notices), and which objects the kernel holds by a
 * name an event was about (inode notices).
 */
#include "posix_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "log.h"

/*
 * Every change another process can make to an object's name, size,
 * owner, mode or times.  Stores through a mapping change none of them.
 * Not IN_ACCESS: a read moves only the atime (under relatime, at most
 * once a day or after a change), and watching it would queue an event
 * for every read the kernel does through passthrough, in the reader's
 * own read(2); an atime moved by a read elsewhere shows when the kernel's
 * 1 s of attributes runs out (shmfs(1), CACHING).
 */
/* Those that change which object a name stands for. */
#define NAME_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
#define WATCH_EVENTS \
	(NAME_EVENTS | IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_ONLYDIR)

void posix_watch_start(struct posix_dir *pd)
{
#ifdef __linux__
	pd->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (pd->inotify_fd < 0) {
		log_err("posix: inotify: %s; names and attributes of %s are "
			"not cached\n",
			strerror(errno), pd->path);
		return;
	}
	if (inotify_add_watch(pd->inotify_fd, pd->path, WATCH_EVENTS) < 0) {
		log_err("posix: cannot watch %s: %s; its names and attributes "
			"are not cached\n",
			pd->path, strerror(errno));
		close(pd->inotify_fd);
		pd->inotify_fd = -1;
	}
#endif
}

void posix_watch_stop(struct posix_dir *pd)
{
	if (pd->inotify_fd >= 0)
		close(pd->inotify_fd);
	pd->inotify_fd = -1;
}

static int watch_fd(void *inst)
{
	return ((const struct posix_dir *)inst)->inotify_fd;
}

static int watch_active(void *inst)
{
	return watch_fd(inst) >= 0;
}

/*
 * The names events were about, and the objects they name now (one
 * renamed here is held by the kernel under its old name); entry notices
 * only for names that came or went: one waits for the directory's lock,
 * so the fewer the better (see cache_watch.c).  A name that came or went
 * moved the directory's mtime, and an event without a name is about the
 * directory itself (chmod, touch): posix/'s attributes.
 */
static int watch_news(void *inst, struct watch_want *want,
		      struct change_list *out)
{
	const struct posix_dir *pd = inst;
	const struct seg_dir dir = { &posix_dir_ops, inst };
	struct watch_want moved = { 0 };
	int res = 0, dir_changed = 0;

#ifdef __linux__
	char buf[8192]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	while ((len = read(pd->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				want->all = 1;
			else if (ev->len > 0 &&
				 (watch_want_name(want, ev->name) < 0 ||
				  ((ev->mask & NAME_EVENTS) &&
				   watch_want_name(&moved, ev->name) < 0)))
				want->all = 1; /* no memory: all may have changed */
			if (ev->len == 0 || (ev->mask & NAME_EVENTS))
				dir_changed = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
#endif
	if (dir_changed)
		res = change_dir(out, &dir);
	watch_want_sort(&moved);
	for (size_t i = 0; i < moved.names.n && res == 0; i++)
		res = change_name(out, &dir, moved.names.v[i]);
	watch_want_free(&moved);
	want->ids = want->names.n > 0 ? malloc(want->names.n * sizeof(*want->ids))
				      : NULL;
	for (size_t i = 0; i < want->names.n && want->ids != NULL; i++) {
		struct stat st;

		if (fstatat(pd->dirfd, want->names.v[i], &st,
			    AT_SYMLINK_NOFOLLOW) == 0)
			want->ids[want->ids_n++] = (uint64_t)st.st_ino;
	}
	watch_want_sort(want);
	return res;
}

/* Under events about their names: their attributes, maybe contents. */
static int watch_check(void *inst, struct watch_node *v, size_t n,
		       const struct watch_want *want, struct change_list *out)
{
	const struct seg_dir dir = { &posix_dir_ops, inst };
	int res = 0;

	for (size_t i = 0; i < n && res == 0; i++) {
		res = change_inode(out, v[i].ino, 1);
		if (res == 0 && want->all)
			res = change_name(out, &dir, v[i].ref.name);
	}
	return res;
}

const struct kind_watch posix_watch = {
	.ops = &posix_seg_ops,
	.active = watch_active,
	.fd = watch_fd,
	.news = watch_news,
	.check = watch_check,
};
