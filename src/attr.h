/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a SysV segment's kernel record reads as file attributes. */
#ifndef SHMFS_ATTR_H
#define SHMFS_ATTR_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

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

/* "dest", "locked", "dest,locked" or "", as ipcs -m's status column. */
void attr_sysv_status(mode_t mode, char *buf, size_t size);

/* getxattr/listxattr conventions: size 0 asks for the length. */
ssize_t attr_sysv_listxattr(const struct sysv_info *info, char *buf,
			    size_t size);
ssize_t attr_sysv_getxattr(const struct sysv_info *info, const char *name,
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
