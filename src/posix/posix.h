/* SPDX-License-Identifier: GPL-2.0-or-later */
/* POSIX shared memory objects, as the kind registry (kind.c) knows them. */
#ifndef SHMFS_POSIX_H
#define SHMFS_POSIX_H

#include "kind.h"

extern const struct kind posix_kind;

#endif
