/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging goes through fuse_log(), so libfuse's own messages and ours end
 * up in one place: stderr in the foreground, syslog once daemonized.
 */
#ifndef SHMFS_LOG_H
#define SHMFS_LOG_H

#include <fuse_log.h>
#include <stdint.h>

int log_debug_enabled(void);
void log_setup(int debug);
void log_to_syslog(void);

#define log_debug(...)                                         \
	do {                                                   \
		if (log_debug_enabled())                       \
			fuse_log(FUSE_LOG_DEBUG, __VA_ARGS__); \
	} while (0)
#define log_notice(...) fuse_log(FUSE_LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)	fuse_log(FUSE_LOG_WARNING, __VA_ARGS__)
#define log_err(...)	fuse_log(FUSE_LOG_ERR, __VA_ARGS__)

/*
 * For a line that any caller can make the daemon write, as often as it
 * likes: one a minute at most for each such limit (zeroed, static), so
 * that a hostile user cannot flood the log.  The line that goes out says
 * how many were held back since the last.
 */
struct log_limit {
	int64_t next_ns;
	unsigned long held;
};
void log_limited(struct log_limit *l, enum fuse_log_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
