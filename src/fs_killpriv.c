// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Set-id bits at a truncate or write by someone who may write but not
 * chmod (kill-priv).  The kernel clears S_ISUID and S_ISGID when a process
 * without CAP_FSETID truncates or writes to a file, whoever owns it.
 * Writes and truncates the daemon does as the caller, so tmpfs clears
 * them there itself.  What comes here is what the FUSE kernel asks before
 * a write it does itself (passthrough, or a cached one), which depends on
 * the connection:
 *  - without FUSE_HANDLE_KILLPRIV_V2 (-o kernel_cache; libfuse 3.14 wants
 *    FUSE_CAP_HANDLE_KILLPRIV but never tells the kernel, whose INIT
 *    reply lacks FUSE_HANDLE_KILLPRIV), the kernel clears them itself, as
 *    a change of mode in the setattr of a truncate (with the size) and in
 *    a setattr of its own before a write; done as the caller, that chmod
 *    would fail for anyone but the owner, and the truncate or write with
 *    it, where /dev/shm allows both;
 *  - with it (passthrough, passthrough_abi.c), a SETATTR with nothing to
 *    set before a passthrough write to a file with set-id bits: the
 *    daemon clears what the kernel would for this caller.
 */
#include "fs_int.h"
#include "passthrough.h"

#include <errno.h>
#include <unistd.h>

/* Clear set-id bits, as the daemon: the caller may not chmod. */
static int chmod_as_daemon(const struct seg_ref *ref, mode_t mode, int *to_set)
{
	struct cred_saved saved;
	int res = cred_enter(cred_daemon(), &saved);

	if (res == 0) {
		res = seg_chmod(ref, mode);
		cred_leave(&saved);
	}
	if (res == 0)
		*to_set &= ~FUSE_SET_ATTR_MODE;
	return res;
}

/*
 * A write the kernel does itself may clear what a write by this caller
 * would; only if it may write.  An empty SETATTR is also what chown(-1,
 * -1) sends, which clears the bits too, but for the owner only.
 */
static int kill_before_write(fuse_ino_t ino, const struct seg_ref *ref,
			     struct seg_file *file, int *to_set,
			     const struct seg_cred *cred)
{
	struct stat st;
	mode_t kill;

	if (!passthrough_serves(ino) || ref->ops->getattr(ref, file, &st) < 0)
		return 0;
	kill = cred_kill_setid(cred, st.st_mode, st.st_gid) & st.st_mode;
	if (kill == 0 || ref->ops->access(ref, cred, W_OK) < 0)
		return 0;
	return chmod_as_daemon(ref, st.st_mode & 07777 & ~kill, to_set);
}

int fs_kill_priv(fuse_req_t req, fuse_ino_t ino, const struct seg_ref *ref,
		 struct seg_file *file, const struct stat *attr, int *to_set,
		 const struct seg_cred *cred)
{
	const struct fs_config *cfg = fuse_req_userdata(req);
	mode_t want = attr->st_mode & 07777, now, kill;
	struct stat st;

	if (*to_set == 0)
		return kill_before_write(ino, ref, file, to_set, cred);
	if ((*to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
			FUSE_SET_ATTR_GID)) != FUSE_SET_ATTR_MODE)
		return 0;
	/* Not there: the chmod says so. */
	if (ref->ops->getattr(ref, file, &st) < 0)
		return 0;
	now = st.st_mode & 07777;
	kill = cred_kill_setid(cred, st.st_mode, st.st_gid);
	/* Only bits the kernel would clear for this caller, cleared. */
	if (want == now || (want & ~now) != 0 || (now & ~want & ~kill) != 0)
		return 0;
	if (*to_set & FUSE_SET_ATTR_SIZE) {
		/* The caller's truncate clears them, as the kernel's would:
		 * at once, and only if it is allowed. */
		*to_set &= ~FUSE_SET_ATTR_MODE;
		return 0;
	}
	/*
	 * Alone, it comes before a write the kernel does itself (cached, or
	 * passthrough without FUSE_HANDLE_KILLPRIV_V2), and from a chmod:
	 * FUSE does not tell which.  Either way a caller who may write could
	 * clear the bits by writing (or truncating to the size it has), so it
	 * may clear them now; where the daemon does every write, or the
	 * kernel asks as above, no write asks for it, and a chmod is a chmod.
	 */
	if (cfg == NULL ||
	    (!cfg->kernel_cache &&
	     (!passthrough_serves(ino) || passthrough_kills_priv())) ||
	    ref->ops->access(ref, cred, W_OK) < 0)
		return 0;
	return chmod_as_daemon(ref, want, to_set);
}
