// SPDX-License-Identifier: GPL-2.0-or-later
#include "kind.h"

#include "memfd.h"
#include "posix.h"
#include "sysv.h"

const struct kind *const kinds[] = {
	&posix_kind,
	&sysv_kind,
	&memfd_kind,
	NULL,
};

/*
 * The SysV limits (kernel.shmall, kernel.shmmni), which no other file
 * system shows; the POSIX directory is a file system of its own, which
 * df of posix/ shows.
 */
const char kind_root_statfs[] = "sysv";
