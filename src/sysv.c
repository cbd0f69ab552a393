// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * System V segments.  The kernel's record (IPC_STAT) is read on every
 * request, so what other processes change shows at once; only rss and
 * swap, which exist solely in /proc/sysvipc/shm, come from a snapshot of
 * that table.  The snapshot is re-read once it is older than ten times
 * what reading it cost, so with a few segments it is always fresh and
 * with tens of thousands a `ls -l` spends at most a tenth of its time
 * re-reading it; never older than USAGE_MAX_AGE_NS.
 */
#include "sysv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <unistd.h>

#include "attr.h"
#include "change.h"
#include "log.h"
#include "name.h"
#include "node.h"

#define USAGE_MAX_AGE_NS 1000000000LL
/* A table read costs about as much as this many IPC_STATs per row. */
#define BY_ID_FACTOR 16

struct sysv_file {
	struct seg_file base;
	int shmid;
	void *addr;
	uint64_t size;
	int writable;
	int fd; /* see file_fd() */
};

#define FD_UNKNOWN -1
#define FD_NONE	   -2

static struct {
	pthread_mutex_t lock;
	struct sysvtab tab;
	struct sysvtab spare; /* the one before, to read the next one into */
	int64_t when_ns;
	int64_t cost_ns; /* what the last read took */
} usage = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int by_shmid(const void *a, const void *b)
{
	const struct sysv_info *x = a, *y = b;

	return (x->shmid > y->shmid) - (x->shmid < y->shmid);
}

/*
 * Take TAB, read at START_NS, as the newest snapshot; TAB is left with the
 * old one.  Sorted, so that a lookup among tens of thousands is a search,
 * not a scan.
 */
static void usage_swap(struct sysvtab *tab, int64_t start_ns)
{
	struct sysvtab old;
	size_t i;

	/* Usually in order already: the kernel lists by index. */
	for (i = 1; i < tab->n && by_shmid(&tab->v[i - 1], &tab->v[i]) < 0; i++)
		;
	if (i < tab->n)
		qsort(tab->v, tab->n, sizeof(*tab->v), by_shmid);
	pthread_mutex_lock(&usage.lock);
	old = usage.tab;
	usage.tab = *tab;
	usage.when_ns = now_ns();
	usage.cost_ns = usage.when_ns - start_ns;
	pthread_mutex_unlock(&usage.lock);
	*tab = old;
}

/*
 * Read the table afresh and make it the snapshot.  It is read into the
 * buffer of the snapshot before last: with tens of thousands of segments a
 * new buffer each time would cost more in page faults than the parsing.
 */
static int usage_refresh(void)
{
	struct sysvtab tab;
	int64_t start = now_ns();
	int res;

	pthread_mutex_lock(&usage.lock);
	tab = usage.spare;
	memset(&usage.spare, 0, sizeof(usage.spare));
	pthread_mutex_unlock(&usage.lock);
	res = sysvtab_read(&tab);
	if (res == 0)
		usage_swap(&tab, start);
	pthread_mutex_lock(&usage.lock);
	if (usage.spare.v == NULL)
		usage.spare = tab;
	else
		sysvtab_free(&tab);
	pthread_mutex_unlock(&usage.lock);
	return res;
}

static const struct sysv_info *usage_find(int shmid)
{
	struct sysv_info want = { .shmid = shmid };

	if (usage.tab.n == 0)
		return NULL;
	return bsearch(&want, usage.tab.v, usage.tab.n, sizeof(want), by_shmid);
}

/*
 * Fill rss and swap from the snapshot; FULL, if not NULL, gets the whole
 * row (for callers that may not IPC_STAT).  -ENOENT if not in the table.
 */
