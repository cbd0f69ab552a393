// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A SysV segment as a file: its attributes from the kernel's record, its
 * mode and owner changed by IPC_SET, truncate as zero-filling (its size
 * is fixed), its record as read-only extended attributes.
 */
#include "sysv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "attr.h"
#include "log.h"
#include "name.h"
#include "procscan.h"

int sysv_truncate_check(uint64_t segsz, off_t size)
{
	if (size < 0)
		return -EINVAL;
	return (uint64_t)size > segsz ? -EFBIG : 0;
}


static int ref_shmid(const struct seg_ref *ref)
{
	return (int)ref->id;
}

static int sysv_getattr(const struct seg_ref *ref, struct seg_file *file,
			struct stat *st)
{
	struct sysv_info info;
	int res = sysv_stat_id(ref->inst, ref_shmid(ref), &info);

	(void)file;
	if (res < 0)
		return res;
	sysv_stat(ref->inst, &info, st);
	return 0;
}

/*
 * IPC_SET takes mode, uid and gid together; change only what was asked.
 * The current values come from sysv_stat_id(), which also works for a
 * caller who may not IPC_STAT: IPC_SET asks for ownership, not for read
 * permission, and its refusal (EPERM) is the one to report.
 */
static int sysv_set(struct sysv_inst *si, int shmid, const mode_t *mode,
		    uid_t uid, gid_t gid)
{
	struct sysv_info info;
	struct shmid_ds ds;
	int res = sysv_stat_id(si, shmid, &info);

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
		return sysv_err(errno);
	return 0;
}

static int sysv_chmod(const struct seg_ref *ref, mode_t mode)
{
	/* SysV has no set-id or sticky bits; refuse them rather than drop. */
	if (mode & 07000)
		return -EINVAL;
	return sysv_set(ref->inst, ref_shmid(ref), &mode, (uid_t)-1, (gid_t)-1);
}

static int sysv_chown(const struct seg_ref *ref, uid_t uid, gid_t gid)
{
	/* chown(-1, -1) asks for nothing; IPC_SET would ask for ownership. */
	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	return sysv_set(ref->inst, ref_shmid(ref), NULL, uid, gid);
}

static int sysv_truncate(const struct seg_ref *ref, struct seg_file *file,
			 off_t size)
{
	struct sysv_file *f = (struct sysv_file *)file;
	struct sysv_info info;
	void *addr;
	int res;

	res = sysv_stat_id(ref->inst, ref_shmid(ref), &info);
	if (res < 0)
		return res;
	res = sysv_truncate_check(info.size, size);
	if (res < 0 || (uint64_t)size == info.size)
		return res;

	if (f != NULL && f->writable)
		return sysv_file_zero(f, size, info.size - (uint64_t)size);
	res = sysv_attach_allowed(ref->inst, ref_shmid(ref), "truncating");
	if (res < 0)
		return res;
	addr = shmat(ref_shmid(ref), NULL, 0);
	if (addr == (void *)-1)
		return -errno;
	res = sysv_store((char *)addr + size, NULL, info.size - (uint64_t)size);
	shmdt(addr);
	return res;
}

static int sysv_access(const struct seg_ref *ref, const struct seg_cred *cred,
		       int mask)
{
	struct sysv_info info;
	int res = sysv_stat_id(ref->inst, ref_shmid(ref), &info);

	if (res < 0)
		return res;
	return cred_ipc_perm(cred, info.mode & 0777, info.uid, info.gid,
			     info.cuid, info.cgid, mask);
}

int sysv_make(struct sysv_inst *si, key_t key, size_t size, sysv_fill_fn fill,
	      void *ctx, const struct sysv_owner *owner, int flags, int *shmid,
	      struct seg_file **file)
{
	struct shmid_ds ds;
	void *addr;
	int id, res;

