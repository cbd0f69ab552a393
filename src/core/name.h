/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File names of segments: SysV keys and ids, POSIX object names. */
#ifndef SHMFS_NAME_H
#define SHMFS_NAME_H

#include <sys/types.h>

/* "0x" + 8 hex digits + NUL, as ipcs prints keys */
#define NAME_KEY_LEN 11
/* INT_MAX in decimal + NUL */
#define NAME_ID_LEN 11

/*
 * Parse a SysV key the ways people write one: "0x000004d2", "0x4d2",
 * "0X4D2" or "1234".  Key 0 (IPC_PRIVATE) is not a name.  -EINVAL if
 * the text is not a key.
 */
int name_parse_key(const char *s, key_t *key);
void name_format_key(key_t key, char buf[NAME_KEY_LEN]);

/* A shmid in decimal, as ipcs prints it.  -EINVAL if not one. */
int name_parse_shmid(const char *s, int *shmid);
void name_format_shmid(int shmid, char buf[NAME_ID_LEN]);

/*
 * Whether NAME may be a POSIX object: one path component, not a named
 * semaphore ("sem." prefix, which glibc keeps in the same directory).
 */
int name_check_posix(const char *name);

#endif
