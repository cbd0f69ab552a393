// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Changes others make to SysV segments.  Nothing tells of them, so the
 * cache module polls: it hands over every segment the kernel was told of
 * within the cache timeout, and each is compared with a stamp of what the
 * kernel was told.  When they are few against the table, by IPC_STAT each
 * (microseconds); else by one read of the table, which also refreshes rss
 * (some 35 ms for 20,000 segments).
 */
#include "sysv_int.h"

#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "attr.h"
#include "name.h"

/* A table read costs about as much as this many IPC_STATs per row. */
#define BY_ID_FACTOR 16

/* What changed of one segment since the kernel was told of it. */
static int check_one(struct sysv_inst *inst, struct watch_node *w, int by_id,
		     struct change_list *out)
{
	const struct seg_dir by_key = { &sysv_key_dir_ops, inst };
	const struct seg_dir by_shmid = { &sysv_id_dir_ops, inst };
	int shmid = (int)w->ref.id;
	char name[NAME_KEY_LEN];
	struct sysv_info info;
	struct stat st;
	uint64_t now;
	int res;

	if (w->stamp == ATTR_STAMP_GONE)
		return 0;
	res = by_id ? sysv_stat_known(inst, shmid, &info)
		    : sysv_usage_row(inst, shmid, &info);
	if (res < 0 && res != -ENOENT)
		return 0; /* unknown: the next poll tries again */
	if (res == -ENOENT) {
		name_format_shmid(shmid, name);
		res = change_inode(out, w->ino, 1);
		res = res ?: change_name(out, &by_shmid, name);
		if (res == 0 && w->ref.name[0] != '\0')
			res = change_name(out, &by_key, w->ref.name);
		w->stamp = ATTR_STAMP_GONE;
		w->drop_name = 1;
		return res;
	}
	/* Removed while attached: the key is 0 and its old name is gone. */
	if (w->ref.name[0] != '\0') {
		name_format_key(info.key, name);
		if (info.key == IPC_PRIVATE || strcmp(name, w->ref.name) != 0) {
			res = change_name(out, &by_key, w->ref.name);
			w->drop_name = 1;
		}
	}
	attr_sysv_stat(&info, &st);
	now = attr_stamp(&st);
	/*
	 * Our own attach and detach change times and nattch but no byte;
	 * another process's may come with stores.
	 */
	if (res == 0 && now != w->stamp) {
		res = change_inode(out, w->ino, info.lpid != getpid());
		w->stamp = now;
	}
	return res;
}

static int watch_check(void *inst, struct watch_node *v, size_t n,
		       const struct watch_want *want, struct change_list *out)
{
	int by_id, res = 0;

	(void)want;
	if (n == 0)
		return 0;
	/* A daemon that may not IPC_STAT everything needs the table. */
	by_id = geteuid() == 0 && n * BY_ID_FACTOR < sysv_usage_rows(inst);
	if (!by_id)
		res = sysv_usage_refresh(inst);
	for (size_t i = 0; i < n && res == 0; i++)
		res = check_one(inst, &v[i], by_id, out);
	return res;
}

/* Polled: there is always something to compare with. */
static int watch_active(void *inst)
{
	(void)inst;
	return 1;
}

static int watch_fd(void *inst)
{
	(void)inst;
	return -1;
}

const struct kind_watch sysv_watch = {
	.ops = &sysv_seg_ops,
	.active = watch_active,
	.fd = watch_fd,
	.check = watch_check,
};
