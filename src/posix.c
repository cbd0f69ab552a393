// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reads reply straight from a shared mapping of the object; writes go
 * through pwrite(), which grows the object and, unlike a store into a
 * mapping, cannot fault with SIGBUS when another process has shrunk it.
 * A read whose mapping is cut short under it is not a fault in the daemon
 * either: the kernel copies the reply, and fails just that request.
 */
#include "posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "attr.h"
#include "change.h"
#include "grow.h"
#include "log.h"
#include "name.h"
#include "node.h"

/*
 * A mapping of an object, counted: the file holds one reference, and so
 * does each read while the kernel copies the reply out of it.  A read's
 * reply lets the reader close the file at once, so the daemon may be
 * releasing the file while the thread that replied is still returning:
 * after its reply, a read touches only its own reference.
 */
struct posix_map {
	void *addr;
	size_t len;
	unsigned refs;
};

struct posix_file {
	struct seg_file base;
	struct posix_file *next; /* in open_files */
	ino_t ino;
	int fd;
	pthread_mutex_t lock; /* guards map */
	struct posix_map *map;
};

static struct {
	int dirfd;
	char *path;
	int inotify; /* -1: changes by others are not seen */
} dir = { .dirfd = -1, .inotify = -1 };

/*
 * Every change another process can make to an object's name, size,
 * owner, mode or times.  Stores through a mapping change none of them.
 */
/* Those that change which object a name stands for. */
#define NAME_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
#define WATCH_EVENTS                                                        \
	(NAME_EVENTS | IN_ATTRIB | IN_MODIFY | IN_ACCESS | IN_CLOSE_WRITE | \
	 IN_ONLYDIR)

static void watch_init(void)
{
#ifdef __linux__
	dir.inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (dir.inotify < 0) {
		log_err("posix: inotify: %s; names and attributes of %s are "
			"not cached\n",
			strerror(errno), dir.path);
		return;
	}
	if (inotify_add_watch(dir.inotify, dir.path, WATCH_EVENTS) < 0) {
		log_err("posix: cannot watch %s: %s; its names and attributes "
			"are not cached\n",
			dir.path, strerror(errno));
		close(dir.inotify);
		dir.inotify = -1;
	}
#endif
}

int posix_init(const char *path)
{
	dir.dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir.dirfd < 0)
		return -errno;
	dir.path = strdup(path);
	if (dir.path == NULL) {
		close(dir.dirfd);
		dir.dirfd = -1;
		return -ENOMEM;
	}
	watch_init();
	return 0;
}

void posix_destroy(void)
{
	if (dir.inotify >= 0)
		close(dir.inotify);
	if (dir.dirfd >= 0)
		close(dir.dirfd);
	free(dir.path);
	dir.dirfd = dir.inotify = -1;
	dir.path = NULL;
}

int posix_watch_fd(void)
{
	return dir.inotify;
}

static int posix_watched(void)
{
	return dir.inotify >= 0;
}

struct name_list {
	char **v;
	size_t n, cap;
};

struct names {
	struct name_list all_names; /* every name an event was about */
	struct name_list moved;	    /* those that came or went */
	ino_t *ino;  /* what the names are now: one renamed here is held by */
	size_t nino; /* its old name */
	int all;     /* events were lost: everything may have changed */
	struct change_list *out;
	int res;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return (x > y) - (x < y);
}

static int names_add(struct name_list *l, const char *name)
{
	char **v = grow(l->v, &l->cap, l->n + 1, sizeof(*v));
	char *copy;

	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	copy = strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	l->v[l->n++] = copy;
	return 0;
}

/* Sorted and without repeats, so each is passed on once, found quickly. */
static void names_sort(struct name_list *l)
{
	size_t kept = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
	for (size_t i = 0; i < l->n; i++) {
		if (kept > 0 && strcmp(l->v[i], l->v[kept - 1]) == 0)
			free(l->v[i]);
		else
			l->v[kept++] = l->v[i];
	}
	l->n = kept;
}

