// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command line (also what mount(8) and fstab hand over): the input is
 * split at NUL bytes into arguments after "shmfs".  Whatever it says, the
 * parser must not crash or leak, and never keep more than two positionals.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define CHECK(c) ((c) ? (void)0 : abort())
#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2];
	char *buf = malloc(size + 1);
	int argc = 0;
	struct fuse_args args;
	struct shmfs_opts opts;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "shmfs";
	for (char *p = buf; p <= buf + size && argc < MAX_ARGS + 1;) {
		argv[argc++] = p;
		p += strlen(p) + 1;
	}
	argv[argc] = NULL;
	args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	memset(&opts, 0, sizeof(opts));
	if (opts_parse(&args, &opts) == 0)
		CHECK(opts.npos >= 0 && opts.npos <= 2);
	opts_free(&opts);
	fuse_opt_free_args(&args);
	free(buf);
	return 0;
}
