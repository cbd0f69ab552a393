/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small, faithful equivalent of fsx (the file system exerciser of
 * xfstests and LTP, which Debian does not package): random reads, writes,
 * truncates and close/reopens of one file, each checked against an
 * in-memory model of what the file must hold, with a log of the last
 * operations printed on the first mismatch.
 *
 * Two models: a POSIX object behaves like any file (writes grow it,
 * truncate resizes); a SysV segment keeps its size for life (a write
 * past the end is short, one at or past it fails with ENOSPC, truncate
 * to L zero-fills from L and keeps the size, truncate beyond it is EFBIG).
 *
 * mmap is not exercised: shmfs refuses MAP_SHARED (ENODEV), as fsx -R -W.
 */
#include "stress.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum op_kind { OP_READ, OP_WRITE, OP_TRUNCATE, OP_CLOSEOPEN, OP_NKINDS };
static const char *const op_names[] = { "read", "write", "truncate",
					"closeopen" };

struct logent {
	unsigned long n;
	enum op_kind kind;
	uint64_t off, len; /* truncate: len = new size */
	int64_t result;	   /* bytes or -errno */
};

#define LOGSZ 64

struct fsx {
	const struct fsx_opts *o;
	int fd;
	unsigned char *model;
	unsigned char *buf;
	uint64_t size; /* the model's file size */
	uint64_t cap;
	uint64_t rng;
	unsigned long n;
	struct logent log[LOGSZ];
	unsigned long counts[OP_NKINDS];
	unsigned long short_writes, enospc, efbig;
};

static uint64_t rnd(struct fsx *f)
{
	return stress_rand(&f->rng);
}

/* Offsets and lengths: mostly small, sometimes big, often around the end. */
static uint64_t pick_off(struct fsx *f, uint64_t limit)
{
	uint64_t r = rnd(f);

	if (limit == 0)
		return 0;
	switch (r % 8) {
	case 0: /* at or just around the current end */
		if (f->size > 0)
			return (f->size - 1 + rnd(f) % 3) % limit;
		return 0;
	case 1: /* page boundaries */
		return (rnd(f) % (limit / 4096 + 1)) * 4096 % limit;
	default:
		return rnd(f) % limit;
	}
}

static uint64_t pick_len(struct fsx *f)
{
	uint64_t max = f->o->maxoplen;

	switch (rnd(f) % 4) {
	case 0:
		return 1 + rnd(f) % 16;
	case 1:
		return 1 + rnd(f) % max;
	default:
		return 1 + rnd(f) % (max / 8 + 1);
	}
}

static void record(struct fsx *f, enum op_kind k, uint64_t off, uint64_t len,
		   int64_t result)
{
	struct logent *e = &f->log[f->n % LOGSZ];

	e->n = f->n;
	e->kind = k;
	e->off = off;
	e->len = len;
	e->result = result;
	f->counts[k]++;
}

static void dump_log(struct fsx *f)
{
	unsigned long first = f->n >= LOGSZ ? f->n - LOGSZ + 1 : 1;

	fprintf(stderr, "%s: LOG DUMP (last %lu operations, seed %" PRIu64 "):\n",
		f->o->tag, f->n - first + 1, f->o->seed);
	for (unsigned long i = first; i <= f->n; i++) {
		const struct logent *e = &f->log[i % LOGSZ];

		if (e->n != i)
			continue;
		if (e->kind == OP_TRUNCATE)
			fprintf(stderr, "  %6lu truncate  to 0x%" PRIx64 " -> %" PRId64 "\n",
				e->n, e->len, e->result);
		else if (e->kind == OP_CLOSEOPEN)
			fprintf(stderr, "  %6lu closeopen\n", e->n);
		else
			fprintf(stderr,
				"  %6lu %-9s 0x%" PRIx64 " .. 0x%" PRIx64 " (0x%" PRIx64
				" bytes) -> %" PRId64 "\n",
				e->n, op_names[e->kind], e->off, e->off + e->len - 1, e->len,
				e->result);
	}
}

static int failf(struct fsx *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int failf(struct fsx *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAIL at op %lu: ", f->o->tag, f->n);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump_log(f);
	return -1;
}

static int grow_model(struct fsx *f, uint64_t need)
{
	if (need <= f->cap)
		return 0;
	return failf(f, "model overflow: 0x%" PRIx64 " > maxlen", need);
}

/* Compare N bytes read at OFF with the model; report the first difference. */
static int check_bytes(struct fsx *f, const unsigned char *got, uint64_t off,
		       uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (got[i] != f->model[off + i]) {
			uint64_t j = i;

			while (j < n && got[j] != f->model[off + j])
				j++;
			return failf(f,
				     "data mismatch at 0x%" PRIx64 ": expected 0x%02x, got "
				     "0x%02x (0x%" PRIx64 " bad bytes in a row)",
				     off + i, f->model[off + i], got[i], j - i);
		}
	}
	return 0;
}

