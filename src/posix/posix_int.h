/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of the POSIX kind (posix_*.c) share; nothing else. */
#ifndef SHMFS_POSIX_INT_H
#define SHMFS_POSIX_INT_H

#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "change.h"
#include "seg.h"
#include "window.h"

/*
 * The directory shm_open() uses.  Set by posix_dir.c before the mount,
 * when no other thread exists, and only read after: no lock.
 */
struct posix_file;
/*
 * An instance of the POSIX kind: one directory of objects (/dev/shm or
 * -o posix_dir=), its watch and its open files.  Its directory's
 * seg_dir.inst, its refs' inst and its files lead here.  Set up by
 * posix_start() before the mount; DIRFD, PATH and INOTIFY_FD are read
 * only after.
 */
struct posix_dir {
	int dirfd; /* -1: there is none; every name is absent */
	/*
	 * Or (ns/N, DIRFD -1) the IPC namespace whose /dev/shm this is, by
	 * inode number: reached through a process of it at each request,
	 * never held (posix_ns.c); and what is ORed into inode numbers.
	 */
	uint64_t ns_ino;
	uint64_t ino_salt;
	char *path;
	int inotify_fd; /* -1: changes by others are not seen */
	/*
	 * Files we have open, so that an object whose name is gone
	 * (unlinked, or replaced by a new object of the same name) can still
	 * be reached: the kernel sends fstat() and fchmod() of an open file
	 * by inode, not by file.  Under FILES_LOCK.
	 */
	pthread_mutex_t files_lock;
	struct posix_file *files;
};

extern const struct seg_ops posix_seg_ops;
extern const struct seg_dir_ops posix_dir_ops;
extern const struct kind_watch posix_watch;

/*
 * posix_ns.c: the directory's descriptor for this request: DIRFD, or for
 * ns/N the /dev/shm a process of N sees, opened for this thread and
 * closed before it waits for another request (core/nshome.h); -1 if
 * none.  Started for ns/N by posix_ns_start().
 */
int posix_fd(const struct posix_dir *pd);
int posix_ns_start(struct posix_dir *pd, uint64_t ns, uint64_t salt);

/* posix_dir.c: the figures of the directory's file system. */
int posix_statfs(const struct posix_dir *pd, struct statvfs *st);

/* posix_watch.c: inotify on the directory; failing, nothing is cached. */
void posix_watch_start(struct posix_dir *pd);
void posix_watch_stop(struct posix_dir *pd);

/* posix_file.c */
void posix_ref_init(struct posix_dir *pd, struct seg_ref *ref, const char *name,
		    ino_t ino);
/* Our inode number for a stat of the object, and one name (none once
 * unlinked). */
void posix_stat_export(const struct posix_dir *pd, struct stat *st);
/* FD, just opened or made, as a file of ours. */
int posix_file_new(struct posix_dir *pd, int fd, ino_t ino, int flags,
		   struct seg_file **file);
/* The object's own descriptor behind an open FILE of ours. */
int posix_file_fd(const struct seg_file *file);
/* stat REF's name and make sure it is still the object REF was looked up
 * as: -ENOENT if not. */
int posix_stat_ref(const struct seg_ref *ref, struct stat *st);

/* posix_space.c: what tmpfs does with an object's space, on its file. */
int posix_space_fallocate(struct seg_file *file, int mode, off_t off,
			  off_t len);
off_t posix_space_lseek(struct seg_file *file, off_t off, int whence);

/* posix_xattr.c: the object's own extended attributes. */
ssize_t posix_getxattr(const struct seg_ref *ref, const char *name, char *buf,
		       size_t size);
ssize_t posix_listxattr(const struct seg_ref *ref, char *buf, size_t size);
int posix_setxattr(const struct seg_ref *ref, const char *name,
		   const char *value, size_t size, int flags);
int posix_removexattr(const struct seg_ref *ref, const char *name);

#endif
