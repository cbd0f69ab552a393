/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line: shmfs's own options, and what goes on to libfuse. */
#ifndef SHMFS_OPTS_H
#define SHMFS_OPTS_H

#include "config.h"

#include <fuse_opt.h>

#include "fs.h" /* enum shmfs_passthrough */

struct shmfs_opts {
	char *pos[2]; /* [source] mountpoint */
	int npos;
	int allow_other;
	char *posix_dir;
	char *ipc_ns;
	int kernel_cache;
	enum shmfs_passthrough passthrough;
};

/* Takes our options out of ARGS; libfuse's stay.  -1 on a bad line. */
int opts_parse(struct fuse_args *args, struct shmfs_opts *opts);
/* The mount point, or NULL; and the source, if one was given. */
const char *opts_mountpoint(const struct shmfs_opts *opts);
const char *opts_source(const struct shmfs_opts *opts);
void opts_free(struct shmfs_opts *opts);

void opts_print_help(const char *progname);
void opts_print_version(void);

#endif