static int usage_get(int shmid, struct sysv_info *info, int full)
{
	const struct sysv_info *row;
	int64_t age;
	int res = 0;

	pthread_mutex_lock(&usage.lock);
	row = usage_find(shmid);
	age = now_ns() - usage.when_ns;
	if (row == NULL || age > USAGE_MAX_AGE_NS || age > 10 * usage.cost_ns) {
		pthread_mutex_unlock(&usage.lock);
		res = usage_refresh();
		pthread_mutex_lock(&usage.lock);
		row = usage_find(shmid);
	}
	if (row == NULL) {
		res = -ENOENT;
	} else if (full) {
		*info = *row;
	} else {
		info->have_usage = row->have_usage;
		info->rss = row->rss;
		info->swap = row->swap;
	}
	pthread_mutex_unlock(&usage.lock);
	return res;
}

int sysv_stat_id(int shmid, struct sysv_info *info)
{
	struct shmid_ds ds;

	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		/* A segment we may not read is still listed, as ipcs does. */
		if (errno == EACCES)
			return usage_get(shmid, info, 1);
		return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	}
	sysvtab_from_ds(&ds, shmid, info);
	usage_get(shmid, info, 0);
	return 0;
}

void sysv_destroy(void)
{
	pthread_mutex_lock(&usage.lock);
	sysvtab_free(&usage.tab);
	sysvtab_free(&usage.spare);
	pthread_mutex_unlock(&usage.lock);
}

int sysv_span(uint64_t segsz, off_t off, size_t len, int writing, size_t *n)
{
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= segsz) {
		*n = 0;
		return writing && len > 0 ? -ENOSPC : 0;
	}
	*n = segsz - (uint64_t)off < len ? (size_t)(segsz - (uint64_t)off)
					 : len;
	return 0;
}

int sysv_truncate_check(uint64_t segsz, off_t size)
{
	if (size < 0)
		return -EINVAL;
	return (uint64_t)size > segsz ? -EFBIG : 0;
}

int sysv_rmid_forced(void)
{
	FILE *f = fopen("/proc/sys/kernel/shm_rmid_forced", "re");
	int v = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

/*
 * With kernel.shm_rmid_forced=1 the last detach destroys a segment, so
 * attaching one that nobody has attached, and detaching it again, would
 * destroy it: refuse, and say why.  (A process attaching between this
 * check and our detach is not protected; the kernel offers no way.)
 */
static int attach_allowed(int shmid, const char *why)
{
	struct shmid_ds ds;

	if (!sysv_rmid_forced())
		return 0;
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	if (ds.shm_nattch > 0)
		return 0;
	log_err("sysv: not %s shmid %d: nobody has it attached and "
		"kernel.shm_rmid_forced=1, so our detach would destroy it\n",
		why, shmid);
	return -EBUSY;
}

static void sysv_release(struct seg_file *file);

static off_t page_off(off_t off)
{
	return off & (off_t)(sysconf(_SC_PAGESIZE) - 1);
}

/*
 * Store into an attached segment: SRC's bytes, or zeros if SRC is NULL.
 * Mapping the pages first takes one call instead of a fault per page
 * (2.4 times faster for 1 MiB writes here), and it is how a store that
 * would fault learns so: a SHM_HUGETLB segment whose huge pages cannot be
 * had would otherwise kill the daemon with SIGBUS.
 */
static int store(void *dst, const void *src, size_t n)
{
	off_t head = page_off((off_t)(uintptr_t)dst);

#ifdef MADV_POPULATE_WRITE
	if (n > 0 &&
	    madvise((char *)dst - head, n + (size_t)head, MADV_POPULATE_WRITE) <
		    0 &&
	    (errno == EFAULT || errno == ENOMEM || errno == EHWPOISON))
		return -ENOMEM;
#endif
	if (src != NULL)
		memcpy(dst, src, n);
	else
		memset(dst, 0, n);
	return 0;
}

static int ref_shmid(const struct seg_ref *ref)
{
	return (int)ref->id;
}

static int sysv_getattr(const struct seg_ref *ref, struct seg_file *file,
			struct stat *st)
{
	struct sysv_info info;
	int res = sysv_stat_id(ref_shmid(ref), &info);

	(void)file;
	if (res < 0)
		return res;
	attr_sysv_stat(&info, st);
	return 0;
}

/*
 * IPC_SET takes mode, uid and gid together; change only what was asked.
 * The current values come from sysv_stat_id(), which also works for a
 * caller who may not IPC_STAT: IPC_SET asks for ownership, not for read
 * permission, and its refusal (EPERM) is the one to report.
 */
static int sysv_set(int shmid, const mode_t *mode, uid_t uid, gid_t gid)
{
	struct sysv_info info;
	struct shmid_ds ds;
	int res = sysv_stat_id(shmid, &info);

	if (res < 0)
		return res;
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.mode = info.mode & 0777;
	ds.shm_perm.uid = info.uid;
	ds.shm_perm.gid = info.gid;
	if (mode != NULL)
		ds.shm_perm.mode = *mode & 0777;
	if (uid != (uid_t)-1)
		ds.shm_perm.uid = uid;
	if (gid != (gid_t)-1)
		ds.shm_perm.gid = gid;
	if (shmctl(shmid, IPC_SET, &ds) < 0)
		return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	return 0;
}

static int sysv_chmod(const struct seg_ref *ref, mode_t mode)
{
	/* SysV has no set-id or sticky bits; refuse them rather than drop. */
	if (mode & 07000)
		return -EINVAL;
	return sysv_set(ref_shmid(ref), &mode, (uid_t)-1, (gid_t)-1);
}

static int sysv_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	return sysv_set(ref_shmid(ref), NULL, uid, gid);
}

