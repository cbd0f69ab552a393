/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between the scan of /proc (procscan.c) and its reading of one process's
 * mappings (procscan_maps.c). */
#ifndef SHMFS_PROCSCAN_INT_H
#define SHMFS_PROCSCAN_INT_H

#include <sys/stat.h>

#include "procscan.h"

#define PROCSCAN_READ_BUF (PROCSCAN_LINE_MAX + 1)

/* One scan in progress; the process being read is PID, through DIR of
 * procfd ("PID", or "PID/task/TID": see procscan.c), its holds from
 * m->h[FROM] on. */
struct build {
	int procfd;
	const struct procscan_devs *devs;
	struct stat ns; /* the IPC namespace served */
	char *buf;	/* PROCSCAN_READ_BUF bytes */
	struct procscan_map *m;
	pid_t pid;
	char dir[48];
	size_t from, tidy_at;
	int in_ns; /* whether PID runs in NS: -2 not yet asked */
	int full;  /* the map reached PROCSCAN_HOLDS_MAX or _MEMFDS_MAX */
	int no_mm; /* DIR's maps showed no address space at all */
};

/* What an error reaching a process's file means: it exited (0), or it is
 * closed to the caller (-1). */
int procscan_gone_or_closed(int err);
int procscan_open_in(const struct build *b, const char *what, int flags);
/*
 * The current process maps the file DEV, INO (NAME, NULL if not known, is
 * its path in maps): a hold of a SysV segment where it is one, else of the
 * file.  Only files on anonymous devices (major 0) are shared memory.
 * 0, -1 (the process is closed to the caller) or -ENOMEM.
 */
int procscan_mapping(struct build *b, dev_t dev, uint64_t ino, const char *name,
		     uint64_t pagesize, uint64_t start, uint64_t end);
/*
 * procscan_memfd.c: the current process holds memfd DEV, INO whose path is
 * PATH, by descriptor FD or (FD -1) mapped at START-END.  0 (also when
 * PATH is no memfd's), or -ENOMEM.
 */
int procscan_memfd_add(struct build *b, uint64_t dev, uint64_t ino, int fd,
		       uint64_t start, uint64_t end, const char *path);
/* The map's memfds sorted, each process's once (the one by descriptor). */
void procscan_memfd_tidy(struct procscan_map *m);
/* Where a memfd's path is asked of PROCMAP_QUERY: long enough for any. */
#define PROCSCAN_PATH_BUF (PROCSCAN_MEMFD_NAME_MAX + 32)
/* Whether DEV is one of the kernel's own shm mounts. */
int procscan_is_shm_dev(const struct build *b, dev_t dev);
/* The current process's mappings: 0, -1 (closed, or past a bound),
 * -ENOMEM; NO_MM set when it has none. */
int procscan_read_maps(struct build *b);

#endif
