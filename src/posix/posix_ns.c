// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ns/N/posix: the /dev/shm that the processes of IPC namespace N see,
 * reached through /proc/PID/root of one of them (the first the scan
 * finds: where processes of N see different ones, that one's).  Holding
 * its descriptor would keep a dead container's tmpfs, and its memory,
 * alive: so each thread opens it for a request and closes it before it
 * waits for the next (core/nshome.h).  An open file holds its object, as
 * any process's open would.
 *
 * The container's /dev/shm may be a symbolic link: it is resolved inside
 * the container's root (RESOLVE_IN_ROOT), never in the daemon's.
 */
#include "posix_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cred.h"
#include "nshome.h"
#include "nsscan.h"

/* The directory this thread opened for its request, and for whom. */
static __thread const struct posix_dir *cur_pd;
static __thread int cur_fd = -1;

static void go_home(void)
{
	if (cur_fd >= 0)
		close(cur_fd);
	cur_fd = -1;
	cur_pd = NULL;
}

/*
 * dev/shm under ROOT, every link resolved inside it; where openat2(2) is
 * unknown (valgrind before 3.21), no link followed at all.
 */
static int open_in_root(int root)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, root, "dev/shm", &how, sizeof(how));
	int dev;

	if (fd >= 0 || errno != ENOSYS)
		return fd;
	dev = openat(root, "dev",
		     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dev < 0)
		return -1;
	fd = openat(dev, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dev);
	return fd;
}

/* /dev/shm in the root of PID, if PID is still in NS; or -1. */
static int open_shm(pid_t pid, uint64_t ns)
{
	char path[48], link[64];
	int root, fd = -1;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	/* Opened first, checked after: a reused pid is not taken for it. */
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	len = readlink(path, link, sizeof(link) - 1);
	if (len > 0) {
		link[len] = '\0';
		if (nsscan_parse_link(link) == ns)
			fd = open_in_root(root);
	}
	close(root);
	return fd;
}

int posix_fd(const struct posix_dir *pd)
{
	struct cred_saved saved;
	pid_t pid;

	if (pd->ns_ino == 0)
		return pd->dirfd;
	if (cur_pd == pd)
		return cur_fd;
	go_home();
	pid = nsscan_pid(cred_daemon(), pd->ns_ino);
	if (pid < 0 || cred_enter(cred_daemon(), &saved) < 0)
		return -1;
	cur_fd = open_shm(pid, pd->ns_ino);
	cred_leave(&saved);
	/*
	 * The caller may still see N now that it is open: else its own
	 * processes of N ended, and N's number may be another's namespace.
	 */
	if (cur_fd >= 0 && cred_serving() != NULL &&
	    nsscan_pid(cred_serving(), pd->ns_ino) < 0)
		go_home();
	cur_pd = cur_fd >= 0 ? pd : NULL;
	return cur_fd;
}

int posix_ns_start(struct posix_dir *pd, uint64_t ns, uint64_t salt)
{
	/* Workers that could keep the descriptor would keep the tmpfs. */
	if (!nshome_workers_covered())
		return -ENOTSUP;
	pd->ns_ino = ns;
	pd->ino_salt = salt;
	nshome_register(go_home);
	return 0;
}
