// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /proc scan: the lines of maps and smaps, and whole scans of a tree
 * laid out like /proc (numbered directories with maps, smaps, fd/ and
 * ns/ipc; "self" the daemon's), which can hold what a live /proc only
 * shows by chance: processes of another IPC namespace, ones that vanished,
 * kernel threads, lines longer than any buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procscan.h"

static void map_lines(void **state)
{
	struct procscan_map_line m;

	(void)state;
	assert_int_equal(
		procscan_parse_map("7f5269f63000-7f5269f65000 rw-s "
				   "00000000 00:01 32769      "
				   "            /SYSV000004d2 (deleted)",
				   &m),
		0);
	assert_int_equal(m.start, 0x7f5269f63000);
	assert_int_equal(m.end, 0x7f5269f65000);
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 1);
	assert_int_equal(m.ino, 32769);
	assert_string_equal(m.path, "/SYSV000004d2 (deleted)");
	assert_true(procscan_sysv_path(m.path, NULL));

	assert_int_equal(procscan_parse_map("00400000-00452000 r-xp 00001000 "
					    "fd:103 1234567890123 /usr/bin/x",
					    &m),
			 0);
	assert_int_equal(m.major, 0xfd);
	assert_int_equal(m.minor, 0x103);
	assert_int_equal(m.offset, 0x1000);
	assert_int_equal(m.ino, 1234567890123ULL);
	assert_false(procscan_sysv_path(m.path, NULL));

	/* anonymous: no path at all */
	assert_int_equal(procscan_parse_map("7ffd1000-7ffd2000 rw-p 00000000 "
					    "00:00 0",
					    &m),
			 0);
	assert_string_equal(m.path, "");

	/* refused, not half read */
	assert_int_equal(procscan_parse_map("", &m), -EINVAL);
	assert_int_equal(procscan_parse_map("7ffd1000 rw-p", &m), -EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw-p 0 00:00", &m), -EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw 0 00:00 0", &m), -EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw-p 0 0g:00 0", &m), -EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw-p 0 00:00 12x", &m),
			 -EINVAL);
	assert_int_equal(
		procscan_parse_map("10000000000000000-2 rw-p 0 00:00 0", &m),
		-EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw-p 0 100000000:00 0", &m),
			 -EINVAL);
	assert_int_equal(procscan_parse_map("1-2 rw-p 0 00:00 "
					    "18446744073709551616",
					    &m),
			 -EINVAL);
}

static void sysv_paths(void **state)
{
	(void)state;
	assert_true(procscan_sysv_path("/SYSV00000000 (deleted)", NULL));
	assert_true(procscan_sysv_path("/SYSVdeadbeef (deleted)", NULL));
	{
		uint32_t key = 0;

		assert_true(procscan_sysv_path("/SYSVdeadbeef (deleted)", &key));
		assert_int_equal(key, 0xdeadbeef);
	}
	assert_false(procscan_sysv_path("/SYSV000004d2", NULL));
	assert_false(procscan_sysv_path("/SYSV000004D2 (deleted)", NULL));
	assert_false(procscan_sysv_path("/SYSV000004d (deleted)", NULL));
	assert_false(procscan_sysv_path("/SYSV000004d22 (deleted)", NULL));
	assert_false(procscan_sysv_path("/dev/shm/SYSV000004d2", NULL));
	assert_false(procscan_sysv_path("/SYSV000004d2 (gone)", NULL));
	assert_false(procscan_sysv_path("", NULL));
}

static void smaps_lines(void **state)
{
	uint64_t start = 0, size = 0;

	(void)state;
	assert_int_equal(procscan_parse_smaps("7f5269800000-7f5269c00000 rw-s "
					      "00000000 00:11 2 /SYSV00000000 "
					      "(deleted)",
					      &start, &size),
			 1);
	assert_int_equal(start, 0x7f5269800000);
	assert_int_equal(procscan_parse_smaps("KernelPageSize:     2048 kB",
					      &start, &size),
			 2);
	assert_int_equal(size, 2097152);
	assert_int_equal(procscan_parse_smaps("KernelPageSize:        4 kB",
					      &start, &size),
			 2);
	assert_int_equal(size, 4096);
	assert_int_equal(
		procscan_parse_smaps("MMUPageSize:        4 kB", &start, &size),
		0);
	assert_int_equal(
		procscan_parse_smaps("KernelPageSize: 4 MB", &start, &size), 0);
	assert_int_equal(procscan_parse_smaps("VmFlags: rd wr sh mr mw me ms "
					      "de ht",
					      &start, &size),
			 0);
}

/* ---- A tree laid out like /proc ---- */

static char root[] = "/tmp/shmfs-test-procscan.XXXXXX";
static int procfd = -1;
/* a file some processes map or hold open, on a tmpfs (/dev/shm): only
 * files on anonymous devices are looked for */
