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
#include "fsx_int.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const op_names[OP_NKINDS] = {
	"read", "write", "truncate", "closeopen", "copyrange", "sendfile",
};

uint64_t fsx_rnd(struct fsx *f)
{
	return stress_rand(&f->rng);
}

/* Offsets and lengths: mostly small, sometimes big, often around the end. */
uint64_t fsx_pick_off(struct fsx *f, uint64_t limit)
{
	uint64_t r = fsx_rnd(f);

	if (limit == 0)
		return 0;
	switch (r % 8) {
	case 0: /* at or just around the current end */
		if (f->size > 0)
			return (f->size - 1 + fsx_rnd(f) % 3) % limit;
		return 0;
	case 1: /* page boundaries */
		return (fsx_rnd(f) % (limit / 4096 + 1)) * 4096 % limit;
	default:
		return fsx_rnd(f) % limit;
	}
}

uint64_t fsx_pick_len(struct fsx *f)
{
	uint64_t max = f->o->maxoplen;

	switch (fsx_rnd(f) % 4) {
	case 0:
		return 1 + fsx_rnd(f) % 16;
	case 1:
		return 1 + fsx_rnd(f) % max;
	default:
		return 1 + fsx_rnd(f) % (max / 8 + 1);
	}
}

void fsx_record(struct fsx *f, enum op_kind k, uint64_t off, uint64_t len,
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
		else if (e->kind == OP_COPYRANGE)
			fprintf(stderr,
				"  %6lu copyrange 0x%" PRIx64 " -> 0x%" PRIx64
				" (0x%" PRIx64 " bytes) -> %" PRId64 "\n",
				e->n, e->off, e->to, e->len, e->result);
		else
			fprintf(stderr,
				"  %6lu %-9s 0x%" PRIx64 " .. 0x%" PRIx64 " (0x%" PRIx64
				" bytes) -> %" PRId64 "\n",
				e->n, op_names[e->kind], e->off, e->off + e->len - 1, e->len,
				e->result);
	}
}

int fsx_fail(struct fsx *f, const char *fmt, ...)
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
	return fsx_fail(f, "model overflow: 0x%" PRIx64 " > maxlen", need);
}

