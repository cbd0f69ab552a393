// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE passthrough: whether the connection uses it, and the backing file
 * of each inode with files open.  The kernel allows an inode one backing
 * file at a time and refuses an open without passthrough of an inode that
 * has passthrough opens (passthrough_abi.c), so each inode's opens share
 * one backing file, registered at its first open and closed at the release
 * of its last; and all opens of an inode take the path the first one
 * took: if that one could not have a backing file, the daemon serves the
 * others too, until they are all closed.
 *
 * Permission is the caller's: the kind opened the file as the caller
 * before it comes here, and the kernel opens the backing file again with
 * the caller's open flags.  The backing file is registered as the daemon,
 * since only CAP_SYS_ADMIN may.
 */
#include "passthrough.h"

#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "passthrough_abi.h"

/*
 * Set by passthrough_connect() and the INIT it answers, before the
 * daemon has other threads; only read after.
 */
static struct {
	enum shmfs_passthrough mode;
	int devfd;
	int wanted;    /* asked for at INIT */
	int active;    /* and working: opens may have backing files */
	char why[160]; /* why not, if not */
} conn = { .devfd = -1 };

/*
 * An inode with files open, while passthrough is active.  All under one
 * lock, held across the ioctls, which are quick and wait for no request.
 */
struct backing {
	struct backing *next;
	fuse_ino_t ino;
	int id; /* the kernel's id of its backing file; 0: the daemon serves it */
	unsigned opens;
};

#define NBUCKETS 256

static struct {
	pthread_mutex_t lock;
	struct backing *bucket[NBUCKETS];
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct backing **slot_of(fuse_ino_t ino)
{
	uint64_t h = (uint64_t)ino * UINT64_C(0x9e3779b97f4a7c15);
	struct backing **p = &reg.bucket[(h >> 32) % NBUCKETS];

	while (*p != NULL && (*p)->ino != ino)
		p = &(*p)->next;
	return p;
}

/* Whether this thread may register backing files (see also probe()). */
static int have_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return 1; /* the probe will tell */
	return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
		CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

static void say_why(const char *why)
{
	snprintf(conn.why, sizeof(conn.why), "%s", why);
}

/* What the options and the daemon's rights decide before the INIT. */
static void decide(const struct fs_config *cfg)
{
	if (cfg->passthrough == PASSTHROUGH_OFF)
		say_why("off by -o passthrough=off");
	else if (cfg->kernel_cache)
		say_why("off by -o kernel_cache, whose page cache it bypasses");
	else if (!have_sys_admin())
		say_why("the daemon lacks CAP_SYS_ADMIN, which registering "
			"backing files needs");
}

void passthrough_init_conn(struct fuse_conn_info *conn_info)
{
	pt_abi_want_kill_priv(conn_info);
	if (conn.why[0] != '\0')
		return;
	if (!pt_abi_offered(conn_info)) {
		say_why("the kernel does not offer it (Linux 6.9 or later "
			"with CONFIG_FUSE_PASSTHROUGH does)");
		return;
	}
	pt_abi_want(conn_info);
	conn.wanted = 1;
}

/* The kernel's own answer: register a file of shmem, and drop it. */
static void probe(void)
{
	int fd = memfd_create("shmfs-passthrough-check", MFD_CLOEXEC);
	int id = fd < 0 ? -errno : pt_abi_backing_open(conn.devfd, fd);

	if (fd >= 0)
		close(fd);
	if (id > 0) {
		pt_abi_backing_close(conn.devfd, id);
		conn.active = 1;
	} else if (id == -EPERM) {
		say_why("the kernel refuses the daemon backing files (EPERM: "
			"CAP_SYS_ADMIN in the initial user namespace needed)");
	} else {
		snprintf(conn.why, sizeof(conn.why),
			 "registering a backing file fails: %s", strerror(-id));
	}
}

/* The first request is the kernel's INIT: answer it now. */
static int answer_init(struct fuse_session *se)
{
	struct fuse_buf buf = { .mem = NULL };
	int res;

	do
		res = fuse_session_receive_buf(se, &buf);
	while (res == -EINTR && !fuse_session_exited(se));
	if (res > 0)
		fuse_session_process_buf(se, &buf);
	free(buf.mem);
	if (res <= 0 || fuse_session_exited(se)) {
		log_err("no answer to the kernel's INIT%s%s\n",
			res < 0 ? ": " : "", res < 0 ? strerror(-res) : "");
		return -1;
	}
	return 0;
}

int passthrough_connect(struct fuse_session *se, const struct fs_config *cfg)
{
	int res;

	conn.mode = cfg->passthrough;
	conn.devfd = fuse_session_fd(se);
	decide(cfg);
	/* Whatever the data path: the INIT reply takes kill-priv too. */
	res = pt_abi_setup(se);
	if (res < 0 && conn.why[0] == '\0')
		snprintf(conn.why, sizeof(conn.why),
			 "libfuse lets the daemon add it to no reply: %s",
			 strerror(-res));
	if (answer_init(se) < 0)
		return -1;
	if (conn.wanted)
		probe();
	if (!conn.active && conn.mode == PASSTHROUGH_ON) {
		log_err("-o passthrough=on: %s\n", conn.why);
		return -1;
	}
	return 0;
}

void passthrough_report(void)
{
	if (conn.active)
		log_notice("data path: passthrough: the kernel reads, writes "
			   "and maps open files in the shared memory itself "
			   "(writes to SysV segments go through the daemon)\n");
	else
		log_notice("data path: through the daemon (no passthrough: "
			   "%s)\n",
			   conn.why);
	if (!pt_abi_kills_priv())
		log_warn("the kernel does not take FUSE_HANDLE_KILLPRIV_V2 "
			 "(Linux 5.11 does): a write it does itself to a "
			 "set-id object by a non-owner fails with EPERM\n");
}

int passthrough_opened(fuse_ino_t ino, struct seg_file *file,
		       struct pt_open *pt)
{
	struct backing **slot, *b;
	int fd = -1, how = 0, res = 0;

