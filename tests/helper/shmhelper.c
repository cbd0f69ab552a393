/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shmhelper - independent witness for the shmfs mount tests.
 *
 * Everything here talks to the kernel directly (shmget/shmat/shmctl for
 * System V, shm_open/mmap/ftruncate/fstat for POSIX) and never through a
 * shmfs mount, so the tests can check each effect of a file operation on
 * the mount against what the kernel really holds.
 *
 * Run "shmhelper help" for the command list.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shmhelper.h"

static const char *prog = "shmhelper";

static const char usage_text[] =
"Usage: shmhelper COMMAND ARGS...\n"
"\n"
"Independent access to shared memory for the shmfs tests (never uses a\n"
"mount). SEG is a System V key (decimal, 0x-hex, or 0/IPC_PRIVATE where\n"
"allowed) or \"id:N\" for shmid N. OFFSET/LEN/SIZE accept decimal, 0x-hex\n"
"and the suffixes k, M, G (binary). MODE is octal.\n"
"\n"
"System V:\n"
"  sysv-create KEY SIZE [MODE]   create a segment (IPC_EXCL, mode 0644 by\n"
"                                default); print its shmid\n"
"  sysv-create KEY SIZE [MODE] --hold (SECONDS | --until-file FILE)\n"
"                                the same, then print the pid and stay\n"
"                                alive without attaching (a live creator\n"
"                                keeps shm_rmid_forced from destroying it)\n"
"  sysv-churn KEY SIZE[,SIZE...] (SECONDS | --until-file FILE)\n"
"                                remove and re-create KEY in a loop; each\n"
"                                generation cycles through the SIZEs and is\n"
"                                filled with one byte value (1..255); prints\n"
"                                its pid when started, the generation count\n"
"                                at the end\n"
"  sysv-id KEY                   print the shmid of KEY\n"
"  sysv-write SEG OFFSET TEXT    copy TEXT (no NUL) into the segment\n"
"  sysv-read SEG [OFFSET [LEN]]  write LEN bytes (default: to the end) to stdout\n"
"  sysv-stat SEG [FIELD]         print key=0x.. id= size= mode= uid= gid=\n"
"                                cuid= cgid= nattch= cpid= lpid= dest=0|1\n"
"                                (or only the value of FIELD)\n"
"  sysv-rm SEG                   IPC_RMID\n"
"  sysv-chmod SEG MODE [PATH]    IPC_SET the permission bits; with PATH,\n"
"                                then print the ms until stat(PATH) shows them\n"
"  sysv-chown SEG UID GID        IPC_SET the owner (the creator stays)\n"
"  sysv-fill SEG SEED            fill the whole segment with a pattern\n"
"  sysv-sum SEG                  print \"CRC SIZE\" of the whole segment,\n"
"                                as cksum(1) prints it for a file\n"
"  sysv-list                     print the shmid of every segment, one a line\n"
"  sysv-create-many KEY COUNT SIZE\n"
"                                create COUNT segments, keys KEY, KEY+1, ...\n"
"                                (mode 0644), for the benchmarks\n"
"  sysv-create-huge KEY SIZE [--noreserve]\n"
"                                create with SHM_HUGETLB (mode 0644); print\n"
"                                its shmid\n"
"  sysv-info [FIELD]             print shmall= shmmni= (IPC_INFO) shm_tot=\n"
"                                used_ids= (SHM_INFO), or one value\n"
"  sysv-hold-elsewhere KEY SHMID (SECONDS | --until-file FILE)\n"
"                                a child sharing our memory attaches a\n"
"                                segment KEY, SHMID of an IPC namespace of\n"
"                                its own; prints our pid, then waits\n"
"  sysv-hold SEG [--ro] (SECONDS | --until-file FILE)\n"
"                                attach and stay attached; prints its pid\n"
"                                once attached, detaches and exits after\n"
"                                SECONDS or once FILE exists (at most 300 s)\n"
"\n"
"POSIX (NAME without or with the leading '/'):\n"
"  posix-create NAME SIZE [MODE] shm_open(O_CREAT|O_EXCL), mode exactly MODE\n"
"                                (default 0644), ftruncate to SIZE\n"
"  posix-write NAME OFFSET TEXT  write TEXT via mmap, growing the object\n"
"                                if it is too small\n"
"  posix-read NAME [OFFSET [LEN]] like sysv-read\n"
"  posix-stat NAME [FIELD]       print size= mode= uid= gid= ino= blocks=\n"
"                                (or one value; blocks of 512 bytes)\n"
"  posix-data NAME               print \"START END\" of each range of data,\n"
"                                one a line, as SEEK_DATA/SEEK_HOLE find them\n"
"  posix-truncate NAME SIZE      ftruncate\n"
"  posix-rm NAME                 shm_unlink\n"
"  posix-fill NAME SIZE SEED     ftruncate to SIZE and fill with a pattern\n"
"  posix-sum NAME                like sysv-sum\n"
"  posix-churn NAME MAXSIZE (SECONDS | --until-file FILE)\n"
"                                shrink to 0 and grow back to MAXSIZE in a\n"
"                                loop; prints its pid when started\n"
"  posix-hold NAME [--open] (SECONDS | --until-file FILE)\n"
"                                map the object (and close it), or with\n"
"                                --open only hold it open; prints its pid\n"
"                                then, and stays like sysv-hold\n"
"\n"
"Any file (for the mount's own files, where mmap(2) is the test):\n"
"  map-read PATH OFFSET LEN      mmap(MAP_SHARED) PATH, print LEN bytes\n"
"  map-write PATH OFFSET TEXT    mmap(MAP_SHARED) PATH, store TEXT, msync\n"
"  map-hold PATH [--rw] [--store OFFSET TEXT] [--show OFFSET LEN]\n"
"           (SECONDS | --until-file FILE)\n"
"                                mmap(MAP_SHARED) PATH (read-only unless\n"
"                                --rw) at its size, store TEXT (no msync),\n"
"                                print the pid, keep the mapping; at the\n"
"                                end print LEN bytes of it at OFFSET (a\n"
"                                page gone meanwhile is SIGBUS)\n"
"\n"
"Exit status: 0 on success, 1 if an operation failed, 2 on bad usage.\n";

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s help'.\n", prog);
	exit(2);
}

