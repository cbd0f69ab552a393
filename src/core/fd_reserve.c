// SPDX-License-Identifier: GPL-2.0-or-later
#include "fd_reserve.h"

#include <sys/resource.h>

/*
 * A new descriptor is the lowest free one, so one at or above the limit
 * less the reserve leaves at most that many free.  Below it none is free;
 * above it some may be taken, so the reserve is at most what is left: a
 * cheap test, not an exact count.  The limit is read each time: an
 * administrator may change it (prlimit).  Daemon-wide, as the process's
 * descriptor table is: every instance's opens draw from it.
 */
int fd_in_reserve(int fd)
{
	struct rlimit rl;

	return fd >= 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	       rl.rlim_cur != RLIM_INFINITY &&
	       (rlim_t)fd + FD_RESERVE >= rl.rlim_cur;
}
