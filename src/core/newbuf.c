// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sparse buffers (newbuf.h), and the budget their chunks come from.  A
 * buffer is a table of the chunks written, by ascending index, searched
 * by bisection; files are mostly written front to back, so a new chunk
 * mostly goes at the table's end.
 */
#include "newbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_BUDGET (64ULL << 20)
#define MAX_LEN \
	((uint64_t)INT64_MAX < SIZE_MAX ? (uint64_t)INT64_MAX : SIZE_MAX)

/* What one uid holds. */
struct share {
	uid_t uid;
	uint64_t bytes;
};

/*
 * LOCK guards the rest.  Taken last (under a buffer's owner's lock), held
 * only to read or change these; no other lock is taken under it.
 * Daemon-wide: the budget is a share of the machine's memory, which every
 * instance's files being created draw from together.
 */
static struct {
	pthread_mutex_t lock;
	uint64_t limit; /* 0: not chosen yet, default_budget() */
	uint64_t in_use;
	struct share *users; /* every uid holding something, in no order */
	size_t nusers, cap;
} budget = { .lock = PTHREAD_MUTEX_INITIALIZER };

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

/* LOCK held. */
static uint64_t limit_locked(void)
{
	if (budget.limit == 0)
		budget.limit = default_budget();
	return budget.limit;
}

static struct share *share_of(uid_t uid)
{
	for (size_t i = 0; i < budget.nusers; i++)
		if (budget.users[i].uid == uid)
			return &budget.users[i];
	return NULL;
}

void newbuf_set_budget(uint64_t bytes)
{
	pthread_mutex_lock(&budget.lock);
	budget.limit = bytes;
	pthread_mutex_unlock(&budget.lock);
}

uint64_t newbuf_budget(void)
{
	uint64_t limit;

	pthread_mutex_lock(&budget.lock);
	limit = limit_locked();
	pthread_mutex_unlock(&budget.lock);
	return limit;
}

uint64_t newbuf_in_use(void)
{
	uint64_t n;

	pthread_mutex_lock(&budget.lock);
	n = budget.in_use;
	pthread_mutex_unlock(&budget.lock);
	return n;
}

uint64_t newbuf_in_use_by(uid_t uid)
{
	struct share *s;
	uint64_t n;

	pthread_mutex_lock(&budget.lock);
	s = share_of(uid);
	n = s != NULL ? s->bytes : 0;
	pthread_mutex_unlock(&budget.lock);
	return n;
}

/*
 * Take BYTES more for UID, or fail with nothing taken: all buffers
 * together stay within the budget, and each uid within half of it, so
 * that the others always have the other half.
 */
static int take(uid_t uid, uint64_t bytes)
{
	struct share *s, *users;
	uint64_t limit;
	int res = 0;

	pthread_mutex_lock(&budget.lock);
	limit = limit_locked();
	s = share_of(uid);
	if (budget.in_use + bytes > limit ||
	    (s != NULL ? s->bytes : 0) + bytes > limit / 2) {
		res = -ENOSPC;
	} else if (s == NULL && budget.nusers == budget.cap) {
		size_t cap = budget.cap ? budget.cap * 2 : 8;

		users = realloc(budget.users, cap * sizeof(*users));
		if (users == NULL) {
			res = -ENOMEM;
		} else {
			budget.users = users;
			budget.cap = cap;
		}
	}
	if (res == 0) {
		if (s == NULL) {
			s = &budget.users[budget.nusers++];
			*s = (struct share){ uid, 0 };
		}
		s->bytes += bytes;
		budget.in_use += bytes;
	}
	pthread_mutex_unlock(&budget.lock);
	return res;
}

/* Give back BYTES that UID took; a uid holding nothing is forgotten. */
static void give(uid_t uid, uint64_t bytes)
{
	struct share *s;

	if (bytes == 0)
		return;
	pthread_mutex_lock(&budget.lock);
	s = share_of(uid);
	if (s != NULL) {
		s->bytes -= bytes;
		if (s->bytes == 0)
			*s = budget.users[--budget.nusers];
	}
	budget.in_use -= bytes;
	pthread_mutex_unlock(&budget.lock);
}

struct newbuf_chunk {
	uint64_t idx; /* holds [idx, idx + 1) * NEWBUF_CHUNK */
	char *p;      /* NEWBUF_CHUNK bytes; those at or past len are zeros */
};

void newbuf_init(struct newbuf *b, uid_t uid)
{
	memset(b, 0, sizeof(*b));
	b->uid = uid;
}

