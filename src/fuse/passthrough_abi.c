// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE passthrough as the kernel defines it (protocol 7.40, Linux 6.9),
 * for libfuse with and without an API for it.  The facts relied on, each
 * checked on Linux 6.18:
 *  - INIT: the kernel offers passthrough with FUSE_PASSTHROUGH (bit 37 of
 *    the flags, so bit 5 of flags2, sent with FUSE_INIT_EXT) and takes it
 *    when the reply sets that bit and a max_stack_depth of at least 1:
 *    the u32 after flags2 in fuse_init_out (unused[0] in 6.1's header).
 *    Backing files may then be on file systems stacked fewer levels deep;
 *    tmpfs and the kernel's shmem mount are not stacked at all, so 1.
 *  - FUSE_DEV_IOC_BACKING_OPEN, _IOW(229, 1, struct fuse_backing_map
 *    { s32 fd; u32 flags; u64 padding; }) on the session's /dev/fuse
 *    descriptor, flags and padding 0, registers FD as a backing file and
 *    returns its id, > 0.  It needs CAP_SYS_ADMIN (in the initial user
 *    namespace) in the calling thread, and a file with read_iter and
 *    write_iter on an unstacked file system (not overlayfs, ELOOP; nor
 *    hugetlbfs, also ELOOP).  The kernel takes its own reference: FD
 *    may be closed after.  FUSE_DEV_IOC_BACKING_CLOSE, _IOW(229, 2, u32),
 *    drops the id; files opened with it keep their backing file.
 *  - An open or create reply with FOPEN_PASSTHROUGH (1 << 7) in
 *    fuse_open_out.open_flags and the id in fuse_open_out.backing_id (the
 *    4 bytes after open_flags, "padding" in 6.1) is served by the kernel
 *    from that file: it opens the backing file's path again with the FUSE
 *    file's open flags, so the caller's open mode limits it.  With
 *    FOPEN_DIRECT_IO as well, read(2) and write(2) still come to the
 *    daemon; only mmap(2) goes to the backing file.
 *  - The kernel refuses (open fails with EIO) FOPEN_KEEP_CACHE with
 *    passthrough, a second backing file for an inode that has passthrough
 *    opens, and an open without passthrough of such an inode; it accepts
 *    a passthrough open while others of the inode use direct I/O.
 *  - It releases a file (dropping the inode's backing file with its last
 *    passthrough open) before it sends RELEASE.
 *  - Before a write it does itself (passthrough, or a cached write), the
 *    kernel calls file_remove_privs() on the FUSE file, and a FUSE inode
 *    is never S_NOSEC unless the connection has FUSE_HANDLE_KILLPRIV_V2
 *    (bit 28 of the flags, Linux 5.11): so without it every such write
 *    first asks GETXATTR "security.capability", a round trip that cost a
 *    1 MiB passthrough write a fifth of its speed here.  With it the
 *    daemon clears set-id bits at write, truncate and chown, and before
 *    a write it does itself (also fallocate and copy_file_range) to a
 *    file that has them the kernel sends a SETATTR with nothing to set
 *    (fs_killpriv.c).  Taken on every connection; libfuse 3.14 has no
 *    capability for it.
 *
 * libfuse 3.17 has FUSE_CAP_PASSTHROUGH, max_backing_stack_depth and
 * fuse_file_info.backing_id; meson sets HAVE_FUSE_PASSTHROUGH where it
 * finds them.  Older ones (3.13 on) let the daemon replace the calls that
 * read and write /dev/fuse (fuse_session_custom_io(), here with the
 * session's own descriptor after the mount, so that nothing else
 * changes): pt_read() notes whether the kernel's INIT offers passthrough,
 * pt_writev() adds it to libfuse's INIT reply, and adds FOPEN_PASSTHROUGH
 * and the id to the open replies that pt_abi_reply_*() mark, on the
 * thread that replies, for the duration of the call.  Patching libfuse's
 * replies on their way, rather than writing replies of our own, leaves
 * libfuse its requests to finish: an interrupted open still comes back
 * as -ENOENT from fuse_reply_open(), and its file is released.
 *
 * The ioctls are made here with either libfuse: its fuse_passthrough_open()
 * and fuse_passthrough_close() are the same calls but need a request,
 * which neither the check at mount (passthrough.c) nor the release of an
 * interrupted open has, and they log every refusal as an error.
 *
 * When it can go: the definitions below once linux/fuse.h has them
 * (6.9's headers: Debian 13's linux-libc-dev has, Debian 12's, 6.1, has
 * not); the rest of the #else branch once libfuse 3.17 is the oldest
 * supported.
 */
#include "passthrough_abi.h"

#include <errno.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "nshome.h"

#ifndef FUSE_PASSTHROUGH
#define FUSE_PASSTHROUGH (1ULL << 37)
#endif
#ifndef FUSE_HANDLE_KILLPRIV_V2
#define FUSE_HANDLE_KILLPRIV_V2 (1 << 28)
#endif
#ifndef FOPEN_PASSTHROUGH
#define FOPEN_PASSTHROUGH (1 << 7)
#endif
#ifndef FUSE_DEV_IOC_BACKING_OPEN
struct fuse_backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};
#define FUSE_DEV_IOC_BACKING_OPEN \
	_IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)
