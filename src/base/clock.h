/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one clock that intervals and ages are measured on. */
#ifndef SHMFS_CLOCK_H
#define SHMFS_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC, in nanoseconds. */
static inline int64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
