/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memfds (memfd_create(2)), as the kind registry (kind.c) knows them. */
#ifndef SHMFS_MEMFD_H
#define SHMFS_MEMFD_H

#include "kind.h"

extern const struct kind memfd_kind;

#endif