static char object_path[64];
static struct stat object;
/* the kernel's shm mounts, as this fake /proc has them: 00:01, and a
 * hugetlbfs one 00:11 */
static struct procscan_devs devs;

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

static void dir(const char *path)
{
	char full[512];

	snprintf(full, sizeof(full), "%s/%s", root, path);
	assert_int_equal(mkdir(full, 0755), 0);
}

static void link_to(const char *target, const char *path)
{
	char full[512];

	snprintf(full, sizeof(full), "%s/%s", root, path);
	assert_int_equal(symlink(target, full), 0);
}

/* Process PID of IPC namespace NS (nsA or nsB), mapping MAPS. */
static void process(int pid, const char *ns, const char *maps)
{
	char path[64], target[64];

	snprintf(path, sizeof(path), "%d", pid);
	dir(path);
	snprintf(path, sizeof(path), "%d/ns", pid);
	dir(path);
	snprintf(path, sizeof(path), "%d/ns/ipc", pid);
	snprintf(target, sizeof(target), "../../%s", ns);
	link_to(target, path);
	if (maps != NULL) {
		snprintf(path, sizeof(path), "%d/maps", pid);
		put(path, maps);
	}
	snprintf(path, sizeof(path), "%d/fd", pid);
	dir(path);
}

static int setup(void **state)
{
	char line[8192], path[512];

	(void)state;
	assert_non_null(mkdtemp(root));
	devs.dev[0] = makedev(0, 1);
	devs.dev[1] = makedev(0, 0x11);
	devs.n = 2;
	put("nsA", "");
	put("nsB", "");
	snprintf(object_path, sizeof(object_path),
		 "/dev/shm/shmfs-test-procscan.%d", (int)getpid());
	{
		int fd = open(object_path, O_CREAT | O_EXCL | O_RDWR, 0600);

		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &object), 0);
		close(fd);
	}
	put("other", "");

	process(1, "nsA", "55d0-55e0 r-xp 00000000 08:01 99 /sbin/init\n");
	process(100, "nsA", ""); /* the daemon: self */
	link_to("100", "self");
	/* SysV shmid 42, here, in smaps with huge pages */
	process(200, "nsA",
		"1000-2000 r--p 00000000 08:01 7 /bin/x\n"
		"7f00000-7f00400 rw-s 00000000 00:11 42 "
		"/SYSV00000000 (deleted)\n");
	put("200/smaps", "1000-2000 r--p 00000000 08:01 7 /bin/x\n"
			 "KernelPageSize:        4 kB\n"
			 "7f00000-7f00400 rw-s 00000000 00:11 42 "
			 "/SYSV00000000 (deleted)\n"
			 "Size:               4096 kB\n"
			 "KernelPageSize:     2048 kB\n");
	/* the same shmid in another IPC namespace: another segment */
	process(300, "nsB",
		"7f00000-7f01000 rw-s 00000000 00:01 42 "
		"/SYSV000004d2 (deleted)\n");
	/* another shmid; files whose inode is 42, one on a disk named
	 * like a segment */
	process(400, "nsA",
		"7f00000-7f01000 rw-s 00000000 00:01 43 "
		"/SYSV000004d2 (deleted)\n"
		"7f01000-7f02000 rw-s 00000000 00:01 42 /dev/shm/x\n"
		"7f02000-7f03000 rw-s 00000000 08:01 42 "
		"/SYSV00000000 (deleted)\n");
	/* listed, but gone before its maps could be read */
	dir("500");
	/* the object, mapped (behind a line longer than any buffer) */
	memset(line, 'a', sizeof(line));
	memcpy(line, "1000-2000 r--p 00000000 08:01 7 /", 33);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	process(600, "nsB", line);
	snprintf(line, sizeof(line),
		 "1000-2000 rw-s 00000000 %02x:%02x %llu %s\n",
		 major(object.st_dev), minor(object.st_dev),
		 (unsigned long long)object.st_ino, object_path);
	snprintf(path, sizeof(path), "%s/600/maps", root);
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fputs(line, f);
		fclose(f);
	}
	/* a line cut where the rest would read as an attachment of 45 */
	memset(line, 'a', sizeof(line));
	memcpy(line, "1000-2000 r--p 00000000 08:01 7 /", 33);
	snprintf(line + PROCSCAN_LINE_MAX, sizeof(line) - PROCSCAN_LINE_MAX,
		 "7f00000-7f00400 rw-s 00000000 00:01 45 /SYSV00000000 "
		 "(deleted)\n");
	process(650, "nsA", line);
	/* the object, open */
	process(700, "nsA", "1000-2000 r--p 00000000 08:01 7 /bin/x\n");
	link_to(object_path, "700/fd/5");
	snprintf(path, sizeof(path), "%s/other", root);
	link_to(path, "700/fd/6");
	/* a descriptor of another file only */
	process(800, "nsA", "1000-2000 r--p 00000000 08:01 7 /bin/x\n");
	link_to(path, "800/fd/3");
	/* a kernel thread maps nothing and has no descriptors to look at */
	process(900, "nsA", "");
	procfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(procfd >= 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	close(procfd);
	unlink(object_path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void scan_sysv(void **state)
{
	struct procscan_target t = { .shmid = 42 };
	struct procscan s;

	(void)state;
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pids[0], 200);
	/* ioctl(PROCMAP_QUERY) fails on a plain file: read from smaps */
	assert_int_equal(s.pagesize, 2097152);
	assert_true(s.complete);
	procscan_free(&s);

	t.shmid = 45;
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 0);
	procscan_free(&s);

	t.shmid = 44;
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.pagesize, 0);
	procscan_free(&s);
}