/* Prints "shmhelper: MESSAGE" and exits 1; a message ending in ':' gets
 * strerror(errno) appended. */
void die(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
	exit(1);
}

uint64_t parse_u64(const char *what, const char *s)
{
	char *end;
	uint64_t v, mul = 1;

	if (!*s || !isdigit((unsigned char)*s))
		usage_error("bad %s '%s'", what, s);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		usage_error("bad %s '%s'", what, s);
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		default: usage_error("bad %s '%s'", what, s);
		}
		if (end[1])
			usage_error("bad %s '%s'", what, s);
		if (v > UINT64_MAX / mul)
			usage_error("%s '%s' too large", what, s);
	}
	return v * mul;
}

static mode_t parse_mode(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || !*s || *end || v > 07777)
		usage_error("bad octal mode '%s'", s);
	return (mode_t)v;
}

key_t parse_key(const char *s, bool allow_private)
{
	char *end;
	unsigned long long v;

	if (!strcmp(s, "IPC_PRIVATE") || !strcmp(s, "private"))
		v = IPC_PRIVATE;
	else {
		errno = 0;
		/* base 0 would read "0755" as octal; keys are decimal or 0x */
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			v = strtoull(s + 2, &end, 16);
		else
			v = strtoull(s, &end, 10);
		if (errno || !*s || *end || !isxdigit((unsigned char)s[strlen(s) - 1]) ||
		    v > UINT32_MAX)
			usage_error("bad key '%s'", s);
	}
	if (v == IPC_PRIVATE && !allow_private)
		usage_error("key 0 (IPC_PRIVATE) names no segment; use id:N");
	return (key_t)(uint32_t)v;
}

/* SEG: a key or id:N. Returns the shmid. */
static int resolve_seg(const char *s)
{
	int id;

	if (!strncmp(s, "id:", 3)) {
		uint64_t v = parse_u64("shmid", s + 3);

		if (v > INT_MAX)
			usage_error("bad shmid '%s'", s + 3);
		return (int)v;
	}
	id = shmget(parse_key(s, false), 0, 0);
	if (id < 0)
		die("shmget(%s):", s);
	return id;
}

static void seg_stat(const char *s, int id, struct shmid_ds *ds)
{
	if (shmctl(id, IPC_STAT, ds) < 0)
		die("shmctl(%s, IPC_STAT):", s);
}

