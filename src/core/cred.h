/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Acting as the caller.  A root daemon serving other users does each
 * change as the user who asked for it, on this thread only, so the kernel
 * applies its own permission rules (owner or creator, groups, sticky
 * /dev/shm, capabilities) to shmat(), shmctl() and open(): shmfs never has
 * to restate them, and can never grant more than the kernel would.
 */
#ifndef SHMFS_CRED_H
#define SHMFS_CRED_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Groups kept in a seg_cred itself.  A caller's others (up to the
 * kernel's NGROUPS_MAX) are held by the thread that read them, for the
 * request it serves; a copy of the cred kept beyond that request (a SysV
 * file made at its close, as its creator) keeps these only: fewer rights,
 * never more.
 */
#define CRED_MAX_GROUPS 128

/* Capability N (linux/capability.h numbering) in seg_cred.caps. */
#define CRED_CAP(n) (UINT64_C(1) << (n))

/* Who asked: the credentials of the process behind a request. */
struct seg_cred {
	uid_t uid; /* fsuid, as FUSE gives it */
	gid_t gid; /* fsgid */
	pid_t pid;
	uint64_t caps; /* effective capabilities, CRED_CAP() bits */
	int ngroups;   /* of groups[] */
	gid_t groups[CRED_MAX_GROUPS];
	uint64_t more; /* the whole list, held by the reading thread; 0: none */
};

struct cred_saved {
	int switched;
	const struct seg_cred *prev; /* whom the thread acted as before */
	const struct seg_cred *prev_serving; /* cred_serving() before */
};

/* Turn acting-as-the-caller on; only a root daemon can.  -EPERM if not. */
int cred_init(int enable);
int cred_active(void);

/*
 * Switch this thread to C until cred_leave(), which returns to whoever the
 * thread acted as before (a SysV file is created as its creator, whoever
 * truncates it).  Entering C again, or a C with the daemon's own rights
 * (uid 0, the daemon's gid and capabilities) when the thread acts as the
 * daemon, changes nothing.  A thread started meanwhile would inherit C:
 * libfuse starts its workers before it calls a handler, never from inside
 * one.  Nothing happens while acting as the caller is off.
 */
int cred_enter(const struct seg_cred *c, struct cred_saved *saved);
void cred_leave(struct cred_saved *saved);
/* The daemon itself, for cred_enter(): what it does on its own account. */
const struct seg_cred *cred_daemon(void);

/*
 * Whom this thread acts as, or NULL when it acts as the daemon itself.
 * For what only shmfs keeps (a SysV file not yet created), the kernel
 * cannot check: shmfs applies the kernel's rule itself.
 */
const struct seg_cred *cred_caller(void);

/* Does C have capability CAP (CAP_IPC_OWNER, ...)?  NULL is the daemon. */
int cred_capable(const struct seg_cred *c, int cap);

/*
 * Whom the request this thread serves is from, also when the thread did
 * not switch (a root caller, or acting as the caller off): the C of the
 * innermost cred_enter() not yet left, or NULL.  For what may be told
 * again to the same process (procscan.h).
 */
const struct seg_cred *cred_serving(void);

/*
 * The System V rule (ipcperms()): owner class for the owner or the creator,
 * group class for the group or the creator's group, CAP_IPC_OWNER passes;
 * but X_OK, asked only by access(2) of the file, is the file rule: not
 * even a capable caller gets it without an x bit.  MASK is
 * R_OK/W_OK/X_OK; 0 or -EACCES.
 */
int cred_ipc_perm(const struct seg_cred *c, mode_t mode, uid_t uid, gid_t gid,
		  uid_t cuid, gid_t cgid, int mask);

/*
 * Until cred_restore_caps(), this thread lacks CAP (its effective set is
 * saved in *SAVED), so that the kernel treats what it does as a caller
 * without CAP would be treated.  Nothing happens while acting as the
 * caller is off.
 */
int cred_drop_cap(int cap, uint64_t *saved);
/* The same, the other way: this thread has CAP (the daemon's) too. */
int cred_raise_cap(int cap, uint64_t *saved);
void cred_restore_caps(uint64_t saved);

/*
 * Building a cred from what the kernel says of a task (cred_task.c):
 * groups are added one at a time, the first CRED_MAX_GROUPS into C, all
 * of them into this thread's list.  -E2BIG past NGROUPS_MAX.
 */
void cred_groups_clear(struct seg_cred *c);
int cred_add_group(struct seg_cred *c, gid_t gid);

/*
 * cred_task.c: fill in C's capabilities and groups from
 * /proc/PID/task/PID/status, C's uid, gid and pid being those of the
 * request.  A task in another user namespace gets no capabilities.
 * Whatever cannot be read for sure (pid 0, the task gone, its fsuid or
 * fsgid not the request's, no descriptor left) fails, leaving C with no
 * capabilities and no groups: without its groups C could have more
 * rights than the caller (mode 0604), so it must not be acted as.
 * 0 or -errno.
 */
int cred_read_task(struct seg_cred *c);
/* The same from the text of a status file, read from FD; for tests. */
int cred_parse_status(int fd, struct seg_cred *c);

#endif