static void names_free(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Under the node table's lock: the inodes the kernel holds by those names. */
static int match_node(void *ctx, uint64_t ino, const struct seg_ref *ref,
		      uint64_t *stamp, int64_t told_ns)
{
	struct names *s = ctx;
	const char *name = ref->name;
	int res;

	(void)stamp;
	(void)told_ns;
	if (ref->ops != &posix_seg_ops)
		return 0;
	if (!s->all &&
	    bsearch(&name, s->all_names.v, s->all_names.n,
		    sizeof(*s->all_names.v), by_name) == NULL &&
	    (s->nino == 0 || bsearch(&(ino_t){ (ino_t)ref->id }, s->ino,
				     s->nino, sizeof(*s->ino), by_ino) == NULL))
		return 0;
	res = change_inode(s->out, ino, 1);
	if (res == 0 && s->all)
		res = change_name(s->out, &posix_dir_ops, ref->name);
	if (s->res == 0)
		s->res = res;
	return 0;
}

int posix_changes(struct change_list *out)
{
	struct names s = { .out = out };
	int res = 0;

#ifdef __linux__
	char buf[8192]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	while ((len = read(dir.inotify, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				s.all = 1;
			else if (ev->len > 0 &&
				 (names_add(&s.all_names, ev->name) < 0 ||
				  ((ev->mask & NAME_EVENTS) &&
				   names_add(&s.moved, ev->name) < 0)))
				s.all = 1; /* no memory: take it all as changed */
			p += sizeof(*ev) + ev->len;
		}
	}
#endif
	names_sort(&s.all_names);
	names_sort(&s.moved);
	/*
	 * Entry notices only for names that came or went: one waits for the
	 * directory's lock, so the fewer the better (see fs_watch.c).
	 */
	for (size_t i = 0; i < s.moved.n && res == 0; i++)
		res = change_name(out, &posix_dir_ops, s.moved.v[i]);
	s.ino = s.all_names.n > 0 ? malloc(s.all_names.n * sizeof(*s.ino))
				  : NULL;
	for (size_t i = 0; i < s.all_names.n && s.ino != NULL; i++) {
		struct stat st;

		if (fstatat(dir.dirfd, s.all_names.v[i], &st,
			    AT_SYMLINK_NOFOLLOW) == 0)
			s.ino[s.nino++] = st.st_ino;
	}
	if (s.nino > 1)
		qsort(s.ino, s.nino, sizeof(*s.ino), by_ino);
	if (res == 0 && (s.all_names.n > 0 || s.all)) {
		node_each(match_node, &s);
		res = s.res;
	}
	names_free(&s.all_names);
	names_free(&s.moved);
	free(s.ino);
	return res;
}

/*
 * Files we have open, so that an object whose name is gone (unlinked, or
 * replaced by a new object of the same name) can still be reached: the
 * kernel sends fstat() and fchmod() of an open file by inode, not by file.
 */
static struct {
	pthread_mutex_t lock;
	struct posix_file *head;
} open_files = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void open_files_add(struct posix_file *f)
{
	pthread_mutex_lock(&open_files.lock);
	f->next = open_files.head;
	open_files.head = f;
	pthread_mutex_unlock(&open_files.lock);
}

static void open_files_del(struct posix_file *f)
{
	pthread_mutex_lock(&open_files.lock);
	for (struct posix_file **p = &open_files.head; *p; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			break;
		}
	}
	pthread_mutex_unlock(&open_files.lock);
}

/* A descriptor of our own on REF's object, or -ENOENT. */
static int orphan_fd(const struct seg_ref *ref)
{
	int fd = -ENOENT;

	pthread_mutex_lock(&open_files.lock);
	for (struct posix_file *f = open_files.head; f; f = f->next) {
		if (f->ino == (ino_t)ref->id) {
			fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				fd = -errno;
			break;
		}
	}
	pthread_mutex_unlock(&open_files.lock);
	return fd;
}

static uint64_t posix_ino(ino_t ino)
{
	if ((uint64_t)ino <= UINT32_MAX)
		return SEG_INO_TAG(SEG_TAG_POSIX, ino);
	return (UINT64_C(1) << 63) | (uint64_t)ino;
}

static void stat_export(struct stat *st)
{
	st->st_ino = posix_ino(st->st_ino);
	/* One name here; none once unlinked (reached through an open file). */
	st->st_nlink = st->st_nlink > 0 ? 1 : 0;
}

/* stat NAME and make sure it is still the object REF was looked up as. */
static int stat_ref(const struct seg_ref *ref, struct stat *st)
{
	if (fstatat(dir.dirfd, ref->name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode) || st->st_ino != (ino_t)ref->id)
		return -ENOENT;
	return 0;
}

static int open_ref(const struct seg_ref *ref, int flags)
{
	struct stat st;
	int fd;

	fd = openat(dir.dirfd, ref->name,
		    flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_ino != (ino_t)ref->id) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static int posix_getattr(const struct seg_ref *ref, struct seg_file *file,
			 struct stat *st)
{
	struct posix_file *f = (struct posix_file *)file;
	int res = 0;

	if (f != NULL)
		res = fstat(f->fd, st) < 0 ? -errno : 0;
	else
		res = stat_ref(ref, st);
	if (res == -ENOENT) {
		int fd = orphan_fd(ref);

		if (fd >= 0) {
			res = fstat(fd, st) < 0 ? -errno : 0;
			close(fd);
		}
	}
	if (res == 0)
		stat_export(st);
	return res;
}

enum meta_op { CHMOD, CHOWN, UTIMENS };

struct change_args {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const struct timespec *tv;
};

/*
 * Change the object by name; once the name is gone, through one of our
 * open files, as fchmod() on a descriptor of an unlinked file would.
 */
static int change_meta(const struct seg_ref *ref, enum meta_op what,
		       const struct change_args *a)
{
	struct stat st;
	int fd, res = stat_ref(ref, &st);

	if (res == 0) {
		if (what == CHMOD)
			res = fchmodat(dir.dirfd, ref->name, a->mode,
				       AT_SYMLINK_NOFOLLOW);
		else if (what == CHOWN)
			res = fchownat(dir.dirfd, ref->name, a->uid, a->gid,
				       AT_SYMLINK_NOFOLLOW);
		else
			res = utimensat(dir.dirfd, ref->name, a->tv,
					AT_SYMLINK_NOFOLLOW);
		return res < 0 ? -errno : 0;
	}
	if (res != -ENOENT || (fd = orphan_fd(ref)) < 0)
		return res;
	if (what == CHMOD)
		res = fchmod(fd, a->mode);
	else if (what == CHOWN)
		res = fchown(fd, a->uid, a->gid);
	else
		res = futimens(fd, a->tv);
	res = res < 0 ? -errno : 0;
	close(fd);
	return res;
}

static int posix_chmod(const struct seg_ref *ref, mode_t mode)
{
	struct change_args a = { .mode = mode & 07777 };

	return change_meta(ref, CHMOD, &a);
}

static int posix_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	struct change_args a = { .uid = uid, .gid = gid };

	return change_meta(ref, CHOWN, &a);
}

static int posix_truncate(const struct seg_ref *ref, struct seg_file *file,
			  off_t size)
{
	struct posix_file *f = (struct posix_file *)file;
	int fd, res = 0;

	if (f != NULL && (f->base.flags & O_ACCMODE) != O_RDONLY)
		return ftruncate(f->fd, size) < 0 ? -errno : 0;
	fd = open_ref(ref, O_WRONLY);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, size) < 0)
		res = -errno;
	close(fd);
	return res;
}