static void *seg_attach(const char *s, int id, bool ro)
{
	void *p = shmat(id, NULL, ro ? SHM_RDONLY : 0);

	if (p == (void *)-1)
		die("shmat(%s):", s);
	return p;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write to stdout:");
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Writes buf[off, off+len) clipped to size; len UINT64_MAX = to the end. */
static void dump_range(const unsigned char *buf, uint64_t size, uint64_t off, uint64_t len)
{
	if (off > size)
		off = size;
	if (len > size - off)
		len = size - off;
	write_all(STDOUT_FILENO, buf + off, (size_t)len);
}

static void range_args(int argc, char **argv, int first, uint64_t *off, uint64_t *len)
{
	*off = 0;
	*len = UINT64_MAX;
	if (argc > first)
		*off = parse_u64("offset", argv[first]);
	if (argc > first + 1)
		*len = parse_u64("length", argv[first + 1]);
}

/* POSIX cksum(1) CRC: CRC-32/CKSUM over the data, then over the length. */
static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int j = 0; j < 8; j++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
		crc_table[i] = c;
	}
}

static void print_cksum(const unsigned char *p, uint64_t size)
{
	uint32_t crc = 0;
	uint64_t n;

	crc_init();
	for (n = 0; n < size; n++)
		crc = (crc << 8) ^ crc_table[((crc >> 24) ^ p[n]) & 0xff];
	for (n = size; n; n >>= 8)
		crc = (crc << 8) ^ crc_table[((crc >> 24) ^ (n & 0xff)) & 0xff];
	printf("%" PRIu32 " %" PRIu64 "\n", ~crc, size);
}

/* Deterministic, position-dependent pattern so that shifted or truncated
 * copies are detected. */
static void fill_pattern(unsigned char *p, uint64_t size, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (uint64_t i = 0; i < size; i++) {
		if ((i & 7) == 0) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		p[i] = (unsigned char)(x >> ((i & 7) * 8));
	}
}

static bool field_found;

void print_field(const char *want, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (want && strcmp(want, name))
		return;
	if (!want)
		printf("%s%s=", field_found ? " " : "", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	field_found = true;
}

void end_fields(const char *want)
{
	if (!field_found)
		usage_error("unknown field '%s'", want);
	putchar('\n');
}

/* Waits for SECONDS, or until FILE exists; capped at 300 s so that a
 * failed test never leaves a holder behind for long. */
void parse_wait(int argc, char **argv, int i, struct wait_spec *w)
{
	w->seconds = 300;
	w->file = NULL;
	if (i < argc && !strcmp(argv[i], "--until-file")) {
		if (i + 2 != argc)
			usage_error("--until-file needs exactly one FILE");
		w->file = argv[i + 1];
	} else if (i + 1 == argc) {
		char *end;

		w->seconds = strtod(argv[i], &end);
		if (*end || w->seconds < 0)
			usage_error("bad SECONDS '%s'", argv[i]);
		if (w->seconds > 300)
			w->seconds = 300;
	} else {
		usage_error("expected SECONDS or --until-file FILE");
	}
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool wait_done(const struct wait_spec *w, double start)
{
	if (now() - start >= w->seconds)
		return true;
	return w->file && access(w->file, F_OK) == 0;
}

volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

void announce_pid(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	printf("%ld\n", (long)getpid());
	fflush(stdout);
}

/* ---- System V ---- */

static int cmd_sysv_create(int argc, char **argv)
{
	key_t key;
	uint64_t size;
	mode_t mode = 0644;
	int id;

	int hold = 0;
	struct wait_spec w;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--hold")) {
			hold = i;
			break;
		}
	}
	if (hold)
		parse_wait(argc, argv, hold + 1, &w);
	else
		hold = argc;
	if (hold < 4 || hold > 5)
		usage_error("usage: sysv-create KEY SIZE [MODE] [--hold (SECONDS | --until-file FILE)]");
	key = parse_key(argv[2], true);
	size = parse_u64("size", argv[3]);
	if (hold == 5)
		mode = parse_mode(argv[4]);
	id = shmget(key, (size_t)size, IPC_CREAT | IPC_EXCL | (int)(mode & 0777));
	if (id < 0)
		die("shmget(%s, %" PRIu64 ", IPC_CREAT|IPC_EXCL|0%o):", argv[2], size,
		    (unsigned)mode);
	printf("%d\n", id);
	if (hold < argc) {
		double start;

		announce_pid();
		start = now();
		while (!got_signal && !wait_done(&w, start))
			usleep(20000);
	}
	return 0;
}