#endif

#define STACK_DEPTH 1

int pt_abi_backing_open(int devfd, int fd)
{
	struct fuse_backing_map map = { .fd = fd };
	int id = ioctl(devfd, FUSE_DEV_IOC_BACKING_OPEN, &map);

	if (id < 0)
		return -errno;
	return id > 0 ? id : -EPROTO;
}

void pt_abi_backing_close(int devfd, int id)
{
	uint32_t v = (uint32_t)id;

	if (ioctl(devfd, FUSE_DEV_IOC_BACKING_CLOSE, &v) < 0)
		log_err("passthrough: closing backing file %d: %s\n", id,
			strerror(errno));
}

#ifdef HAVE_FUSE_PASSTHROUGH

int pt_abi_setup(struct fuse_session *se)
{
	(void)se;
	return 0;
}

int pt_abi_offered(const struct fuse_conn_info *conn)
{
	return (conn->capable & FUSE_CAP_PASSTHROUGH) != 0;
}

void pt_abi_want(struct fuse_conn_info *conn)
{
	conn->want |= FUSE_CAP_PASSTHROUGH;
	/* libfuse adds the FUSE level itself. */
	conn->max_backing_stack_depth = STACK_DEPTH - 1;
}

/* Set at INIT, before the daemon has other threads; only read after. */
static int kills_priv;

void pt_abi_want_kill_priv(struct fuse_conn_info *conn)
{
#ifdef FUSE_CAP_HANDLE_KILLPRIV_V2
	if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV_V2) {
		conn->want |= FUSE_CAP_HANDLE_KILLPRIV_V2;
		kills_priv = 1;
	}
#else
	(void)conn;
#endif
}

int pt_abi_kills_priv(void)
{
	return kills_priv;
}

static void set_backing(struct fuse_file_info *fi, int id, int map_only)
{
	if (id <= 0)
		return;
	fi->backing_id = id;
	fi->direct_io = map_only;
	fi->keep_cache = 0;
}

int pt_abi_reply_open(fuse_req_t req, struct fuse_file_info *fi, int id,
		      int map_only)
{
	set_backing(fi, id, map_only);
	return fuse_reply_open(req, fi);
}

int pt_abi_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			struct fuse_file_info *fi, int id, int map_only)
{
	set_backing(fi, id, map_only);
	return fuse_reply_create(req, e, fi);
}

#else /* libfuse before 3.17: by hand */

/* Where 7.40 put what 6.1's header calls unused[0] and padding. */
#define INIT_OUT_STACK_DEPTH \
	(offsetof(struct fuse_init_out, flags2) + sizeof(uint32_t))
#define OPEN_OUT_BACKING_ID \
	(offsetof(struct fuse_open_out, open_flags) + sizeof(uint32_t))
_Static_assert(OPEN_OUT_BACKING_ID + sizeof(int32_t) ==
		       sizeof(struct fuse_open_out),
	       "fuse_open_out is fh, open_flags, backing_id");
_Static_assert(INIT_OUT_STACK_DEPTH + sizeof(uint32_t) <=
		       sizeof(struct fuse_init_out),
	       "fuse_init_out has room for max_stack_depth");

/*
 * The INIT, the first request, is read and answered before the daemon
 * starts its other threads (passthrough_connect()), so these are written
 * before any other thread reads them.
 */
static int init_seen;
static uint64_t init_unique; /* its reply is yet to be written */
static int offered;
static int offered_kill; /* FUSE_HANDLE_KILLPRIV_V2 */
static int wanted, wanted_kill;
static int kills_priv; /* the reply took it */

/* What an open reply on this thread is to carry: see pt_abi_reply_*(). */
struct open_mark {
	uint64_t fh;
	int32_t id;
};
static __thread const struct open_mark *mark;

