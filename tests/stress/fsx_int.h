/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of fsx (fsx.c, fsx_copy.c) share. */
#ifndef SHMFS_FSX_INT_H
#define SHMFS_FSX_INT_H

#include <stdint.h>

#include "stress.h"

enum op_kind {
	OP_READ,
	OP_WRITE,
	OP_TRUNCATE,
	OP_CLOSEOPEN,
	OP_COPYRANGE, /* copy_file_range within the file: fsx_copy.c */
	OP_SENDFILE,  /* a read by sendfile, through the page cache */
	OP_NKINDS
};

struct logent {
	unsigned long n;
	enum op_kind kind;
	uint64_t off, len; /* truncate: len = new size */
	uint64_t to;	   /* copyrange: where to */
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
	int scratch; /* sendfile's target, a memfd */
};

uint64_t fsx_rnd(struct fsx *f);
uint64_t fsx_pick_off(struct fsx *f, uint64_t limit);
uint64_t fsx_pick_len(struct fsx *f);
void fsx_record(struct fsx *f, enum op_kind k, uint64_t off, uint64_t len,
		int64_t result);
int fsx_fail(struct fsx *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fsx_check_bytes(struct fsx *f, const unsigned char *got, uint64_t off,
		    uint64_t n);
int fsx_past_end(struct fsx *f, int failed, int want, unsigned long *count,
		 const char *what);

/* fsx_copy.c */
int fsx_copyrange(struct fsx *f);
int fsx_sendfile(struct fsx *f);

#endif