static int cmd_sysv_churn(int argc, char **argv)
{
	uint64_t sizes[16];
	int nsizes = 0;
	struct wait_spec w;
	unsigned long gen = 0;
	key_t key;
	double start;
	char *list, *tok, *save = NULL;

	if (argc < 5)
		usage_error("usage: sysv-churn KEY SIZE[,SIZE...] (SECONDS | --until-file FILE)");
	key = parse_key(argv[2], false);
	list = strdup(argv[3]);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nsizes == 16)
			usage_error("at most 16 sizes");
		sizes[nsizes++] = parse_u64("size", tok);
	}
	free(list);
	if (nsizes == 0)
		usage_error("no SIZE");
	parse_wait(argc, argv, 4, &w);
	announce_pid();
	start = now();
	while (!got_signal && !wait_done(&w, start)) {
		int id = shmget(key, 0, 0);
		unsigned char *p;

		/* Whoever holds the old one keeps it; the key moves on. */
		if (id >= 0 && shmctl(id, IPC_RMID, NULL) < 0 && errno != EINVAL &&
		    errno != EIDRM)
			die("shmctl(IPC_RMID):");
		id = shmget(key, (size_t)sizes[gen % nsizes], IPC_CREAT | IPC_EXCL | 0644);
		if (id < 0) {
			if (errno == EEXIST)
				continue;
			die("shmget(%s):", argv[2]);
		}
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			die("shmat:");
		memset(p, (int)(gen % 255) + 1, (size_t)sizes[gen % nsizes]);
		shmdt(p);
		gen++;
		usleep(500);
	}
	printf("%lu\n", gen);
	return 0;
}

static int cmd_sysv_id(int argc, char **argv)
{
	if (argc != 3)
		usage_error("usage: sysv-id KEY");
	printf("%d\n", resolve_seg(argv[2]));
	return 0;
}

static int cmd_sysv_write(int argc, char **argv)
{
	struct shmid_ds ds;
	uint64_t off;
	size_t len;
	int id;
	char *p;

	if (argc != 5)
		usage_error("usage: sysv-write SEG OFFSET TEXT");
	id = resolve_seg(argv[2]);
	off = parse_u64("offset", argv[3]);
	len = strlen(argv[4]);
	seg_stat(argv[2], id, &ds);
	if (off > ds.shm_segsz || len > ds.shm_segsz - off)
		die("write of %zu bytes at %" PRIu64 " does not fit in %zu bytes",
		    len, off, (size_t)ds.shm_segsz);
	p = seg_attach(argv[2], id, false);
	memcpy(p + off, argv[4], len);
	shmdt(p);
	return 0;
}

static int cmd_sysv_read(int argc, char **argv)
{
	struct shmid_ds ds;
	uint64_t off, len;
	int id;
	void *p;

	if (argc < 3 || argc > 5)
		usage_error("usage: sysv-read SEG [OFFSET [LEN]]");
	id = resolve_seg(argv[2]);
	range_args(argc, argv, 3, &off, &len);
	seg_stat(argv[2], id, &ds);
	p = seg_attach(argv[2], id, true);
	dump_range(p, ds.shm_segsz, off, len);
	shmdt(p);
	return 0;
}

static int cmd_sysv_stat(int argc, char **argv)
{
	struct shmid_ds ds;
	const char *want;
	int id;

	if (argc < 3 || argc > 4)
		usage_error("usage: sysv-stat SEG [FIELD]");
	want = argc == 4 ? argv[3] : NULL;
	id = resolve_seg(argv[2]);
	seg_stat(argv[2], id, &ds);
	print_field(want, "key", "0x%08x", (unsigned)(uint32_t)ds.shm_perm.__key);
	print_field(want, "id", "%d", id);
	print_field(want, "size", "%zu", (size_t)ds.shm_segsz);
	print_field(want, "mode", "%04o", (unsigned)(ds.shm_perm.mode & 0777));
	print_field(want, "uid", "%u", (unsigned)ds.shm_perm.uid);
	print_field(want, "gid", "%u", (unsigned)ds.shm_perm.gid);
	print_field(want, "cuid", "%u", (unsigned)ds.shm_perm.cuid);
	print_field(want, "cgid", "%u", (unsigned)ds.shm_perm.cgid);
	print_field(want, "nattch", "%lu", (unsigned long)ds.shm_nattch);
	print_field(want, "cpid", "%ld", (long)ds.shm_cpid);
	print_field(want, "lpid", "%ld", (long)ds.shm_lpid);
	print_field(want, "dest", "%d", (ds.shm_perm.mode & SHM_DEST) ? 1 : 0);
	end_fields(want);
	return 0;
}

