/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An open file's reads, from a window of the file mapped around the bytes
 * asked for: at most 2 x MAP_WINDOW (8 MiB) of address space a file,
 * whatever the offsets and the size, which are other users' to choose.
 */
#ifndef SHMFS_WINDOW_H
#define SHMFS_WINDOW_H

#include <pthread.h>
#include <sys/types.h>

#include "seg.h"

#define MAP_WINDOW ((off_t)4 << 20)

struct map;
struct map_window {
	pthread_mutex_t lock; /* guards map */
	struct map *map;
};

void map_window_init(struct map_window *w);
void map_window_free(struct map_window *w);
/* Read like pread(FD), replying from the mapping; the file's size counts. */
int map_window_read(struct map_window *w, int fd, size_t size, off_t off,
		    seg_reply_fn reply, void *ctx);

#endif
