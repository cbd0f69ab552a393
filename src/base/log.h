/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's log: stderr in the foreground, syslog once daemonized.
 * Levels are syslog's (LOG_ERR .. LOG_DEBUG), which are also libfuse's
 * enum fuse_log_level values, so the program hands libfuse's own messages
 * to log_vmsg() (main.c) and both end up in one place.  Nothing here
 * knows FUSE: base/ is below every other folder.
 */
#ifndef SHMFS_LOG_H
#define SHMFS_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <syslog.h>

int log_debug_enabled(void);
void log_setup(int debug);
void log_to_syslog(void);

void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Where lines go instead (NULL: stderr or syslog again): for tests. */
typedef void log_sink_fn(int level, const char *fmt, va_list ap);
void log_set_sink(log_sink_fn *sink);

#define log_debug(...)                                   \
	do {                                             \
		if (log_debug_enabled())                 \
			log_msg(LOG_DEBUG, __VA_ARGS__); \
	} while (0)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)

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
void log_limited(struct log_limit *l, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