static void scan_file(void **state)
{
	struct procscan_target t = { .shmid = -1,
				     .dev = object.st_dev,
				     .ino = object.st_ino };
	struct procscan s;

	(void)state;
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	/* any IPC namespace; mapped or open; ascending */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.pids[0], 600);
	assert_int_equal(s.pids[1], 700);
	assert_true(s.complete);
	procscan_free(&s);
	/* one the caller may not inspect: left out, and nothing proven */
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 700, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pids[0], 600);
	assert_false(s.complete);
	procscan_free(&s);
}

/* Nobody found proves nothing if someone could not be looked at. */
static void scan_incomplete(void **state)
{
	struct procscan_target t = { .shmid = 44 };
	struct procscan s;
	char path[512], hidden[512];

	(void)state;
	/* a maps that cannot be opened (ELOOP here, EACCES in life) */
	process(1000, "nsA", NULL);
	link_to("maps", "1000/maps");
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_false(s.complete);
	procscan_free(&s);
	snprintf(path, sizeof(path), "%s/1000/maps", root);
	assert_int_equal(unlink(path), 0);
	put("1000/maps", "");
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_true(s.complete);
	procscan_free(&s);
	/* pid 1 not shown: /proc hides processes (hidepid=invisible) */
	snprintf(path, sizeof(path), "%s/1", root);
	snprintf(hidden, sizeof(hidden), "%s/hidden", root);
	assert_int_equal(rename(path, hidden), 0);
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_false(s.complete);
	procscan_free(&s);
	assert_int_equal(rename(hidden, path), 0);
}

/*
 * A mapping is an attachment only on the kernel's own shm mount and with
 * the segment's key in its name: a tmpfs file of one's own with the
 * shmid as inode and a SysV name (a user namespace can make one) is not.
 */
static void scan_spoofed(void **state)
{
	struct procscan_target t = { .shmid = 42 };
	struct procscan s;

	(void)state;
	process(1100, "nsA",
		"7f00000-7f01000 rw-s 00000000 00:2a 42 "
		"/SYSV00000000 (deleted)\n");
	process(1200, "nsA",
		"7f00000-7f01000 rw-s 00000000 00:01 42 "
		"/SYSV000000ff (deleted)\n");
	/* IPC_PRIVATE (a removed segment's key): any name, but on the shm
	 * mount only */
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.pids[0], 200);
	assert_int_equal(s.pids[1], 1200);
	procscan_free(&s);
	/* a key: the name must tell it */
	t.key = 0xff;
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pids[0], 1200);
	assert_int_equal(s.pagesize, sysconf(_SC_PAGESIZE));
	procscan_free(&s);
	t.key = 0x77;
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 0);
	procscan_free(&s);
	/* the own tmpfs file is a file, found as one */
	t = (struct procscan_target){ .shmid = -1,
				      .dev = makedev(0, 0x2a),
				      .ino = 42 };
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pids[0], 1100);
	procscan_free(&s);
}

/* maps text of N lines: segment 46 mapped again and again, between
 * mappings of files of a disk. */
static void put_repeated(const char *path, int n, size_t pad)
{
	char full[512], name[4096];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	f = fopen(full, "w");
	assert_non_null(f);
	memset(name, 'p', pad);
	name[pad] = '\0';
	for (int i = 0; i < n; i++)
		fprintf(f,
			"%x-%x rw-s 00000000 00:01 46 /SYSV00000000 (deleted)\n"
			"%x-%x r--p 00000000 08:01 7 /%s\n",
			0x10000 + 4 * i, 0x10001 + 4 * i, 0x10002 + 4 * i,
			0x10003 + 4 * i, name);
	fclose(f);
}

/*
 * One process mapping a segment many times holds it once; one whose maps
 * is longer than PROCSCAN_TEXT_MAX is not read to its end: it is left out
 * and the scan is incomplete.
 */
