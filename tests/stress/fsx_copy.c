/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations of fsx that the kernel may serve through its page cache
 * even for a direct-I/O file: copy_file_range(2) between two ranges of the
 * file, and reads by sendfile(2) (into a memfd).  The combination with a
 * segment's zero-filling truncate is what found stale pages in shmfs.
 */
#include "fsx_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

/* What the kernel copies at most: up to the end, as it knows the size. */
static uint64_t copy_count(const struct fsx *f, uint64_t in, uint64_t len)
{
	return in >= f->size ? 0 : f->size - in < len ? f->size - in : len;
}

int fsx_copyrange(struct fsx *f)
{
	uint64_t limit = f->size + f->o->maxoplen / 4 + 1;
	uint64_t in = fsx_pick_off(f, limit), out = fsx_pick_off(f, limit);
	uint64_t len = fsx_pick_len(f), count, want;
	loff_t off_in, off_out;
	ssize_t n;

	if (!f->o->sysv && out >= f->cap)
		out = f->cap - 1;
	count = copy_count(f, in, len);
	want = count;
	/* Past a segment's fixed end the copy is short; a POSIX object is
	 * kept within the model's room. */
	if (f->o->sysv && out < f->size && out + want > f->size)
		want = f->size - out;
	if (!f->o->sysv && out + want > f->cap)
		want = f->cap - out, len = want, count = copy_count(f, in, len);
	off_in = (loff_t)in;
	off_out = (loff_t)out;
	n = copy_file_range(f->fd, &off_in, f->fd, &off_out, len, 0);
	fsx_record(f, OP_COPYRANGE, in, len, n < 0 ? -errno : n);
	f->log[f->n % LOGSZ].to = out;
	if (count == 0)
		return n == 0 ? 0
			      : fsx_fail(f, "copy from at/past the end: expected 0, got %zd (%s)",
					 n, n < 0 ? strerror(errno) : "bytes");
	/* One file's overlapping ranges are refused. */
	if (in < out + count && out < in + count)
		return n < 0 && errno == EINVAL
			       ? 0
			       : fsx_fail(f, "overlapping copy: expected EINVAL, got %s",
					  n < 0 ? strerror(errno) : "success");
	if (f->o->sysv && out >= f->size)
		return fsx_past_end(f, n < 0, ENOSPC, &f->enospc,
				    "copy to at/after the end of a segment");
	if (n < 0)
		return fsx_fail(f, "copy_file_range(0x%" PRIx64 " -> 0x%" PRIx64
				", 0x%" PRIx64 "): %s", in, out, len, strerror(errno));
	/* A short copy is allowed (callers repeat), an empty one is not. */
	if ((uint64_t)n > want || n == 0)
		return fsx_fail(f, "copy_file_range(0x%" PRIx64 " -> 0x%" PRIx64
				", 0x%" PRIx64 ") copied 0x%zx, expected up to 0x%" PRIx64,
				in, out, len, (size_t)n, want);
	memmove(f->model + out, f->model + in, (size_t)n);
	if (out + (uint64_t)n > f->size)
		f->size = out + (uint64_t)n;
	return 0;
}

int fsx_sendfile(struct fsx *f)
{
	uint64_t off = fsx_pick_off(f, f->size + f->o->maxoplen / 4 + 1);
	uint64_t len = fsx_pick_len(f);
	uint64_t want = off >= f->size ? 0 : (f->size - off < len ? f->size - off : len);
	off_t pos = (off_t)off;
	ssize_t n, got;

	if (ftruncate(f->scratch, 0) < 0 || lseek(f->scratch, 0, SEEK_SET) < 0)
		return fsx_fail(f, "memfd: %s", strerror(errno));
	n = sendfile(f->scratch, f->fd, &pos, len);
	fsx_record(f, OP_SENDFILE, off, len, n < 0 ? -errno : n);
	if (n < 0)
		return fsx_fail(f, "sendfile(0x%" PRIx64 ", 0x%" PRIx64 "): %s", off, len,
				strerror(errno));
	if ((uint64_t)n != want)
		return fsx_fail(f, "sendfile(0x%" PRIx64 ", 0x%" PRIx64 ") moved 0x%zx, "
				"expected 0x%" PRIx64, off, len, (size_t)n, want);
	got = pread(f->scratch, f->buf, (size_t)n, 0);
	if (got != n)
		return fsx_fail(f, "memfd read: %s", got < 0 ? strerror(errno) : "short");
	return fsx_check_bytes(f, f->buf, off, want);
}
