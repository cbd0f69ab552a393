/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parser of /proc/sysvipc/shm's lines, for sysvtab.c and the tests
 * and fuzz targets that feed it lines of their own.
 */
#ifndef SHMFS_SYSVTAB_PARSE_H
#define SHMFS_SYSVTAB_PARSE_H

#include "sysvtab.h"

enum sysvtab_col {
	COL_KEY,
	COL_SHMID,
	COL_PERMS,
	COL_SIZE,
	COL_CPID,
	COL_LPID,
	COL_NATTCH,
	COL_UID,
	COL_GID,
	COL_CUID,
	COL_CGID,
	COL_ATIME,
	COL_DTIME,
	COL_CTIME,
	COL_RSS,
	COL_SWAP,
	SYSVTAB_NCOLS
};

/* Where each column is, by name, so a kernel that adds one does not break us. */
struct sysvtab_cols {
	int pos[SYSVTAB_NCOLS]; /* -1: absent */
	int ncols;
};

int sysvtab_parse_header(const char *line, struct sysvtab_cols *cols);
int sysvtab_parse_line(const struct sysvtab_cols *cols, const char *line,
		       struct sysv_info *info);

#endif
