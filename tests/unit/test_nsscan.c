// SPDX-License-Identifier: GPL-2.0-or-later
/* ns/'s scan of /proc (core/nsscan.c): the parsers, and this process's own namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cred.h"
#include "nsscan.h"

static void parses_links(void **state)
{
	(void)state;
	assert_int_equal(nsscan_parse_link("ipc:[4026531839]"), 4026531839ULL);
	assert_int_equal(nsscan_parse_link("ipc:[1]"), 1);
	assert_int_equal(nsscan_parse_link("net:[4026531839]"), 0);
	assert_int_equal(nsscan_parse_link("ipc:[]"), 0);
	assert_int_equal(nsscan_parse_link("ipc:[-1]"), 0);
	assert_int_equal(nsscan_parse_link("ipc:[12]x"), 0);
	assert_int_equal(nsscan_parse_link("ipc:[12"), 0);
	assert_int_equal(nsscan_parse_link("ipc:[99999999999999999999999]"), 0);
	assert_int_equal(nsscan_parse_link(""), 0);
}

static void parses_cgroups(void **state)
{
	char path[64];

	(void)state;
	assert_int_equal(
		nsscan_parse_cgroup("0::/system.slice/docker-abc.scope\n", path,
				    sizeof(path)),
		0);
	assert_string_equal(path, "/system.slice/docker-abc.scope");
	/* v1 lines first: the unified one still wins. */
	assert_int_equal(
		nsscan_parse_cgroup("12:memory:/kubepods/pod1\n0::/u\n", path,
				    sizeof(path)),
		0);
	assert_string_equal(path, "/u");
	/* v1 only: the first line's. */
	assert_int_equal(
		nsscan_parse_cgroup("4:cpu,cpuacct:/lxc/c1\n3:pids:/x\n", path,
				    sizeof(path)),
		0);
	assert_string_equal(path, "/lxc/c1");
	assert_int_equal(nsscan_parse_cgroup("", path, sizeof(path)), -ENODATA);
	assert_int_equal(nsscan_parse_cgroup("garbage\n", path, sizeof(path)),
			 -ENODATA);
	assert_int_equal(nsscan_parse_cgroup("0::/a-very-long-path\n", path, 8),
			 -E2BIG);
}

/* Cred inactive: the scan and the checks are this process's own rights. */
static void finds_own_namespace(void **state)
{
	struct seg_cred me = { .uid = geteuid(), .gid = getegid() };
	uint64_t *v, own;
	pid_t *pids;
	size_t n, i;
	struct stat st;
	char buf[64];
	ssize_t len;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/ipc", &st), 0);
	own = st.st_ino;
	assert_int_equal(nsscan_list(&me, &v, &n), 0);
	for (i = 0; i < n && v[i] != own; i++)
		;
	assert_true(i < n);
	for (i = 1; i < n; i++)
		assert_true(v[i - 1] < v[i]); /* ascending, once each */
	free(v);
	assert_int_equal(nsscan_visible(&me, own), 1);
	assert_int_equal(nsscan_visible(&me, 12345), 0);
	assert_int_equal(nsscan_pids(&me, own, &pids, &n), 0);
	for (i = 0; i < n && pids[i] != getpid(); i++)
		;
	assert_true(i < n);
	free(pids);
	assert_int_equal(nsscan_pids(&me, 12345, &pids, &n), -ENOENT);
	len = nsscan_getxattr(&me, own, "user.shm.cgroup", buf, sizeof(buf));
	assert_true(len > 0 && buf[0] == '/');
	assert_int_equal(
		nsscan_getxattr(&me, own, "user.shm.nothing", buf, sizeof(buf)),
		-ENODATA);
	assert_int_equal(nsscan_getxattr(&me, own, "user.shm.pids", buf, 1),
			 -ERANGE);
	assert_true(nsscan_getxattr(&me, own, "user.shm.all", NULL, 0) > 0);
	nsscan_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_links),
		cmocka_unit_test(parses_cgroups),
		cmocka_unit_test(finds_own_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