	res = sysv_enter(si);
	if (res < 0)
		return res;
	/* Our own rights until the data is in: a 0444 file still gets it. */
	id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return -errno;
	/* Attached before the fill's detach, which shm_rmid_forced=1 would
	 * otherwise take for the last one. */
	if (file != NULL) {
		res = sysv_open_id(si, id, flags, file);
		if (res < 0)
			goto err_rmid;
	}
	if (fill != NULL) {
		addr = shmat(id, NULL, 0);
		if (addr == (void *)-1) {
			res = -errno;
			goto err_release;
		}
		res = fill(ctx, addr, size);
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
		(*file)->ops->release(*file);
		*file = NULL;
	}
err_rmid:
	shmctl(id, IPC_RMID, NULL);
	return res;
}


/* The record, and what /proc adds where NAME needs it (attr.h). */
static ssize_t sysv_getxattr(const struct seg_ref *ref, const char *name,
			     char *buf, size_t size)
{
	struct procscan_target t = { .shmid = ref_shmid(ref) };
	struct attr_live live = { .creator_alive = 1 };
	struct sysv_info info;
	ssize_t res = sysv_stat_id(ref->inst, ref_shmid(ref), &info);
	int need;

	if (res < 0)
		return res;
	t.key = (uint32_t)info.key;
	need = attr_sysv_needs(&info, name);
	if (need & ATTR_NEEDS_SCAN)
		res = procscan_run(&t, &live.scan);
	/*
	 * Attached nowhere in the namespace served: what looks like its
	 * attachment is another namespace's segment of the same shmid and key,
	 * in a process here that shares its memory with one there (CLONE_VM).
	 */
	if (res == 0 && info.nattch == 0) {
		procscan_free(&live.scan);
		live.scan.pagesize = 0;
	}
	if (need & ATTR_NEEDS_CREATOR)
		live.creator_alive = procscan_alive(info.cpid);
	if (res == 0)
		res = attr_sysv_getxattr(&info, &live, name, buf, size);
	procscan_free(&live.scan);
	return res;
}

/* None: ours are read by name only (attr.h), and a segment has no other. */
static ssize_t sysv_listxattr(const struct seg_ref *ref, char *buf, size_t size)
{
	struct sysv_info info;

	(void)buf;
	(void)size;
	return sysv_stat_id(ref->inst, ref_shmid(ref), &info);
}

int sysv_setxattr(const struct seg_ref *ref, const char *name,
			 const char *value, size_t size, int flags)
{
	(void)ref;
	(void)value;
	(void)size;
	(void)flags;
	return attr_sysv_set_error(name);
}

int sysv_removexattr(const struct seg_ref *ref, const char *name)
{
	(void)ref;
	return attr_sysv_set_error(name);
}

static int sysv_open(const struct seg_ref *ref, int flags,
		     struct seg_file **file)
{
	int res = sysv_attach_allowed(ref->inst, ref_shmid(ref), "opening");

	return res ?: sysv_open_id(ref->inst, ref_shmid(ref), flags, file);
}

static int ref_statfs(const struct seg_ref *ref, struct statvfs *st)
{
	return sysv_statfs(ref->inst, st);
}

const struct seg_ops sysv_seg_ops = {
	.named_in = &sysv_key_dir_ops,
	.getattr = sysv_getattr,
	.chmod = sysv_chmod,
	.chown = sysv_chown,
	.truncate = sysv_truncate,
	.access = sysv_access,
	.open = sysv_open,
	.getxattr = sysv_getxattr,
	.listxattr = sysv_listxattr,
	.setxattr = sysv_setxattr,
	.removexattr = sysv_removexattr,
	.statfs = ref_statfs,
};

void sysv_ref(struct sysv_inst *si, const struct sysv_info *info,
	      struct seg_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->ops = &sysv_seg_ops;
	ref->inst = si;
	ref->id = (uint64_t)(uint32_t)info->shmid;
	if (info->key != IPC_PRIVATE)
		name_format_key(info->key, ref->name);
}

