/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a SysV segment's kernel record reads as file attributes. */
#ifndef SHMFS_ATTR_H
#define SHMFS_ATTR_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "procscan.h"
#include "sysvtab.h"

#define ATTR_XATTR_PREFIX "user.shm."

void attr_sysv_stat(const struct sysv_info *info, struct stat *st);
/* A segment's inode number, the same under sysv/ and sysv-id/. */
uint64_t attr_sysv_ino(int shmid);

/*
 * A fingerprint of the attributes in ST that the kernel shows: equal
 * stamps, equal stat(2) results.  Never ATTR_STAMP_NONE or ATTR_STAMP_GONE.
 */
#define ATTR_STAMP_NONE 0 /* nothing known */
#define ATTR_STAMP_GONE UINT64_MAX
uint64_t attr_stamp(const struct stat *st);

/*
 * "dest", "locked", "dest,locked" or "", as ipcs -m's status column, and
 * ",hugetlb" (or "hugetlb") after it where HUGETLB.
 */
void attr_sysv_status(mode_t mode, int hugetlb, char *buf, size_t size);

/*
 * What the kernel's record of an object does not say, found in /proc
 * (procscan.h): who maps it or holds it open, the page size of its
 * mappings, whether its creator still runs.  A kind finds out only what
 * the name asked for needs (attr_*_needs()): each costs a scan of every
 * process, or a look at one.
 */
struct attr_live {
	struct procscan scan;
	int creator_alive; /* procscan_alive(cpid) */
};

#define ATTR_NEEDS_SCAN	   1 /* live->scan */
#define ATTR_NEEDS_CREATOR 2 /* live->creator_alive */

/* What getxattr of NAME needs of INFO's segment (ATTR_NEEDS_*). */
int attr_sysv_needs(const struct sysv_info *info, const char *name);

/*
 * Computed attributes are read by name only, never listed: listxattr(2)
 * is what copy tools (cp -a, rsync -X, tar --xattrs) take for a file's
 * own attributes, and would copy ours out as if they were, or try to
 * remove them from a target whose source lacks them.  user.shm.all reads
 * as every one of them, a NAME=VALUE line each, for a person to see at
 * once (as CephFS's virtual attributes, which are readable by name but not
 * listed).
 *
 * getxattr conventions: size 0 asks for the length.  LIVE holds what
 * attr_sysv_needs() asked for (NULL if nothing).
 */
ssize_t attr_sysv_getxattr(const struct sysv_info *info,
			   const struct attr_live *live, const char *name,
			   char *buf, size_t size);

/*
 * The attributes shmfs adds to a POSIX object's own: user.shm.pids,
 * .orphan (both from a scan), .pagesize (the block size of the file
 * system the object is on) and .all.  attr_posix_needs(): ATTR_NEEDS_* for
 * one of them, -1 for any other name (the object's own).
 */
int attr_posix_needs(const char *name);
ssize_t attr_posix_getxattr(const struct attr_live *live, uint64_t pagesize,
			    const char *name, char *buf, size_t size);

/*
 * A memfd's: user.shm.pids (from a scan), .name (as memfd_create() had
 * it), .seals ("seal,shrink,grow,write", F_GET_SEALS), .pagesize (its
 * mount's: a huge page size for a hugetlb memfd), and .all.
 * attr_memfd_needs(): ATTR_NEEDS_SCAN for pids and all, 0 for the others,
 * -1 for a name that is none of them.
 */
struct attr_memfd {
	struct procscan scan;
	const char *name;
	const char *seals;
	uint64_t pagesize;
};
int attr_memfd_needs(const char *name);
ssize_t attr_memfd_getxattr(const struct attr_memfd *m, const char *name,
			    char *buf, size_t size);

/*
 * Only the user namespace of extended attributes is served.  security.*,
 * system.* (ACLs) and trusted.* are ENOTSUP, as on a file system without
 * them: SysV segments have no such things, and the kernel would not apply
 * a POSIX object's ACL through the mount anyway.  ENOTSUP rather than
 * ENODATA also matters for speed: ls -l then stops asking for SELinux
 * labels and ACLs after the mount's first file, instead of making two
 * requests for every file.
 */
int attr_xattr_served(const char *name);

/* Why a change to NAME is refused: ours are read-only, others unsupported. */
int attr_sysv_set_error(const char *name);

#endif
