/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shmstress - load for the shmfs reliability tests.  Everything here goes
 * through the mount (plain open/pread/pwrite/ftruncate on its files); the
 * tests check the outcome with shmhelper, which never does.
 *
 * Run "shmstress help" for the commands.
 */
#include "stress.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: shmstress COMMAND ARGS...\n"
	"\n"
	"  reader FILE SECONDS [--sizes N,N,...] [--allow-eio] [--keep-open]\n"
	"      open, read to the end in random chunks, close, in a loop.  Each\n"
	"      pass must be uniform (all non-zero bytes equal: the churners\n"
	"      fill each generation with one byte value) and, with --sizes, as\n"
	"      long as one of the sizes.  ENOENT (or ESTALE) at open is counted, not an\n"
	"      error; so is EIO in a read with --allow-eio (a POSIX object shrunk\n"
	"      under the read).  --keep-open: one open, each pass rewinds.\n"
	"  writer FILE SECONDS BYTE MAXOFF [MINOFF]\n"
	"      open, pwrite a random run of BYTE at an offset from MINOFF\n"
	"      (default 0) to MAXOFF, never below MINOFF nor past MAXOFF, close,\n"
	"      in a loop;\n"
	"      ENOENT (or ESTALE) and ENOSPC (past a segment's end) are counted.\n"
	"  region-writer FILE OFFSET LEN SEED ROUNDS\n"
	"      write the pattern of SEED over [OFFSET, OFFSET+LEN) ROUNDS times in\n"
	"      random-sized pieces (earlier rounds with other seeds); the last\n"
	"      round leaves the pattern of SEED.\n"
	"  pattern LEN SEED          print LEN bytes of the pattern of SEED\n"
	"  fsx FILE [--sysv] [-N OPS | -T SECONDS] [-S SEED] [-l MAXLEN]\n"
	"      [-o MAXOPLEN] [-m MODELFILE] [-c CLOSEOPEN%] [-r COPYRANGE%]\n"
	"      [-s SENDFILE%]\n"
	"      the file system exerciser: random reads, writes, truncates and\n"
	"      reopens (and copy_file_range within the file, reads by sendfile)\n"
	"      against a model; --sysv for a segment's fixed-size rules.\n"
	"  soak MNT SECONDS CLIENTS OUTDIR\n"
	"      CLIENTS processes of mixed work for SECONDS (see soak.sh).\n"
	"\n"
	"Exit status: 0 if every check held, 1 otherwise, 2 on bad usage.\n";

static void usage(const char *msg)
{
	fprintf(stderr, "shmstress: %s\nTry 'shmstress help'.\n", msg);
	exit(2);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		usage("bad number");
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		usage("bad number");
	return v;
}

/*
 * Gone meanwhile: ENOENT, or ESTALE where the name was given to another
 * object twice faster than the kernel could look it up again (shmfs(1)).
 */
static int vanished(int err)
{
	return err == ENOENT || err == ESTALE;
}

uint64_t stress_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

double stress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void stress_pattern(unsigned char *buf, size_t len, uint64_t seed, uint64_t start)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t pos = start + i;
		uint64_t s = seed ^ ((pos / 8) * 0xD6E8FEB86659FD93ULL);

		buf[i] = (unsigned char)(stress_rand(&s) >> ((pos % 8) * 8));
	}
}

static uint64_t seed_from_clock(void)
{
	return (uint64_t)(stress_now() * 1e9) ^ ((uint64_t)getpid() << 32);
}

/* ---- reader ---- */

static int parse_sizes(const char *s, uint64_t *sizes, int max)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			usage("too many sizes");
		sizes[n++] = num(tok);
	}
	free(copy);
	return n;
}

