// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memfds in the holder map, from a fake /proc: found by their path on the
 * kernel's shm mounts only, one entry a process and memfd (by descriptor
 * where it has one), with the name as memfd_create() had it; SysV segments
 * and shared anonymous mappings on the same mount are not memfds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "procscan.h"

static char root[] = "/tmp/shmfs-test-procscan-memfd.XXXXXX";

static void put(const char *path, const char *text)
{
	char full[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void process(int pid, const char *maps)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/ns", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/ns/ipc", root, pid);
	assert_int_equal(symlink("../../nsA", path), 0);
	snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%d/maps", pid);
	put(path, maps);
}

static void memfd_paths(void **state)
{
	size_t len = 0;
	const char *n;

	(void)state;
	n = procscan_memfd_path("/memfd:pipewire-memfd (deleted)", &len);
	assert_non_null(n);
	assert_int_equal(len, strlen("pipewire-memfd"));
	assert_memory_equal(n, "pipewire-memfd", len);
	n = procscan_memfd_path("/memfd: (deleted)", &len);
	assert_non_null(n);
	assert_int_equal(len, 0);
	assert_null(procscan_memfd_path("/memfd:x", &len));
	assert_null(procscan_memfd_path("/dev/zero (deleted)", &len));
	assert_null(procscan_memfd_path("/SYSV000004d2 (deleted)", &len));
	assert_null(procscan_memfd_path("/tmp/memfd:x (deleted)", &len));
}

static void memfds_in_map(void **state)
{
	struct procscan_devs devs = { .dev = { makedev(0, 1) }, .n = 1 };
	struct procscan_map m;
	int procfd;

	(void)state;
	assert_non_null(mkdtemp(root));
	put("nsA", "");
	process(1, "");
	process(100, "");
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/self", root);
		assert_int_equal(symlink("100", path), 0);
	}
	/* mapped twice, with a name holding a slash; others on the mount */
	process(3000,
		"1000-2000 rw-s 00000000 00:01 77 /memfd:pw/a (deleted)\n"
		"3000-5000 rw-s 00000000 00:01 77 /memfd:pw/a (deleted)\n"
		"6000-7000 rw-s 00000000 00:01 78 /dev/zero (deleted)\n"
		"8000-9000 rw-s 00000000 00:01 79 /SYSV000004d2 (deleted)\n"
		"a000-b000 rw-s 00000000 00:33 80 /memfd:x (deleted)\n");
	process(3001, "1000-2000 r--s 00000000 00:01 77 /memfd:pw/a (deleted)\n"
		      "2000-3000 rw-s 00000000 00:01 81 /memfd: (deleted)\n");
	procfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(procfd >= 0);
	assert_int_equal(procscan_build_at(procfd, &devs, 0, &m), 0);
	/* 77 by two processes, once each; 81 once; nothing else */
	assert_int_equal(m.nmf, 3);
	assert_int_equal(m.mf[0].ino, 77);
	assert_int_equal(m.mf[0].pid, 3000);
	assert_int_equal(m.mf[0].fd, -1);
	assert_int_equal(m.mf[0].start, 0x1000);
	assert_int_equal(m.mf[0].end, 0x2000);
	assert_string_equal(m.names + m.mf[0].name, "pw/a");
	assert_int_equal(m.mf[1].ino, 77);
	assert_int_equal(m.mf[1].pid, 3001);
	assert_int_equal(m.mf[2].ino, 81);
	assert_string_equal(m.names + m.mf[2].name, "");
	/* every hold is still one of the map's holds */
	assert_true(m.n >= 5);
	procscan_map_free(&m);
	close(procfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memfd_paths),
		cmocka_unit_test(memfds_in_map),
	};
	int res = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		res = 1;
	return res;
}