static void scan_bounded(void **state)
{
	struct procscan_target t = { .shmid = 46 };
	struct procscan_map m;
	struct procscan s;

	(void)state;
	process(1300, "nsA", NULL);
	put_repeated("1300/maps", 5000, 10);
	assert_int_equal(procscan_build_at(procfd, &devs, 0, &m), 0);
	assert_true(m.complete);
	assert_int_equal(procscan_lookup(&m, &t, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pids[0], 1300);
	procscan_free(&s);
	procscan_map_free(&m);
	/* 3,000 lines of 2,100 bytes: past the bound */
	process(1400, "nsA", NULL);
	put_repeated("1400/maps", 3000, 2000);
	assert_int_equal(procscan_run_at(procfd, &devs, &t, 0, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pids[0], 1300);
	assert_false(s.complete);
	procscan_free(&s);
	put("1400/maps", "");
}

/*
 * One map answers for every object; it never holds more than
 * PROCSCAN_HOLDS_MAX holds, and says it is incomplete past that.
 */
static void map_many(void **state)
{
	struct procscan_target t = { .shmid = -1, .dev = makedev(0, 0x33) };
	struct procscan_map m;
	struct procscan s;
	char path[64];
	int procs = 40, per = 4000;

	(void)state;
	for (int p = 0; p < procs; p++) {
		FILE *f;
		char full[512];

		snprintf(path, sizeof(path), "%d", 2000 + p);
		process(2000 + p, "nsA", NULL);
		snprintf(full, sizeof(full), "%s/%d/maps", root, 2000 + p);
		f = fopen(full, "w");
		assert_non_null(f);
		for (int i = 0; i < per; i++)
			fprintf(f, "%x-%x rw-s 00000000 00:33 %d /x\n",
				0x10000 + 2 * i, 0x10001 + 2 * i, 1 + i);
		fclose(f);
	}
	assert_int_equal(procscan_build_at(procfd, &devs, 0, &m), 0);
	assert_true(m.n <= PROCSCAN_HOLDS_MAX);
	assert_true(m.n > PROCSCAN_HOLDS_MAX - per);
	assert_false(m.complete);
	t.ino = 7;
	assert_int_equal(procscan_lookup(&m, &t, &s), 0);
	assert_true(s.n > 0 && s.n < (size_t)procs);
	for (size_t i = 1; i < s.n; i++)
		assert_true(s.pids[i - 1] < s.pids[i]);
	procscan_free(&s);
	procscan_map_free(&m);
	/* fewer: every object, every holder */
	procs = 20;
	for (int p = procs; p < 40; p++) {
		snprintf(path, sizeof(path), "%d/maps", 2000 + p);
		put(path, "");
	}
	assert_int_equal(procscan_build_at(procfd, &devs, 0, &m), 0);
	assert_true(m.complete);
	for (int i = 1; i <= per; i += 999) {
		t.ino = (ino_t)i;
		assert_int_equal(procscan_lookup(&m, &t, &s), 0);
		assert_int_equal(s.n, procs);
		assert_int_equal(s.pids[0], 2000);
		assert_int_equal(s.pids[procs - 1], 2000 + procs - 1);
		procscan_free(&s);
	}
	procscan_map_free(&m);
	for (int p = 0; p < procs; p++) {
		snprintf(path, sizeof(path), "%d/maps", 2000 + p);
		put(path, "");
	}
}

static void alive(void **state)
{
	char name[32], target[600];
	pid_t child;
	int status;

	(void)state;
	/* a process of our namespace, and one of another */
	snprintf(name, sizeof(name), "%d", (int)getpid());
	process((int)getpid(), "nsA", "");
	assert_int_equal(procscan_alive_at(procfd, getpid()), 1);
	snprintf(target, sizeof(target), "%s/%s/ns/ipc", root, name);
	assert_int_equal(unlink(target), 0);
	assert_int_equal(symlink("../../nsB", target), 0);
	assert_int_equal(procscan_alive_at(procfd, getpid()), 0);
	/* one we cannot tell about: it may be the one */
	assert_int_equal(unlink(target), 0);
	assert_int_equal(procscan_alive_at(procfd, getpid()), 1);
	/* no such process */
	child = fork();
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(procscan_alive_at(procfd, child), 0);
	/* a creator outside our PID namespace shows as 0 */
	assert_int_equal(procscan_alive_at(procfd, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_lines),
		cmocka_unit_test(sysv_paths),
		cmocka_unit_test(smaps_lines),
		cmocka_unit_test(scan_sysv),
		cmocka_unit_test(scan_file),
		cmocka_unit_test(scan_incomplete),
		cmocka_unit_test(scan_spoofed),
		cmocka_unit_test(scan_bounded),
		cmocka_unit_test(map_many),
		cmocka_unit_test(alive),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
