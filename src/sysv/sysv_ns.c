// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV instance's IPC namespace, and its state.  Segments, shmget(),
 * shmctl(), shmat() and /proc/sysvipc/shm are all of the IPC namespace of
 * the thread that asks, and an IPC namespace is a thread's own (setns(2)
 * moves only the caller).  So a thread about to ask the kernel for an
 * instance moves into that instance's namespace, if it is not there: one
 * setns(2) when a thread goes from one instance to another, none while
 * it serves the same one (and none ever with a single instance of the
 * namespace the daemon's threads are in: main.c enters -o ipc_ns= for
 * the whole process, before any thread).
 */
#include "sysv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cred.h"
#include "log.h"
#include "nshome.h"
#include "nsscan.h"

/*
 * Which namespace this thread is in: that of the instance it last
 * entered, or NULL, the one it started in (the process's).
 */
static __thread const struct sysv_inst *here;

/*
 * The process's IPC namespace, for a thread to go back to.  Daemon-wide
 * as the namespace is: opened once, by the first instance of another.
 */
static int home_fd = -1;
static pthread_once_t home_once = PTHREAD_ONCE_INIT;

static void open_home(void)
{
	home_fd = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
}

/*
 * Into ns/N's namespace through /proc/PID/ns/ipc of one of its processes
 * that the caller may see (so a caller whose own processes of N ended,
 * and N's number went to another's namespace, gets not that one),
 * checked to be that namespace once open (the pid may have been reused),
 * and closed at once: nothing holds the namespace after the request.
 */
static int enter_by_pid(const struct sysv_inst *si)
{
	const struct seg_cred *c = cred_serving();
	pid_t pid = nsscan_pid(c != NULL ? c : cred_daemon(), si->ns_ino);
	struct cred_saved saved;
	char path[40];
	struct stat st;
	int fd, res;

	if (pid < 0)
		return pid == -ENOENT ? -ENOENT : (int)pid;
	res = cred_enter(cred_daemon(), &saved);
	if (res < 0)
		return res;
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		res = errno == ESRCH ? -ENOENT : -errno;
	else if (fstat(fd, &st) < 0 || (uint64_t)st.st_ino != si->ns_ino)
		res = -ENOENT; /* ended and reused meanwhile: as if gone */
	else if (setns(fd, CLONE_NEWIPC) < 0)
		res = -errno;
	if (fd >= 0)
		close(fd);
	cred_leave(&saved);
	if (res == 0)
		here = si;
	return res;
}

/* nshome_now(): out of ns/N's namespace, before the thread waits. */
static void go_home(void)
{
	struct cred_saved saved;

	if (here == NULL || here->ns_ino == 0)
		return;
	if (cred_enter(cred_daemon(), &saved) < 0)
		return;
	if (setns(home_fd, CLONE_NEWIPC) < 0)
		log_err("sysv: cannot go back to the daemon's IPC namespace: "
			"%s\n",
			strerror(errno));
	else
		here = NULL;
	cred_leave(&saved);
}

int sysv_enter(const struct sysv_inst *si)
{
	const struct sysv_inst *want =
		si->ns_fd >= 0 || si->ns_ino != 0 ? si : NULL;
	struct cred_saved saved;
	int fd, res = 0;

	if (here == want)
		return 0;
	if (want != NULL && si->ns_ino != 0)
		return enter_by_pid(si);
	fd = want != NULL ? si->ns_fd : home_fd;
	if (fd < 0)
		return -EIO;
	/* setns(2) needs CAP_SYS_ADMIN, which a caller we act as lacks. */
	res = cred_enter(cred_daemon(), &saved);
	if (res < 0)
		return res;
	if (setns(fd, CLONE_NEWIPC) < 0)
		res = -errno;
	cred_leave(&saved);
	if (res < 0)
		log_err("sysv: cannot enter an IPC namespace: %s\n",
			strerror(-res));
	else
		here = want;
	return res;
}

int sysv_inst_new(const char *ipc_ns, struct sysv_inst **sip)
{
	struct sysv_inst *si = calloc(1, sizeof(*si));

	if (si == NULL)
		return -ENOMEM;
	si->ns_fd = -1;
	pthread_mutex_init(&si->usage.lock, NULL);
	pthread_mutex_init(&si->reg.lock, NULL);
	if (ipc_ns != NULL) {
		pthread_once(&home_once, open_home);
		si->ns_fd = open(ipc_ns, O_RDONLY | O_CLOEXEC);
		if (si->ns_fd < 0 || home_fd < 0) {
			int res = -errno;

			sysv_inst_free(si);
			return res;
		}
	}
	*sip = si;
	return 0;
}

int sysv_inst_new_ns(uint64_t ns, uint64_t salt, struct sysv_inst **sip)
{
	int res;

	pthread_once(&home_once, open_home);
	if (home_fd < 0)
		return -EIO;
	/* Workers that could stay in the namespace would keep it alive. */
	if (!nshome_workers_covered())
		return -ENOTSUP;
	/* setns(2) needs it: said once, and ns/N shows no segments. */
	if (!cred_capable(NULL, CAP_SYS_ADMIN)) {
		static int said;

		if (!__atomic_exchange_n(&said, 1, __ATOMIC_ACQ_REL))
			log_warn("ns/: without CAP_SYS_ADMIN the daemon cannot "
				 "enter other IPC namespaces: ns/N shows no "
				 "SysV segments\n");
		return -EPERM;
	}
	res = sysv_inst_new(NULL, sip);
	if (res < 0)
		return res;
	(*sip)->ns_ino = ns;
	(*sip)->ino_salt = salt;
	nshome_register(go_home);
	return 0;
}

void sysv_inst_free(struct sysv_inst *si)
{
	if (si == NULL)
		return;
	sysv_usage_free(si);
	if (si->ns_fd >= 0)
		close(si->ns_fd);
	pthread_mutex_destroy(&si->usage.lock);
	pthread_mutex_destroy(&si->reg.lock);
	free(si);
}
