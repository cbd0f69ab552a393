/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bytes written to a SysV file before its segment exists.  They live
 * in the daemon, so they are held sparsely, in chunks of NEWBUF_CHUNK
 * bytes that exist only where something was written (a hole reads as
 * zeros and costs nothing), and the chunks of all buffers together come
 * from one budget, a share of the machine's memory.  No uid may hold more
 * than half of it, so that no user can lock the others out of the daemon
 * that serves everyone.
 *
 * A buffer is its owner's to lock (sysv_new_int.h: the entry's lock); the
 * budget has a lock of its own, taken last and held for a few
 * instructions.
 */
#ifndef SHMFS_NEWBUF_H
#define SHMFS_NEWBUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NEWBUF_CHUNK (64 * 1024)

struct newbuf_chunk;

struct newbuf {
	uint64_t len;		     /* bytes [0, len) are the file */
	uid_t uid;		     /* whose share the chunks are taken from */
	struct newbuf_chunk *chunks; /* by ascending index, NCHUNKS of them */
	size_t nchunks, cap;
};

/* An empty buffer whose chunks count against UID's share. */
void newbuf_init(struct newbuf *b, uid_t uid);
/*
 * Write SIZE bytes at OFF; what lies between the end and OFF reads as 0.
 * -ENOSPC (the budget, or UID's share of it), -ENOMEM, -EFBIG (past what
 * an off_t or a size_t holds) with nothing changed.
 */
int newbuf_write(struct newbuf *b, const void *data, size_t size, uint64_t off);
/* Copy up to SIZE bytes at OFF into DST, holes as zeros; how many. */
size_t newbuf_read(const struct newbuf *b, void *dst, size_t size,
		   uint64_t off);
/* Only shrinks: a file that grows by truncate becomes a segment instead. */
void newbuf_shrink(struct newbuf *b, uint64_t size);
/* Bytes of memory the chunks of B take. */
uint64_t newbuf_held(const struct newbuf *b);
/*
 * FN(CTX, OFF, DATA, LEN) for each run of bytes B holds, in order, leaving
 * out each aligned piece of GRAN bytes (a power of two no larger than a
 * chunk) that is all zeros; stops at FN's first non-zero return.
 */
int newbuf_each(const struct newbuf *b, size_t gran,
		int (*fn)(void *ctx, uint64_t off, const void *data,
			  size_t len),
		void *ctx);
void newbuf_free(struct newbuf *b);

/* The budget for all buffers together, in bytes (0: the default); for tests. */
void newbuf_set_budget(uint64_t bytes);
uint64_t newbuf_budget(void);
/* Bytes of the budget in use, by everyone and by UID. */
uint64_t newbuf_in_use(void);
uint64_t newbuf_in_use_by(uid_t uid);

#endif