	pt->id = 0;
	pt->map_only = 0;
	if (!conn.active)
		return 0;
	pthread_mutex_lock(&reg.lock);
	slot = slot_of(ino);
	b = *slot;
	if (b != NULL && b->id == 0)
		goto count; /* as the inode's other opens */
	how = seg_backing(file, b == NULL ? &fd : NULL);
	if (how < 0 && b != NULL) {
		/* None of today's kinds answer so for an inode that has one. */
		log_err("passthrough: inode %llu: an open the daemon must serve "
			"while others are passthrough\n",
			(unsigned long long)ino);
		res = -ETXTBSY;
		goto out;
	}
	if (b == NULL) {
		b = calloc(1, sizeof(*b));
		if (b == NULL) {
			res = -ENOMEM;
			goto out;
		}
		b->ino = ino;
		b->id = how < 0 ? how : pt_abi_backing_open(conn.devfd, fd);
		if (b->id < 0) {
			log_debug("passthrough: inode %llu: no backing file "
				  "(%s): the daemon serves it\n",
				  (unsigned long long)ino, strerror(-b->id));
			b->id = 0;
		}
		*slot = b;
	}
	if (b->id > 0) {
		pt->id = b->id;
		pt->map_only = how == SEG_BACKING_MAP;
	}
count:
	b->opens++;
	log_debug("passthrough: inode %llu: %s, %u open\n",
		  (unsigned long long)ino,
		  pt->id == 0	 ? "the daemon serves it"
		  : pt->map_only ? "mappings by the kernel"
				 : "served by the kernel",
		  b->opens);
out:
	pthread_mutex_unlock(&reg.lock);
	return res;
}

void passthrough_closed(fuse_ino_t ino)
{
	struct backing **slot, *b;

	if (!conn.active)
		return;
	pthread_mutex_lock(&reg.lock);
	slot = slot_of(ino);
	b = *slot;
	if (b != NULL && --b->opens == 0) {
		*slot = b->next;
		if (b->id > 0)
			pt_abi_backing_close(conn.devfd, b->id);
		free(b);
	}
	pthread_mutex_unlock(&reg.lock);
}

int passthrough_reply_open(fuse_req_t req, struct fuse_file_info *fi,
			   const struct pt_open *pt)
{
	return pt_abi_reply_open(req, fi, pt->id, pt->map_only);
}

int passthrough_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			     struct fuse_file_info *fi,
			     const struct pt_open *pt)
{
	return pt_abi_reply_create(req, e, fi, pt->id, pt->map_only);
}
