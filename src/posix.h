/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * POSIX shared memory objects: the files of the directory shm_open() uses
 * (/dev/shm on Linux), less glibc's named semaphores.  They behave like
 * tmpfs files, because that is what they are.
 */
#ifndef SHMFS_POSIX_H
#define SHMFS_POSIX_H

#include "seg.h"

extern const struct seg_ops posix_seg_ops;
extern const struct seg_dir_ops posix_dir_ops;

int posix_init(const char *dir);
void posix_destroy(void);

struct change_list;

/*
 * Changes others made in the directory are seen through this descriptor
 * (inotify; -1 if they are not): when it is readable, posix_changes()
 * lists the names, and the inodes the kernel holds by those names.
 */
int posix_watch_fd(void);
int posix_changes(struct change_list *out);

#endif
