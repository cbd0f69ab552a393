/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memfds for the tests of memfd/: made with memfd_create(2), held open or
 * only mapped, sealed, on huge pages, and shown through the helper's own
 * descriptor or mapping (never the mount) when asked (SIGUSR1).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmhelper.h"

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#endif

static volatile sig_atomic_t dump_asked;

static void on_usr1(int sig)
{
	(void)sig;
	dump_asked = 1;
}

static unsigned seals_of(const char *s)
{
	static const char *const words[] = { "seal", "shrink", "grow",
					     "write" };
	unsigned v = 0;
	char *copy = strdup(s), *save = NULL;

	for (char *w = strtok_r(copy, ",", &save); w != NULL;
	     w = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < 4 && strcmp(w, words[i]) != 0; i++)
			;
		if (i == 4)
			usage_error("unknown seal '%s'", w);
		v |= 1u << i;
	}
	free(copy);
	return v;
}

/* "dump size=S data=TEXT": the first 64 bytes, NULs left out. */
static void dump(int fd, const char *p, size_t len)
{
	char buf[64];
	struct stat st;
	size_t n = 0;

	if (fd >= 0) {
		ssize_t r = pread(fd, buf, sizeof(buf), 0);

		n = r > 0 ? (size_t)r : 0;
		if (fstat(fd, &st) < 0)
			st.st_size = -1;
	} else {
		n = len < sizeof(buf) ? len : sizeof(buf);
		memcpy(buf, p, n);
		st.st_size = (off_t)len;
	}
	printf("dump size=%lld data=", (long long)st.st_size);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != '\0')
			putchar(buf[i]);
	putchar('\n');
	fflush(stdout);
}

int cmd_memfd_hold(int argc, char **argv)
{
	const char *text = NULL;
	unsigned seals = 0, flags = MFD_CLOEXEC;
	bool mapped = false;
	long mode = -1;
	uint64_t size, count = 1;
	struct wait_spec w;
	int i = 4, fd = -1;
	char *p = NULL;
	double start;

	if (argc < 5)
		usage_error("usage: memfd-hold NAME SIZE [--text TEXT] "
			    "[--seal LIST] [--mode OCTAL] [--mapped] [--huge] "
			    "[--count N] "
			    "(SECONDS | --until-file FILE)");
	size = parse_u64("size", argv[3]);
	for (;;) {
		if (i + 1 < argc && !strcmp(argv[i], "--text")) {
			text = argv[i + 1];
			i += 2;
		} else if (i + 1 < argc && !strcmp(argv[i], "--seal")) {
			seals = seals_of(argv[i + 1]);
			flags |= MFD_ALLOW_SEALING;
			i += 2;
		} else if (i + 1 < argc && !strcmp(argv[i], "--count")) {
			count = parse_u64("count", argv[i + 1]);
			i += 2;
		} else if (i + 1 < argc && !strcmp(argv[i], "--mode")) {
			mode = strtol(argv[i + 1], NULL, 8);
			i += 2;
		} else if (i < argc && !strcmp(argv[i], "--mapped")) {
			mapped = true;
			i++;
		} else if (i < argc && !strcmp(argv[i], "--huge")) {
			flags |= MFD_HUGETLB;
			i++;
		} else {
			break;
		}
	}
	parse_wait(argc, argv, i, &w);
	signal(SIGUSR1, on_usr1);
	for (uint64_t n = 0; n < count; n++) {
		char name[256];
		struct stat st;

		if (count > 1)
			snprintf(name, sizeof(name), "%s-%llu", argv[2],
				 (unsigned long long)n);
		else
			snprintf(name, sizeof(name), "%s", argv[2]);
		fd = memfd_create(name, flags);
		if (fd < 0)
			die("memfd_create(%s):", name);
		if (size > 0 && ftruncate(fd, (off_t)size) < 0)
			die("ftruncate:");
		if (text != NULL && size > 0) {
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, 0);
			if (p == MAP_FAILED)
				die("mmap:");
			memcpy(p, text,
			       strlen(text) < size ? strlen(text) : size);
			munmap(p, size);
			p = NULL;
		}
		if (mode >= 0 && fchmod(fd, (mode_t)mode) < 0)
			die("fchmod:");
		if (seals != 0 && fcntl(fd, F_ADD_SEALS, seals) < 0)
			die("F_ADD_SEALS:");
		if (fstat(fd, &st) < 0)
			die("fstat:");
		printf("ino=%llu\n", (unsigned long long)st.st_ino);
		if (mapped) {
			p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				die("mmap:");
			close(fd);
			fd = -1;
		}
	}
	announce_pid();
	start = now();
	while (!got_signal && !wait_done(&w, start)) {
		if (dump_asked) {
			dump_asked = 0;
			dump(fd, p, size);
		}
		usleep(5000);
	}
	return 0;
}
