/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System V segments, as the kind registry (kind.c) knows them: sysv/
 * names them by key, sysv-id/ by shmid.
 */
#ifndef SHMFS_SYSV_H
#define SHMFS_SYSV_H

#include "kind.h"

extern const struct kind sysv_kind;

#endif
