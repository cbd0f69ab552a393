// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a file of shared memory (a POSIX object, a SysV segment's shmem
 * file): replies go straight from a shared mapping of it.  A read whose
 * mapping is cut short under it (another process shrank the object) is
 * not a fault in the daemon: the kernel copies the reply, and fails just
 * that request.
 */
#include "window.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/*
 * A mapping of an object, counted: the file holds one reference, and so
 * does each read while the kernel copies the reply out of it.  A read's
 * reply lets the reader close the file at once, so the daemon may be
 * releasing the file while the thread that replied is still returning:
 * after its reply, a read touches only its own reference.
 */
struct map {
	void *addr;
	off_t off; /* of the object, at addr */
	size_t len;
	unsigned refs;
};

/*
 * A read maps a window of the object around the bytes it asks for, never
 * [0, end): the offsets are the caller's to choose (the last byte of a
 * sparse object of 2^46 bytes), the daemon's address space is not.  A
 * window starts at a multiple of MAP_WINDOW and is two of them long (or
 * the object's rest, if shorter), so reads that go on from where the last
 * one stopped use it again until they have gone through MAP_WINDOW bytes.
 * A read of less than COPY_BELOW outside the window is copied instead:
 * a new window costs an mmap, a munmap and a fault a page, tens of
 * microseconds, where pread() of a few KiB is one short copy (random
 * 4 KiB reads of a 512 MiB file ran at a third of their speed when each
 * moved the window).  Larger reads map it for the reads that follow (a
 * READ is as large as the reader's buffer, up to 1 MiB: dd bs=1M, cp).
 */
#define COPY_BELOW ((size_t)64 << 10)

static void map_put(struct map *m)
{
	if (m == NULL || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	munmap(m->addr, m->len);
	free(m);
}

/*
 * A reference to a mapping of W's object (FD) that covers [OFF, OFF + N),
 * made if need be, in an object of SIZE bytes (OFF + N <= SIZE); or
 * -EAGAIN where it would be made for a read under COPY_BELOW.
 */
static int map_get(struct map_window *w, int fd, off_t off, size_t n,
		   off_t size, struct map **mp)
{
	off_t page = (off_t)sysconf(_SC_PAGESIZE), base, len;
	struct map *m;
	int res = 0;

	pthread_mutex_lock(&w->lock);
	m = w->map;
	if (m == NULL || off < m->off ||
	    (uint64_t)(off - m->off) + n > m->len) {
		if (n < COPY_BELOW) {
			res = -EAGAIN;
			goto out;
		}
		base = off / MAP_WINDOW * MAP_WINDOW;
		len = size - base < 2 * MAP_WINDOW ? size - base
						   : 2 * MAP_WINDOW;
		if (len < off - base + (off_t)n)
			len = off - base + (off_t)n;
		len = (len + page - 1) / page * page;
		m = calloc(1, sizeof(*m));
		if (m == NULL) {
			res = -ENOMEM;
			goto out;
		}
		m->off = base;
		m->len = (size_t)len;
		m->addr = mmap(NULL, m->len, PROT_READ, MAP_SHARED, fd, base);
		if (m->addr == MAP_FAILED) {
			res = -errno;
			free(m);
			goto out;
		}
		m->refs = 1;
		/* Reads still copying from the old one keep it alive. */
		map_put(w->map);
		w->map = m;
	}
	__atomic_add_fetch(&w->map->refs, 1, __ATOMIC_ACQ_REL);
	*mp = w->map;
out:
	pthread_mutex_unlock(&w->lock);
	return res;
}

/*
 * Read into a buffer: reads larger than a window, objects with holes, a
 * read under COPY_BELOW outside the window (map_get()'s -EAGAIN: the
 * small-read path), and where mmap is refused.
 */
static int read_copy(int fd, size_t size, off_t off, seg_reply_fn reply,
		     void *ctx)
{
	char *buf = malloc(size ? size : 1);
	ssize_t n;
	int res;

	if (buf == NULL)
		return -ENOMEM;
	n = pread(fd, buf, size, off);
	res = n < 0 ? -errno : reply(ctx, buf, (size_t)n);
	free(buf);
	return res;
}

int map_window_read(struct map_window *w, int fd, size_t size, off_t off,
		    seg_reply_fn reply, void *ctx)
{
	struct map *m = NULL;
	struct stat st;
	size_t n;
	int res;

	/* Only what is there now: past the end a mapping would fault. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (off < 0)
		return -EINVAL;
	if (off >= st.st_size)
		return reply(ctx, NULL, 0);
	n = (uint64_t)(st.st_size - off) < size ? (size_t)(st.st_size - off)
						: size;
	/*
	 * More than a window holds (FUSE asks for 1 MiB at most), or a file
	 * with holes, where a fault through a mapping would allocate the
	 * page (tmpfs): by copy, which reads holes as zeros and leaves them.
	 */
	if (n > (size_t)MAP_WINDOW ||
	    (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size)
		return read_copy(fd, n, off, reply, ctx);

	res = map_get(w, fd, off, n, st.st_size, &m);
	if (res < 0) {
		if (res != -EAGAIN)
			log_debug("mmap: %s, reading by copy\n",
				  strerror(-res));
		return read_copy(fd, n, off, reply, ctx);
	}
	res = reply(ctx, (const char *)m->addr + (off - m->off), n);
	map_put(m);
	return res;
}

void map_window_init(struct map_window *w)
{
	pthread_mutex_init(&w->lock, NULL);
	w->map = NULL;
}

void map_window_free(struct map_window *w)
{
	map_put(w->map);
	w->map = NULL;
	pthread_mutex_destroy(&w->lock);
}
