/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Acting as the caller.  A root daemon serving other users does each
 * change as the user who asked for it, on this thread only, so the kernel
 * applies its own permission rules (owner or creator, groups, sticky
 * /dev/shm) to shmat(), shmctl() and open(): shmfs never has to restate
 * them, and can never grant more than the kernel would.
 */
#ifndef SHMFS_CRED_H
#define SHMFS_CRED_H

#include <sys/types.h>

/* More groups than this are dropped: fewer rights, never more. */
#define CRED_MAX_GROUPS 128

/* Who asked: the credentials of the process behind a request. */
struct seg_cred {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int ngroups;
	gid_t groups[CRED_MAX_GROUPS];
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
 * truncates it).  Entering C again, or C = root when the thread acts as
 * the daemon, changes nothing.  A thread started meanwhile would inherit
 * C: libfuse starts its workers before it calls a handler, never from
 * inside one.  Nothing happens while acting as the caller is off.
 */
int cred_enter(const struct seg_cred *c, struct cred_saved *saved);
void cred_leave(struct cred_saved *saved);

/*
 * Whom this thread acts as, or NULL when it acts as the daemon itself.
 * For what only shmfs keeps (a SysV file not yet created), the kernel
 * cannot check: shmfs applies the kernel's rule itself.
 */
const struct seg_cred *cred_caller(void);

/*
 * Whom the request this thread serves is from, also when the thread did
 * not switch (a root caller, or acting as the caller off): the C of the
 * innermost cred_enter() not yet left, or NULL.  For what may be told
 * again to the same process (procscan.h).
 */
const struct seg_cred *cred_serving(void);

/*
 * The System V rule (ipcperms()): owner class for the owner or the creator,
 * group class for the group or the creator's group, root passes.  MASK is
 * R_OK/W_OK/X_OK; 0 or -EACCES.
 */
int cred_ipc_perm(const struct seg_cred *c, mode_t mode, uid_t uid, gid_t gid,
		  uid_t cuid, gid_t cgid, int mask);

#endif
