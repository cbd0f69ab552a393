/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FUSE passthrough, for the FUSE layer and main.c: the kernel serves an
 * open file's read(2), write(2), splice and mmap(2) itself, from the
 * object's own memory (a POSIX object's tmpfs file, a SysV segment's
 * shmem file), with no request to the daemon.  Used where the kernel
 * offers it at INIT, the daemon may register backing files (root with
 * CAP_SYS_ADMIN) and -o passthrough and -o kernel_cache allow; each kind
 * says per open file how much the kernel may do (seg_ops.backing).
 * Otherwise the daemon serves files as it always did.
 */
#ifndef SHMFS_PASSTHROUGH_H
#define SHMFS_PASSTHROUGH_H

#include "config.h"

#include <fuse_lowlevel.h>

#include "fs.h"
#include "seg.h"

/* How the kernel serves one open file: from backing file ID, or not (0). */
struct pt_open {
	int id;
	int map_only; /* only mmap(2): read(2) and write(2) come to the daemon */
};

/*
 * After fuse_session_mount(), before the daemon detaches: answers the
 * kernel's INIT, so that -o passthrough=on can still fail the mount.
 * -1, having said why, if it cannot be had.
 */
int passthrough_connect(struct fuse_session *se, const struct fs_config *cfg);
/*
 * In the INIT handler: ask for passthrough if it is to be used, and for
 * FUSE_HANDLE_KILLPRIV_V2 (fs_killpriv.c) in any case.
 */
void passthrough_init_conn(struct fuse_conn_info *conn);
/* Once the log goes where the daemon's will: the data path, and why. */
void passthrough_report(void);

/*
 * FILE was opened on INO (the caller was allowed to); as the daemon,
 * which may register backing files: how the kernel is to serve it, into
 * PT.  -errno if it can be served neither way; else the release calls
 * passthrough_closed().
 */
int passthrough_opened(fuse_ino_t ino, struct seg_file *file,
		       struct pt_open *pt);
void passthrough_closed(fuse_ino_t ino);

/* fuse_reply_open() and fuse_reply_create(), served as PT says. */
int passthrough_reply_open(fuse_req_t req, struct fuse_file_info *fi,
			   const struct pt_open *pt);
int passthrough_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			     struct fuse_file_info *fi,
			     const struct pt_open *pt);

#endif
