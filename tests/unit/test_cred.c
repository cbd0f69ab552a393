// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cred.h"

static struct seg_cred user(uid_t uid, gid_t gid, int ngroups,
			    const gid_t *groups)
{
	struct seg_cred c;

	memset(&c, 0, sizeof(c));
	c.uid = uid;
	c.gid = gid;
	c.ngroups = ngroups;
	if (ngroups > 0)
		memcpy(c.groups, groups, (size_t)ngroups * sizeof(gid_t));
	return c;
}

/* The kernel's ipcperms(), case by case. */
static void ipc_rule(void **state)
{
	const gid_t g2000[] = { 2000 };
	struct seg_cred owner = user(1001, 1001, 0, NULL);
	struct seg_cred creator = user(1002, 1002, 0, NULL);
	struct seg_cred grp = user(1003, 1003, 1, g2000);
	struct seg_cred cgrp = user(1004, 3000, 0, NULL);
	struct seg_cred other = user(1005, 1005, 0, NULL);
	struct seg_cred root = user(0, 0, 0, NULL);
	struct seg_cred capless = user(0, 0, 0, NULL);
	struct seg_cred ipc_owner = user(1005, 1005, 0, NULL);
	/* owner 1001:2000, creator 1002:3000 */
	const uid_t uid = 1001, cuid = 1002;
	const gid_t gid = 2000, cgid = 3000;

	(void)state;
	root.caps = ~UINT64_C(0);
	ipc_owner.caps = CRED_CAP(CAP_IPC_OWNER);
	assert_int_equal(
		cred_ipc_perm(&owner, 0600, uid, gid, cuid, cgid, R_OK | W_OK),
		0);
	assert_int_equal(cred_ipc_perm(&creator, 0600, uid, gid, cuid, cgid,
				       R_OK | W_OK),
			 0);
	assert_int_equal(cred_ipc_perm(&grp, 0600, uid, gid, cuid, cgid, R_OK),
			 -EACCES);
	assert_int_equal(cred_ipc_perm(&grp, 0640, uid, gid, cuid, cgid, R_OK),
			 0);
	assert_int_equal(cred_ipc_perm(&grp, 0640, uid, gid, cuid, cgid, W_OK),
			 -EACCES);
	assert_int_equal(cred_ipc_perm(&cgrp, 0660, uid, gid, cuid, cgid, W_OK),
			 0);
	assert_int_equal(
		cred_ipc_perm(&other, 0660, uid, gid, cuid, cgid, R_OK),
		-EACCES);
	assert_int_equal(
		cred_ipc_perm(&other, 0604, uid, gid, cuid, cgid, R_OK), 0);
	assert_int_equal(
		cred_ipc_perm(&root, 0000, uid, gid, cuid, cgid, R_OK | W_OK),
		0);
	/* uid 0 is no right of its own: CAP_IPC_OWNER is, whoever holds it */
	assert_int_equal(
		cred_ipc_perm(&capless, 0000, uid, gid, cuid, cgid, R_OK),
		-EACCES);
	assert_int_equal(cred_ipc_perm(&ipc_owner, 0000, uid, gid, cuid, cgid,
				       R_OK | W_OK),
			 0);
	/* execute needs an x bit somewhere, even for root (access(X_OK)) */
	assert_int_equal(cred_ipc_perm(&root, 0644, uid, gid, cuid, cgid, X_OK),
			 -EACCES);
	assert_int_equal(cred_ipc_perm(&root, 0744, uid, gid, cuid, cgid, X_OK),
			 0);
	assert_int_equal(
		cred_ipc_perm(&root, 0644, uid, gid, cuid, cgid, R_OK | W_OK),
		0);
	assert_int_equal(
		cred_ipc_perm(&owner, 0700, uid, gid, cuid, cgid, X_OK), 0);
	/* the owner class decides for the owner, even when "other" has more */
	assert_int_equal(
		cred_ipc_perm(&owner, 0066, uid, gid, cuid, cgid, R_OK),
		-EACCES);
	/* existence only */
	assert_int_equal(cred_ipc_perm(&other, 0000, uid, gid, cuid, cgid, 0),
			 0);
}

/* This thread's effective capabilities. */
static uint64_t thread_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	assert_int_equal(syscall(SYS_capget, &h, d), 0);
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static uid_t thread_euid(void)
{
	uid_t r, e, s;

	getresuid(&r, &e, &s);
	return e;
}

struct watcher {
	pthread_barrier_t go, done;
	uid_t euid;
};

static void *other_thread(void *arg)
{
	struct watcher *w = arg;

	pthread_barrier_wait(&w->go);
	w->euid = thread_euid();
	pthread_barrier_wait(&w->done);
	return NULL;
}

