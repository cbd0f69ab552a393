// SPDX-License-Identifier: GPL-2.0-or-later
#include "cred.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/*
 * What the daemon is, to come back to: set once, before any thread.
 * Daemon-wide: the process has one set of credentials, whatever kinds
 * and mounts it serves.
 */
static int active;
static gid_t daemon_groups[CRED_MAX_GROUPS];
static int daemon_ngroups;
static struct {
	uint64_t eff, perm, inh;
} daemon_caps;
static struct seg_cred daemon_cred;

static __thread const struct seg_cred *acting;
static __thread const struct seg_cred *serving;

/*
 * A caller's whole group list, for the request this thread serves: the
 * seg_cred that owns it carries the same tag.  Tags are never reused, so
 * a copy of a cred on another thread, or kept after its request, never
 * finds a list here and falls back to the groups it holds itself.
 */
static __thread struct {
	uint64_t tag;
	int n, cap;
	gid_t *v;
} more;
static uint64_t last_tag;
static pthread_key_t more_key;
static pthread_once_t more_once = PTHREAD_ONCE_INIT;

static void more_free(void *v)
{
	free(v);
}

static void more_key_init(void)
{
	if (pthread_key_create(&more_key, more_free) != 0)
		log_err("cannot free group lists at thread exit\n");
}