static int posix_utimens(const struct seg_ref *ref, const struct timespec tv[2])
{
	struct change_args a = { .tv = tv };

	return change_meta(ref, UTIMENS, &a);
}

/* The kernel's own answer, for the caller we are acting as. */
static int posix_access(const struct seg_ref *ref, const struct seg_cred *cred,
			int mask)
{
	struct stat st;
	int res = stat_ref(ref, &st);

	(void)cred;
	if (res == 0 && faccessat(dir.dirfd, ref->name, mask,
				  AT_EACCESS | AT_SYMLINK_NOFOLLOW) < 0)
		res = -errno;
	return res;
}

static int file_new(int fd, ino_t ino, int flags, struct seg_file **file)
{
	struct posix_file *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	f->base.flags = flags;
	f->ino = ino;
	f->fd = fd;
	pthread_mutex_init(&f->lock, NULL);
	open_files_add(f);
	*file = &f->base;
	return 0;
}

static int posix_open(const struct seg_ref *ref, int flags,
		      struct seg_file **file)
{
	int fd, res;

	fd = open_ref(ref, flags & (O_ACCMODE | O_APPEND));
	if (fd < 0)
		return fd;
	res = file_new(fd, (ino_t)ref->id, flags, file);
	if (res < 0)
		close(fd);
	return res;
}