static int sysv_truncate(const struct seg_ref *ref, struct seg_file *file,
			 off_t size)
{
	struct sysv_file *f = (struct sysv_file *)file;
	struct sysv_info info;
	void *addr;
	int res;

	res = sysv_stat_id(ref_shmid(ref), &info);
	if (res < 0)
		return res;
	res = sysv_truncate_check(info.size, size);
	if (res < 0 || (uint64_t)size == info.size)
		return res;

	if (f != NULL && f->writable) {
		return store((char *)f->addr + size, NULL,
			     info.size - (uint64_t)size);
	}
	res = attach_allowed(ref_shmid(ref), "truncating");
	if (res < 0)
		return res;
	addr = shmat(ref_shmid(ref), NULL, 0);
	if (addr == (void *)-1)
		return -errno;
	res = store((char *)addr + size, NULL, info.size - (uint64_t)size);
	shmdt(addr);
	return res;
}

/* The kernel keeps a segment's times itself; there is nothing to set. */
static int sysv_utimens(const struct seg_ref *ref, const struct timespec tv[2])
{
	(void)ref;
	(void)tv;
	return 0;
}

static int sysv_access(const struct seg_ref *ref, const struct seg_cred *cred,
		       int mask)
{
	struct sysv_info info;
	int res = sysv_stat_id(ref_shmid(ref), &info);

	if (res < 0)
		return res;
	return cred_ipc_perm(cred, info.mode & 0777, info.uid, info.gid,
			     info.cuid, info.cgid, mask);
}

int sysv_open_id(int shmid, int flags, struct seg_file **file)
{
	struct sysv_file *f;
	struct shmid_ds ds;
	int rdonly = (flags & O_ACCMODE) == O_RDONLY;
	int res;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	/* The last to attach or detach, before we do. */
	f->base.others_wrote =
		shmctl(shmid, IPC_STAT, &ds) < 0 || ds.shm_lpid != getpid();
	f->addr = shmat(shmid, NULL, rdonly ? SHM_RDONLY : 0);
	if (f->addr == (void *)-1) {
		res = errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
		goto err_free;
	}
	/* After the attach: the size cannot change while we hold it. */
	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		res = -errno;
		goto err_detach;
	}
	f->base.flags = flags;
	f->shmid = shmid;
	f->size = ds.shm_segsz;
	f->writable = !rdonly;
	f->fd = FD_UNKNOWN;
	*file = &f->base;
	log_debug("sysv: attached shmid %d (%s), %llu bytes\n", shmid,
		  rdonly ? "read-only" : "read-write",
		  (unsigned long long)f->size);
	return 0;