/* The raw capget/capset: they change the calling thread only. */
static int get_caps(uint64_t *eff, uint64_t *perm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	/*
	 * The kernel fills both; valgrind (3.19) believes it fills only the
	 * first, and would report every use of capabilities 32 and up.
	 */
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

/* Only the effective set changes: the permitted set lets us come back. */
static int set_caps(uint64_t eff)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)daemon_caps.perm,
		  (uint32_t)daemon_caps.inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(daemon_caps.perm >> 32),
		  (uint32_t)(daemon_caps.inh >> 32) },
	};

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int cred_init(int enable)
{
	active = 0;
	if (get_caps(&daemon_caps.eff, &daemon_caps.perm, &daemon_caps.inh) < 0)
		memset(&daemon_caps, 0, sizeof(daemon_caps));
	memset(&daemon_cred, 0, sizeof(daemon_cred));
	daemon_cred.uid = geteuid();
	daemon_cred.gid = getegid();
	daemon_cred.caps = daemon_caps.eff;
	if (!enable)
		return 0;
	if (geteuid() != 0)
		return -EPERM;
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

const struct seg_cred *cred_daemon(void)
{
	return &daemon_cred;
}

void cred_groups_clear(struct seg_cred *c)
{
	c->ngroups = 0;
	c->more = 0;
}

int cred_add_group(struct seg_cred *c, gid_t gid)
{
	gid_t *v;

	if (c->more == 0 && c->ngroups < CRED_MAX_GROUPS) {
		c->groups[c->ngroups++] = gid;
		return 0;
	}
	if (c->more == 0) {
		/* One list per thread: a new one replaces what was there. */
		more.tag = c->more =
			__atomic_add_fetch(&last_tag, 1, __ATOMIC_RELAXED);
		more.n = 0;
		for (int i = 0; i < c->ngroups; i++)
			cred_add_group(c, c->groups[i]);
	}
	if (c->more != more.tag)
		return -ESTALE;
	if (more.n >= NGROUPS_MAX)
		return -E2BIG;
	if (more.n == more.cap) {
		int cap = more.cap ? more.cap * 2 : 2 * CRED_MAX_GROUPS;

		v = realloc(more.v, (size_t)cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		/* Freed when the thread ends (libfuse ends idle workers). */
		pthread_once(&more_once, more_key_init);
		pthread_setspecific(more_key, v);
		more.v = v;
		more.cap = cap;
	}
	more.v[more.n++] = gid;
	return 0;
}

/* All of C's groups that this thread knows. */
static int groups_of(const struct seg_cred *c, const gid_t **v)
{
	if (c->more != 0 && c->more == more.tag) {
		*v = more.v;
		return more.n;
	}
	*v = c->groups;
	return c->ngroups;
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

/*
 * Back to the daemon's own identity.  The uid first, which any thread
 * whose real uid is 0 may set: going from another uid to 0 makes the
 * kernel raise the effective capabilities to the permitted ones, so they
 * are set to the daemon's own next, and only then, with CAP_SETGID back,
 * the groups.
 */
static int become_daemon(void)
{
	int res = set_euid(0);

	if (res == 0)
		res = set_caps(daemon_caps.eff);
	if (res == 0)
		res = set_egid(daemon_cred.gid);
	if (res == 0)
		res = set_groups(daemon_ngroups, daemon_groups);
	if (res < 0)
		log_err("cannot return to the daemon's credentials: %s\n",
			strerror(-res));
	return res;
}

/*
 * From the daemon's identity to C: groups and gid while we may, then the
 * uid (leaving uid 0 makes the kernel clear the effective capabilities),
 * then C's capabilities, of those the daemon has.
 */
static int become(const struct seg_cred *c)
{
	const gid_t *groups;
	int n = groups_of(c, &groups);
	int res = set_groups(n, groups);

	if (res == 0)
		res = set_egid(c->gid);
	if (res == 0)
		res = set_euid(c->uid);
	if (res == 0)
		res = set_caps(c->caps & daemon_caps.eff);
	if (res < 0)
		become_daemon();
	return res;
}

/*
 * Root with every capability the daemon has, and its gid: the kernel
 * would allow it all the daemon may do, and what it makes gets the same
 * owner.  Its groups decide nothing, then.
 */
static int is_daemon(const struct seg_cred *c)
{
	return c == &daemon_cred ||
	       (c->uid == 0 && c->gid == daemon_cred.gid &&
		(c->caps & daemon_caps.eff) == daemon_caps.eff);
}

int cred_enter(const struct seg_cred *c, struct cred_saved *saved)
{
	const struct seg_cred *target = is_daemon(c) ? NULL : c;
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

int cred_capable(const struct seg_cred *c, int cap)
{
	return ((c != NULL ? c->caps : daemon_caps.eff) & CRED_CAP(cap)) != 0;
}

/* CAP out of (ON 0) or into (ON 1) this thread's effective set. */
static int switch_cap(int cap, int on, uint64_t *saved)
{
	uint64_t eff, perm, inh, want;
	int res;

	*saved = UINT64_MAX;
	if (!active)
		return 0;
	res = get_caps(&eff, &perm, &inh);
	want = on ? eff | CRED_CAP(cap) : eff & ~CRED_CAP(cap);
	if (res == 0 && want != eff)
		res = set_caps(want);
	if (res == 0 && want != eff)
		*saved = eff;
	return res;
}

int cred_drop_cap(int cap, uint64_t *saved)
{
	return switch_cap(cap, 0, saved);
}

int cred_raise_cap(int cap, uint64_t *saved)
{
	return switch_cap(cap, 1, saved);
}

void cred_restore_caps(uint64_t saved)
{
	int res = saved != UINT64_MAX ? set_caps(saved) : 0;

	if (res < 0)
		log_err("cannot restore capabilities: %s\n", strerror(-res));
}

const struct seg_cred *cred_serving(void)
{
	return serving;
}

static int in_groups(const struct seg_cred *c, gid_t gid)
{
	const gid_t *groups;
	int n = groups_of(c, &groups);

	if (c->gid == gid)
		return 1;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

int cred_ipc_perm(const struct seg_cred *c, mode_t mode, uid_t uid, gid_t gid,
		  uid_t cuid, gid_t cgid, int mask)
{
	mode_t granted = mode;

	if (c == NULL)
		c = &daemon_cred;
	if (c->uid == uid || c->uid == cuid)
		granted >>= 6;
	else if (in_groups(c, gid) || in_groups(c, cgid))
		granted >>= 3;
	if ((mask & 7 & ~granted) == 0)
		return 0;
	/* generic_permission(): no x bit, no execute, whatever one holds. */
	if ((mask & X_OK) && !(mode & 0111))
		return -EACCES;
	return cred_capable(c, CAP_IPC_OWNER) ? 0 : -EACCES;
}

