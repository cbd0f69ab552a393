// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the kernel says of the task behind a request: its effective
 * capabilities and supplementary groups, from /proc/PID/task/PID/status.
 * FUSE gives a request's fsuid, fsgid and the pid of the calling thread;
 * the rest has to be read.
 *
 * Can the pid name another task by the time we read it?  Not for the
 * requests we act on (open, create, setattr, unlink, xattrs, access):
 * once the daemon has read one, the kernel waits for the answer
 * uninterruptibly, even for a fatal signal (request_wait_answer()), so
 * the calling thread cannot exit, its pid cannot be reused, and an execve
 * by another thread of its process cannot complete (de_thread() waits for
 * it) until we reply.  Requests sent without waiting (release, forget,
 * readahead) carry no caller and are never acted on as one.  So we check
 * what a mistake would look like, and on any doubt fail, which refuses
 * the request (fs.c): the fsuid and fsgid read must be the request's.
 * Capabilities count only when the task is in the daemon's user
 * namespace (those of a task in a namespace of its own are no rights
 * here); its groups still do.
 */
#include "cred.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One "Key:\tvalue value ..." line at a time, read in pieces. */
struct status_parse {
	struct seg_cred *c;
	char key[16];
	size_t klen;
	int in_value, skip; /* past the ':'; a key we do not want */
	int field;	    /* index of the value being read */
	int digits;	    /* of it so far */
	uint64_t value;
	int bad;
	int seen; /* SEEN_* */
	uint64_t fsuid, fsgid;
};

enum { SEEN_UID = 1, SEEN_GID = 2, SEEN_GROUPS = 4, SEEN_CAPS = 8 };

static int hex_key(const struct status_parse *p)
{
	return strcmp(p->key, "CapEff") == 0;
}

/* A value of the line ends. */
static void value_done(struct status_parse *p)
{
	if (p->digits == 0)
		return;
	if (strcmp(p->key, "Uid") == 0 && p->field == 3) {
		p->fsuid = p->value;
		p->seen |= SEEN_UID;
	} else if (strcmp(p->key, "Gid") == 0 && p->field == 3) {
		p->fsgid = p->value;
		p->seen |= SEEN_GID;
	} else if (strcmp(p->key, "Groups") == 0) {
		if (p->value > (gid_t)-1 || cred_add_group(p->c, p->value) < 0)
			p->bad = 1;
	} else if (hex_key(p) && p->field == 0) {
		p->c->caps = p->value;
		p->seen |= SEEN_CAPS;
	}
	p->field++;
	p->digits = 0;
	p->value = 0;
}

static void line_done(struct status_parse *p)
{
	value_done(p);
	if (p->in_value && !p->skip && strcmp(p->key, "Groups") == 0)
		p->seen |= SEEN_GROUPS;
	p->klen = 0;
	p->in_value = p->skip = 0;
	p->field = 0;
}

static int digit(int ch, int hex)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (hex && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static void parse_char(struct status_parse *p, int ch)
{
	int d, base;

	if (ch == '\n') {
		line_done(p);
		return;
	}
	if (!p->in_value) {
		if (ch == ':') {
			p->key[p->klen] = '\0';
			p->in_value = 1;
			p->skip = strcmp(p->key, "Uid") &&
				  strcmp(p->key, "Gid") &&
				  strcmp(p->key, "Groups") && !hex_key(p);
		} else if (p->klen + 1 < sizeof(p->key)) {
			p->key[p->klen++] = (char)ch;
		} else {
			p->in_value = p->skip = 1; /* no key of ours */
		}
		return;
	}
	if (p->skip)
		return;
	if (ch == ' ' || ch == '\t') {
		value_done(p);
		return;
	}
	base = hex_key(p) ? 16 : 10;
	d = digit(ch, base == 16);
	if (d < 0 || p->value > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
		p->bad = 1;
		return;
	}
	p->value = p->value * (uint64_t)base + (uint64_t)d;
	p->digits++;
}

int cred_parse_status(int fd, struct seg_cred *c)
{
	struct status_parse p = { .c = c };
	char buf[4096];
	ssize_t n;
	int res = 0;

	c->caps = 0;
	cred_groups_clear(c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n && !p.bad; i++)
			parse_char(&p, (unsigned char)buf[i]);
	if (n < 0)
		res = -errno;
	line_done(&p);
	/* Not all there, or not the request's fsuid and fsgid: another task. */
	if (res == 0 &&
	    (p.bad ||
	     p.seen != (SEEN_UID | SEEN_GID | SEEN_GROUPS | SEEN_CAPS) ||
	     p.fsuid != c->uid || p.fsgid != c->gid))
		res = -ESRCH;
	if (res < 0) {
		c->caps = 0;
		cred_groups_clear(c);
	}
	return res;
}

/* Daemon-wide: the user namespace the process itself is in. */
static struct stat own_userns;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;

static void own_userns_init(void)
{
	if (stat("/proc/self/ns/user", &own_userns) < 0)
		memset(&own_userns, 0, sizeof(own_userns));
}

/* Is task PID in the daemon's user namespace?  Not known: no. */
static int same_userns(pid_t pid)
{
	char path[64];
	struct stat st;

	pthread_once(&own_once, own_userns_init);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/user", (int)pid,
		 (int)pid);
	return own_userns.st_ino != 0 && stat(path, &st) == 0 &&
	       st.st_ino == own_userns.st_ino && st.st_dev == own_userns.st_dev;
}

int cred_read_task(struct seg_cred *c)
{
	char path[64];
	int fd, res;

	c->caps = 0;
	cred_groups_clear(c);
	if (c->pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)c->pid,
		 (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	res = cred_parse_status(fd, c);
	close(fd);
	if (res == 0 && c->caps != 0 && !same_userns(c->pid))
		c->caps = 0;
	return res;
}