err_detach:
	shmdt(f->addr);
err_free:
	free(f);
	return res;
}

int sysv_make(key_t key, size_t size, const void *data, size_t len,
	      const struct sysv_owner *owner, int flags, int *shmid,
	      struct seg_file **file)
{
	struct shmid_ds ds;
	void *addr;
	int id, res;

	/* Our own rights until the data is in: a 0444 file still gets it. */
	id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return -errno;
	/* Attached before the fill's detach, which shm_rmid_forced=1 would
	 * otherwise take for the last one. */
	if (file != NULL) {
		res = sysv_open_id(id, flags, file);
		if (res < 0)
			goto err_rmid;
	}
	if (len > 0) {
		addr = shmat(id, NULL, 0);
		if (addr == (void *)-1) {
			res = -errno;
			goto err_release;
		}
		res = store(addr, data, len < size ? len : size);
		shmdt(addr);
		if (res < 0)
			goto err_release;
	}
	/* Attachments made keep their rights; the final ones apply now. */
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.uid = owner->uid;
	ds.shm_perm.gid = owner->gid;
	ds.shm_perm.mode = owner->mode & 0777;
	if (shmctl(id, IPC_SET, &ds) < 0) {
		res = -errno;
		goto err_release;
	}
	*shmid = id;
	log_debug("sysv: created key 0x%08x as shmid %d, %zu bytes\n",
		  (unsigned)key, id, size);
	return 0;

err_release:
	if (file != NULL) {
		sysv_release(*file);
		*file = NULL;
	}
err_rmid:
	shmctl(id, IPC_RMID, NULL);
	return res;
}

static int sysv_open(const struct seg_ref *ref, int flags,
		     struct seg_file **file)
{
	int res = attach_allowed(ref_shmid(ref), "opening");

	return res ?: sysv_open_id(ref_shmid(ref), flags, file);
}

static int sysv_read(struct seg_file *file, size_t size, off_t off,
		     seg_reply_fn reply, void *ctx)
{
	struct sysv_file *f = (struct sysv_file *)file;
	size_t n;
	int res = sysv_span(f->size, off, size, 0, &n);

	if (res < 0)
		return res;
	return reply(ctx, (const char *)f->addr + off, n);
}

/*
 * The segment's own shmem file, reached through /proc/self/map_files: a
 * pwrite() to it copies in the kernel, where a store into our mapping
 * takes a page fault for every page the first time (five times slower for
 * 1 MiB writes here).  Opening it needs CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE, which a root daemon has; otherwise, and for
 * hugetlb segments, whose files take no write(), the mapping serves.
 */
static int file_fd(struct sysv_file *f)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = __atomic_load_n(&f->fd, __ATOMIC_ACQUIRE);
	int expected = FD_UNKNOWN;
	char path[64];

	if (fd != FD_UNKNOWN)
		return fd;
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)(uintptr_t)f->addr,
		 (unsigned long)((uintptr_t)f->addr +
				 (f->size + page - 1) / page * page));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = FD_NONE;
	if (!__atomic_compare_exchange_n(&f->fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (fd >= 0)
			close(fd);
		fd = expected;
	}
	return fd;
}

