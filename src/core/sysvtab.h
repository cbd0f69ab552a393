/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of SysV segments as ipcs sees it: /proc/sysvipc/shm, or the
 * SHM_INFO/SHM_STAT walk where that file is missing.
 */
#ifndef SHMFS_SYSVTAB_H
#define SHMFS_SYSVTAB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <time.h>

/* One segment, whichever way it was read. */
struct sysv_info {
	key_t key;
	int shmid;
	mode_t mode; /* permission bits, plus SHM_DEST and SHM_LOCKED */
	uint64_t size;
	pid_t cpid, lpid;
	uint64_t nattch;
	uid_t uid, gid, cuid, cgid;
	time_t atime, dtime, ctime;
	int have_usage;	    /* rss and swap are known */
	uint64_t rss, swap; /* bytes */
};

struct sysvtab {
	struct sysv_info *v;
	size_t n, cap;
};

/* Read the whole table of this IPC namespace. */
int sysvtab_read(struct sysvtab *tab);
/* The same from any stream laid out like /proc/sysvipc/shm. */
int sysvtab_read_stream(struct sysvtab *tab, void *stream);
void sysvtab_free(struct sysvtab *tab);

void sysvtab_from_ds(const struct shmid_ds *ds, int shmid,
		     struct sysv_info *info);

#endif
