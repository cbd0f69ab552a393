/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's FUSE passthrough interface, through libfuse's API where it
 * has one (3.17), by hand where it has none (3.14): what passthrough.c
 * needs, the same with either.  See passthrough_abi.c for the ABI facts
 * this relies on and when the by-hand part can go.
 */
#ifndef SHMFS_PASSTHROUGH_ABI_H
#define SHMFS_PASSTHROUGH_ABI_H

#include "config.h"

#include <fuse_lowlevel.h>

/*
 * After the mount, before the kernel's INIT is read, whatever the data
 * path: 0, or -errno if the replies cannot be made to carry passthrough
 * and FUSE_HANDLE_KILLPRIV_V2.
 */
int pt_abi_setup(struct fuse_session *se);
/* In the INIT handler: whether the kernel offers passthrough. */
int pt_abi_offered(const struct fuse_conn_info *conn);
/* In the INIT handler: take it, for backing files on tmpfs and shmem. */
void pt_abi_want(struct fuse_conn_info *conn);
/*
 * In the INIT handler, whatever the data path: FUSE_HANDLE_KILLPRIV_V2,
 * where the kernel offers it.  After the INIT's reply: whether it did.
 */
void pt_abi_want_kill_priv(struct fuse_conn_info *conn);
int pt_abi_kills_priv(void);

/* Register FD as a backing file on the session's DEVFD: its id, or -errno. */
int pt_abi_backing_open(int devfd, int fd);
void pt_abi_backing_close(int devfd, int id);

/*
 * fuse_reply_open() and fuse_reply_create(), the file served by the
 * kernel from backing file ID (none if 0); MAP_ONLY: only its mappings,
 * its read(2) and write(2) still come to the daemon.
 */
int pt_abi_reply_open(fuse_req_t req, struct fuse_file_info *fi, int id,
		      int map_only);
int pt_abi_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			struct fuse_file_info *fi, int id, int map_only);

#endif
