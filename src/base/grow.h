/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Arrays that grow as they fill. */
#ifndef SHMFS_GROW_H
#define SHMFS_GROW_H

#include <stddef.h>

/*
 * V, of *CAP elements of SIZE bytes, with room for at least NEED: the same
 * pointer, or a larger array (doubling, so that growing one element at a
 * time stays linear), *CAP updated.  NULL, with V and *CAP untouched, if
 * there is no memory.
 */
void *grow(void *v, size_t *cap, size_t need, size_t size);

#endif
