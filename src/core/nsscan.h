/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPC namespaces that have processes on the host (ns/), found from
 * /proc/PID/ns/ipc, and which of them a caller may see: one it could open
 * /proc/PID/ns/ipc of a process of (the kernel's ptrace rule, asked by
 * trying as the caller).  Nothing of a namespace is held: its number and
 * the pids of the last scan only.
 */
#ifndef SHMFS_NSSCAN_H
#define SHMFS_NSSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cred.h"

/* How old a scan may be when a listing or a lookup uses it. */
#define NSSCAN_FRESH_MS 500

/*
 * The namespaces C may see, ascending, into *V (malloc'd, *N of them).
 * 0 or -errno.
 */
int nsscan_list(const struct seg_cred *c, uint64_t **v, size_t *n);
/*
 * Whether C may see namespace NS (1) or not, or it has no process (0).
 * A number the last scan does not show C makes a new scan at once,
 * unless one began since this was asked: a new container is reachable
 * by name at once.
 */
int nsscan_visible(const struct seg_cred *c, uint64_t ns);
/*
 * The pids of NS that C could see the namespace of, ascending, into *V
 * (malloc'd, *N of them); -ENOENT if none.
 */
int nsscan_pids(const struct seg_cred *c, uint64_t ns, pid_t **v, size_t *n);
/*
 * A process of NS that C may see, its link read as C now (a newer scan
 * if the last one has none), for entering NS through its
 * /proc/PID/ns/ipc; -ENOENT if NS has none.  The caller still checks the
 * namespace it opened: the pid may end and be reused.
 */
pid_t nsscan_pid(const struct seg_cred *c, uint64_t ns);
/* "ipc:[4026531839]" -> 4026531839; 0 if it is not that. */
uint64_t nsscan_parse_link(const char *link);
/*
 * nsscan_attr.c: an attribute of ns/NS as C sees it: user.shm.pids (the
 * processes whose namespace C could open, "1,22,333"), user.shm.cgroup
 * (the cgroup path of the first of them, where container engines put
 * the container's id), user.shm.all (both, NAME=VALUE lines).  Length,
 * or -ENODATA, -ERANGE (SIZE too small; 0 asks the length), -ENOENT.
 */
ssize_t nsscan_getxattr(const struct seg_cred *c, uint64_t ns, const char *name,
			char *buf, size_t size);
/* The cgroup path in the text of /proc/PID/cgroup (v2's "0::", else the first). */
int nsscan_parse_cgroup(const char *text, char *path, size_t size);

/* Forget the scan (tests). */
void nsscan_reset(void);

#endif