static int cmd_reader(int argc, char **argv)
{
	const char *path;
	double end;
	uint64_t sizes[16], rng = seed_from_clock();
	int nsizes = 0, allow_eio = 0, keep_open = 0, kept = -1;
	unsigned long passes = 0, enoent = 0, eio = 0, ebusy = 0;
	uint64_t bytes = 0;
	static unsigned char buf[1 << 20];

	if (argc < 4)
		usage("reader FILE SECONDS [--sizes N,N] [--allow-eio]");
	path = argv[2];
	end = stress_now() + (double)num(argv[3]);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
			nsizes = parse_sizes(argv[++i], sizes, 16);
		else if (!strcmp(argv[i], "--allow-eio"))
			allow_eio = 1;
		else if (!strcmp(argv[i], "--keep-open"))
			keep_open = 1;
		else
			usage("bad reader option");
	}
	while (stress_now() < end) {
		int fd = kept >= 0 ? kept : open(path, O_RDONLY);
		uint64_t total = 0;
		int value = 0, bad = 0;

		if (keep_open && fd >= 0) {
			kept = fd;
			if (lseek(fd, 0, SEEK_SET) < 0) {
				fprintf(stderr, "reader: lseek: %s\n", strerror(errno));
				return 1;
			}
		}

		if (fd < 0) {
			if (vanished(errno)) {
				enoent++;
				continue;
			}
			fprintf(stderr, "reader: open %s: %s\n", path, strerror(errno));
			return 1;
		}
		for (;;) {
			size_t want = 1 + stress_rand(&rng) % sizeof(buf);
			ssize_t n = read(fd, buf, want);

			if (n < 0 && errno == EIO && allow_eio) {
				eio++;
				bad = 1;
				break;
			}
			if (n < 0) {
				fprintf(stderr, "reader: read %s at %" PRIu64 ": %s\n", path,
					total, strerror(errno));
				return 1;
			}
			if (n == 0)
				break;
			for (ssize_t i = 0; i < n; i++) {
				if (buf[i] == 0)
					continue;
				if (value == 0)
					value = buf[i];
				else if (buf[i] != value) {
					fprintf(stderr,
						"reader: %s: byte %" PRIu64 " is 0x%02x in a pass "
						"of 0x%02x: two generations mixed in one open file\n",
						path, total + (uint64_t)i, buf[i], value);
					return 1;
				}
			}
			total += (uint64_t)n;
		}
		if (!keep_open)
			close(fd);
		if (bad)
			continue;
		if (nsizes > 0) {
			int ok = 0;

			for (int i = 0; i < nsizes; i++)
				ok |= sizes[i] == total;
			if (!ok) {
				fprintf(stderr, "reader: %s: read %" PRIu64
					" bytes, which is none of the segment sizes\n",
					path, total);
				return 1;
			}
		}
		bytes += total;
		passes++;
	}
	printf("reader: %lu passes, %" PRIu64 " bytes, %lu ENOENT, %lu EIO, %lu EBUSY\n",
	       passes, bytes, enoent, eio, ebusy);
	return passes > 0 ? 0 : 1;
}

/* ---- writer ---- */