static void map_put(struct posix_map *m)
{
	if (m == NULL || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	munmap(m->addr, m->len);
	free(m);
}

/* A reference to a mapping of F that covers END bytes, made if need be. */
static int map_get(struct posix_file *f, size_t end, struct posix_map **mp)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct posix_map *m;
	int res = 0;

	pthread_mutex_lock(&f->lock);
	if (f->map == NULL || f->map->len < end) {
		m = calloc(1, sizeof(*m));
		if (m == NULL) {
			res = -ENOMEM;
			goto out;
		}
		m->len = (end + page - 1) / page * page;
		m->addr = mmap(NULL, m->len, PROT_READ, MAP_SHARED, f->fd, 0);
		if (m->addr == MAP_FAILED) {
			res = -errno;
			free(m);
			goto out;
		}
		m->refs = 1;
		/* Reads still copying from the old one keep it alive. */
		map_put(f->map);
		f->map = m;
	}
	__atomic_add_fetch(&f->map->refs, 1, __ATOMIC_ACQ_REL);
	*mp = f->map;
out:
	pthread_mutex_unlock(&f->lock);
	return res;
}

/* Where mmap is refused (some file systems), read into a buffer. */
static int read_copy(struct posix_file *f, size_t size, off_t off,
		     seg_reply_fn reply, void *ctx)
{
	char *buf = malloc(size ? size : 1);
	ssize_t n;
	int res;

	if (buf == NULL)
		return -ENOMEM;
	n = pread(f->fd, buf, size, off);
	res = n < 0 ? -errno : reply(ctx, buf, (size_t)n);
	free(buf);
	return res;
}

static int posix_read(struct seg_file *file, size_t size, off_t off,
		      seg_reply_fn reply, void *ctx)
{
	struct posix_file *f = (struct posix_file *)file;
	struct posix_map *m = NULL;
	struct stat st;
	size_t n, end;
	int res;

	/* Only what is there now: past the end a mapping would fault. */
	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (off < 0)
		return -EINVAL;
	if (off >= st.st_size)
		return reply(ctx, NULL, 0);
	n = (uint64_t)(st.st_size - off) < size ? (size_t)(st.st_size - off)
						: size;
	/* Beyond what a mapping can address (32-bit), read by copy. */
	if ((uint64_t)off > SIZE_MAX - n)
		return read_copy(f, n, off, reply, ctx);
	end = (size_t)off + n;

	res = map_get(f, end, &m);
	if (res < 0) {
		log_debug("posix: mmap: %s, reading by copy\n", strerror(-res));
		return read_copy(f, n, off, reply, ctx);
	}
	res = reply(ctx, (const char *)m->addr + off, n);
	map_put(m);
	return res;
}

static ssize_t posix_write(struct seg_file *file, const void *buf, size_t size,
			   off_t off)
{
	struct posix_file *f = (struct posix_file *)file;
	ssize_t n = pwrite(f->fd, buf, size, off);

	return n < 0 ? -errno : n;
}

static int posix_flush(struct seg_file *file)
{
	(void)file;
	return 0;
}

