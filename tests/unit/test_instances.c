// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kinds as instances (issue 23): one process runs two SysV instances for
 * two IPC namespaces and two POSIX instances for two directories side by
 * side.  Each creates the same name through its own operations, and gets
 * its own object; the kernel, asked directly in each namespace or
 * directory (not through shmfs), says so; and each instance's watch sees
 * the changes of its own namespace or directory, not the other's.
 * As root only (setns(2), unshare(2)): 77 elsewhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "change.h"
#include "cred.h"
#include "kind.h"
#include "posix.h"
#include "seg.h"
#include "sysv.h"

#define KEY  0x5ca1ab1e
#define NAME "0x5ca1ab1e"

/* The second IPC namespace: a child that made it and waits. */
static pid_t ns_child = -1;
static char ns_path[64];
static int ns_fd[2] = { -1, -1 }; /* the test's own, the child's */

/* An unrelated process's view: a thread in NS that asks shmget(). */
struct witness {
	int ns;
	int perm_to;  /* if not 0: IPC_SET this mode first */
	ssize_t size; /* the segment's, or -errno */
	int shmid;
};

static void *witness_run(void *arg)
{
	struct witness *w = arg;
	struct shmid_ds ds;

	w->size = 0;
	if (setns(w->ns, CLONE_NEWIPC) < 0 ||
	    (w->shmid = shmget(KEY, 0, 0)) < 0 ||
	    shmctl(w->shmid, IPC_STAT, &ds) < 0) {
		w->size = -errno;
		return NULL;
	}
	w->size = (ssize_t)ds.shm_segsz;
	if (w->perm_to != 0) {
		ds.shm_perm.mode = (unsigned short)w->perm_to;
		if (shmctl(w->shmid, IPC_SET, &ds) < 0)
			w->size = -errno;
	}
	return NULL;
}

static struct witness witness(int ns, int perm_to)
{
	struct witness w = { .ns = ns, .perm_to = perm_to };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, witness_run, &w), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return w;
}

/* DATA into a new file NAME of DIR, made and closed through its ops. */
static void create(const struct seg_dir *dir, const char *name,
		   const char *data)
{
	struct seg_file *file = NULL;
	struct seg_ref ref;
	struct stat st;

	assert_int_equal(seg_create(dir, name, 0600, O_WRONLY | O_CREAT,
				    cred_daemon(), &ref, &st, &file),
			 0);
	assert_ptr_equal(ref.inst, dir->inst);
	assert_int_equal(file->ops->write(file, data, strlen(data), 0),
			 (ssize_t)strlen(data));
	assert_int_equal(seg_close(file), 0);
}

/* A node the kernel was told of: NAME in DIR, as a lookup gives it. */
static struct watch_node node_of(const struct seg_dir *dir, const char *name)
{
	struct watch_node w = { 0 };
	struct stat st;

	assert_int_equal(seg_lookup(dir, name, &w.ref, &st), 0);
	assert_ptr_equal(w.ref.inst, dir->inst);
	w.ino = st.st_ino;
	w.stamp = attr_stamp(&st);
	return w;
}

static void two_sysv_namespaces(void **state)
{
	const struct kind_watch *kw = sysv_kind.watch;
	struct kind_params params[2] = { { 0 }, { .ipc_ns = ns_path } };
	struct change_list out[2] = { { 0 }, { 0 } };
	struct watch_want want = { .all = 1 };
	struct seg_dir dir[2];
	struct watch_node node[2];
	void *inst[2];
	struct witness w;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sysv_kind.start(&params[i], &inst[i]), 0);
		dir[i].ops = sysv_kind.dirs[0].ops; /* sysv/ */
		dir[i].inst = inst[i];
	}
	assert_ptr_not_equal(inst[0], inst[1]);

	/* The same key, through each instance: two segments. */
	create(&dir[0], NAME, "alpha");
	create(&dir[1], NAME, "bravo-two");
	w = witness(ns_fd[0], 0);
	assert_int_equal(w.size, 5);
	w = witness(ns_fd[1], 0);
	assert_int_equal(w.size, 9);

	/* Each instance finds its own. */
	for (int i = 0; i < 2; i++) {
		struct seg_ref ref;
		struct stat st;

		assert_int_equal(seg_lookup(&dir[i], NAME, &ref, &st), 0);
		assert_int_equal(st.st_size, i == 0 ? 5 : 9);
		node[i] = node_of(&dir[i], NAME);
	}

	/* A change in the second namespace: only its watch tells of it. */
	w = witness(ns_fd[1], 0640);
	assert_int_equal(w.size, 9);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			kw->check(inst[i], &node[i], 1, &want, &out[i]), 0);
	assert_int_equal(out[0].n, 0);
	assert_true(out[1].n >= 1);
	assert_int_equal(out[1].v[0].ino, node[1].ino);

	/* Removed through each instance, from its own namespace. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(seg_unlink(&dir[i], NAME), 0);
		w = witness(ns_fd[i], 0);
		assert_int_equal(w.size, -ENOENT);
	}
	for (int i = 0; i < 2; i++) {
		change_list_free(&out[i]);
		sysv_kind.stop(inst[i]);
	}
}

/* Drain INST's watch: what it has to say now. */
static void news(void *inst, struct change_list *out)
{
	struct watch_want want = { 0 };

	assert_int_equal(posix_kind.watch->news(inst, &want, out), 0);
	watch_want_free(&want);
}

