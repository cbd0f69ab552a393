// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SysV limits as the figures of a file system, so that df and stat -f
 * of sysv/ (sysv-id/, the root) show how full they are: the memory of
 * all segments against kernel.shmall, their number against
 * kernel.shmmni.  Both from the kernel (IPC_INFO, SHM_INFO), for the IPC
 * namespace served; no permission is needed.
 */
#include "sysv_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

int sysv_statfs(struct sysv_inst *si, struct statvfs *st)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), blocks;
	struct shm_info use;
	struct shminfo lim;
	int res = sysv_enter(si);

	if (res < 0)
		return res;
	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&lim) < 0 ||
	    shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&use) < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	/* shmall and shm_tot count pages of this size. */
	st->f_bsize = st->f_frsize = page;
	/* The default shmall (ULONG_MAX - 2^24) would overflow a byte
	 * count: as many pages as 64 bits of bytes hold. */
	blocks =
		lim.shmall < UINT64_MAX / page ? lim.shmall : UINT64_MAX / page;
	st->f_blocks = blocks;
	st->f_bfree = st->f_bavail =
		use.shm_tot < blocks ? blocks - use.shm_tot : 0;
	st->f_files = lim.shmmni;
	st->f_ffree = st->f_favail =
		(uint64_t)use.used_ids < lim.shmmni
			? lim.shmmni - (uint64_t)use.used_ids
			: 0;
	st->f_namemax = NAME_MAX;
	return 0;
}