/* Acting as a user changes this thread only, and comes back. */
static void enter_and_leave(void **state)
{
	const gid_t groups[] = { 2000, 2001 };
	struct seg_cred c = user(1001, 1002, 2, groups);
	struct cred_saved saved, nested;
	struct watcher w = { .euid = 12345 };
	pthread_t t;
	gid_t now[8];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(cred_init(1), 0);
	/* A thread that exists already, as libfuse's workers do. */
	pthread_barrier_init(&w.go, NULL, 2);
	pthread_barrier_init(&w.done, NULL, 2);
	assert_int_equal(pthread_create(&t, NULL, other_thread, &w), 0);
	assert_int_equal(cred_enter(&c, &saved), 0);
	assert_int_equal(thread_euid(), 1001);
	assert_int_equal(getegid(), 1002);
	assert_int_equal(getgroups(8, now), 2);
	assert_ptr_equal(cred_caller(), &c);
	/* already acting: the outer caller stays */
	assert_int_equal(cred_enter(&c, &nested), 0);
	assert_false(nested.switched);
	cred_leave(&nested);
	assert_int_equal(thread_euid(), 1001);
	/* other threads are not affected */
	pthread_barrier_wait(&w.go);
	pthread_barrier_wait(&w.done);
	pthread_join(t, NULL);
	assert_int_equal(w.euid, 0);
	/* another identity inside: then back to the outer one */
	struct seg_cred other = user(1003, 1003, 0, NULL);

	assert_int_equal(cred_enter(&other, &nested), 0);
	assert_true(nested.switched);
	assert_int_equal(thread_euid(), 1003);
	assert_int_equal(getgroups(8, now), 0);
	cred_leave(&nested);
	assert_int_equal(thread_euid(), 1001);
	assert_int_equal(getgroups(8, now), 2);
	assert_ptr_equal(cred_caller(), &c);
	cred_leave(&saved);
	assert_int_equal(thread_euid(), 0);
	assert_int_equal(getegid(), 0);
	assert_null(cred_caller());
	/* root callers with the daemon's rights need nothing */
	c.uid = 0;
	c.gid = 0;
	c.caps = ~UINT64_C(0);
	assert_int_equal(cred_enter(&c, &saved), 0);
	assert_false(saved.switched);
	cred_init(0);
}

/* Capabilities are the caller's, and the daemon's come back exactly. */
static void enter_caps(void **state)
{
	struct seg_cred capless = user(0, 0, 0, NULL);
	struct seg_cred ipc_owner = user(1001, 1001, 0, NULL);
	struct cred_saved saved, nested;
	uint64_t mine;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(cred_init(1), 0);
	mine = thread_caps();
	assert_true(mine & CRED_CAP(CAP_IPC_OWNER));
	ipc_owner.caps = CRED_CAP(CAP_IPC_OWNER) | CRED_CAP(CAP_FOWNER);
	assert_int_equal(cred_enter(&capless, &saved), 0);
	assert_true(saved.switched);
	assert_int_equal(thread_euid(), 0);
	assert_int_equal(thread_caps(), 0);
	/* from capless root to another user, and back */
	assert_int_equal(cred_enter(&ipc_owner, &nested), 0);
	assert_int_equal(thread_euid(), 1001);
	assert_int_equal(thread_caps(),
			 CRED_CAP(CAP_IPC_OWNER) | CRED_CAP(CAP_FOWNER));
	cred_leave(&nested);
	assert_int_equal(thread_euid(), 0);
	assert_int_equal(thread_caps(), 0);
	cred_leave(&saved);
	assert_int_equal(thread_caps(), mine);
	/* a capability dropped for a while, and back */
	uint64_t kept;

	assert_int_equal(cred_drop_cap(CAP_FSETID, &kept), 0);
	assert_int_equal(thread_caps(), mine & ~CRED_CAP(CAP_FSETID));
	cred_restore_caps(kept);
	assert_int_equal(thread_caps(), mine);
	cred_init(0);
}

struct stale {
	const struct seg_cred *c;
	int res;
};

static void *check_elsewhere(void *arg)
{
	struct stale *s = arg;

	s->res = cred_ipc_perm(s->c, 0060, 0, 20299, 0, 20299, R_OK);
	return NULL;
}

/* More groups than a cred holds: all on this thread, its own elsewhere. */
static void many_groups(void **state)
{
	struct seg_cred c = user(1001, 1001, 0, NULL);
	struct seg_cred copy;
	struct cred_saved saved;
	struct stale s = { &copy, 0 };
	pthread_t t;
	gid_t now[400];

	(void)state;
	cred_groups_clear(&c);
	for (gid_t g = 20000; g < 20300; g++)
		assert_int_equal(cred_add_group(&c, g), 0);
	assert_int_equal(c.ngroups, CRED_MAX_GROUPS);
	assert_int_equal(cred_ipc_perm(&c, 0060, 0, 20299, 0, 20299, R_OK), 0);
	/* a copy kept past its request, used on another thread */
	copy = c;
	assert_int_equal(pthread_create(&t, NULL, check_elsewhere, &s), 0);
	pthread_join(t, NULL);
	assert_int_equal(s.res, -EACCES);
	if (geteuid() != 0)
		return;
	assert_int_equal(cred_init(1), 0);
	assert_int_equal(cred_enter(&c, &saved), 0);
	assert_int_equal(getgroups(400, now), 300);
	assert_int_equal(now[299], 20299);
	cred_leave(&saved);
	cred_init(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipc_rule),
		cmocka_unit_test(enter_and_leave),
		cmocka_unit_test(enter_caps),
		cmocka_unit_test(many_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
