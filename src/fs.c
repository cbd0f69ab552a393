// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every handler answers from the kernel's live state.  Contents are never
 * cached (files are opened with direct I/O).  Names and attributes of
 * watched objects are, for FS_CACHE_TIMEOUT, because fs_watch.c tells the
 * kernel of every change others make; the rest have zero timeouts.
 */
#include "fs.h"
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "cred.h"
#include "grow.h"
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

fuse_ino_t dir_ino_of(const struct seg_dir_ops *ops)
{
	for (size_t i = 0; i < NDIRS; i++)
		if (dirs[i].ops == ops)
			return dirs[i].ino;
	return 0;
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

double cache_for(fuse_ino_t ino, const struct seg_ref *ref,
		 const struct stat *st)
{
	if (!watch_working())
		return 0;
	/* The fixed directories never change. */
	if (ref != NULL) {
		/* Without a name no event names its changes. */
		if (ref->ops->watched == NULL || !ref->ops->watched() ||
		    st->st_nlink == 0)
			return 0;
		node_seen(ino, attr_stamp(st));
	}
	watch_arm();
	return FS_CACHE_TIMEOUT;
}

void entry_of(fuse_ino_t ino, const struct seg_ref *ref, const struct stat *st,
	      struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->attr = *st;
	e->attr_timeout = e->entry_timeout = cache_for(ino, ref, st);
}

void attrs_changed(fuse_ino_t ino)
{
	node_seen(ino, ATTR_STAMP_NONE);
	watch_arm();
}

/* A lookup the caller never saw (interrupted) is no reference to keep. */
static void reply_entry(fuse_req_t req, const struct seg_ref *ref,
			const struct stat *st)
{
	struct fuse_entry_param e;

	entry_of(st->st_ino, ref, st, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT && ref != NULL)
		node_forget(st->st_ino, 1);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	const struct fs_config *cfg = userdata;

	mount_time = time(NULL);
	conn->max_write = FS_MAX_IO;
	conn->max_readahead = cfg->kernel_cache ? FS_MAX_IO : 0;
	/*
	 * Cached contents are dropped by fs_watch.c, on changes it sees; the
	 * kernel's own check (size and mtime at each getattr) adds nothing.
	 */
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
				reply_entry(req, NULL, &st);
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
	reply_entry(req, &ref, &st);
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

static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct seg_ref ref;
	struct stat st;
	int res;

	if (is_dir(ino)) {
		dir_stat(ino, &st);
		fuse_reply_attr(req, &st, cache_for(ino, NULL, &st));
		return;
	}
	res = node_get(ino, &ref);
	if (res == 0)
		res = ref.ops->getattr(&ref, file_of(fi), &st);
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, cache_for(ino, &ref, &st));
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
	if (res == 0 && (to_set & FUSE_SET_ATTR_SIZE))
		watch_drop_contents(ino);
	if (res == 0)
		res = ref.ops->getattr(&ref, file_of(fi), &st);
	if (res < 0) {
		/* A chmod that went through before a chown failed. */
		attrs_changed(ino);
		fuse_reply_err(req, -res);
	} else {
		fuse_reply_attr(req, &st, cache_for(ino, &ref, &st));
	}
}

/* ---- directories: a listing is taken whole at opendir ---- */

/*
 * One name of a listing, with what readdir(3) shows of it (d_ino,
 * d_type).  READDIRPLUS looks each name up afresh (plus_entry).
 */
struct dent {
	size_t name; /* offset into the listing's names */
	ino_t ino;
	mode_t mode;
};

struct listing {
	struct dent *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	int served;
};

static int listing_add(void *ctx, const char *name, const struct seg_ref *ref,
		       const struct stat *st)
{
	struct listing *l = ctx;
	size_t len = strlen(name) + 1;
	struct dent *d = grow(l->v, &l->cap, l->n + 1, sizeof(*d));
	char *p;

	(void)ref;
	if (d == NULL)
		return -ENOMEM;
	l->v = d;
	p = grow(l->names, &l->names_cap, l->names_len + len, 1);
	if (p == NULL)
		return -ENOMEM;
	l->names = p;
	memcpy(l->names + l->names_len, name, len);
	d = &l->v[l->n++];
	d->name = l->names_len;
	d->ino = st->st_ino;
	d->mode = st->st_mode;
	l->names_len += len;
	return 0;
}

static int dir_entry(struct listing *l, const char *name, fuse_ino_t ino)
{
	struct stat st;

	dir_stat(ino, &st);
	return listing_add(l, name, NULL, &st);
}