static int cmd_writer(int argc, char **argv)
{
	static unsigned char buf[1 << 18];
	uint64_t rng = seed_from_clock(), maxoff, minoff = 0;
	unsigned long writes = 0, enoent = 0, enospc = 0;
	double end;

	if (argc != 6 && argc != 7)
		usage("writer FILE SECONDS BYTE MAXOFF [MINOFF]");
	end = stress_now() + (double)num(argv[3]);
	memset(buf, (int)num(argv[4]), sizeof(buf));
	maxoff = num(argv[5]);
	if (argc == 7)
		minoff = num(argv[6]);
	if (minoff > maxoff)
		usage("MINOFF > MAXOFF");
	while (stress_now() < end) {
		int fd = open(argv[2], O_WRONLY);
		uint64_t off = minoff + stress_rand(&rng) % (maxoff - minoff + 1);
		size_t len = 1 + stress_rand(&rng) % sizeof(buf);
		ssize_t n;

		if (len > maxoff + 1 - off)
			len = (size_t)(maxoff + 1 - off);
		if (fd < 0) {
			if (vanished(errno)) {
				enoent++;
				continue;
			}
			fprintf(stderr, "writer: open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == ENOSPC)
			enospc++;
		else if (n < 0) {
			fprintf(stderr, "writer: pwrite %s: %s\n", argv[2], strerror(errno));
			return 1;
		} else
			writes++;
		if (close(fd) < 0) {
			fprintf(stderr, "writer: close %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	}
	printf("writer: %lu writes, %lu ENOENT, %lu ENOSPC\n", writes, enoent, enospc);
	return writes > 0 ? 0 : 1;
}

/* ---- region-writer and pattern ---- */

static int cmd_region_writer(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	uint64_t off, len, seed, rounds, rng = seed_from_clock();
	int fd;

	if (argc != 7)
		usage("region-writer FILE OFFSET LEN SEED ROUNDS");
	off = num(argv[3]);
	len = num(argv[4]);
	seed = num(argv[5]);
	rounds = num(argv[6]);
	fd = open(argv[2], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "region-writer: open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t s = r + 1 == rounds ? seed : seed * 1000 + r + 1;

		for (uint64_t done = 0; done < len;) {
			size_t piece = 1 + stress_rand(&rng) % sizeof(buf);
			ssize_t n;

			if (piece > len - done)
				piece = len - done;
			stress_pattern(buf, piece, s, done);
			n = pwrite(fd, buf, piece, (off_t)(off + done));
			if (n != (ssize_t)piece) {
				fprintf(stderr, "region-writer: pwrite at %" PRIu64 ": %s\n",
					off + done, n < 0 ? strerror(errno) : "short");
				return 1;
			}
			done += piece;
		}
	}
	if (close(fd) < 0) {
		fprintf(stderr, "region-writer: close: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_pattern(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	uint64_t len, seed;

	if (argc != 4)
		usage("pattern LEN SEED");
	len = num(argv[2]);
	seed = num(argv[3]);
	for (uint64_t done = 0; done < len;) {
		size_t piece = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);

		stress_pattern(buf, piece, seed, done);
		if (fwrite(buf, 1, piece, stdout) != piece)
			return 1;
		done += piece;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- fsx ---- */

static int cmd_fsx(int argc, char **argv)
{
	struct fsx_opts o = {
		.tag = "fsx", .numops = 10000, .maxlen = 256 << 10,
		.maxoplen = 64 << 10, .seed = 1, .closeopen = 5,
	};
	double seconds = 0;

	if (argc < 3)
		usage("fsx FILE [options]");
	o.path = argv[2];
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--sysv")) {
			o.sysv = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage("fsx: option needs a value");
		if (!strcmp(a, "-N"))
			o.numops = num(argv[++i]);
		else if (!strcmp(a, "-T"))
			seconds = (double)num(argv[++i]), o.numops = 0;
		else if (!strcmp(a, "-S"))
			o.seed = num(argv[++i]);
		else if (!strcmp(a, "-l"))
			o.maxlen = num(argv[++i]);
		else if (!strcmp(a, "-o"))
			o.maxoplen = num(argv[++i]);
		else if (!strcmp(a, "-m"))
			o.model_out = argv[++i];
		else if (!strcmp(a, "-c"))
			o.closeopen = (int)num(argv[++i]);
		else if (!strcmp(a, "-r"))
			o.copyrange = (int)num(argv[++i]);
		else if (!strcmp(a, "-s"))
			o.sendfile = (int)num(argv[++i]);
		else
			usage("fsx: unknown option");
	}
	if (o.maxoplen == 0 || o.maxoplen > FSX_IO_MAX || o.maxlen == 0 ||
	    o.closeopen + o.copyrange + o.sendfile > 45)
		usage("fsx: bad -l, -o, or -c, -r and -s (45 in all at most)");
	if (seconds > 0)
		o.deadline = stress_now() + seconds;
	return fsx_run(&o) == 0 ? 0 : 1;
}

/* ---- soak ---- */

/* Every listed file: stat, an xattr, a read.  Whatever vanished meanwhile
 * is fine; a wrong error is not. */
static int browse(const char *mnt, const char *sub, uint64_t *rng)
{
	char path[4096];
	static unsigned char buf[1 << 16];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", mnt, sub);
	d = opendir(path);
	if (d == NULL) {
		fprintf(stderr, "soak: opendir %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char val[64];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", mnt, sub, de->d_name);
		if (stat(path, &st) < 0 && !vanished(errno))
			goto bad;
		if (getxattr(path, "user.shm.nattch", val, sizeof(val)) < 0 &&
		    !vanished(errno) && errno != ENODATA && errno != ENOTSUP)
			goto bad;
		if (stress_rand(rng) % 4)
			continue;
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			/* EBUSY would be shm_rmid_forced, which the soak does not set */
			if (vanished(errno))
				continue;
			goto bad;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	closedir(d);
	return 0;
bad:
	fprintf(stderr, "soak: %s: %s\n", path, strerror(errno));
	closedir(d);
	return -1;
}

/* Make, check and remove objects through the mount, with names of our own. */
static int churn_once(const char *mnt, int client, unsigned long i, uint64_t *rng)
{
	char path[4096];
	unsigned char in[5000], out[5000];
	size_t len = 1 + stress_rand(rng) % sizeof(in);
	int sysv = stress_rand(rng) % 2;
	int fd;
	ssize_t n;

	if (sysv)
		snprintf(path, sizeof(path), "%s/sysv/0x%08x", mnt,
			 0x5C000000u | ((unsigned)client << 16) | (unsigned)(i & 0xffff));
	else
		snprintf(path, sizeof(path), "%s/posix/soak-tmp-%d-%lu", mnt, client, i);
	stress_pattern(in, len, i, 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		goto bad;
	if (write(fd, in, len) != (ssize_t)len)
		goto bad_close;
	if (close(fd) < 0)
		goto bad;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		goto bad;
	n = read(fd, out, sizeof(out));
	close(fd);
	/* A new segment is at least what was written (whole pages). */
	if (n < (ssize_t)len || memcmp(in, out, len) != 0) {
		fprintf(stderr, "soak: %s: read back %zd bytes, not the %zu written\n",
			path, n, len);
		return -1;
	}
	if (unlink(path) < 0)
		goto bad;
	return 0;
bad_close:
	close(fd);
bad:
	fprintf(stderr, "soak: %s: %s\n", path, strerror(errno));
	return -1;
}

static int soak_client(const char *mnt, double end, int client, const char *outdir)
{
	struct fsx_opts o = { .maxlen = 256 << 10, .maxoplen = 64 << 10, .closeopen = 5 };
	char path[4096], model[4096], tag[64];
	uint64_t rng = (uint64_t)client * 7919 + 1;
	unsigned long i = 0;

	o.seed = (uint64_t)client + 1;
	o.deadline = end;
	o.path = path;
	o.tag = tag;
	o.model_out = model;
	switch (client % 4) {
	case 0: /* its own POSIX object, under the file system exerciser */
		snprintf(path, sizeof(path), "%s/posix/soak-%d", mnt, client);
		snprintf(model, sizeof(model), "%s/model-%d", outdir, client);
		snprintf(tag, sizeof(tag), "soak-fsx-posix-%d", client);
		return fsx_run(&o) == 0 ? 0 : 1;
	case 1: /* its own segment, likewise */
		snprintf(path, sizeof(path), "%s/sysv/0x%08x", mnt, 0x5A000000u + client);
		snprintf(model, sizeof(model), "%s/model-%d", outdir, client);
		snprintf(tag, sizeof(tag), "soak-fsx-sysv-%d", client);
		o.sysv = 1;
		return fsx_run(&o) == 0 ? 0 : 1;
	case 2: /* create, check, remove */
		while (stress_now() < end)
			if (churn_once(mnt, client, i++, &rng) < 0)
				return 1;
		printf("soak-churn-%d: %lu objects made and removed\n", client, i);
		return i > 0 ? 0 : 1;
	default: /* look at everything */
		while (stress_now() < end) {
			if (browse(mnt, "sysv", &rng) < 0 || browse(mnt, "sysv-id", &rng) < 0 ||
			    browse(mnt, "posix", &rng) < 0)
				return 1;
			i++;
		}
		printf("soak-browse-%d: %lu passes over the tree\n", client, i);
		return i > 0 ? 0 : 1;
	}
}

static int cmd_soak(int argc, char **argv)
{
	int clients, failed = 0;
	double end;
	pid_t *pids;

	if (argc != 6)
		usage("soak MNT SECONDS CLIENTS OUTDIR");
	end = stress_now() + (double)num(argv[3]);
	clients = (int)num(argv[4]);
	pids = calloc((size_t)clients, sizeof(*pids));
	for (int c = 0; c < clients; c++) {
		pids[c] = fork();
		if (pids[c] == 0) {
			fflush(stdout);
			_exit(soak_client(argv[2], end, c, argv[5]));
		}
		if (pids[c] < 0) {
			perror("fork");
			return 1;
		}
	}
	for (int c = 0; c < clients; c++) {
		int st;

		if (waitpid(pids[c], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "soak: client %d failed\n", c);
			failed++;
		}
	}
	free(pids);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "reader", cmd_reader },     { "writer", cmd_writer },
		{ "region-writer", cmd_region_writer },
		{ "pattern", cmd_pattern },   { "fsx", cmd_fsx },
		{ "soak", cmd_soak },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage("missing COMMAND");
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc, argv);
	usage("unknown command");
}
