// SPDX-License-Identifier: GPL-2.0-or-later
#include "cred.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

static int active;
static gid_t daemon_gid;
static int daemon_ngroups;
static gid_t daemon_groups[CRED_MAX_GROUPS];
static __thread const struct seg_cred *acting;
static __thread const struct seg_cred *serving;

int cred_init(int enable)
{
	active = 0;
	if (!enable)
		return 0;
	if (geteuid() != 0)
		return -EPERM;
	daemon_gid = getegid();
	daemon_ngroups = getgroups(CRED_MAX_GROUPS, daemon_groups);
	if (daemon_ngroups < 0)
		return -errno;
	active = 1;
	return 0;
}

int cred_active(void)
{
	return active;
}

/*
 * The raw system calls change only the calling thread; glibc's wrappers
 * would change every thread of the daemon at once.
 */
static int set_groups(int n, const gid_t *groups)
{
	return syscall(SYS_setgroups, n, groups) < 0 ? -errno : 0;
}

static int set_egid(gid_t gid)
{
	return syscall(SYS_setresgid, -1, gid, -1) < 0 ? -errno : 0;
}

static int set_euid(uid_t uid)
{
	return syscall(SYS_setresuid, -1, uid, -1) < 0 ? -errno : 0;
}

/* Back to the daemon's own identity: uid first, as only root sets the rest. */
static int become_daemon(void)
{
	int res = set_euid(0);

	if (res == 0)
		res = set_egid(daemon_gid);
	if (res == 0)
		res = set_groups(daemon_ngroups, daemon_groups);
	if (res < 0)
		log_err("cannot return to the daemon's credentials: %s\n",
			strerror(-res));
	return res;
}

/* From the daemon's identity to C: groups first, the uid last. */
static int become(const struct seg_cred *c)
{
	int res = set_groups(c->ngroups, c->groups);

	if (res == 0)
		res = set_egid(c->gid);
	if (res == 0)
		res = set_euid(c->uid);
	if (res < 0)
		become_daemon();
	return res;
}

int cred_enter(const struct seg_cred *c, struct cred_saved *saved)
{
	const struct seg_cred *target = c->uid == 0 ? NULL : c;
	int res;

	saved->switched = 0;
	saved->prev = acting;
	saved->prev_serving = serving;
	if (!active || target == acting) {
		serving = c;
		return 0;
	}
	if (acting != NULL) {
		res = become_daemon();
		if (res < 0)
			return res;
	}
	res = target != NULL ? become(target) : 0;
	if (res < 0) {
		/* Still the outer caller, or nobody: never more than before. */
		if (saved->prev != NULL && become(saved->prev) == 0)
			return res;
		acting = NULL;
		return res;
	}
	acting = target;
	serving = c;
	saved->switched = 1;
	return 0;
}

void cred_leave(struct cred_saved *saved)
{
	serving = saved->prev_serving;
	if (!saved->switched)
		return;
	if (acting != NULL)
		become_daemon();
	acting = NULL;
	if (saved->prev != NULL && become(saved->prev) == 0)
		acting = saved->prev;
	saved->switched = 0;
}

const struct seg_cred *cred_caller(void)
{
	return acting;
}

const struct seg_cred *cred_serving(void)
{
	return serving;
}

static int in_groups(const struct seg_cred *c, gid_t gid)
{
	if (c->gid == gid)
		return 1;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return 1;
	return 0;
}

int cred_ipc_perm(const struct seg_cred *c, mode_t mode, uid_t uid, gid_t gid,
		  uid_t cuid, gid_t cgid, int mask)
{
	mode_t granted = mode;

	if (c->uid == 0)
		return 0;
	if (c->uid == uid || c->uid == cuid)
		granted >>= 6;
	else if (in_groups(c, gid) || in_groups(c, cgid))
		granted >>= 3;
	return (mask & 7 & ~granted) ? -EACCES : 0;
}