static int listing_fill(struct listing *l, fuse_ino_t ino)
{
	const struct fs_dir *d = dir_by_ino(ino);
	int res;

	l->n = 0;
	l->names_len = 0;
	l->served = 0;
	res = dir_entry(l, ".", ino);
	res = res ?: dir_entry(l, "..", FUSE_ROOT_ID);
	if (d != NULL)
		return res ?: d->ops->list(listing_add, l);
	for (size_t i = 0; i < NDIRS && res == 0; i++)
		res = dir_entry(l, dirs[i].name, dirs[i].ino);
	return res;
}

static void listing_free(struct listing *l)
{
	free(l->v);
	free(l->names);
	free(l);
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct listing *l;
	int res;

	if (!is_dir(ino)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	res = listing_fill(l, ino);
	if (res < 0) {
		listing_free(l);
		fuse_reply_err(req, -res);
		return;
	}
	fi->fh = (uintptr_t)l;
	if (fuse_reply_open(req, fi) == -ENOENT)
		listing_free(l);
}

/*
 * A READDIRPLUS entry is a lookup: the kernel takes a reference to it, so
 * we remember it as one.  Its attributes are read now, as a LOOKUP would
 * read them, never taken from the listing: the kernel orders what it is
 * told only against requests it sent before a change it saw (its
 * attr_version), so attributes read at opendir and handed out at a later
 * readdir would replace newer ones it holds, for the whole timeout (a
 * truncate through the mount, then stat showing the size from before).
 * Where the name is gone, or for . and .., the entry goes without
 * attributes (ino 0), which the kernel takes as no lookup.
 */
static int plus_entry(fuse_ino_t dir, const char *name,
		      struct fuse_entry_param *e)
{
	const struct fs_dir *d = dir_by_ino(dir);
	struct seg_ref ref;
	struct stat st;

	memset(e, 0, sizeof(*e));
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (d == NULL) {
		for (size_t i = 0; i < NDIRS; i++) {
			if (strcmp(name, dirs[i].name) == 0) {
				dir_stat(dirs[i].ino, &st);
				entry_of(st.st_ino, NULL, &st, e);
			}
		}
		return 0;
	}
	if (d->ops->lookup(name, &ref, &st) < 0 ||
	    node_remember(st.st_ino, &ref) < 0)
		return 0;
	entry_of(st.st_ino, &ref, &st, e);
	return 1;
}

/* Offsets are entry indexes: each entry carries the next one's. */
static void listing_reply(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi, int plus)
{
	struct listing *l = (struct listing *)(uintptr_t)fi->fh;
	fuse_ino_t *held = NULL;
	size_t used = 0, nheld = 0, i;
	char *buf;
	int res;

	/* A rewind asks for the directory as it is now. */
	if (off == 0 && l->served) {
		res = listing_fill(l, ino);
		if (res < 0) {
			fuse_reply_err(req, -res);
			return;
		}
	}
	l->served = 1;
	buf = malloc(size);
	/* An entry takes more than 24 bytes of the reply. */
	held = malloc((size / 24 + 1) * sizeof(*held));
	if (buf == NULL || held == NULL) {
		free(buf);
		free(held);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = (size_t)off; i < l->n; i++) {
		const struct dent *d = &l->v[i];
		const char *name = l->names + d->name;
		struct fuse_entry_param e;
		size_t len;

		if (!plus) {
			struct stat st = { .st_ino = d->ino, .st_mode = d->mode };

			len = fuse_add_direntry(req, buf + used, size - used,
						name, &st, (off_t)(i + 1));
			if (len > size - used)
				break;
			used += len;
			continue;
		}
		len = fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0);
		if (len > size - used)
			break;
		if (plus_entry(ino, name, &e))
			held[nheld++] = e.ino;
		if (e.ino == 0) {
			e.attr.st_ino = d->ino;
			e.attr.st_mode = d->mode;
		}
		fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
				       (off_t)(i + 1));
		used += len;
	}
	/* Entries the kernel never got are no references. */
	if (fuse_reply_buf(req, buf, used) == -ENOENT)
		for (i = 0; i < nheld; i++)
			node_forget(held[i], 1);
	free(held);
	free(buf);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	listing_reply(req, ino, size, off, fi, 0);
}

static void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	listing_reply(req, ino, size, off, fi, 1);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	(void)ino;
	listing_free((struct listing *)(uintptr_t)fi->fh);
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
	.readdirplus = fs_readdirplus,
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
