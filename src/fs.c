// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every handler answers from the kernel's live state: entry and attribute
 * timeouts are zero and files are opened with direct I/O, because another
 * process may change a segment at any moment and a cached answer would be
 * a wrong one.
 */
#include "fs.h"
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cred.h"
#include "log.h"
#include "node.h"
#include "posix.h"
#include "sysv.h"

/* Anyone may create in sysv/ and posix/, as in /dev/shm; none in sysv-id/. */
static const struct fs_dir dirs[] = {
	{ "posix", 2, S_IFDIR | 01777, &posix_dir_ops },
	{ "sysv", 3, S_IFDIR | 01777, &sysv_key_dir_ops },
	{ "sysv-id", 4, S_IFDIR | 0755, &sysv_id_dir_ops },
};
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

const struct fs_dir *dir_by_ino(fuse_ino_t ino)
{
	for (size_t i = 0; i < NDIRS; i++)
		if (dirs[i].ino == ino)
			return &dirs[i];
	return NULL;
}

int is_dir(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID || dir_by_ino(ino) != NULL;
}

static time_t mount_time;

void dir_stat(fuse_ino_t ino, struct stat *st)
{
	const struct fs_dir *d = dir_by_ino(ino);

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = d != NULL ? d->mode : S_IFDIR | 0755;
	st->st_nlink = d != NULL ? 2 : 2 + NDIRS;
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_blksize = sysconf(_SC_PAGESIZE);
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec =
		mount_time;
}

struct seg_file *file_of(const struct fuse_file_info *fi)
{
	return fi != NULL ? (struct seg_file *)(uintptr_t)fi->fh : NULL;
}

void req_cred(fuse_req_t req, struct seg_cred *cred)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	int n;

	cred->uid = ctx->uid;
	cred->gid = ctx->gid;
	cred->pid = ctx->pid;
	cred->ngroups = 0;
	if (!cred_active() || ctx->uid == 0)
		return;
	/* Unknown groups (the caller is gone) mean fewer rights, not more. */
	n = fuse_req_getgroups(req, CRED_MAX_GROUPS, cred->groups);
	cred->ngroups = n < 0 ? 0 : n > CRED_MAX_GROUPS ? CRED_MAX_GROUPS : n;
}

int enter_caller(fuse_req_t req, struct seg_cred *cred,
		 struct cred_saved *saved)
{
	req_cred(req, cred);
	return cred_enter(cred, saved);
}

int enter_node(fuse_req_t req, fuse_ino_t ino, struct seg_ref *ref,
	       struct seg_cred *cred, struct cred_saved *saved)
{
	int res = node_get(ino, ref);

	return res ?: enter_caller(req, cred, saved);
}

void entry_of(const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = st->st_ino;
	e->attr = *st;
}

/* A lookup the caller never saw (interrupted) is no reference to keep. */
static void reply_entry(fuse_req_t req, const struct stat *st)
{
	struct fuse_entry_param e;

	entry_of(st, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT && !is_dir(st->st_ino))
		node_forget(st->st_ino, 1);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	mount_time = time(NULL);
	conn->max_write = FS_MAX_IO;
	conn->max_readahead = 0;
	/* Data never goes through the page cache; nothing to invalidate. */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	conn->time_gran = 1000000000;
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct fs_dir *d;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("lookup %llu/%s\n", (unsigned long long)parent, name);
	if (parent == FUSE_ROOT_ID) {
		for (size_t i = 0; i < NDIRS; i++) {
			if (strcmp(name, dirs[i].name) == 0) {
				dir_stat(dirs[i].ino, &st);
				reply_entry(req, &st);
				return;
			}
		}
		fuse_reply_err(req, ENOENT);
		return;
	}
	d = dir_by_ino(parent);
	if (d == NULL) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	res = d->ops->lookup(name, &ref, &st);
	if (res == 0)
		res = node_remember(st.st_ino, &ref);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	reply_entry(req, &st);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	if (!is_dir(ino))
		node_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		if (!is_dir(forgets[i].ino))
			node_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static int object_stat(fuse_ino_t ino, struct fuse_file_info *fi,
		       struct seg_ref *ref, struct stat *st)
{
	int res;

	if (is_dir(ino)) {
		dir_stat(ino, st);
		return 0;
	}
	res = node_get(ino, ref);
	if (res < 0)
		return res;
	return ref->ops->getattr(ref, file_of(fi), st);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct seg_ref ref;
	struct stat st;
	int res = object_stat(ino, fi, &ref, &st);

	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, 0);
}

static void set_time(struct timespec *ts, int to_set, int now_bit, int bit,
		     const struct timespec *value)
{
	if (to_set & now_bit) {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_NOW;
	} else if (to_set & bit) {
		*ts = *value;
	} else {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_OMIT;
	}
}

