/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which processes map or hold open a shared memory object: a SysV segment
 * by its shmid, anything else by its device and inode.  Found by reading
 * /proc as whoever this thread acts as (cred.h), so the kernel shows only
 * the processes that identity may inspect (ptrace read access, hidepid)
 * and the caller learns nothing it could not learn itself.  For the
 * kinds' extended attributes (user.shm.pids, .orphan, .pagesize).
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
	 * >= 0: a SysV segment, attached by a process of the IPC namespace
	 * shmfs serves (its /proc/PID/maps shows "/SYSV%08x (deleted)" with
	 * the shmid as inode); -1: the file DEV, INO, mapped or open.
	 */
	int shmid;
	dev_t dev;
	ino_t ino;
};

struct procscan {
	pid_t *pids; /* ascending */
	size_t n, cap;
	/* The page size of the first mapping found; 0: none was found. */
	uint64_t pagesize;
	/*
	 * Every process was inspected: none was closed to the caller, nor
	 * hidden from it (pid 1, which every PID namespace has, was seen).
	 * Only then does finding nobody mean that nobody uses the object.
	 */
	int complete;
};

/*
 * Scan /proc for T into OUT (procscan_free() it, also after a failure).
 * A request that follows one the same process made for the same object
 * within 100 ms (getfattr asks for each attribute twice, getfattr -d for
 * three that need a scan) gets that answer again.
 */
int procscan_run(const struct procscan_target *t, struct procscan *out);
/*
 * The same on PROCFD, a directory laid out like /proc, without reuse.
 * HIDDEN (0: none) is taken for a process closed to the caller, without a
 * look: the daemon itself, when it acts as another user, whom the kernel
 * lets read its own files (it is the same process) but who could not
 * inspect the daemon.
 */
int procscan_run_at(int procfd, const struct procscan_target *t, pid_t hidden,
		    struct procscan *out);
void procscan_free(struct procscan *s);

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
struct procscan_map {
	uint64_t start, end, offset, ino;
	unsigned major, minor;
	const char *path;
};

int procscan_parse_map(const char *line, struct procscan_map *m);
/* Whether a mapping's PATH is a SysV segment's: "/SYSV%08x (deleted)". */
int procscan_sysv_path(const char *path);
/*
 * A line of /proc/PID/smaps: the start of a mapping (*START set, 1), its
 * "KernelPageSize:" (*PAGESIZE set in bytes, 2), or anything else (0).
 */
int procscan_parse_smaps(const char *line, uint64_t *start, uint64_t *pagesize);

#endif
