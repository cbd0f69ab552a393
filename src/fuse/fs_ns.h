/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ns/ and its directories ns/N, one per IPC namespace with processes
 * (fs_ns.c).  For the FUSE layer's handlers.
 */
#ifndef SHMFS_FS_NS_H
#define SHMFS_FS_NS_H

#include "config.h"

#include <fuse_lowlevel.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "seg.h"

/* The inode of ns/ (after the kinds' directories), set by tree_init(). */
void ns_init(fuse_ino_t top, time_t made);
/* The inode of ns/, and its name. */
fuse_ino_t ns_top_ino(void);
const char *ns_top_name(void);
/* Whether INO is ns/ or an ns/N; N of ns/N, else 0. */
int ns_is_dir(fuse_ino_t ino);
uint64_t ns_of_ino(fuse_ino_t ino);
/*
 * fs_ns_inst.c: the directory ns/N/DIR with inode INO (its instance
 * started on first use, never freed), or NULL; and each of ns/N's.
 */
struct tree_dir;
const struct tree_dir *ns_sub_dir(fuse_ino_t ino);
int ns_sub_each(uint64_t ns, int (*fn)(void *ctx, const struct tree_dir *d),
		void *ctx);
/* Whether INO is an ns/N/DIR; the N of ns/N or of ns/N/DIR. */
int ns_is_sub(fuse_ino_t ino);
uint64_t ns_number(fuse_ino_t ino);

/* The fixed attributes of ns/ or ns/N, whoever asks. */
void ns_stat(fuse_ino_t ino, struct stat *st);
/* The attributes of INO, if REQ's caller may see it: -ENOENT if not. */
int ns_getattr(fuse_req_t req, fuse_ino_t ino, struct stat *st);
/*
 * 0 unless INO is an ns/N/DIR that REQ's caller may not see (-ENOENT):
 * checked at each request by name, since a caller may hold a directory
 * (its cwd, an fd) from a time it saw it, or reach it through a dentry
 * another caller's lookup made.
 */
int ns_sub_allowed(fuse_req_t req, fuse_ino_t ino);
/* NAME in ns/ (PARENT), if REQ's caller may see it. */
int ns_lookup(fuse_req_t req, fuse_ino_t parent, const char *name,
	      struct stat *st);
/* What C sees in ns/ or ns/N (INO), through FILL; -ENOENT if not INO. */
int ns_list(const struct seg_cred *c, fuse_ino_t ino, seg_fill_fn fill,
	    void *ctx);
/* An attribute of ns/N as REQ's caller sees it (nsscan_getxattr()). */
ssize_t ns_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, char *buf,
		    size_t size);

#endif