/* The position of the first chunk of index IDX or more. */
static size_t lower_bound(const struct newbuf *b, uint64_t idx)
{
	size_t lo = 0, hi = b->nchunks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->chunks[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int grow_table(struct newbuf *b, size_t need)
{
	struct newbuf_chunk *c;
	size_t cap = b->cap ? b->cap : 16;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	c = realloc(b->chunks, cap * sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	b->chunks = c;
	b->cap = cap;
	return 0;
}

/*
 * Make every chunk of [FIRST, LAST] exist, taking the missing ones from
 * the budget: all of them, or none (nothing is half-taken).
 */
static int add_chunks(struct newbuf *b, uint64_t first, uint64_t last)
{
	size_t pos = lower_bound(b, first), end = pos, range, missing, made = 0;
	char **fresh;
	int res;

	while (end < b->nchunks && b->chunks[end].idx <= last)
		end++;
	range = (size_t)(last - first + 1);
	missing = range - (end - pos);
	if (missing == 0)
		return 0;
	res = take(b->uid, (uint64_t)missing * NEWBUF_CHUNK);
	if (res < 0)
		return res;
	res = -ENOMEM;
	fresh = malloc(missing * sizeof(*fresh));
	if (fresh == NULL || grow_table(b, b->nchunks + missing) < 0)
		goto err_free;
	for (; made < missing; made++) {
		fresh[made] = calloc(1, NEWBUF_CHUNK);
		if (fresh[made] == NULL)
			goto err_free;
	}
	/*
	 * Those past the range move up; the range is then filled from its
	 * end, with the chunks it had and the fresh ones: each old one moves
	 * up or stays, never onto one not yet moved.
	 */
	memmove(b->chunks + end + missing, b->chunks + end,
		(b->nchunks - end) * sizeof(*b->chunks));
	for (size_t w = pos + range, old = end; w-- > pos;) {
		uint64_t idx = first + (w - pos);

		if (old > pos && b->chunks[old - 1].idx == idx)
			b->chunks[w] = b->chunks[--old];
		else
			b->chunks[w] =
				(struct newbuf_chunk){ idx, fresh[--made] };
	}
	b->nchunks += missing;
	free(fresh);
	return 0;

err_free:
	while (made > 0)
		free(fresh[--made]);
	free(fresh);
	give(b->uid, (uint64_t)missing * NEWBUF_CHUNK);
	return res;
}

int newbuf_write(struct newbuf *b, const void *data, size_t size, uint64_t off)
{
	const char *src = data;
	size_t i;
	int res;

	/* No file is larger than off_t, nor a segment than size_t. */
	if (off > MAX_LEN || size > MAX_LEN - off)
		return -EFBIG;
	if (size == 0)
		return 0;
	res = add_chunks(b, off / NEWBUF_CHUNK,
			 (off + size - 1) / NEWBUF_CHUNK);
	if (res < 0)
		return res;
	if (off + size > b->len)
		b->len = off + size;
	/* add_chunks() made them all: one after the other from I. */
	for (i = lower_bound(b, off / NEWBUF_CHUNK); size > 0; i++) {
		size_t in = off % NEWBUF_CHUNK;
		size_t n = NEWBUF_CHUNK - in < size ? NEWBUF_CHUNK - in : size;

		memcpy(b->chunks[i].p + in, src, n);
		src += n;
		off += n;
		size -= n;
	}
	return 0;
}

size_t newbuf_read(const struct newbuf *b, void *dst, size_t size, uint64_t off)
{
	char *out = dst;
	size_t done = 0, i;

	if (off >= b->len)
		return 0;
	if (size > b->len - off)
		size = (size_t)(b->len - off);
	for (i = lower_bound(b, off / NEWBUF_CHUNK); done < size;) {
		uint64_t idx = off / NEWBUF_CHUNK;
		size_t in = off % NEWBUF_CHUNK;
		size_t n = NEWBUF_CHUNK - in;

		if (n > size - done)
			n = size - done;
		if (i < b->nchunks && b->chunks[i].idx == idx)
			memcpy(out + done, b->chunks[i++].p + in, n);
		else
			memset(out + done, 0, n);
		done += n;
		off += n;
	}
	return done;
}

void newbuf_shrink(struct newbuf *b, uint64_t size)
{
	uint64_t whole = size / NEWBUF_CHUNK;
	size_t keep, i;

	if (size >= b->len)
		return;
	b->len = size;
	/* What was written once and cut off must not come back. */
	keep = lower_bound(b, whole + (size % NEWBUF_CHUNK != 0));
	for (i = keep; i < b->nchunks; i++)
		free(b->chunks[i].p);
	give(b->uid, (uint64_t)(b->nchunks - keep) * NEWBUF_CHUNK);
	b->nchunks = keep;
	if (keep > 0 && b->chunks[keep - 1].idx == whole)
		memset(b->chunks[keep - 1].p + size % NEWBUF_CHUNK, 0,
		       NEWBUF_CHUNK - size % NEWBUF_CHUNK);
	if (keep == 0) {
		free(b->chunks);
		b->chunks = NULL;
		b->cap = 0;
	}
}

uint64_t newbuf_held(const struct newbuf *b)
{
	return (uint64_t)b->nchunks * NEWBUF_CHUNK;
}

/* The piece of at most GRAN bytes at AT, before END. */
static size_t piece(size_t at, size_t end, size_t gran)
{
	return gran < end - at ? gran : end - at;
}

static int all_zero(const char *p, size_t n)
{
	return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

int newbuf_each(const struct newbuf *b, size_t gran,
		int (*fn)(void *ctx, uint64_t off, const void *data,
			  size_t len),
		void *ctx)
{
	if (gran == 0 || gran > NEWBUF_CHUNK || NEWBUF_CHUNK % gran != 0)
		gran = NEWBUF_CHUNK;
	for (size_t i = 0; i < b->nchunks; i++) {
		uint64_t base = b->chunks[i].idx * NEWBUF_CHUNK;
		size_t end = b->len - base < NEWBUF_CHUNK
				     ? (size_t)(b->len - base)
				     : NEWBUF_CHUNK;
		const char *p = b->chunks[i].p;

		/* Runs of pieces that are not all zero, each in one call. */
		for (size_t at = 0, run; at < end; at = run) {
			int res;

			if (all_zero(p + at, piece(at, end, gran))) {
				run = at + gran;
				continue;
			}
			for (run = at + gran; run < end; run += gran)
				if (all_zero(p + run, piece(run, end, gran)))
					break;
			if (run > end)
				run = end;
			res = fn(ctx, base + at, p + at, run - at);
			if (res != 0)
				return res;
		}
	}
	return 0;
}

void newbuf_free(struct newbuf *b)
{
	for (size_t i = 0; i < b->nchunks; i++)
		free(b->chunks[i].p);
	give(b->uid, newbuf_held(b));
	free(b->chunks);
	newbuf_init(b, b->uid);
}
