/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who maps or holds open which shared memory: one scan of /proc builds
 * the whole map (the holder map), from which every object's holders are
 * read: a SysV segment by its shmid and key, anything else by its device
 * and inode.  The scan reads /proc as whoever the thread acts as (cred.h),
 * so the kernel shows only the processes that identity may inspect
 * (ptrace read access, hidepid) and the caller learns nothing it could
 * not learn itself.  For the kinds' extended attributes (user.shm.pids,
 * .orphan, .pagesize).
 *
 * What one process may cost a scan is bounded (PROCSCAN_*_MAX below): a
 * process past a bound is left out and makes the scan incomplete, it is
 * not read to its end.
 */
#ifndef SHMFS_PROCSCAN_H
#define SHMFS_PROCSCAN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What is looked for. */
struct procscan_target {
	/*
	 * >= 0: a SysV segment of key KEY, attached by a process of the IPC
	 * namespace shmfs serves (its mapping is on the kernel's own shm or
	 * hugetlbfs mount, with the shmid as inode and "/SYSV%08x (deleted)"
	 * naming KEY; IPC_PRIVATE, which a removed segment's key becomes,
	 * takes any name); -1: the file DEV, INO, mapped or open.
	 */
	int shmid;
	uint32_t key;
	dev_t dev;
	ino_t ino;
};

/* One object's holders, read from a map. */
struct procscan {
	pid_t *pids; /* ascending */
	size_t n, cap;
	/* The page size of the first mapping found; 0: none was found. */
	uint64_t pagesize;
	/*
	 * Every process was inspected: none was closed to the caller, hidden
	 * from it (pid 1, which every PID namespace has, was seen) or past a
	 * bound.  Only then does finding nobody mean that nobody uses it.
	 */
	int complete;
};

/* ---- The map ---- */

/* That PID maps or holds open an object: a SysV segment (dev PROCSCAN_SYSV,
 * ino shmid << 32 | the key its name tells) or a file (dev, ino).  32
 * bytes. */
struct procscan_hold {
	uint64_t dev, ino;
	uint64_t pagesize; /* of its first mapping; 0: open only, or unknown */
	pid_t pid;
	uint32_t pad;
};
#define PROCSCAN_SYSV UINT64_MAX

/*
 * A memfd (a file on one of the kernel's shm mounts whose path reads
 * "/memfd:NAME (deleted)") that PID holds: by descriptor FD, or, where it
 * holds none, mapped at START-END.  For the memfd kind, which lists memfds
 * and reopens them through /proc/PID/fd/FD or /proc/PID/map_files.  One
 * a process and memfd; 48 bytes and the name.
 */
struct procscan_memfd {
	uint64_t dev, ino;
	uint64_t start, end; /* where FD is -1 */
	pid_t pid;
	int fd;	       /* -1: mapped only */
	uint32_t name; /* offset of NAME (as memfd_create() had it) in names */
	uint32_t pad;
};

struct procscan_map {
	struct procscan_hold *h; /* by dev, ino, pid once built */
	size_t n, cap;
	int complete; /* as struct procscan's, for every object */
	/* Memfds, by dev, ino, then those with a descriptor first, pid. */
	struct procscan_memfd *mf;
	size_t nmf, mfcap;
	char *names; /* NUL-terminated, at most PROCSCAN_MEMFD_NAME_MAX + 1 */
	size_t names_len, names_cap;
};

/*
 * Bounds on what one process may cost a scan, and on a map: a process
 * with more shared-memory mappings or descriptors than these, or maps
 * text longer (where the kernel lacks PROCMAP_QUERY), is left out (the
 * scan is incomplete); a map is at most PROCSCAN_HOLDS_MAX holds
 * (PROCSCAN_HOLDS_MAX * 32 bytes), past which it is incomplete too.
 */
#define PROCSCAN_VMAS_MAX  16384	/* file mappings asked, per process */
#define PROCSCAN_FDS_MAX   65536	/* descriptors looked at, per process */
#define PROCSCAN_TEXT_MAX  (4 << 20)	/* bytes of maps text, per process */
#define PROCSCAN_HOLDS_MAX (128 * 1024) /* holds in a map */
/* Memfds in a map (one a process holding it), past which it is incomplete
 * too: at most 32768 * (48 + 250) bytes, 9.8 MB, a map. */
#define PROCSCAN_MEMFDS_MAX	32768
#define PROCSCAN_MEMFD_NAME_MAX 249 /* the kernel's MFD_NAME_MAX_LEN */

