// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "clock.h"

#define LIMIT_NS (60 * 1000000000LL)

/*
 * Daemon-wide, as the process has one stderr and one syslog: set before
 * any thread starts, only read after.
 */
static int debug_on;
static int use_syslog;

int log_debug_enabled(void)
{
	return debug_on;
}

/* libfuse writes some lines in pieces: prefix only what starts a line. */
static __thread int mid_line;

/* Set before any thread starts (tests: between their cases); read only. */
static log_sink_fn *sink;

void log_set_sink(log_sink_fn *fn)
{
	sink = fn;
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	char buf[1024];
	int len;

	if (sink != NULL) {
		sink(level, fmt, ap);
		return;
	}
	if (level > LOG_NOTICE && !debug_on)
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

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_limited(struct log_limit *l, int level, const char *fmt, ...)
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
		log_msg(level, "%.*s\n", (int)len, line);
	else
		log_msg(level, "%.*s (and %lu more since the last such line)\n",
			(int)len, line, held);
}

void log_setup(int debug)
{
	debug_on = debug;
}

void log_to_syslog(void)
{
	openlog("shmfs", LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}
