/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of the SysV kind (sysv_*.c) share; nothing else. */
#ifndef SHMFS_SYSV_INT_H
#define SHMFS_SYSV_INT_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "attr.h"
#include "change.h"
#include "seg.h"
#include "sysvtab.h"
#include "window.h"

extern const struct seg_ops sysv_seg_ops;
extern const struct seg_ops sysv_file_ops; /* of an attached segment */
extern const struct seg_dir_ops sysv_key_dir_ops;
extern const struct seg_dir_ops sysv_id_dir_ops;
extern const struct kind_watch sysv_watch;

/* Which shmid had a key when the table was read. */
struct sysv_key_id {
	key_t key;
	int shmid;
};

struct sysv_key_index {
	struct sysv_key_id *v;
	size_t n, cap;
};

struct sysv_new;

/*
 * An instance of the SysV kind: the segments of one IPC namespace.  Its
 * directories (seg_dir.inst), its refs (seg_ref.inst), its files and its
 * watch lead here; nothing of it is file-scope, so one daemon can serve
 * several namespaces side by side.
 */
struct sysv_inst {
	/*
	 * Its IPC namespace (-o ipc_ns=, or a later per-namespace start);
	 * -1: the one the daemon's threads are in.  Set by sysv_start(),
	 * read only after; sysv_enter() moves a thread into it.
	 */
	int ns_fd;
	/*
	 * Or (ns/N) the namespace's inode number, entered through one of
	 * its processes each time and left before the thread waits for
	 * another request (core/nshome.h), so that nothing holds it; and
	 * what is ORed into the instance's inode numbers.  Set at start.
	 */
	uint64_t ns_ino;
	uint64_t ino_salt;
	/* sysv_usage.c: the snapshot of /proc/sysvipc/shm; under LOCK. */
	struct {
		pthread_mutex_t lock;
		struct sysvtab tab;	    /* sorted by shmid */
		struct sysv_key_index keys; /* the same rows by key, if any */
		struct sysvtab spare; /* the one before, to read the next into */
		struct sysv_key_index spare_keys;
		int64_t when_ns;
		int64_t cost_ns; /* what the last read took */
	} usage;
	/*
	 * sysv_new_reg.c: the files being created.  LOCK guards the list and
	 * each entry's next, refs and visible; it is the last lock taken, and
	 * held only to read or change those.
	 */
	struct {
		pthread_mutex_t lock;
		struct sysv_new *head; /* newest first: serials descend */
		uint64_t serial;       /* the last given */
	} reg;
	/*
	 * sysv_new_limit.c: files counted against this namespace's shmmni
	 * and shmall, and their pages: atomically, without a lock.
	 */
	unsigned long pending_files;
	uint64_t pending_pages;
};

/*
 * sysv_ns.c: move the calling thread into SI's IPC namespace, if it is
 * not there, before it asks the kernel about segments.  0 or -errno.
 */
int sysv_enter(const struct sysv_inst *si);
int sysv_inst_new(const char *ipc_ns, struct sysv_inst **si);
/* The same for ns/N: NS by its inode number, SALT for its inodes. */
int sysv_inst_new_ns(uint64_t ns, uint64_t salt, struct sysv_inst **si);
void sysv_inst_free(struct sysv_inst *si);

/* INFO as a file's attributes, with SI's inode numbers (ns/N's differ). */
static inline void sysv_stat(const struct sysv_inst *si,
			     const struct sysv_info *info, struct stat *st)
{
	attr_sysv_stat(info, st);
	st->st_ino |= si->ino_salt;
}

/* A segment the kernel says is gone (EINVAL, EIDRM) is no file: ENOENT. */
static inline int sysv_err(int err)
{
	return err == EINVAL || err == EIDRM ? -ENOENT : -err;
}

/* sysv_usage.c: the snapshot of /proc/sysvipc/shm. */

