// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The space of a POSIX object, done on its own tmpfs file: fallocate(2)
 * (allocation, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, and whatever
 * else tmpfs supports) and the holes that lseek(2) finds with SEEK_DATA
 * and SEEK_HOLE, so that cp --sparse and tar -S see what /dev/shm holds.
 */
#include "posix_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

/*
 * The FUSE layer acts as the caller: the kernel drops set-id bits, or
 * keeps them, as for a fallocate() of the caller's own.
 */
int posix_space_fallocate(struct seg_file *file, int mode, off_t off, off_t len)
{
	return fallocate(posix_file_fd(file), mode, off, len) < 0 ? -errno : 0;
}

/* Our descriptor's offset moves too, but reads and writes never use it. */
off_t posix_space_lseek(struct seg_file *file, off_t off, int whence)
{
	off_t res;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EINVAL;
	res = lseek(posix_file_fd(file), off, whence);
	return res < 0 ? -errno : res;
}