static int cmd_sysv_rm(int argc, char **argv)
{
	int id;

	if (argc != 3)
		usage_error("usage: sysv-rm SEG");
	id = resolve_seg(argv[2]);
	if (shmctl(id, IPC_RMID, NULL) < 0)
		die("shmctl(%s, IPC_RMID):", argv[2]);
	return 0;
}

static int cmd_sysv_chmod(int argc, char **argv)
{
	struct shmid_ds ds;
	struct timespec t0, t;
	struct stat st;
	mode_t mode;
	int id;

	if (argc != 4 && argc != 5)
		usage_error("usage: sysv-chmod SEG MODE [PATH]");
	id = resolve_seg(argv[2]);
	seg_stat(argv[2], id, &ds);
	mode = parse_mode(argv[3]) & 0777;
	ds.shm_perm.mode = mode;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (shmctl(id, IPC_SET, &ds) < 0)
		die("shmctl(%s, IPC_SET):", argv[2]);
	if (argc == 4)
		return 0;
	/* How long PATH takes to show it: stat(2) every 0.2 ms, up to 5 s. */
	for (;;) {
		double ms;

		if (stat(argv[4], &st) < 0)
			die("stat(%s):", argv[4]);
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (double)(t.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
		if ((st.st_mode & 0777) == mode) {
			printf("%.1f\n", ms);
			return 0;
		}
		if (ms > 5000)
			die("%s still shows mode %o after 5 s", argv[4],
			    (unsigned)(st.st_mode & 0777));
		usleep(200);
	}
}

static int cmd_sysv_chown(int argc, char **argv)
{
	struct shmid_ds ds;
	int id;

	if (argc != 5)
		usage_error("usage: sysv-chown SEG UID GID");
	id = resolve_seg(argv[2]);
	seg_stat(argv[2], id, &ds);
	ds.shm_perm.uid = (uid_t)parse_u64("uid", argv[3]);
	ds.shm_perm.gid = (gid_t)parse_u64("gid", argv[4]);
	if (shmctl(id, IPC_SET, &ds) < 0)
		die("shmctl(%s, IPC_SET):", argv[2]);
	return 0;
}

static int cmd_sysv_fill(int argc, char **argv)
{
	struct shmid_ds ds;
	int id;
	void *p;

	if (argc != 4)
		usage_error("usage: sysv-fill SEG SEED");
	id = resolve_seg(argv[2]);
	seg_stat(argv[2], id, &ds);
	p = seg_attach(argv[2], id, false);
	fill_pattern(p, ds.shm_segsz, parse_u64("seed", argv[3]));
	shmdt(p);
	return 0;
}

static int cmd_sysv_sum(int argc, char **argv)
{
	struct shmid_ds ds;
	int id;
	void *p;

	if (argc != 3)
		usage_error("usage: sysv-sum SEG");
	id = resolve_seg(argv[2]);
	seg_stat(argv[2], id, &ds);
	p = seg_attach(argv[2], id, true);
	print_cksum(p, ds.shm_segsz);
	shmdt(p);
	return 0;
}

static int cmd_sysv_create_many(int argc, char **argv)
{
	uint64_t key, count, size;

	if (argc != 5)
		usage_error("usage: sysv-create-many KEY COUNT SIZE");
	key = parse_u64("key", argv[2]);
	count = parse_u64("count", argv[3]);
	size = parse_u64("size", argv[4]);
	for (uint64_t i = 0; i < count; i++)
		if (shmget((key_t)(uint32_t)(key + i), size,
			   IPC_CREAT | IPC_EXCL | 0644) < 0)
			die("shmget(0x%llx):", (unsigned long long)(key + i));
	return 0;
}

static int cmd_sysv_list(int argc, char **argv)
{
	struct shmid_ds ds;
	struct shm_info info;
	int max;

	(void)argv;
	if (argc != 2)
		usage_error("usage: sysv-list");
	max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info);
	if (max < 0)
		die("shmctl(SHM_INFO):");
	for (int i = 0; i <= max; i++) {
		int id = shmctl(i, SHM_STAT_ANY, &ds);

		if (id >= 0)
			printf("%d\n", id);
	}
	return 0;
}