/* The kernel record of one segment, with rss and swap where known. */
int sysv_stat_id(struct sysv_inst *si, int shmid, struct sysv_info *info);
/* The same, with rss from the snapshot as it is, never read for it. */
int sysv_stat_known(struct sysv_inst *si, int shmid, struct sysv_info *info);
/*
 * Call FN for every segment of the table, read afresh; stops at FN's
 * first non-zero return, which it returns.  FN must not call this module.
 */
int sysv_each(struct sysv_inst *si,
	      int (*fn)(void *ctx, const struct sysv_info *info), void *ctx);
/* Read the table afresh; how many rows it has. */
int sysv_usage_refresh(struct sysv_inst *si);
size_t sysv_usage_rows(struct sysv_inst *si);
/* The shmid that had KEY when the table was last read, or -ENOENT. */
int sysv_usage_key(struct sysv_inst *si, key_t key);
/* SHMID's row of the snapshot, as it is: -ENOENT if not in it. */
int sysv_usage_row(struct sysv_inst *si, int shmid, struct sysv_info *info);
void sysv_usage_free(struct sysv_inst *si);

/* sysv_statfs.c: the limits (shmall, shmmni) and their use, as statfs. */
int sysv_statfs(struct sysv_inst *si, struct statvfs *st);

/* sysv_file.c: open files. */
struct sysv_file {
	struct seg_file base;
	struct sysv_inst *si;
	int shmid;
	void *addr; /* the attachment: its first page only, if trimmed */
	uint64_t size;
	int writable;
	int fd;	     /* see file_fd() */
	int trimmed; /* then reads and writes go through fd alone */
	int no_pwrite; /* fd takes no write(2) (hugetlb): store, atomically */
	struct map_window window;
};

/* Whether kernel.shm_rmid_forced is on in this IPC namespace. */
int sysv_rmid_forced(struct sysv_inst *si);
/*
 * With shm_rmid_forced our detach could destroy SHMID: -EBUSY (logged,
 * saying WHY we wanted it) if nobody else has it attached.
 */
int sysv_attach_allowed(struct sysv_inst *si, int shmid, const char *why);
/* Store SRC's N bytes (zeros if NULL) into an attachment at DST. */
int sysv_store(void *dst, const void *src, size_t n);
/* Zero N bytes of F's segment from OFF (within it). */
int sysv_file_zero(struct sysv_file *f, off_t off, size_t n);
/* Attach for OPEN-style FLAGS (O_RDONLY attaches SHM_RDONLY). */
int sysv_open_id(struct sysv_inst *si, int shmid, int flags,
		 struct seg_file **file);

/* sysv_seg.c: the segment as a file. */

/* The ref of a segment: its shmid, and its key's name while it has one. */
void sysv_ref(struct sysv_inst *si, const struct sysv_info *info,
	      struct seg_ref *ref);

/* Who a new segment belongs to. */
struct sysv_owner {
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/* Store what a new segment holds into its attachment ADDR, SIZE bytes. */
typedef int (*sysv_fill_fn)(void *ctx, void *addr, size_t size);

/*
 * Make a new segment for KEY, SIZE bytes, as the current identity (who
 * becomes its creator), FILL it (if not NULL: the kernel gives it zeroed,
 * so what FILL leaves alone takes no memory), then give it to OWNER.
 * FILE, if not NULL, gets it opened with open(2) FLAGS.
 */
int sysv_make(struct sysv_inst *si, key_t key, size_t size, sysv_fill_fn fill,
	      void *ctx, const struct sysv_owner *owner, int flags, int *shmid,
	      struct seg_file **file);

/* Truncate's meaning for a fixed-size segment: zero from SIZE to the end. */
int sysv_truncate_check(uint64_t segsz, off_t size);
/* A change to an extended attribute: ours are read-only. */
int sysv_setxattr(const struct seg_ref *ref, const char *name,
		  const char *value, size_t size, int flags);
int sysv_removexattr(const struct seg_ref *ref, const char *name);

#endif
