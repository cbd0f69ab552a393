/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What changed behind the kernel's back.  The kernel may cache names and
 * attributes of watched objects (seg_ops.watched); each backend's change
 * detector (sysv_changes, posix_changes) lists what it found to differ
 * from what the kernel was told, and the FUSE layer passes each change on
 * as an invalidation notice.
 */
#ifndef SHMFS_CHANGE_H
#define SHMFS_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "seg.h"

struct change {
	uint64_t ino;		       /* attributes of ino, if not 0 */
	int contents;		       /* and maybe its contents too */
	const struct seg_dir_ops *dir; /* else NAME in DIR */
	char *name;
};

struct change_list {
	struct change *v;
	size_t n, cap;
};

/*
 * CONTENTS: someone else may have written.  Only cached contents (-o
 * kernel_cache) care; what we write goes through the kernel's cache.
 */
int change_inode(struct change_list *l, uint64_t ino, int contents);
int change_name(struct change_list *l, const struct seg_dir_ops *dir,
		const char *name);
/* Append FROM's changes to TO, leaving FROM empty. */
int change_list_move(struct change_list *to, struct change_list *from);
void change_list_free(struct change_list *l);

#endif