static void two_posix_directories(void **state)
{
	char path[2][64], file[96];
	struct kind_params params[2] = { { 0 }, { 0 } };
	struct change_list out[2] = { { 0 }, { 0 } };
	struct seg_dir dir[2];
	void *inst[2];
	struct stat st;
	int fd;

	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(path[i], sizeof(path[i]),
			 "/dev/shm/shmfs-inst-XXXXXX");
		assert_non_null(mkdtemp(path[i]));
		params[i].posix_dir = path[i];
		assert_int_equal(posix_kind.start(&params[i], &inst[i]), 0);
		dir[i].ops = posix_kind.dirs[0].ops;
		dir[i].inst = inst[i];
		assert_true(posix_kind.watch->active(inst[i]));
	}

	create(&dir[0], "obj", "alpha");
	create(&dir[1], "obj", "bravo-two");
	for (int i = 0; i < 2; i++) {
		snprintf(file, sizeof(file), "%s/obj", path[i]);
		assert_int_equal(stat(file, &st), 0);
		assert_int_equal(st.st_size, i == 0 ? 5 : 9);
		news(inst[i], &out[i]); /* the creates */
		change_list_free(&out[i]);
	}

	/* Someone else makes a file in the second directory only. */
	snprintf(file, sizeof(file), "%s/other", path[1]);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	for (int i = 0; i < 2; i++)
		news(inst[i], &out[i]);
	assert_int_equal(out[0].n, 0);
	assert_true(out[1].n >= 1);
	for (size_t j = 0; j < out[1].n; j++)
		assert_ptr_equal(out[1].v[j].dir.inst, inst[1]);

	for (int i = 0; i < 2; i++) {
		assert_int_equal(seg_unlink(&dir[i], "obj"), 0);
		change_list_free(&out[i]);
		posix_kind.stop(inst[i]);
	}
	unlink(file);
	for (int i = 0; i < 2; i++)
		assert_int_equal(rmdir(path[i]), 0);
}

static int second_namespace(void)
{
	int ready[2];
	char c;

	if (pipe(ready) < 0)
		return -1;
	ns_child = fork();
	if (ns_child == 0) {
		close(ready[0]);
		c = unshare(CLONE_NEWIPC) < 0 ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (ns_child < 0 || read(ready[0], &c, 1) != 1 || c != 'y') {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	snprintf(ns_path, sizeof(ns_path), "/proc/%d/ns/ipc", (int)ns_child);
	ns_fd[1] = open(ns_path, O_RDONLY | O_CLOEXEC);
	return ns_fd[1] < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_sysv_namespaces),
		cmocka_unit_test(two_posix_directories),
	};
	int res;

	if (geteuid() != 0) {
		printf("skip: setns(2) of an IPC namespace needs root\n");
		return 77;
	}
	/* Segments of our own, seen by nobody, gone when we are. */
	if (unshare(CLONE_NEWIPC) < 0 ||
	    (ns_fd[0] = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC)) < 0 ||
	    second_namespace() < 0) {
		printf("skip: no IPC namespaces of our own (%s)\n",
		       strerror(errno));
		if (ns_child > 0)
			kill(ns_child, SIGKILL);
		return 77;
	}
	res = cmocka_run_group_tests(tests, NULL, NULL);
	kill(ns_child, SIGKILL);
	waitpid(ns_child, NULL, 0);
	return res;
}
