/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A thread that entered another namespace for a request (setns(2) moves
 * one thread) goes back before it waits for the next: a thread parked in
 * a namespace would keep it, and a dead container's memory, alive.  A
 * kind that moves threads registers how it brings one back; the FUSE
 * workers (before each read of /dev/fuse) and the pool (after each job)
 * call nshome_now().
 */
#ifndef SHMFS_NSHOME_H
#define SHMFS_NSHOME_H

/* FN brings this thread back, if it is away; at most 4 are kept. */
void nshome_register(void (*fn)(void));
void nshome_now(void);
/* Whether the FUSE layer calls nshome_now() before each request. */
void nshome_set_workers_covered(int covered);
int nshome_workers_covered(void);

#endif