static ssize_t sysv_write(struct seg_file *file, const void *buf, size_t size,
			  off_t off)
{
	struct sysv_file *f = (struct sysv_file *)file;
	size_t n;
	int fd, res;

	if (!f->writable)
		return -EBADF;
	res = sysv_span(f->size, off, size, 1, &n);
	if (res < 0)
		return res;
	fd = file_fd(f);
	if (fd >= 0) {
		/* N stays within the segment: the file cannot grow. */
		ssize_t done = pwrite(fd, buf, n, off);

		if (done >= 0)
			return done;
		if (errno != EINVAL)
			return -errno;
		__atomic_store_n(&f->fd, FD_NONE, __ATOMIC_RELEASE);
		close(fd);
	}
	res = store((char *)f->addr + off, buf, n);
	return res < 0 ? res : (ssize_t)n;
}

static int sysv_flush(struct seg_file *file)
{
	(void)file;
	return 0;
}

static void sysv_release(struct seg_file *file)
{
	struct sysv_file *f = (struct sysv_file *)file;

	if (f->fd >= 0)
		close(f->fd);
	if (shmdt(f->addr) < 0)
		log_err("sysv: detaching shmid %d: %s\n", f->shmid,
			strerror(errno));
	else
		log_debug("sysv: detached shmid %d\n", f->shmid);
	free(f);
}

static ssize_t sysv_getxattr(const struct seg_ref *ref, const char *name,
			     char *buf, size_t size)
{
	struct sysv_info info;
	int res = sysv_stat_id(ref_shmid(ref), &info);

	if (res < 0)
		return res;
	return attr_sysv_getxattr(&info, name, buf, size);
}

static ssize_t sysv_listxattr(const struct seg_ref *ref, char *buf, size_t size)
{
	struct sysv_info info;
	int res = sysv_stat_id(ref_shmid(ref), &info);

	if (res < 0)
		return res;
	return attr_sysv_listxattr(&info, buf, size);
}

static int sysv_setxattr(const struct seg_ref *ref, const char *name,
			 const char *value, size_t size, int flags)
{
	(void)ref;
	(void)value;
	(void)size;
	(void)flags;
	return attr_sysv_set_error(name);
}

static int sysv_removexattr(const struct seg_ref *ref, const char *name)
{
	(void)ref;
	return attr_sysv_set_error(name);
}

/* Polled: see sysv_changes(). */
static int sysv_watched(void)
{
	return 1;
}

const struct seg_ops sysv_seg_ops = {
	.watched = sysv_watched,
	.getattr = sysv_getattr,
	.chmod = sysv_chmod,
	.chown = sysv_chown,
	.truncate = sysv_truncate,
	.utimens = sysv_utimens,
	.access = sysv_access,
	.open = sysv_open,
	.read = sysv_read,
	.write = sysv_write,
	.flush = sysv_flush,
	.release = sysv_release,
	.getxattr = sysv_getxattr,
	.listxattr = sysv_listxattr,
	.setxattr = sysv_setxattr,
	.removexattr = sysv_removexattr,
};

/* A listing's fresh table then serves rss for a while. */
int sysv_each(int (*fn)(void *ctx, const struct sysv_info *info), void *ctx)
{
	int res = usage_refresh();

	if (res < 0)
		return res;
	pthread_mutex_lock(&usage.lock);
	for (size_t i = 0; i < usage.tab.n && res == 0; i++)
		res = fn(ctx, &usage.tab.v[i]);
	pthread_mutex_unlock(&usage.lock);
	return res;
}

void sysv_ref(const struct sysv_info *info, struct seg_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &sysv_seg_ops;
	ref->id = (uint64_t)(uint32_t)info->shmid;
	if (info->key != IPC_PRIVATE)
		name_format_key(info->key, ref->name);
}

struct check {
	struct change_list *out;
	int64_t since_ns; /* nodes told of before may be cached no more */
	int by_id;	  /* IPC_STAT each node, not the table */
	size_t recent;
	int res;
};

static void check_note(struct check *c, int res)
{
	if (c->res == 0)
		c->res = res;
}

static int recent_node(const struct check *c, const struct seg_ref *ref,
		       uint64_t stamp, int64_t told_ns)
{
	return ref->ops == &sysv_seg_ops && stamp != ATTR_STAMP_GONE &&
	       told_ns >= c->since_ns;
}

