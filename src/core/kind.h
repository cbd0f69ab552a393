/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kinds of shared memory shmfs serves, each one registration: its
 * directories, how it starts and stops, and how it sees what others
 * change.  The FUSE layer and main.c loop over kinds[] and name none.
 * A new kind is its own files plus one line in kind.c.
 */
#ifndef SHMFS_KIND_H
#define SHMFS_KIND_H

#include <stddef.h>
#include <sys/types.h>

#include "change.h"
#include "seg.h"

/*
 * What a kind is started with, from the options (-o posix_dir=, ipc_ns=):
 * a kind reads nothing of the command line itself.
 */
struct kind_params {
	const char *posix_dir; /* NULL: the default, and no error without it */
	const char *ipc_ns;    /* NULL: the daemon's own IPC namespace */
	/*
	 * Not 0: the IPC namespace with this inode number (ns/N), entered
	 * through a process of it at each request and never held; then
	 * INO_SALT is ORed into every inode number of the instance, so that
	 * those of two namespaces differ (bits 40..62, seg.h).
	 */
	uint64_t ipc_ns_ino;
	uint64_t ino_salt;
};

/* One directory of the tree's top level. */
struct kind_dir {
	const char *name;
	mode_t mode;
	const struct seg_dir_ops *ops;
};

struct kind {
	const char *name;
	const struct kind_dir *dirs;
	size_t ndirs;
	/*
	 * One instance of the kind, before the mount: *INST gets its state
	 * (tables, watches, its namespace or directory), which its
	 * directories (seg_dir.inst), refs (seg_ref.inst) and open files lead
	 * back to; a kind may be started more than once, each instance with
	 * its own PARAMS.  -errno (having said why) fails the mount.
	 */
	int (*start)(const struct kind_params *params, void **inst);
	void (*stop)(void *inst);
	const struct kind_watch *watch; /* NULL: nothing of it is cached */
	/* It may be started per IPC namespace (kind_params.ipc_ns_ino). */
	int per_ipc_ns;
};

/* A started kind. */
struct kind_inst {
	const struct kind *kind;
	void *inst;
};

/* Every kind, in the order their directories are listed; NULL ends it. */
extern const struct kind *const kinds[];
#define KINDS_MAX 8

/* The directory whose figures statfs of the root (df MOUNT) reports. */
extern const char kind_root_statfs[];

#endif
