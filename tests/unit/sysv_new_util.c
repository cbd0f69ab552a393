// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the tests of a SysV file being created share (sysv_new_util.h):
 * files made and used through sysv_new.h and seg_ops, segments checked
 * with shmget, IPC_STAT and shmat directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "name.h"
#include "sysv_int.h"
#include "sysv_new.h"
#include "sysv_new_util.h"

struct seg_cred user(uid_t uid, gid_t gid)
{
	struct seg_cred c;

	memset(&c, 0, sizeof(c));
	c.uid = uid;
	c.gid = gid;
	return c;
}

const struct seg_cred *root(void)
{
	static struct seg_cred c; /* all zero: uid 0, gid 0 */

	return &c;
}

size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A new file for KEY, as fs_create makes one: open for writing. */
struct seg_file *make(key_t key, mode_t mode, const struct seg_cred *cred,
		      struct seg_ref *ref)
{
	struct seg_file *file = NULL;
	struct stat st;

	assert_int_equal(sysv_new_create(si, key, mode, O_WRONLY | O_CREAT,
					 cred, ref, &st, &file),
			 0);
	assert_non_null(file);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode, S_IFREG | (mode & 0777));
	assert_int_equal(st.st_ino, SEG_INO_TAG(SEG_TAG_NEW, ref->id));
	return file;
}

void put(struct seg_file *file, const char *s, off_t off)
{
	ssize_t n = file->ops->write(file, s, strlen(s), off);

	assert_int_equal(n, (ssize_t)strlen(s));
}

/* The kernel's record of KEY's segment: its shmid, or -errno. */
int seg_stat(key_t key, struct shmid_ds *ds)
{
	int id = shmget(key, 0, 0);

	if (id < 0)
		return -errno;
	if (shmctl(id, IPC_STAT, ds) < 0)
		return -errno;
	return id;
}

int seg_exists(key_t key)
{
	struct shmid_ds ds;

	return seg_stat(key, &ds) >= 0;
}

size_t seg_size(key_t key)
{
	struct shmid_ds ds;

	assert_true(seg_stat(key, &ds) >= 0);
	return ds.shm_segsz;
}

/* N bytes at OFF of KEY's segment, read by an attach of our own. */
void seg_bytes(key_t key, size_t off, size_t n, void *buf)
{
	int id = shmget(key, 0, 0);
	const char *p;

	assert_true(id >= 0);
	p = shmat(id, NULL, SHM_RDONLY);
	assert_true(p != (void *)-1);
	memcpy(buf, p + off, n);
	shmdt(p);
}

void seg_remove(key_t key)
{
	int id = shmget(key, 0, 0);

	assert_true(id >= 0);
	assert_int_equal(shmctl(id, IPC_RMID, NULL), 0);
}

int take_reply(void *ctx, const void *buf, size_t len)
{
	struct got *g = ctx;

	assert_true(len <= sizeof(g->buf));
	if (len > 0)
		memcpy(g->buf, buf, len);
	g->len = len;
	g->calls++;
	return 0;
}

struct got get(struct seg_file *file, size_t size, off_t off)
{
	struct got g = { .calls = 0 };

	assert_int_equal(file->ops->read(file, size, off, take_reply, &g), 0);
	assert_int_equal(g.calls, 1);
	return g;
}

/* The name looked for in a listing, and how often it came. */
struct find {
	const char *name;
	uint64_t ino;
	int seen;
};

static int find_one(void *ctx, const char *name, uint64_t ino, mode_t type)
{
	struct find *f = ctx;

	assert_int_equal(type, S_IFREG);
	if (strcmp(name, f->name) == 0) {
		f->seen++;
		f->ino = ino;
	}
	return 0;
}

/* How often KEY is listed (0 or 1), and with which inode number. */
int listed(key_t key, uint64_t *ino)
{
	char name[NAME_KEY_LEN];
	struct find f = { name, 0, 0 };

	name_format_key(key, name);
	assert_int_equal(sysv_new_list(si, find_one, &f), 0);
	if (ino != NULL)
		*ino = f.ino;
	return f.seen;
}

int pending(key_t key)
{
	struct seg_ref ref;
	struct stat st;

	return sysv_new_lookup(si, key, &ref, &st) == 0;
}

/* Set /proc/sys/kernel/NAME to VALUE; what it was goes to OLD, if not NULL. */
void set_sysctl(const char *name, const char *value, char old[32])
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	f = fopen(path, "r+e");
	assert_non_null(f);
	if (old != NULL) {
		assert_non_null(fgets(old, 32, f));
		rewind(f);
	}
	assert_true(fputs(value, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Resident bytes of KEY's segment, as /proc/sysvipc/shm says. */
uint64_t seg_rss(key_t key)
{
	FILE *f = fopen("/proc/sysvipc/shm", "re");
	unsigned long long rss = UINT64_MAX;
	char line[512];
	int k;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* the header */
	while (fgets(line, sizeof(line), f) != NULL) {
		/* key shmid perms size cpid lpid nattch uid gid cuid cgid
		 * atime dtime ctime rss swap */
		if (sscanf(line,
			   "%d %*d %*o %*u %*d %*d %*u %*u %*u %*u %*u "
			   "%*d %*d %*d %llu",
			   &k, &rss) == 2 &&
		    k == (int)key)
			break;
		rss = UINT64_MAX;
	}
	fclose(f);
	assert_true(rss != UINT64_MAX);
	return rss;
}

struct sysv_inst *si;

/* A SysV instance of the test's own IPC namespace, for the whole group. */
static int inst_up(void **state)
{
	(void)state;
	return sysv_inst_new(NULL, &si);
}

static int inst_down(void **state)
{
	(void)state;
	sysv_inst_free(si);
	si = NULL;
	return 0;
}

int sysv_new_test_main(const struct CMUnitTest *tests, size_t n)
{
	/* Segments of our own, seen by nobody, gone when we are. */
	if (unshare(CLONE_NEWIPC) < 0) {
		printf("skip: no IPC namespace of our own (%s)\n",
		       strerror(errno));
		return 77;
	}
	/* Changes as the caller, as a root daemon with allow_other does. */
	if (cred_init(1) < 0) {
		printf("skip: cannot act as another user\n");
		return 77;
	}
	return _cmocka_run_group_tests("sysv_new", tests, n, inst_up,
				       inst_down);
}