static int check_size(struct fsx *f)
{
	struct stat st;

	if (fstat(f->fd, &st) < 0)
		return failf(f, "fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != f->size)
		return failf(f, "size is 0x%jx, model says 0x%" PRIx64,
			     (uintmax_t)st.st_size, f->size);
	return 0;
}

static int do_read(struct fsx *f)
{
	uint64_t off = pick_off(f, f->size + f->o->maxoplen / 4 + 1);
	uint64_t len = pick_len(f);
	uint64_t want = off >= f->size ? 0 : (f->size - off < len ? f->size - off : len);
	ssize_t n = pread(f->fd, f->buf, len, (off_t)off);

	record(f, OP_READ, off, len, n < 0 ? -errno : n);
	if (n < 0)
		return failf(f, "pread(0x%" PRIx64 ", 0x%" PRIx64 "): %s", off, len,
			     strerror(errno));
	if ((uint64_t)n != want)
		return failf(f, "pread(0x%" PRIx64 ", 0x%" PRIx64 ") returned 0x%zx, "
			     "expected 0x%" PRIx64, off, len, (size_t)n, want);
	return check_bytes(f, f->buf, off, want);
}

/*
 * Past a segment's fixed end an operation must fail with WANT (FAILED says
 * whether it did; errno holds why), counted in *COUNT.
 */
static int past_end(struct fsx *f, int failed, int want, unsigned long *count,
		    const char *what)
{
	if (failed && errno == want) {
		(*count)++;
		return 0;
	}
	return failf(f, "%s: expected %s, got %s", what, strerror(want),
		     failed ? strerror(errno) : "success");
}

static int do_write(struct fsx *f)
{
	uint64_t limit = f->o->sysv ? f->size + f->o->maxoplen / 4 + 1 : f->cap;
	uint64_t off = pick_off(f, limit);
	uint64_t len = pick_len(f);
	uint64_t seed = rnd(f);
	ssize_t n;

	if (!f->o->sysv && off + len > f->cap)
		len = f->cap - off;
	if (len == 0)
		len = 1, off = f->cap - 1;
	stress_pattern(f->buf, len, seed, 0);
	n = pwrite(f->fd, f->buf, len, (off_t)off);
	record(f, OP_WRITE, off, len, n < 0 ? -errno : n);
	if (f->o->sysv) {
		if (off >= f->size)
			return past_end(f, n < 0, ENOSPC, &f->enospc,
					"write at/after the end of a segment");
		if (n < 0)
			return failf(f, "pwrite: %s", strerror(errno));
		if ((uint64_t)n != (off + len > f->size ? f->size - off : len))
			return failf(f, "pwrite of 0x%" PRIx64 " at 0x%" PRIx64
				     " returned 0x%zx in a 0x%" PRIx64 "-byte segment",
				     len, off, (size_t)n, f->size);
		if ((uint64_t)n < len)
			f->short_writes++;
		memcpy(f->model + off, f->buf, (size_t)n);
		return 0;
	}
	if (n < 0)
		return failf(f, "pwrite(0x%" PRIx64 ", 0x%" PRIx64 "): %s", off, len,
			     strerror(errno));
	if ((uint64_t)n != len)
		return failf(f, "short pwrite: 0x%zx of 0x%" PRIx64, (size_t)n, len);
	if (grow_model(f, off + len) < 0)
		return -1;
	memcpy(f->model + off, f->buf, len);
	if (off + len > f->size)
		f->size = off + len;
	return 0;
}

static int do_truncate(struct fsx *f)
{
	uint64_t len;
	int r;

	if (f->o->sysv) {
		/* Mostly inside; sometimes exactly the size; sometimes past it. */
		uint64_t k = rnd(f) % 8;

		len = k == 0 ? f->size : k == 1 ? f->size + 1 + rnd(f) % 4096
						: rnd(f) % (f->size + 1);
	} else {
		len = rnd(f) % (f->cap + 1);
	}
	r = ftruncate(f->fd, (off_t)len);
	record(f, OP_TRUNCATE, 0, len, r < 0 ? -errno : 0);
	if (f->o->sysv) {
		if (len > f->size)
			return past_end(f, r < 0, EFBIG, &f->efbig,
					"truncate of a segment past its size");
		if (r < 0)
			return failf(f, "ftruncate(0x%" PRIx64 "): %s", len, strerror(errno));
		memset(f->model + len, 0, f->size - len);
		return 0;
	}
	if (r < 0)
		return failf(f, "ftruncate(0x%" PRIx64 "): %s", len, strerror(errno));
	if (len < f->size)
		memset(f->model + len, 0, f->size - len);
	f->size = len;
	return 0;
}

static int do_closeopen(struct fsx *f)
{
	record(f, OP_CLOSEOPEN, 0, 0, 0);
	if (close(f->fd) < 0)
		return failf(f, "close: %s", strerror(errno));
	f->fd = open(f->o->path, O_RDWR);
	if (f->fd < 0)
		return failf(f, "reopen %s: %s", f->o->path, strerror(errno));
	return 0;
}

/* The model, for a check by an independent witness (soak.sh). */
static int write_model(struct fsx *f)
{
	FILE *m;

	if (f->o->model_out == NULL)
		return 0;
	m = fopen(f->o->model_out, "we");
	if (m != NULL && fwrite(f->model, 1, f->size, m) != f->size) {
		fclose(m);
		m = NULL;
	}
	if (m == NULL || fclose(m) != 0) {
		fprintf(stderr, "%s: writing %s: %s\n", f->o->tag, f->o->model_out,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* The whole file, read back in one pass, against the whole model. */
static int check_all(struct fsx *f)
{
	uint64_t off = 0;

	if (check_size(f) < 0)
		return -1;
	while (off < f->size) {
		uint64_t len = f->size - off < FSX_IO_MAX ? f->size - off : FSX_IO_MAX;
		ssize_t n = pread(f->fd, f->buf, len, (off_t)off);

		if (n <= 0)
			return failf(f, "full read at 0x%" PRIx64 ": %s", off,
				     n < 0 ? strerror(errno) : "unexpected end of file");
		if (check_bytes(f, f->buf, off, (uint64_t)n) < 0)
			return -1;
		off += (uint64_t)n;
	}
	return 0;
}

int fsx_run(const struct fsx_opts *o)
{
	struct fsx f;
	struct stat st;
	int res = -1;

	memset(&f, 0, sizeof(f));
	f.o = o;
	f.rng = o->seed * 0x9E3779B97F4A7C15ULL + 7;
	f.fd = open(o->path, O_RDWR);
	if (f.fd < 0) {
		fprintf(stderr, "%s: open %s: %s\n", o->tag, o->path, strerror(errno));
		return -1;
	}
	if (fstat(f.fd, &st) < 0) {
		fprintf(stderr, "%s: fstat: %s\n", o->tag, strerror(errno));
		goto out;
	}
	f.cap = o->sysv ? (uint64_t)st.st_size : o->maxlen;
	if (o->sysv && f.cap == 0) {
		fprintf(stderr, "%s: a segment of size 0?\n", o->tag);
		goto out;
	}
	f.model = calloc(1, f.cap + 1);
	f.buf = malloc(o->maxoplen > FSX_IO_MAX ? o->maxoplen : FSX_IO_MAX);
	if (f.model == NULL || f.buf == NULL) {
		fprintf(stderr, "%s: out of memory\n", o->tag);
		goto out;
	}
	/* Start from a known state: the file as it is, read once. */
	if (o->sysv) {
		f.size = f.cap;
	} else {
		if (ftruncate(f.fd, 0) < 0) {
			fprintf(stderr, "%s: ftruncate 0: %s\n", o->tag, strerror(errno));
			goto out;
		}
	}
	if (o->sysv) {
		uint64_t off = 0;

		while (off < f.size) {
			ssize_t n = pread(f.fd, f.model + off,
					  f.size - off < FSX_IO_MAX ? f.size - off : FSX_IO_MAX,
					  (off_t)off);
			if (n <= 0) {
				fprintf(stderr, "%s: initial read: %s\n", o->tag,
					n < 0 ? strerror(errno) : "short");
				goto out;
			}
			off += (uint64_t)n;
		}
	}
	for (f.n = 1; f.n <= o->numops || (o->deadline && stress_now() < o->deadline);
	     f.n++) {
		uint64_t r = rnd(&f) % 100;
		int rc;

		if (o->numops == 0 && stress_now() >= o->deadline)
			break;
		if (r < (uint64_t)o->closeopen)
			rc = do_closeopen(&f);
		else if (r < 45)
			rc = do_read(&f);
		else if (r < 85)
			rc = do_write(&f);
		else
			rc = do_truncate(&f);
		if (rc < 0 || check_size(&f) < 0)
			goto out;
		if (f.n % 256 == 0 && check_all(&f) < 0)
			goto out;
	}
	f.n--;
	if (check_all(&f) < 0)
		goto out;
	if (write_model(&f) < 0)
		goto out;
	if (!o->quiet)
		printf("%s: %lu ops OK (read %lu, write %lu, truncate %lu, closeopen %lu; "
		       "short writes %lu, ENOSPC %lu, EFBIG %lu), final size %" PRIu64 "\n",
		       o->tag, f.n, f.counts[OP_READ], f.counts[OP_WRITE],
		       f.counts[OP_TRUNCATE], f.counts[OP_CLOSEOPEN], f.short_writes,
		       f.enospc, f.efbig, f.size);
	res = 0;
out:
	/* Also after a failed check, so that the caller can still compare
	 * the contents with what every successful write put there. */
	if (res < 0)
		write_model(&f);
	if (f.fd >= 0)
		close(f.fd);
	free(f.model);
	free(f.buf);
	return res;
}