static int count_node(void *ctx, uint64_t ino, const struct seg_ref *ref,
		      uint64_t *stamp, int64_t told_ns)
{
	struct check *c = ctx;

	(void)ino;
	c->recent += recent_node(c, ref, *stamp, told_ns);
	return 0;
}

/*
 * One segment as getattr would show it now: its kernel record, with rss
 * from the snapshot (under usage.lock).  -ENOENT if it is gone.
 */
static int stat_row(int shmid, struct sysv_info *info)
{
	const struct sysv_info *row = usage_find(shmid);
	struct shmid_ds ds;

	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		if (errno == EACCES && row != NULL) {
			*info = *row;
			return 0;
		}
		return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	}
	sysvtab_from_ds(&ds, shmid, info);
	if (row != NULL) {
		info->have_usage = row->have_usage;
		info->rss = row->rss;
		info->swap = row->swap;
	}
	return 0;
}

/* Under usage.lock, with the newest table in usage.tab. */
static int check_node(void *ctx, uint64_t ino, const struct seg_ref *ref,
		      uint64_t *stamp, int64_t told_ns)
{
	struct check *c = ctx;
	const struct sysv_info *row;
	struct sysv_info info;
	char name[NAME_KEY_LEN];
	struct stat st;
	uint64_t now;
	int drop = 0;

	if (!recent_node(c, ref, *stamp, told_ns))
		return 0;
	if (c->by_id) {
		int res = stat_row((int)ref->id, &info);

		if (res < 0 && res != -ENOENT)
			return 0; /* unknown: the next poll tries again */
		row = res == 0 ? &info : NULL;
	} else {
		row = usage_find((int)ref->id);
	}
	if (row == NULL) {
		name_format_shmid((int)ref->id, name);
		check_note(c, change_inode(c->out, ino, 1));
		check_note(c, change_name(c->out, &sysv_id_dir_ops, name));
		if (ref->name[0] != '\0')
			check_note(c, change_name(c->out, &sysv_key_dir_ops,
						  ref->name));
		*stamp = ATTR_STAMP_GONE;
		return NODE_DROP_NAME;
	}
	/* Removed while attached: the key is 0 and its old name is gone. */
	if (ref->name[0] != '\0') {
		name_format_key(row->key, name);
		if (row->key == IPC_PRIVATE || strcmp(name, ref->name) != 0) {
			check_note(c, change_name(c->out, &sysv_key_dir_ops,
						  ref->name));
			drop = NODE_DROP_NAME;
		}
	}
	attr_sysv_stat(row, &st);
	now = attr_stamp(&st);
	/*
	 * Our own attach and detach change times and nattch but no byte;
	 * another process's may come with stores.
	 */
	if (now != *stamp) {
		check_note(c, change_inode(c->out, ino, row->lpid != getpid()));
		*stamp = now;
	}
	return drop;
}

/*
 * Only nodes told of since SINCE_NS can be in the kernel's cache.  When
 * they are few against the table, IPC_STAT each (microseconds); else read
 * the table, which also refreshes rss (some 35 ms for 20,000 segments).
 */
int sysv_changes(struct change_list *out, int64_t since_ns)
{
	struct check c = { .out = out, .since_ns = since_ns };
	int res = 0;

	node_each(count_node, &c);
	if (c.recent == 0)
		return 0;
	pthread_mutex_lock(&usage.lock);
	/* A daemon that may not IPC_STAT everything needs the table. */
	c.by_id = geteuid() == 0 && c.recent * BY_ID_FACTOR < usage.tab.n;
	pthread_mutex_unlock(&usage.lock);
	if (!c.by_id)
		res = usage_refresh();
	if (res < 0)
		return res;
	pthread_mutex_lock(&usage.lock);
	node_each(check_node, &c);
	pthread_mutex_unlock(&usage.lock);
	return c.res;
}
