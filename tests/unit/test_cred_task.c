// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a caller's capabilities and groups from its status file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cred.h"

/* A status file with TEXT in it, read from the start. */
static int status_fd(const char *text)
{
	int fd = memfd_create("status", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int parse(const char *text, struct seg_cred *c)
{
	int fd = status_fd(text);
	int res = cred_parse_status(fd, c);

	close(fd);
	return res;
}

#define HEAD "Name:\tcat\nUmask:\t0022\nState:\tR (running)\n"
#define IDS  "Uid:\t1001\t1001\t1001\t1002\nGid:\t2001\t2001\t2001\t2002\n"
#define CAPS                                                     \
	"CapInh:\t0000000000000000\nCapPrm:\t0000000000008000\n" \
	"CapEff:\t0000000000008000\nCapBnd:\t000001ffffffffff\n"

static void fields(void **state)
{
	struct seg_cred c = { .uid = 1002, .gid = 2002 };

	(void)state;
	assert_int_equal(parse(HEAD IDS "FDSize:\t64\nGroups:\t5 20 2002 \n"
					"NStgid:\t7\n" CAPS "Seccomp:\t0\n",
			       &c),
			 0);
	assert_int_equal(c.caps, 0x8000);
	assert_int_equal(c.ngroups, 3);
	assert_int_equal(c.groups[0], 5);
	assert_int_equal(c.groups[2], 2002);
	/* no supplementary groups at all */
	assert_int_equal(parse(HEAD IDS "Groups:\t\n" CAPS, &c), 0);
	assert_int_equal(c.ngroups, 0);
}

/* Any doubt: nothing, and an error. */
static void doubt(void **state)
{
	struct seg_cred c = { .uid = 1002, .gid = 2002 };

	(void)state;
	/* the fsuid is another's: a reused pid, or creds changed */
	c.uid = 1001;
	assert_int_equal(parse(HEAD IDS "Groups:\t5\n" CAPS, &c), -ESRCH);
	assert_int_equal(c.caps, 0);
	assert_int_equal(c.ngroups, 0);
	c.uid = 1002;
	c.gid = 2001;
	assert_int_equal(parse(HEAD IDS "Groups:\t5\n" CAPS, &c), -ESRCH);
	c.gid = 2002;
	/* fields missing, cut short, or not numbers */
	assert_int_equal(parse(HEAD IDS "Groups:\t5\n", &c), -ESRCH);
	assert_int_equal(parse(HEAD IDS CAPS, &c), -ESRCH);
	assert_int_equal(parse(HEAD "Uid:\t1\t1\t1\nGid:\t2\t2\t2\t2002\n"
				    "Groups:\t\n" CAPS,
			       &c),
			 -ESRCH);
	assert_int_equal(parse(HEAD IDS "Groups:\t5 x6\n" CAPS, &c), -ESRCH);
	assert_int_equal(parse(HEAD IDS "Groups:\t99999999999\n" CAPS, &c),
			 -ESRCH);
	assert_int_equal(parse(HEAD IDS "Groups:\t\n"
					"CapEff:\t1ffffffffffffffff\n",
			       &c),
			 -ESRCH);
	assert_int_equal(c.caps, 0);
	assert_int_equal(parse("", &c), -ESRCH);
}

/* Groups far beyond what a cred holds, across many reads of the file. */
static void many_groups(void **state)
{
	struct seg_cred c = { .uid = 1002, .gid = 2002 };
	size_t len = 0, cap = 1 << 20;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, HEAD IDS "Groups:\t");
	for (int g = 100000; g < 110000; g++)
		len += (size_t)snprintf(text + len, cap - len, "%d ", g);
	snprintf(text + len, cap - len, "\n" CAPS);
	assert_int_equal(parse(text, &c), 0);
	assert_int_equal(c.ngroups, CRED_MAX_GROUPS);
	assert_int_equal(c.groups[CRED_MAX_GROUPS - 1],
			 100000 + CRED_MAX_GROUPS - 1);
	/* the last one counts, on this thread (CAP_IPC_OWNER aside) */
	c.caps = 0;
	assert_int_equal(cred_ipc_perm(&c, 0060, 0, 109999, 0, 0, R_OK), 0);
	assert_int_equal(cred_ipc_perm(&c, 0060, 0, 110000, 0, 0, R_OK),
			 -EACCES);
	free(text);
}

/* Our own thread, for real. */
static void own_task(void **state)
{
	struct seg_cred c = { .uid = geteuid(), .gid = getegid() };
	gid_t groups[CRED_MAX_GROUPS];
	int n = getgroups(CRED_MAX_GROUPS, groups);

	(void)state;
	c.pid = (pid_t)syscall(SYS_gettid);
	assert_int_equal(cred_read_task(&c), 0);
	assert_int_equal(c.ngroups, n);
	if (geteuid() == 0)
		assert_true(c.caps != 0);
	c.uid++;
	assert_int_equal(cred_read_task(&c), -ESRCH);
	c.pid = 0;
	assert_int_equal(cred_read_task(&c), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields),
		cmocka_unit_test(doubt),
		cmocka_unit_test(many_groups),
		cmocka_unit_test(own_task),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
