/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the parts of shmstress, the load generator of the mount tests. */
#ifndef SHMSTRESS_H
#define SHMSTRESS_H

#include <stddef.h>
#include <stdint.h>

#define FSX_IO_MAX (1u << 20)

uint64_t stress_rand(uint64_t *state);
double stress_now(void);
/* Bytes [START, START+LEN) of the endless pattern of SEED. */
void stress_pattern(unsigned char *buf, size_t len, uint64_t seed, uint64_t start);

struct fsx_opts {
	const char *path;
	const char *tag;       /* prefix of every message */
	int sysv;              /* fixed-size segment rules */
	uint64_t seed;
	unsigned long numops;  /* 0: until deadline */
	double deadline;       /* stress_now() value; 0: none */
	uint64_t maxlen;       /* POSIX: largest file size */
	uint64_t maxoplen;     /* largest read or write */
	const char *model_out; /* where to write the final model, or NULL */
	int closeopen;         /* percent of operations that close and reopen */
	int copyrange;         /* ... that copy_file_range within the file */
	int sendfile;          /* ... that read by sendfile (the page cache) */
	int quiet;
};

/* 0 if every operation matched the model; else -1, after a log dump. */
int fsx_run(const struct fsx_opts *o);

#endif
