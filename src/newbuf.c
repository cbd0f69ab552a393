// SPDX-License-Identifier: GPL-2.0-or-later
#include "newbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_BUDGET (64ULL << 20)

static uint64_t budget;
static uint64_t in_use; /* capacity of all buffers */

/* An eighth of the memory, and never less than a 64 MiB dd needs. */
static uint64_t default_budget(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long page = sysconf(_SC_PAGESIZE);
	uint64_t b;

	if (pages <= 0 || page <= 0)
		return MIN_BUDGET;
	b = (uint64_t)pages * (uint64_t)page / 8;
	return b > MIN_BUDGET ? b : MIN_BUDGET;
}

void newbuf_set_budget(uint64_t bytes)
{
	__atomic_store_n(&budget, bytes, __ATOMIC_RELAXED);
}

uint64_t newbuf_in_use(void)
{
	return __atomic_load_n(&in_use, __ATOMIC_RELAXED);
}

/* Read afresh: an administrator may raise it while we run. */
static uint64_t shmmax(void)
{
	unsigned long long v = SIZE_MAX;
	FILE *f = fopen("/proc/sys/kernel/shmmax", "re");

	if (f != NULL) {
		if (fscanf(f, "%llu", &v) != 1)
			v = SIZE_MAX;
		fclose(f);
	}
	return v;
}

/* Take GROW more bytes from the budget, or fail with nothing taken. */
static int take(uint64_t grow)
{
	uint64_t limit = __atomic_load_n(&budget, __ATOMIC_RELAXED);
	uint64_t now = __atomic_add_fetch(&in_use, grow, __ATOMIC_ACQ_REL);

	if (limit == 0) {
		limit = default_budget();
		newbuf_set_budget(limit);
	}
	if (now <= limit)
		return 0;
	__atomic_sub_fetch(&in_use, grow, __ATOMIC_ACQ_REL);
	return -ENOSPC;
}

static int reserve(struct newbuf *b, uint64_t end)
{
	uint64_t cap;
	char *p;
	int res;

	if (end <= b->cap)
		return 0;
	if (end > SIZE_MAX / 2 || end > shmmax())
		return -EFBIG;
	cap = b->cap ? b->cap : 4096;
	while (cap < end)
		cap *= 2;
	res = take(cap - b->cap);
	if (res < 0 && end < cap) {
		/* Tight on budget: ask for just what is needed. */
		cap = end;
		res = take(cap - b->cap);
	}
	if (res < 0)
		return res;
	p = realloc(b->p, cap);
	if (p == NULL) {
		__atomic_sub_fetch(&in_use, cap - b->cap, __ATOMIC_ACQ_REL);
		return -ENOMEM;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int newbuf_write(struct newbuf *b, const void *data, size_t size, uint64_t off)
{
	int res;

	if (off > SIZE_MAX || size > SIZE_MAX - off)
		return -EFBIG;
	res = reserve(b, off + size);
	if (res < 0)
		return res;
	/* What was written once and cut off by a shrink must not come back. */
	if (off > b->len)
		memset(b->p + b->len, 0, off - b->len);
	memcpy(b->p + off, data, size);
	if (off + size > b->len)
		b->len = off + size;
	return 0;
}

void newbuf_shrink(struct newbuf *b, uint64_t size)
{
	if (size < b->len)
		b->len = size;
}

void newbuf_free(struct newbuf *b)
{
	if (b->cap > 0)
		__atomic_sub_fetch(&in_use, b->cap, __ATOMIC_ACQ_REL);
	free(b->p);
	memset(b, 0, sizeof(*b));
}