static ssize_t pt_read(int fd, void *buf, size_t len, void *userdata)
{
	const struct fuse_in_header *in = buf;
	ssize_t n;

	/* Each worker is back in the process's namespaces before it waits. */
	nshome_now();
	n = read(fd, buf, len);
	struct fuse_init_in init;

	(void)userdata;
	if (init_seen || n < (ssize_t)sizeof(*in) || in->opcode != FUSE_INIT)
		return n;
	init_seen = 1;
	init_unique = in->unique;
	/* Shorter from kernels before flags2 (7.36, Linux 5.17): none then. */
	memset(&init, 0, sizeof(init));
	if ((size_t)n - sizeof(*in) < sizeof(init))
		memcpy(&init, in + 1, (size_t)n - sizeof(*in));
	else
		memcpy(&init, in + 1, sizeof(init));
	offered = (init.flags & FUSE_INIT_EXT) &&
		  (init.flags2 & (uint32_t)(FUSE_PASSTHROUGH >> 32));
	offered_kill = (init.flags & FUSE_HANDLE_KILLPRIV_V2) != 0;
	return n;
}

static ssize_t send_init(int fd, struct iovec *iov)
{
	struct fuse_init_out out;
	uint32_t depth = STACK_DEPTH;
	struct iovec v[2] = { iov[0], { &out, sizeof(out) } };

	if (iov[1].iov_len != sizeof(out)) {
		log_err("passthrough: INIT reply of %zu bytes, not taken\n",
			iov[1].iov_len);
		return writev(fd, iov, 2);
	}
	memcpy(&out, iov[1].iov_base, sizeof(out));
	if (wanted_kill && offered_kill) {
		out.flags |= FUSE_HANDLE_KILLPRIV_V2;
		kills_priv = 1;
	}
	if (wanted && (out.flags & FUSE_INIT_EXT)) {
		out.flags2 |= (uint32_t)(FUSE_PASSTHROUGH >> 32);
		memcpy((char *)&out + INIT_OUT_STACK_DEPTH, &depth,
		       sizeof(depth));
	}
	return writev(fd, v, 2);
}

/* An open reply (fuse_open_out) or a create reply (an entry, then it). */
static ssize_t send_open(int fd, struct iovec *iov, const struct open_mark *m)
{
	char buf[sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out)];
	size_t len = iov[1].iov_len;
	struct iovec v[2] = { iov[0], { buf, len } };
	struct fuse_open_out *o;

	if (len != sizeof(*o) && len != sizeof(buf))
		goto unknown;
	memcpy(buf, iov[1].iov_base, len);
	o = (struct fuse_open_out *)(buf + len - sizeof(*o));
	if (o->fh != m->fh)
		goto unknown;
	o->open_flags |= FOPEN_PASSTHROUGH;
	memcpy((char *)o + OPEN_OUT_BACKING_ID, &m->id, sizeof(m->id));
	return writev(fd, v, 2);

unknown:
	/* Never withhold a reply: the open would wait forever. */
	log_err("passthrough: an open reply of %zu bytes, sent as it is\n",
		len);
	return writev(fd, iov, 2);
}

static ssize_t pt_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	const struct fuse_out_header *out = iov[0].iov_base;

	(void)userdata;
	if (init_unique != 0 && out->unique == init_unique) {
		init_unique = 0;
		if (count == 2 && out->error == 0)
			return send_init(fd, iov);
	} else if (mark != NULL && count == 2 && out->error == 0) {
		return send_open(fd, iov, mark);
	}
	return writev(fd, iov, count);
}

int pt_abi_setup(struct fuse_session *se)
{
	static const struct fuse_custom_io io = {
		.read = pt_read,
		.writev = pt_writev,
	};

	int res = fuse_session_custom_io(se, &io, fuse_session_fd(se));

	nshome_set_workers_covered(res == 0);
	return res;
}

int pt_abi_offered(const struct fuse_conn_info *conn)
{
	(void)conn;
	return offered;
}

void pt_abi_want(struct fuse_conn_info *conn)
{
	(void)conn;
	wanted = 1;
}

void pt_abi_want_kill_priv(struct fuse_conn_info *conn)
{
	(void)conn;
	wanted_kill = 1;
}

int pt_abi_kills_priv(void)
{
	return kills_priv;
}

int pt_abi_reply_open(fuse_req_t req, struct fuse_file_info *fi, int id,
		      int map_only)
{
	struct open_mark m = { fi->fh, id };
	int res;

	if (id <= 0)
		return fuse_reply_open(req, fi);
	fi->direct_io = map_only;
	fi->keep_cache = 0;
	mark = &m;
	res = fuse_reply_open(req, fi);
	mark = NULL;
	return res;
}

int pt_abi_reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			struct fuse_file_info *fi, int id, int map_only)
{
	struct open_mark m = { fi->fh, id };
	int res;

	if (id <= 0)
		return fuse_reply_create(req, e, fi);
	fi->direct_io = map_only;
	fi->keep_cache = 0;
	mark = &m;
	res = fuse_reply_create(req, e, fi);
	mark = NULL;
	return res;
}

#endif
