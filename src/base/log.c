// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "clock.h"

#define LIMIT_NS (60 * 1000000000LL)

static int debug_on;
static int use_syslog;

int log_debug_enabled(void)
{
	return debug_on;
}

/* libfuse writes some lines in pieces: prefix only what starts a line. */
static __thread int mid_line;

static void log_func(enum fuse_log_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	int len;

	if (level > FUSE_LOG_NOTICE && !debug_on)
		return;
	if (use_syslog) {
		vsyslog(LOG_DAEMON | (int)level, fmt, ap);
		return;
	}
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (len <= 0)
		return;
	fprintf(stderr, "%s%s", mid_line ? "" : "shmfs: ", buf);
	mid_line = (size_t)len < sizeof(buf) && buf[len - 1] != '\n';
}

void log_limited(struct log_limit *l, enum fuse_log_level level,
		 const char *fmt, ...)
{
	int64_t now = clock_now_ns();
	int64_t next = __atomic_load_n(&l->next_ns, __ATOMIC_RELAXED);
	unsigned long held;
	char line[512];
	va_list ap;
	size_t len;

	/* Of threads that see the time come, one writes; the others count. */
	if (now < next ||
	    !__atomic_compare_exchange_n(&l->next_ns, &next, now + LIMIT_NS, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		__atomic_add_fetch(&l->held, 1, __ATOMIC_RELAXED);
		return;
	}
	held = __atomic_exchange_n(&l->held, 0, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	len = strcspn(line, "\n");
	if (held == 0)
		fuse_log(level, "%.*s\n", (int)len, line);
	else
		fuse_log(level, "%.*s (and %lu more since the last such line)\n",
			 (int)len, line, held);
}

void log_setup(int debug)
{
	debug_on = debug;
	fuse_set_log_func(log_func);
}

void log_to_syslog(void)
{
	openlog("shmfs", LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}