static int cmd_sysv_hold(int argc, char **argv)
{
	struct wait_spec w;
	bool ro = false;
	int i = 3, id;
	void *p;
	double start;

	if (argc < 4)
		usage_error("usage: sysv-hold SEG [--ro] (SECONDS | --until-file FILE)");
	if (!strcmp(argv[i], "--ro")) {
		ro = true;
		i++;
	}
	parse_wait(argc, argv, i, &w);
	id = resolve_seg(argv[2]);
	p = seg_attach(argv[2], id, ro);
	announce_pid();
	start = now();
	while (!got_signal && !wait_done(&w, start))
		usleep(20000);
	shmdt(p);
	return 0;
}

/* ---- POSIX ---- */

static const char *posix_name(const char *s, char *buf, size_t bufsz)
{
	if (!*s || strchr(s + (s[0] == '/'), '/'))
		usage_error("bad POSIX shm name '%s'", s);
	if (s[0] == '/')
		return s;
	if ((size_t)snprintf(buf, bufsz, "/%s", s) >= bufsz)
		usage_error("POSIX shm name too long");
	return buf;
}

int posix_open(const char *s, int flags, mode_t mode)
{
	char buf[NAME_MAX + 2];
	int fd = shm_open(posix_name(s, buf, sizeof(buf)), flags, mode);

	if (fd < 0)
		die("shm_open(%s):", s);
	return fd;
}

static uint64_t fd_size(const char *s, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat(%s):", s);
	return (uint64_t)st.st_size;
}

