// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two directories of SysV segments: sysv/ names them by key, as ipcs
 * prints keys, and sysv-id/ by shmid, which also reaches segments without
 * a key (IPC_PRIVATE, or removed but still attached).
 */
#include "sysv.h"
#include "sysv_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "attr.h"
#include "log.h"
#include "name.h"
#include "sysv_new.h"

static int ref_from_id(struct sysv_inst *si, int shmid, struct seg_ref *ref,
		       struct stat *st)
{
	struct sysv_info info;
	int res = sysv_stat_id(si, shmid, &info);

	if (res < 0)
		return res;
	sysv_ref(si, &info, ref);
	sysv_stat(si, &info, st);
	return 0;
}

/*
 * A name that is not a key (or shmid) is simply not there, or cannot be
 * made (NOT_ONE); one too long for any file system says so first.
 */
static int parse_key(const char *name, key_t *key, int not_one)
{
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	return name_parse_key(name, key) < 0 ? not_one : 0;
}

static int parse_shmid(const char *name, int *shmid)
{
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	return name_parse_shmid(name, shmid) < 0 ? -ENOENT : 0;
}

static int key_to_shmid(struct sysv_inst *si, key_t key)
{
	int shmid = sysv_enter(si);

	if (shmid < 0)
		return shmid;
	shmid = shmget(key, 0, 0);

	if (shmid < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	return shmid;
}

/*
 * The segment that has KEY now.  The snapshot of the table names a
 * candidate, which IPC_STAT confirms (keys are unique among segments not
 * removed, and removal sets a key to 0): IPC_STAT takes no lock that a
 * reading of the table holds, where shmget() waits for it, so `ls -l` of
 * thousands does not wait for the watcher's reads.  Only a root daemon
 * always may IPC_STAT; others, and a snapshot without it, ask shmget().
 */
static int key_stat(struct sysv_inst *si, key_t key, struct sysv_info *info)
{
	int shmid = geteuid() == 0 ? sysv_usage_key(si, key) : -ENOENT;

	if (shmid >= 0 && sysv_stat_id(si, shmid, info) == 0 &&
	    info->key == key)
		return 0;
	shmid = key_to_shmid(si, key);
	return shmid < 0 ? shmid : sysv_stat_id(si, shmid, info);
}

static int key_lookup(const struct seg_dir *dir, const char *name,
		      struct seg_ref *ref, struct stat *st)
{
	struct sysv_inst *si = dir->inst;
	struct sysv_info info;
	key_t key;
	int res = parse_key(name, &key, -ENOENT);

	if (res < 0)
		return res;
	/* A segment made meanwhile by someone else wins over our new file. */
	res = key_stat(si, key, &info);
	if (res == 0) {
		sysv_ref(si, &info, ref);
		sysv_stat(si, &info, st);
		return 0;
	}
	return res == -ENOENT ? sysv_new_lookup(si, key, ref, st) : res;
}

static int id_lookup(const struct seg_dir *dir, const char *name,
		     struct seg_ref *ref, struct stat *st)
{
	struct sysv_inst *si = dir->inst;
	int shmid, res = parse_shmid(name, &shmid);

	return res < 0 ? res : ref_from_id(si, shmid, ref, st);
}

struct list_ctx {
	struct sysv_inst *si;
	int by_key;
	seg_fill_fn fill;
	void *ctx;
};

static int list_one(void *ctx, const struct sysv_info *info)
{
	struct list_ctx *l = ctx;
	char name[NAME_KEY_LEN];

	if (l->by_key) {
		if (info->key == IPC_PRIVATE)
			return 0;
		name_format_key(info->key, name);
	} else {
		name_format_shmid(info->shmid, name);
	}
	return l->fill(l->ctx, name,
		       attr_sysv_ino(info->shmid) | l->si->ino_salt, S_IFREG);
}

/* Every listing reads the table afresh: a new segment shows at once. */
static int list_table(struct sysv_inst *si, int by_key, seg_fill_fn fill,
		      void *ctx)
{
	struct list_ctx l = { si, by_key, fill, ctx };

	return sysv_each(si, list_one, &l);
}

static int key_list(const struct seg_dir *dir, seg_fill_fn fill, void *ctx)
{
	struct sysv_inst *si = dir->inst;
	int res = list_table(si, 1, fill, ctx);

	return res ?: sysv_new_list(si, fill, ctx);
}

static int id_list(const struct seg_dir *dir, seg_fill_fn fill, void *ctx)
{
	struct sysv_inst *si = dir->inst;
	return list_table(si, 0, fill, ctx);
}

static int key_create(const struct seg_dir *dir, const char *name, mode_t mode,
		      int flags, const struct seg_cred *cred,
		      struct seg_ref *ref, struct stat *st,
		      struct seg_file **file)
{
	struct sysv_inst *si = dir->inst;
	key_t key;
	int shmid, res = parse_key(name, &key, -EINVAL);

	if (res < 0)
		return res;
	/* Only a key the kernel says is free may be taken. */
	shmid = key_to_shmid(si, key);
	if (shmid >= 0 || sysv_new_lookup(si, key, ref, st) == 0)
		return -EEXIST;
	if (shmid != -ENOENT)
		return shmid;
	if (sysv_rmid_forced(si)) {
		static struct log_limit limit; /* any user can make it say so */

		log_limited(&limit, LOG_ERR,
			    "sysv: not creating key 0x%08x: with "
			    "kernel.shm_rmid_forced=1 it would be destroyed "
			    "when its file is closed",
			    (unsigned)key);
		return -EBUSY;
	}
	return sysv_new_create(si, key, mode, flags, cred, ref, st, file);
}

static int rmid(struct sysv_inst *si, int shmid)
{
	int res = sysv_enter(si);

	if (res < 0)
		return res;
	if (shmctl(shmid, IPC_RMID, NULL) < 0)
		return sysv_err(errno);
	log_debug("sysv: removed shmid %d\n", shmid);
	return 0;
}

static int key_unlink(const struct seg_dir *dir, const char *name)
{
	struct sysv_inst *si = dir->inst;
	key_t key;
	int shmid, res = parse_key(name, &key, -ENOENT);

	if (res < 0)
		return res;
	res = sysv_new_unlink(si, key);
	if (res != -ENOENT)
		return res;
	shmid = key_to_shmid(si, key);
	return shmid < 0 ? shmid : rmid(si, shmid);
}

static int id_unlink(const struct seg_dir *dir, const char *name)
{
	struct sysv_inst *si = dir->inst;
	int shmid, res = parse_shmid(name, &shmid);

	return res < 0 ? res : rmid(si, shmid);
}

/* Keys are listed as ipcs prints them, 0x and eight hex digits. */
static int key_alias(const struct seg_dir *dir, const char *name)
{
	(void)dir;
	char canon[NAME_KEY_LEN];
	key_t key;

	if (name_parse_key(name, &key) < 0)
		return 0;
	name_format_key(key, canon);
	return strcmp(name, canon) != 0;
}

/* Shmids are listed in decimal without leading zeros. */
static int id_alias(const struct seg_dir *dir, const char *name)
{
	(void)dir;
	char canon[NAME_ID_LEN];
	int shmid;

	if (name_parse_shmid(name, &shmid) < 0)
		return 0;
	name_format_shmid(shmid, canon);
	return strcmp(name, canon) != 0;
}

static int dir_statfs(const struct seg_dir *dir, struct statvfs *st)
{
	return sysv_statfs(dir->inst, st);
}

const struct seg_dir_ops sysv_key_dir_ops = {
	.lookup = key_lookup,
	.list = key_list,
	.create = key_create,
	.unlink = key_unlink,
	.alias = key_alias,
	.statfs = dir_statfs,
};

/* No create: a shmid is chosen by the kernel. */
const struct seg_dir_ops sysv_id_dir_ops = {
	.lookup = id_lookup,
	.list = id_list,
	.unlink = id_unlink,
	.alias = id_alias,
	.statfs = dir_statfs,
};

static int sysv_start(const struct kind_params *params, void **inst)
{
	struct sysv_inst *si;
	int res;

	if (params->ipc_ns_ino != 0) {
		/* ns/N: started on demand, quietly (said once at the mount). */
		res = sysv_inst_new_ns(params->ipc_ns_ino, params->ino_salt,
				       &si);
		if (res == 0)
			*inst = si;
		return res;
	}
	res = sysv_inst_new(params->ipc_ns, &si);
	if (res < 0) {
		log_err("sysv: ipc_ns=%s: %s\n", params->ipc_ns,
			strerror(-res));
		return res;
	}
	*inst = si;
	if (sysv_rmid_forced(si))
		log_warn(
			"kernel.shm_rmid_forced is 1: the last detach destroys a "
			"SysV segment, so shmfs will not open or create one that "
			"no other process has attached (EBUSY)\n");
	return 0;
}

static void sysv_stop(void *inst)
{
	sysv_inst_free(inst);
}

/* Anyone may create in sysv/, as in /dev/shm; nobody in sysv-id/. */
static const struct kind_dir sysv_dirs[] = {
	{ "sysv", S_IFDIR | 01777, &sysv_key_dir_ops },
	{ "sysv-id", S_IFDIR | 0755, &sysv_id_dir_ops },
};

const struct kind sysv_kind = {
	.name = "sysv",
	.dirs = sysv_dirs,
	.ndirs = 2,
	.start = sysv_start,
	.stop = sysv_stop,
	.watch = &sysv_watch,
	.per_ipc_ns = 1,
};
