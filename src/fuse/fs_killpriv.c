// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Set-id bits at a write by someone who may write but not chmod
 * (kill-priv).  The kernel clears S_ISUID and S_ISGID when a process
 * without CAP_FSETID truncates or writes to a file, whoever owns it.  The
 * connection has FUSE_HANDLE_KILLPRIV_V2 (passthrough_abi.c), so that is
 * the daemon's to do: truncates and chowns it does as the caller, and
 * tmpfs clears the bits there; its own writes drop CAP_FSETID for an
 * opener without it (posix_file.c).  What the kernel still asks is for a
 * write it does itself (passthrough, a cached one with -o kernel_cache,
 * fallocate, copy_file_range) to a file with bits that this caller's
 * write would clear: a SETATTR with nothing to set, the same that
 * chown(f, -1, -1) sends.
 *
 * Both get chown(-1, -1) as the caller, which clears just those bits:
 * the kernel decides from the mode the object has then, under its lock,
 * with the caller's groups and CAP_FSETID, so that a chmod made
 * meanwhile by the owner stays.  A caller who may write gets CAP_FOWNER
 * for that call, as it could clear them by writing, and both the check
 * and the call are made on a descriptor of the object that an open file
 * holds (seg_kill_setid), not by name, which may be gone or stand for
 * another object by then.  So a writer's chown(-1, -1) through the mount
 * succeeds while the object is open, where /dev/shm refuses a
 * non-owner's; and a write through a file opened before the owner took
 * the right away fails with EPERM where /dev/shm lets it through and
 * clears the bits (shmfs(1)).
 */
#include "fs_int.h"

#include <errno.h>
#include <unistd.h>

int fs_kill_priv(const struct seg_ref *ref)
{
	int res = seg_kill_setid(ref);

	/* No file of it open, or not the caller's to write: its own chown. */
	return res == -ENOENT ? seg_chown(ref, (uid_t)-1, (gid_t)-1) : res;
}
