/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bytes written to a SysV file before its segment exists.  They live
 * in the daemon, so they are bounded: by shmmax (the segment could not be
 * made larger), and all of them together by a share of the machine's
 * memory, so that no user can exhaust the daemon that serves everyone.
 */
#ifndef SHMFS_NEWBUF_H
#define SHMFS_NEWBUF_H

#include <stddef.h>
#include <stdint.h>

struct newbuf {
	char *p;
	size_t len; /* bytes [0, len) are the file; the rest is not */
	size_t cap;
};

/* Write SIZE bytes at OFF; what lies between the end and OFF reads as 0. */
int newbuf_write(struct newbuf *b, const void *data, size_t size, uint64_t off);
/* Only shrinks: a file that grows by truncate becomes a segment instead. */
void newbuf_shrink(struct newbuf *b, uint64_t size);
void newbuf_free(struct newbuf *b);

/* The budget for all buffers together, in bytes; for tests. */
void newbuf_set_budget(uint64_t bytes);
uint64_t newbuf_in_use(void);

#endif
