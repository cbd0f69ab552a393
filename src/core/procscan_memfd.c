// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memfds in the holder map: which process holds each, and how to reach
 * it again (a descriptor, or a mapping).  Only files on the kernel's own
 * shm mounts whose path names a memfd are kept, so other kinds pay only a
 * look at the path of what is on those mounts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "procscan_int.h"

int procscan_memfd_add(struct build *b, uint64_t dev, uint64_t ino, int fd,
		       uint64_t start, uint64_t end, const char *path)
{
	struct procscan_map *m = b->m;
	struct procscan_memfd *v,
		*last = m->nmf > 0 ? &m->mf[m->nmf - 1] : NULL;
	const char *name;
	size_t len;
	char *p;

	if (path == NULL || (name = procscan_memfd_path(path, &len)) == NULL)
		return 0;
	/* Mapped again, or mapped and then held: one entry, by fd if any. */
	if (last != NULL && last->pid == b->pid && last->dev == dev &&
	    last->ino == ino) {
		if (last->fd < 0 && fd >= 0)
			last->fd = fd;
		return 0;
	}
	if (m->nmf >= PROCSCAN_MEMFDS_MAX) {
		b->full = 1;
		return 0;
	}
	v = grow(m->mf, &m->mfcap, m->nmf + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	m->mf = v;
	p = grow(m->names, &m->names_cap, m->names_len + len + 1, 1);
	if (p == NULL)
		return -ENOMEM;
	m->names = p;
	memcpy(p + m->names_len, name, len);
	p[m->names_len + len] = '\0';
	m->mf[m->nmf++] = (struct procscan_memfd){
		.dev = dev,
		.ino = ino,
		.start = fd < 0 ? start : 0,
		.end = fd < 0 ? end : 0,
		.pid = b->pid,
		.fd = fd,
		.name = (uint32_t)m->names_len,
	};
	m->names_len += len + 1;
	return 0;
}

static int by_memfd(const void *a, const void *b)
{
	const struct procscan_memfd *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if ((x->fd < 0) != (y->fd < 0))
		return x->fd < 0 ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

void procscan_memfd_tidy(struct procscan_map *m)
{
	size_t out = 0;

	if (m->nmf < 2)
		return;
	qsort(m->mf, m->nmf, sizeof(*m->mf), by_memfd);
	/* A process that maps one and holds it by descriptor too, elsewhere
	 * in its maps: once, by the descriptor (sorted first). */
	for (size_t i = 0; i < m->nmf; i++) {
		int dup = 0;

		for (size_t j = out; j-- > 0 && m->mf[j].dev == m->mf[i].dev &&
				     m->mf[j].ino == m->mf[i].ino;)
			if (m->mf[j].pid == m->mf[i].pid) {
				dup = 1;
				break;
			}
		if (!dup)
			m->mf[out++] = m->mf[i];
	}
	m->nmf = out;
}