/* Compare N bytes read at OFF with the model; report the first difference. */
int fsx_check_bytes(struct fsx *f, const unsigned char *got, uint64_t off,
		       uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (got[i] != f->model[off + i]) {
			uint64_t j = i;

			while (j < n && got[j] != f->model[off + j])
				j++;
			return fsx_fail(f,
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
		return fsx_fail(f, "fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != f->size)
		return fsx_fail(f, "size is 0x%jx, model says 0x%" PRIx64,
			     (uintmax_t)st.st_size, f->size);
	return 0;
}

static int do_read(struct fsx *f)
{
	uint64_t off = fsx_pick_off(f, f->size + f->o->maxoplen / 4 + 1);
	uint64_t len = fsx_pick_len(f);
	uint64_t want = off >= f->size ? 0 : (f->size - off < len ? f->size - off : len);
	ssize_t n = pread(f->fd, f->buf, len, (off_t)off);

	fsx_record(f, OP_READ, off, len, n < 0 ? -errno : n);
	if (n < 0)
		return fsx_fail(f, "pread(0x%" PRIx64 ", 0x%" PRIx64 "): %s", off, len,
			     strerror(errno));
	if ((uint64_t)n != want)
		return fsx_fail(f, "pread(0x%" PRIx64 ", 0x%" PRIx64 ") returned 0x%zx, "
			     "expected 0x%" PRIx64, off, len, (size_t)n, want);
	return fsx_check_bytes(f, f->buf, off, want);
}

/*
 * Past a segment's fixed end an operation must fail with WANT (FAILED says
 * whether it did; errno holds why), counted in *COUNT.
 */
int fsx_past_end(struct fsx *f, int failed, int want, unsigned long *count,
		    const char *what)
{
	if (failed && errno == want) {
		(*count)++;
		return 0;
	}
	return fsx_fail(f, "%s: expected %s, got %s", what, strerror(want),
		     failed ? strerror(errno) : "success");
}

static int do_write(struct fsx *f)
{
	uint64_t limit = f->o->sysv ? f->size + f->o->maxoplen / 4 + 1 : f->cap;
	uint64_t off = fsx_pick_off(f, limit);
	uint64_t len = fsx_pick_len(f);
	uint64_t seed = fsx_rnd(f);
	ssize_t n;

	if (!f->o->sysv && off + len > f->cap)
		len = f->cap - off;
	if (len == 0)
		len = 1, off = f->cap - 1;
	stress_pattern(f->buf, len, seed, 0);
	n = pwrite(f->fd, f->buf, len, (off_t)off);
	fsx_record(f, OP_WRITE, off, len, n < 0 ? -errno : n);
	if (f->o->sysv) {
		if (off >= f->size)
			return fsx_past_end(f, n < 0, ENOSPC, &f->enospc,
					"write at/after the end of a segment");
		if (n < 0)
			return fsx_fail(f, "pwrite: %s", strerror(errno));
		if ((uint64_t)n != (off + len > f->size ? f->size - off : len))
			return fsx_fail(f, "pwrite of 0x%" PRIx64 " at 0x%" PRIx64
				     " returned 0x%zx in a 0x%" PRIx64 "-byte segment",
				     len, off, (size_t)n, f->size);
		if ((uint64_t)n < len)
			f->short_writes++;
		memcpy(f->model + off, f->buf, (size_t)n);
		return 0;
	}
	if (n < 0)
		return fsx_fail(f, "pwrite(0x%" PRIx64 ", 0x%" PRIx64 "): %s", off, len,
			     strerror(errno));
	if ((uint64_t)n != len)
		return fsx_fail(f, "short pwrite: 0x%zx of 0x%" PRIx64, (size_t)n, len);
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
		uint64_t k = fsx_rnd(f) % 8;

		len = k == 0 ? f->size : k == 1 ? f->size + 1 + fsx_rnd(f) % 4096
						: fsx_rnd(f) % (f->size + 1);
	} else {
		len = fsx_rnd(f) % (f->cap + 1);
	}
	r = ftruncate(f->fd, (off_t)len);
	fsx_record(f, OP_TRUNCATE, 0, len, r < 0 ? -errno : 0);
	if (f->o->sysv) {
		if (len > f->size)
			return fsx_past_end(f, r < 0, EFBIG, &f->efbig,
					"truncate of a segment past its size");
		if (r < 0)
			return fsx_fail(f, "ftruncate(0x%" PRIx64 "): %s", len, strerror(errno));
		memset(f->model + len, 0, f->size - len);
		return 0;
	}
	if (r < 0)
		return fsx_fail(f, "ftruncate(0x%" PRIx64 "): %s", len, strerror(errno));
	if (len < f->size)
		memset(f->model + len, 0, f->size - len);
	f->size = len;
	return 0;
}

static int do_closeopen(struct fsx *f)
{
	fsx_record(f, OP_CLOSEOPEN, 0, 0, 0);
	if (close(f->fd) < 0)
		return fsx_fail(f, "close: %s", strerror(errno));
	f->fd = open(f->o->path, O_RDWR);
	if (f->fd < 0)
		return fsx_fail(f, "reopen %s: %s", f->o->path, strerror(errno));
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
			return fsx_fail(f, "full read at 0x%" PRIx64 ": %s", off,
				     n < 0 ? strerror(errno) : "unexpected end of file");
		if (fsx_check_bytes(f, f->buf, off, (uint64_t)n) < 0)
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
	f.scratch = -1;
	if (o->sendfile > 0 && (f.scratch = memfd_create("fsx", MFD_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: memfd_create: %s\n", o->tag, strerror(errno));
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
		uint64_t r = fsx_rnd(&f) % 100;
		int rc;

		if (o->numops == 0 && stress_now() >= o->deadline)
			break;
		if (r < (uint64_t)o->closeopen)
			rc = do_closeopen(&f);
		else if (r < (uint64_t)(o->closeopen + o->copyrange))
			rc = fsx_copyrange(&f);
		else if (r < (uint64_t)(o->closeopen + o->copyrange + o->sendfile))
			rc = fsx_sendfile(&f);
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
		       "short writes %lu, ENOSPC %lu, EFBIG %lu), final size %" PRIu64
		       ", copyrange %lu, sendfile %lu\n",
		       o->tag, f.n, f.counts[OP_READ], f.counts[OP_WRITE],
		       f.counts[OP_TRUNCATE], f.counts[OP_CLOSEOPEN], f.short_writes,
		       f.enospc, f.efbig, f.size, f.counts[OP_COPYRANGE],
		       f.counts[OP_SENDFILE]);
	res = 0;
out:
	/* Also after a failed check, so that the caller can still compare
	 * the contents with what every successful write put there. */
	if (res < 0)
		write_model(&f);
	if (f.fd >= 0)
		close(f.fd);
	if (f.scratch >= 0)
		close(f.scratch);
	free(f.model);
	free(f.buf);
	return res;
}