static void *posix_map(const char *s, int fd, uint64_t size, int prot)
{
	void *p;

	if (size == 0)
		return NULL;
	p = mmap(NULL, (size_t)size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap(%s):", s);
	return p;
}

static int cmd_posix_create(int argc, char **argv)
{
	uint64_t size;
	mode_t mode = 0644;
	int fd;

	if (argc < 4 || argc > 5)
		usage_error("usage: posix-create NAME SIZE [MODE]");
	size = parse_u64("size", argv[3]);
	if (argc == 5)
		mode = parse_mode(argv[4]);
	fd = posix_open(argv[2], O_RDWR | O_CREAT | O_EXCL, mode);
	if (fchmod(fd, mode) < 0)	/* not subject to the umask */
		die("fchmod(%s):", argv[2]);
	if (ftruncate(fd, (off_t)size) < 0)
		die("ftruncate(%s):", argv[2]);
	close(fd);
	return 0;
}

static int cmd_posix_write(int argc, char **argv)
{
	uint64_t off, size;
	size_t len;
	char *p;
	int fd;

	if (argc != 5)
		usage_error("usage: posix-write NAME OFFSET TEXT");
	off = parse_u64("offset", argv[3]);
	len = strlen(argv[4]);
	fd = posix_open(argv[2], O_RDWR, 0);
	size = fd_size(argv[2], fd);
	if (off + len > size) {
		size = off + len;
		if (ftruncate(fd, (off_t)size) < 0)
			die("ftruncate(%s):", argv[2]);
	}
	if (len) {
		p = posix_map(argv[2], fd, size, PROT_READ | PROT_WRITE);
		memcpy(p + off, argv[4], len);
		munmap(p, (size_t)size);
	}
	close(fd);
	return 0;
}

static int cmd_posix_read(int argc, char **argv)
{
	uint64_t off, len, size;
	void *p;
	int fd;

	if (argc < 3 || argc > 5)
		usage_error("usage: posix-read NAME [OFFSET [LEN]]");
	range_args(argc, argv, 3, &off, &len);
	fd = posix_open(argv[2], O_RDONLY, 0);
	size = fd_size(argv[2], fd);
	p = posix_map(argv[2], fd, size, PROT_READ);
	if (p) {
		dump_range(p, size, off, len);
		munmap(p, (size_t)size);
	}
	close(fd);
	return 0;
}

static int cmd_posix_stat(int argc, char **argv)
{
	const char *want;
	struct stat st;
	int fd;

	if (argc < 3 || argc > 4)
		usage_error("usage: posix-stat NAME [FIELD]");
	want = argc == 4 ? argv[3] : NULL;
	fd = posix_open(argv[2], O_RDONLY, 0);
	if (fstat(fd, &st) < 0)
		die("fstat(%s):", argv[2]);
	close(fd);
	print_field(want, "size", "%jd", (intmax_t)st.st_size);
	print_field(want, "mode", "%04o", (unsigned)(st.st_mode & 07777));
	print_field(want, "uid", "%u", (unsigned)st.st_uid);
	print_field(want, "gid", "%u", (unsigned)st.st_gid);
	print_field(want, "ino", "%ju", (uintmax_t)st.st_ino);
	print_field(want, "blocks", "%jd", (intmax_t)st.st_blocks);
	end_fields(want);
	return 0;
}

static int cmd_posix_data(int argc, char **argv)
{
	off_t data, hole = 0;
	int fd;

	if (argc != 3)
		usage_error("usage: posix-data NAME");
	fd = posix_open(argv[2], O_RDONLY, 0);
	while ((data = lseek(fd, hole, SEEK_DATA)) >= 0) {
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			die("lseek(%s, SEEK_HOLE):", argv[2]);
		printf("%jd %jd\n", (intmax_t)data, (intmax_t)hole);
	}
	if (errno != ENXIO)
		die("lseek(%s, SEEK_DATA):", argv[2]);
	close(fd);
	return 0;
}

static int cmd_posix_truncate(int argc, char **argv)
{
	int fd;

	if (argc != 4)
		usage_error("usage: posix-truncate NAME SIZE");
	fd = posix_open(argv[2], O_RDWR, 0);
	if (ftruncate(fd, (off_t)parse_u64("size", argv[3])) < 0)
		die("ftruncate(%s):", argv[2]);
	close(fd);
	return 0;
}

static int cmd_posix_rm(int argc, char **argv)
{
	char buf[NAME_MAX + 2];

	if (argc != 3)
		usage_error("usage: posix-rm NAME");
	if (shm_unlink(posix_name(argv[2], buf, sizeof(buf))) < 0)
		die("shm_unlink(%s):", argv[2]);
	return 0;
}

static int cmd_posix_fill(int argc, char **argv)
{
	uint64_t size;
	void *p;
	int fd;

	if (argc != 5)
		usage_error("usage: posix-fill NAME SIZE SEED");
	size = parse_u64("size", argv[3]);
	fd = posix_open(argv[2], O_RDWR, 0);
	if (ftruncate(fd, (off_t)size) < 0)
		die("ftruncate(%s):", argv[2]);
	p = posix_map(argv[2], fd, size, PROT_READ | PROT_WRITE);
	if (p) {
		fill_pattern(p, size, parse_u64("seed", argv[4]));
		munmap(p, (size_t)size);
	}
	close(fd);
	return 0;
}

static int cmd_posix_sum(int argc, char **argv)
{
	uint64_t size;
	void *p;
	int fd;

	if (argc != 3)
		usage_error("usage: posix-sum NAME");
	fd = posix_open(argv[2], O_RDONLY, 0);
	size = fd_size(argv[2], fd);
	p = posix_map(argv[2], fd, size, PROT_READ);
	print_cksum(p ? p : "", size);
	if (p)
		munmap(p, (size_t)size);
	close(fd);
	return 0;
}

static int cmd_posix_churn(int argc, char **argv)
{
	struct wait_spec w;
	uint64_t max;
	double start;
	int fd;

	if (argc < 5)
		usage_error("usage: posix-churn NAME MAXSIZE (SECONDS | --until-file FILE)");
	max = parse_u64("size", argv[3]);
	parse_wait(argc, argv, 4, &w);
	fd = posix_open(argv[2], O_RDWR, 0);
	announce_pid();
	start = now();
	for (unsigned long i = 0; !got_signal && !wait_done(&w, start); i++) {
		/* Sizes vary so that reads land before, at and past the end. */
		uint64_t size = (i & 1) ? max : (i * 4093) % (max + 1) / 2;

		if (ftruncate(fd, (off_t)size) < 0)
			die("ftruncate(%s):", argv[2]);
		usleep(200);
	}
	if (ftruncate(fd, (off_t)max) < 0)
		die("ftruncate(%s):", argv[2]);
	close(fd);
	return 0;
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/* Map the whole of PATH, shared; die with the reason if that fails. */
static char *map_path(const char *path, int prot, int *fd, size_t *size)
{
	struct stat st;
	void *p;

	*fd = open(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	if (*fd < 0)
		die("open(%s):", path);
	if (fstat(*fd, &st) < 0)
		die("fstat(%s):", path);
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size, prot, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED)
		die("mmap(%s, MAP_SHARED):", path);
	return p;
}

static int cmd_map_read(int argc, char **argv)
{
	uint64_t off, len;
	size_t size;
	char *p;
	int fd;

	if (argc != 5)
		usage_error("usage: map-read PATH OFFSET LEN");
	off = parse_u64("offset", argv[3]);
	len = parse_u64("length", argv[4]);
	p = map_path(argv[2], PROT_READ, &fd, &size);
	dump_range((const unsigned char *)p, size, off, len);
	munmap(p, size);
	close(fd);
	return 0;
}

static int cmd_map_write(int argc, char **argv)
{
	size_t size, len = strlen(argv[argc - 1]);
	uint64_t off;
	char *p;
	int fd;

	if (argc != 5)
		usage_error("usage: map-write PATH OFFSET TEXT");
	off = parse_u64("offset", argv[3]);
	p = map_path(argv[2], PROT_READ | PROT_WRITE, &fd, &size);
	if (off + len > size)
		die("map-write: %s has only %zu bytes", argv[2], size);
	memcpy(p + off, argv[4], len);
	if (msync(p, size, MS_SYNC) < 0)
		die("msync(%s):", argv[2]);
	munmap(p, size);
	close(fd);
	return 0;
}

static int cmd_map_hold(int argc, char **argv)
{
	uint64_t store_off = 0, show_off = 0, show_len = 0;
	const char *store = NULL;
	bool show = false;
	int prot = PROT_READ, i = 3, fd;
	struct wait_spec w;
	double start;
	size_t size;
	char *p;

	if (argc < 4)
		usage_error("usage: map-hold PATH [--rw] [--store OFFSET TEXT] "
			    "[--show OFFSET LEN] (SECONDS | --until-file FILE)");
	for (;;) {
		if (i < argc && !strcmp(argv[i], "--rw")) {
			prot |= PROT_WRITE;
			i++;
		} else if (i + 2 < argc && !strcmp(argv[i], "--store")) {
			store_off = parse_u64("offset", argv[i + 1]);
			store = argv[i + 2];
			i += 3;
		} else if (i + 2 < argc && !strcmp(argv[i], "--show")) {
			show_off = parse_u64("offset", argv[i + 1]);
			show_len = parse_u64("length", argv[i + 2]);
			show = true;
			i += 3;
		} else {
			break;
		}
	}
	parse_wait(argc, argv, i, &w);
	p = map_path(argv[2], prot, &fd, &size);
	if (store != NULL) {
		if (store_off + strlen(store) > size)
			die("map-hold: %s has only %zu bytes", argv[2], size);
		memcpy(p + store_off, store, strlen(store));
	}
	announce_pid();
	start = now();
	while (!got_signal && !wait_done(&w, start))
		usleep(5000);
	/* Byte by byte from the mapping itself, past its end too. */
	if (show) {
		for (uint64_t j = show_off; j < show_off + show_len; j++)
			putchar(((volatile char *)p)[j]);
		fflush(stdout);
	}
	munmap(p, size);
	close(fd);
	return 0;
}

static const struct command commands[] = {
	{ "sysv-create", cmd_sysv_create },
	{ "sysv-id", cmd_sysv_id },
	{ "sysv-write", cmd_sysv_write },
	{ "sysv-read", cmd_sysv_read },
	{ "sysv-stat", cmd_sysv_stat },
	{ "sysv-rm", cmd_sysv_rm },
	{ "sysv-chmod", cmd_sysv_chmod },
	{ "sysv-chown", cmd_sysv_chown },
	{ "sysv-fill", cmd_sysv_fill },
	{ "sysv-sum", cmd_sysv_sum },
	{ "sysv-list", cmd_sysv_list },
	{ "sysv-create-many", cmd_sysv_create_many },
	{ "sysv-hold", cmd_sysv_hold },
	{ "sysv-churn", cmd_sysv_churn },
	{ "posix-create", cmd_posix_create },
	{ "posix-write", cmd_posix_write },
	{ "posix-read", cmd_posix_read },
	{ "posix-stat", cmd_posix_stat },
	{ "posix-data", cmd_posix_data },
	{ "posix-truncate", cmd_posix_truncate },
	{ "posix-rm", cmd_posix_rm },
	{ "posix-fill", cmd_posix_fill },
	{ "posix-sum", cmd_posix_sum },
	{ "posix-churn", cmd_posix_churn },
	{ "posix-hold", cmd_posix_hold },
	{ "sysv-create-huge", cmd_sysv_create_huge },
	{ "sysv-info", cmd_sysv_info },
	{ "sysv-hold-elsewhere", cmd_sysv_hold_elsewhere },
	{ "map-read", cmd_map_read },
	{ "map-write", cmd_map_write },
	{ "map-hold", cmd_map_hold },
	{ "memfd-hold", cmd_memfd_hold },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		usage_error("missing COMMAND");
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc, argv);
	usage_error("unknown command '%s'", argv[1]);
}
