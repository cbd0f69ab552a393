/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Descriptors kept back from open files.  Every request may need one for
 * a moment (a caller's /proc status, a listing, the watcher's reads),
 * and without one a request whose caller cannot be read is refused; so
 * files that users open, and hold as long as they like, never take the
 * last FD_RESERVE the daemon's limit allows.
 */
#ifndef SHMFS_FD_RESERVE_H
#define SHMFS_FD_RESERVE_H

#define FD_RESERVE 64

/*
 * Whether FD, just opened for a file that a user holds open, is one of
 * the last FD_RESERVE: then the open is to fail with EMFILE.
 */
int fd_in_reserve(int fd);

#endif
