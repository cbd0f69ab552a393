/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What shmhelper.c shares with the commands in other files. */
#ifndef SHMHELPER_H
#define SHMHELPER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/types.h>

/* Bad usage: the message, a hint, exit 2. */
void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* "shmhelper: MESSAGE" and exit 1; a MESSAGE ending in ':' gets
 * strerror(errno) appended. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

uint64_t parse_u64(const char *what, const char *s);
key_t parse_key(const char *s, bool allow_private);

/* Waits for SECONDS, or until FILE exists; at most 300 s. */
struct wait_spec {
	double seconds;
	const char *file;
};
void parse_wait(int argc, char **argv, int i, struct wait_spec *w);
double now(void);
bool wait_done(const struct wait_spec *w, double start);
/* Print our pid, and end a wait at SIGTERM, SIGINT or SIGHUP. */
void announce_pid(void);
extern volatile sig_atomic_t got_signal;

/* shm_open(NAME); dies on failure. */
int posix_open(const char *s, int flags, mode_t mode);

/* "name=value" fields, or only WANT's value (see sysv-stat). */
void print_field(const char *want, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void end_fields(const char *want);

/* shmhelper_admin.c */
int cmd_posix_hold(int argc, char **argv);
int cmd_sysv_create_huge(int argc, char **argv);
int cmd_sysv_info(int argc, char **argv);
int cmd_sysv_hold_elsewhere(int argc, char **argv);

/* shmhelper_memfd.c */
int cmd_memfd_hold(int argc, char **argv);

#endif