static int apply_setattr(const struct seg_ref *ref, const struct stat *attr,
			 int to_set, struct seg_file *file)
{
	const struct seg_ops *ops = ref->ops;
	int res = 0;

	if (to_set & FUSE_SET_ATTR_MODE)
		res = ops->chmod(ref, attr->st_mode & 07777);
	if (res == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		res = ops->chown(
			ref,
			to_set & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1,
			to_set & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1);
	if (res == 0 && (to_set & FUSE_SET_ATTR_SIZE))
		res = ops->truncate(ref, file, attr->st_size);
	if (res == 0 &&
	    (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
		       FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW))) {
		struct timespec tv[2];

		set_time(&tv[0], to_set, FUSE_SET_ATTR_ATIME_NOW,
			 FUSE_SET_ATTR_ATIME, &attr->st_atim);
		set_time(&tv[1], to_set, FUSE_SET_ATTR_MTIME_NOW,
			 FUSE_SET_ATTR_MTIME, &attr->st_mtim);
		res = ops->utimens(ref, tv);
	}
	return res;
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct cred_saved saved;
	struct seg_cred cred;
	struct seg_ref ref;
	struct stat st;
	int res;

	log_debug("setattr %llu, to_set 0x%x\n", (unsigned long long)ino,
		  to_set);
	if (is_dir(ino)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	res = enter_node(req, ino, &ref, &cred, &saved);
	if (res == 0) {
		res = apply_setattr(&ref, attr, to_set, file_of(fi));
		cred_leave(&saved);
	}
	if (res == 0)
		res = ref.ops->getattr(&ref, file_of(fi), &st);
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, 0);
}

/* ---- directories: a listing is taken whole at opendir ---- */

struct dirbuf {
	fuse_req_t req;
	char *p;
	size_t size, cap;
	int served;
};

static int dirbuf_add(void *ctx, const char *name, uint64_t ino)
{
	struct dirbuf *b = ctx;
	struct stat st = { .st_ino = ino, .st_mode = S_IFREG };
	size_t len = fuse_add_direntry(b->req, NULL, 0, name, NULL, 0);

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || is_dir(ino))
		st.st_mode = S_IFDIR;
	if (b->size + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *p;

		while (cap < b->size + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	fuse_add_direntry(b->req, b->p + b->size, len, name, &st,
			  (off_t)(b->size + len));
	b->size += len;
	return 0;
}

static int dirbuf_fill(struct dirbuf *b, fuse_ino_t ino)
{
	const struct fs_dir *d = dir_by_ino(ino);
	int res;

	b->size = 0;
	b->served = 0;
	res = dirbuf_add(b, ".", ino);
	res = res ?: dirbuf_add(b, "..", FUSE_ROOT_ID);
	if (d != NULL)
		return res ?: d->ops->list(dirbuf_add, b);
	for (size_t i = 0; i < NDIRS && res == 0; i++)
		res = dirbuf_add(b, dirs[i].name, dirs[i].ino);
	return res;
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct dirbuf *b;
	int res;

	if (!is_dir(ino)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	b->req = req;
	res = dirbuf_fill(b, ino);
	if (res < 0) {
		free(b->p);
		free(b);
		fuse_reply_err(req, -res);
		return;
	}
	fi->fh = (uintptr_t)b;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		free(b->p);
		free(b);
	}
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct dirbuf *b = (struct dirbuf *)(uintptr_t)fi->fh;
	size_t end;
	int res;

	/* A rewind asks for the directory as it is now. */
	if (off == 0 && b->served) {
		b->req = req;
		res = dirbuf_fill(b, ino);
		if (res < 0) {
			fuse_reply_err(req, -res);
			return;
		}
	}
	b->served = 1;
	if ((size_t)off >= b->size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	/*
	 * A cut entry at the end is fine: the kernel keeps the whole ones and
	 * asks again from the last one's offset.
	 */
	end = b->size - (size_t)off < size ? b->size : (size_t)off + size;
	fuse_reply_buf(req, b->p + off, end - (size_t)off);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	struct dirbuf *b = (struct dirbuf *)(uintptr_t)fi->fh;

	(void)ino;
	free(b->p);
	free(b);
	fuse_reply_err(req, 0);
}

/* ---- files ---- */

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	const struct fs_dir *d = dir_by_ino(parent);
	struct cred_saved saved;
	struct seg_cred cred;
	int res;

	log_debug("unlink %llu/%s\n", (unsigned long long)parent, name);
	if (d == NULL) {
		fuse_reply_err(req, parent == FUSE_ROOT_ID ? EPERM : ENOTDIR);
		return;
	}
	res = enter_caller(req, &cred, &saved);
	if (res == 0) {
		res = d->ops->unlink(name);
		cred_leave(&saved);
	}
	fuse_reply_err(req, -res);
}

/* The tree's shape is fixed: nothing may add to it but segments. */
static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EPERM);
}

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, EPERM);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	(void)ino;
	(void)newparent;
	(void)newname;
	fuse_reply_err(req, EPERM);
}

/* Neither kind can be renamed in place; mv then copies and removes. */
static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, EXDEV);
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
	.open = fs_open,
	.create = fs_create,
	.read = fs_read,
	.write = fs_write,
	.flush = fs_flush,
	.release = fs_release,
	.fsync = fs_fsync,
	.unlink = fs_unlink,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.mknod = fs_mknod,
	.symlink = fs_symlink,
	.link = fs_link,
	.rename = fs_rename,
	.getxattr = fs_getxattr,
	.listxattr = fs_listxattr,
	.setxattr = fs_setxattr,
	.removexattr = fs_removexattr,
	.access = fs_access,
};
