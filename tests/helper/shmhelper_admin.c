/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the tests of shmfs's answers to administrators need from a
 * witness: processes that map or hold an object from known pids,
 * segments on huge pages, and the kernel's own counts of SysV memory.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmhelper.h"

int cmd_posix_hold(int argc, char **argv)
{
	struct wait_spec w;
	bool open_only = false;
	int i = 3, fd;
	void *p = NULL;
	size_t len = 0;
	struct stat st;
	double start;

	if (argc < 4)
		usage_error("usage: posix-hold NAME [--open] (SECONDS | --until-file FILE)");
	if (!strcmp(argv[i], "--open")) {
		open_only = true;
		i++;
	}
	parse_wait(argc, argv, i, &w);
	fd = posix_open(argv[2], O_RDONLY, 0);
	if (!open_only) {
		if (fstat(fd, &st) < 0)
			die("fstat(%s):", argv[2]);
		/* An empty object still maps: one page, never touched. */
		len = st.st_size > 0 ? (size_t)st.st_size : (size_t)sysconf(_SC_PAGESIZE);
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap(%s):", argv[2]);
		close(fd);
	}
	announce_pid();
	start = now();
	while (!got_signal && !wait_done(&w, start))
		usleep(20000);
	if (open_only)
		close(fd);
	else
		munmap(p, len);
	return 0;
}

int cmd_sysv_create_huge(int argc, char **argv)
{
	int flags = IPC_CREAT | IPC_EXCL | SHM_HUGETLB | 0644, id;
	uint64_t size;

	if (argc == 5 && !strcmp(argv[4], "--noreserve"))
		flags |= SHM_NORESERVE;
	else if (argc != 4)
		usage_error("usage: sysv-create-huge KEY SIZE [--noreserve]");
	size = parse_u64("size", argv[3]);
	id = shmget(parse_key(argv[2], true), (size_t)size, flags);
	if (id < 0)
		die("shmget(%s, %" PRIu64 ", SHM_HUGETLB%s):", argv[2], size,
		    flags & SHM_NORESERVE ? "|SHM_NORESERVE" : "");
	printf("%d\n", id);
	return 0;
}

int cmd_sysv_info(int argc, char **argv)
{
	const char *want = argc == 3 ? argv[2] : NULL;
	struct shm_info use;
	struct shminfo lim;

	if (argc > 3)
		usage_error("usage: sysv-info [FIELD]");
	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&lim) < 0)
		die("shmctl(IPC_INFO):");
	if (shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&use) < 0)
		die("shmctl(SHM_INFO):");
	print_field(want, "shmall", "%lu", (unsigned long)lim.shmall);
	print_field(want, "shmmni", "%lu", (unsigned long)lim.shmmni);
	print_field(want, "shm_tot", "%lu", (unsigned long)use.shm_tot);
	print_field(want, "used_ids", "%d", use.used_ids);
	end_fields(want);
	return 0;
}

/* sysv-hold-elsewhere: what the child that shares our memory does. */
static key_t elsewhere_key;
static int elsewhere_id;

static int hold_elsewhere(void *unused)
{
	(void)unused;
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC) < 0)
		return 10;
	/* A fresh namespace's ids go up from 0: made and removed until one
	 * is the shmid wanted. */
	for (int i = 0; i < 1000000; i++) {
		int id = shmget(elsewhere_key, 4096, IPC_CREAT | IPC_EXCL | 0600);

		if (id < 0)
			return 11;
		if (id == elsewhere_id)
			return shmat(id, NULL, SHM_RDONLY) == (void *)-1 ? 12 : 0;
		shmctl(id, IPC_RMID, NULL);
	}
	return 13;
}

/*
 * A segment of KEY and SHMID attached in an IPC namespace of our own, by
 * a child sharing our memory (CLONE_VM) that moved there: our maps show
 * it as an attachment of KEY and SHMID, though we run in our namespace.
 */
int cmd_sysv_hold_elsewhere(int argc, char **argv)
{
	static char stack[64 * 1024];
	struct wait_spec w;
	int status;
	double start;
	pid_t child;

	if (argc < 5)
		usage_error("usage: sysv-hold-elsewhere KEY SHMID (SECONDS | --until-file FILE)");
	elsewhere_key = parse_key(argv[2], false);
	elsewhere_id = (int)parse_u64("shmid", argv[3]);
	parse_wait(argc, argv, 4, &w);
	child = clone(hold_elsewhere, stack + sizeof(stack), CLONE_VM | SIGCHLD,
		      NULL);
	if (child < 0)
		die("clone:");
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("the child in its own namespace failed (status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	announce_pid();
	start = now();
	while (!got_signal && !wait_done(&w, start))
		usleep(20000);
	return 0;
}