/* The devices of the kernel's own mounts that SysV segments live on (its
 * shm mount, hugetlbfs's per page size): only there is a mapping taken for
 * an attachment. */
#define PROCSCAN_SHM_DEVS 8
struct procscan_devs {
	dev_t dev[PROCSCAN_SHM_DEVS];
	size_t n;
	/* Read maps as text even where PROCMAP_QUERY works: to measure both
	 * (SHMFS_PROCSCAN_TEXT=1 in the daemon's environment). */
	int text;
};
/* This kernel's, found once by making memfds on them. */
const struct procscan_devs *procscan_shm_devs(void);

/*
 * Scan PROCFD, a directory laid out like /proc, into M (procscan_map_free()
 * it, also after a failure): every process's mappings and descriptors of
 * files on anonymous devices (tmpfs, hugetlbfs, the shm mount).  HIDDEN
 * (0: none) is taken for a process closed to the caller, without a look:
 * the daemon itself, when it acts as another user, whom the kernel lets
 * read its own files (it is the same process) but who could not inspect
 * the daemon.  Descriptors are looked at with AT_STATX_DONT_SYNC: never a
 * request to the file's own file system (a FUSE mount, shmfs's included).
 */
int procscan_build_at(int procfd, const struct procscan_devs *devs,
		      pid_t hidden, struct procscan_map *m);
/* T's holders in M, into OUT (procscan_free() it). */
int procscan_lookup(const struct procscan_map *m,
		    const struct procscan_target *t, struct procscan *out);
void procscan_map_free(struct procscan_map *m);
void procscan_free(struct procscan *s);

/* Build a map and look T up in it: for tests. */
int procscan_run_at(int procfd, const struct procscan_devs *devs,
		    const struct procscan_target *t, pid_t hidden,
		    struct procscan *out);

/*
 * FN(M, CTX) on a map of the real /proc as the caller of this thread may
 * see it, fresh as procscan_run()'s below, and under the lock that keeps
 * it: FN must not wait.  FN's result, or -DEFER_AGAIN as below.
 */
int procscan_with_map(int (*fn)(const struct procscan_map *m, void *ctx),
		      void *ctx);

/*
 * T's holders from a map of the real /proc, as the caller of this thread
 * may see it, made no longer than PROCSCAN_FRESH_NS ago, or
 * PROCSCAN_FRESH_RATIO times its scan's duration if that is longer
 * (procscan_share.c): maps
 * are shared by every caller with the same rights.  A thread that may not
 * wait (not the pool's: defer.h) gets -DEFER_AGAIN when there is no fresh
 * map: the request must be run again on the pool.
 */
#define PROCSCAN_FRESH_NS    100000000LL
#define PROCSCAN_FRESH_RATIO 2
int procscan_run(const struct procscan_target *t, struct procscan *out);

/*
 * Whether PID runs in the IPC namespace shmfs serves: 0 when no process
 * has that number or the one that has it is of another namespace; 1 when
 * it runs here, or when the caller may not tell (then it may be the one).
 * PID 0 (a creator outside our PID namespace) cannot be told: 1.
 */
int procscan_alive(pid_t pid);
int procscan_alive_at(int procfd, pid_t pid);

/*
 * Lines of maps are at most a path (PATH_MAX) and some fields.  A longer
 * one is cut after this many bytes and the rest skipped: what is matched
 * is at its start (device, inode) or a short path (a SysV segment's).
 */
#define PROCSCAN_LINE_MAX (PATH_MAX + 255)

/* One line of /proc/PID/maps; PATH points into the line ("" if none). */
struct procscan_map_line {
	uint64_t start, end, offset, ino;
	unsigned major, minor;
	const char *path;
};

int procscan_parse_map(const char *line, struct procscan_map_line *m);
/* Whether a mapping's PATH is a SysV segment's: "/SYSV%08x (deleted)";
 * its key in *KEY if KEY is not NULL. */
int procscan_sysv_path(const char *path, uint32_t *key);
/* Whether a mapping's or descriptor's PATH is a memfd's: "/memfd:NAME
 * (deleted)"; NAME (its length in *LEN) points into PATH. */
const char *procscan_memfd_path(const char *path, size_t *len);
/*
 * A line of /proc/PID/smaps: the start of a mapping (*START set, 1), its
 * "KernelPageSize:" (*PAGESIZE set in bytes, 2), or anything else (0).
 */
int procscan_parse_smaps(const char *line, uint64_t *start, uint64_t *pagesize);

#endif