static void posix_release(struct seg_file *file)
{
	struct posix_file *f = (struct posix_file *)file;

	open_files_del(f);
	map_put(f->map);
	close(f->fd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/*
 * xattr calls have no *at() form: go by a path through our own descriptor
 * of the directory, which works for any posix_dir (a caller we act as may
 * not walk another process's /proc/PID/root) and cannot name another one.
 */
static int ref_path(const struct seg_ref *ref, char *buf, size_t size)
{
	struct stat st;
	int res = stat_ref(ref, &st);

	if (res < 0)
		return res;
	if ((size_t)snprintf(buf, size, "/proc/self/fd/%d/%s", dir.dirfd,
			     ref->name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static ssize_t posix_getxattr(const struct seg_ref *ref, const char *name,
			      char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int res = ref_path(ref, path, sizeof(path));

	if (res < 0)
		return res;
	n = lgetxattr(path, name, buf, size);
	return n < 0 ? -errno : n;
}

/* The kernel's own bound on a list of names (XATTR_LIST_MAX). */
#define LIST_MAX 65536

static ssize_t posix_listxattr(const struct seg_ref *ref, char *buf,
			       size_t size)
{
	char path[PATH_MAX], *all;
	size_t out = 0;
	ssize_t n;
	int res = ref_path(ref, path, sizeof(path));

	if (res < 0)
		return res;
	all = malloc(LIST_MAX);
	if (all == NULL)
		return -ENOMEM;
	n = llistxattr(path, all, LIST_MAX);
	if (n < 0) {
		res = errno == ERANGE ? -E2BIG : -errno;
		goto out_free;
	}
	/* Only the namespace that is served. */
	for (char *p = all; p < all + n; p += strlen(p) + 1) {
		size_t len = strlen(p) + 1;

		if (!attr_xattr_served(p))
			continue;
		if (size > 0 && out + len > size) {
			res = -ERANGE;
			goto out_free;
		}
		if (size > 0)
			memcpy(buf + out, p, len);
		out += len;
	}
out_free:
	free(all);
	return res < 0 ? res : (ssize_t)out;
}

static int posix_setxattr(const struct seg_ref *ref, const char *name,
			  const char *value, size_t size, int flags)
{
	char path[PATH_MAX];
	int res = ref_path(ref, path, sizeof(path));

	if (res == 0 && lsetxattr(path, name, value, size, flags) < 0)
		res = -errno;
	return res;
}

static int posix_removexattr(const struct seg_ref *ref, const char *name)
{
	char path[PATH_MAX];
	int res = ref_path(ref, path, sizeof(path));

	if (res == 0 && lremovexattr(path, name) < 0)
		res = -errno;
	return res;
}

const struct seg_ops posix_seg_ops = {
	.watched = posix_watched,
	.getattr = posix_getattr,
	.chmod = posix_chmod,
	.chown = posix_chown,
	.truncate = posix_truncate,
	.utimens = posix_utimens,
	.access = posix_access,
	.open = posix_open,
	.read = posix_read,
	.write = posix_write,
	.flush = posix_flush,
	.release = posix_release,
	.getxattr = posix_getxattr,
	.listxattr = posix_listxattr,
	.setxattr = posix_setxattr,
	.removexattr = posix_removexattr,
};

/* ---- the directory ---- */

static void ref_init(struct seg_ref *ref, const char *name, ino_t ino)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &posix_seg_ops;
	ref->id = (uint64_t)ino;
	snprintf(ref->name, sizeof(ref->name), "%s", name);
}

static int dir_lookup(const char *name, struct seg_ref *ref, struct stat *st)
{
	int res = name_check_posix(name);

	if (res < 0)
		return res == -EINVAL ? -ENOENT : res;
	if (dir.dirfd < 0)
		return -ENOENT;
	if (fstatat(dir.dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -ENOENT;
	ref_init(ref, name, st->st_ino);
	stat_export(st);
	return 0;
}

static int dir_list(seg_fill_fn fill, void *ctx)
{
	struct dirent *de;
	DIR *d;
	int fd, res = 0;

	if (dir.dirfd < 0)
		return 0;
	fd = openat(dir.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		res = -errno;
		close(fd);
		return res;
	}
	while (res == 0 && (de = readdir(d)) != NULL) {
		struct stat st;

		struct seg_ref ref;

		if (name_check_posix(de->d_name) < 0)
			continue;
		if (de->d_type != DT_UNKNOWN && de->d_type != DT_REG)
			continue;
		/* Gone meanwhile, or not a plain file: not listed. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISREG(st.st_mode))
			continue;
		ref_init(&ref, de->d_name, st.st_ino);
		stat_export(&st);
		res = fill(ctx, de->d_name, &ref, &st);
	}
	closedir(d);
	return res;
}

static int dir_create(const char *name, mode_t mode, int flags,
		      const struct seg_cred *cred, struct seg_ref *ref,
		      struct stat *st, struct seg_file **file)
{
	int fd, res = name_check_posix(name);

	if (res < 0)
		return res;
	if (dir.dirfd < 0)
		return -ENOTSUP;
	/* What shm_open(O_CREAT | O_EXCL) does, in our directory. */
	fd = openat(dir.dirfd, name,
		    (flags & (O_ACCMODE | O_APPEND)) | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    mode & 07777);
	if (fd < 0)
		return -errno;
	if (geteuid() == 0 && fchown(fd, cred->uid, cred->gid) < 0) {
		res = -errno;
		goto err_unlink;
	}
	if (fstat(fd, st) < 0) {
		res = -errno;
		goto err_unlink;
	}
	ref_init(ref, name, st->st_ino);
	stat_export(st);
	res = file_new(fd, (ino_t)ref->id, flags, file);
	if (res < 0)
		goto err_unlink;
	return 0;

err_unlink:
	unlinkat(dir.dirfd, name, 0);
	close(fd);
	return res;
}

static int dir_unlink(const char *name)
{
	struct stat st;
	int res = name_check_posix(name);

	if (res < 0)
		return res == -EINVAL ? -ENOENT : res;
	if (dir.dirfd < 0)
		return -ENOENT;
	if (fstatat(dir.dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOENT;
	/* shm_unlink() */
	return unlinkat(dir.dirfd, name, 0) < 0 ? -errno : 0;
}

const struct seg_dir_ops posix_dir_ops = {
	.lookup = dir_lookup,
	.list = dir_list,
	.create = dir_create,
	.unlink = dir_unlink,
};
