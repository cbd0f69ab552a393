// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of SysV segments, /proc/sysvipc/shm, kept as a snapshot: it
 * alone knows rss and swap, and a listing reads it whole.  The kernel's
 * record (IPC_STAT) is read on every request, so what other processes
 * change shows at once; only rss and swap come from the snapshot.  It is
 * re-read once it is older than ten times what reading it cost, so with a
 * few segments it is always fresh and with tens of thousands a `ls -l`
 * spends at most a tenth of its time re-reading it; never older than
 * USAGE_MAX_AGE_NS.
 */
#include "sysv_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "clock.h"
#include "grow.h"

#define USAGE_MAX_AGE_NS 1000000000LL


static int by_shmid(const void *a, const void *b)
{
	const struct sysv_info *x = a, *y = b;

	return (x->shmid > y->shmid) - (x->shmid < y->shmid);
}

static int by_key(const void *a, const void *b)
{
	const struct sysv_key_id *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* KEYS, made anew from TAB; empty if there is no memory (lookups then
 * ask the kernel). */
static void index_keys(const struct sysvtab *tab, struct sysv_key_index *keys)
{
	struct sysv_key_id *v = grow(keys->v, &keys->cap, tab->n, sizeof(*v));

	keys->n = 0;
	if (v == NULL)
		return;
	keys->v = v;
	for (size_t i = 0; i < tab->n; i++) {
		if (tab->v[i].key == IPC_PRIVATE)
			continue;
		v[keys->n].key = tab->v[i].key;
		v[keys->n++].shmid = tab->v[i].shmid;
	}
	if (keys->n > 1)
		qsort(v, keys->n, sizeof(*v), by_key);
}

/*
 * Take TAB and KEYS, read at START_NS, as the newest snapshot; they are
 * left with the old one.  Sorted, so that a lookup among tens of
 * thousands is a search, not a scan.
 */
static void usage_swap(struct sysv_inst *si, struct sysvtab *tab,
		       struct sysv_key_index *keys, int64_t start_ns)
{
	struct sysvtab old;
	struct sysv_key_index old_keys;
	size_t i;

	/* Usually in order already: the kernel lists by index. */
	for (i = 1; i < tab->n && by_shmid(&tab->v[i - 1], &tab->v[i]) < 0; i++)
		;
	if (i < tab->n)
		qsort(tab->v, tab->n, sizeof(*tab->v), by_shmid);
	index_keys(tab, keys);
	pthread_mutex_lock(&si->usage.lock);
	old = si->usage.tab;
	old_keys = si->usage.keys;
	si->usage.tab = *tab;
	si->usage.keys = *keys;
	si->usage.when_ns = clock_now_ns();
	si->usage.cost_ns = si->usage.when_ns - start_ns;
	pthread_mutex_unlock(&si->usage.lock);
	*tab = old;
	*keys = old_keys;
}

/*
 * Read the table afresh and make it the snapshot.  It is read into the
 * buffer of the snapshot before last: with tens of thousands of segments a
 * new buffer each time would cost more in page faults than the parsing.
 */
int sysv_usage_refresh(struct sysv_inst *si)
{
	struct sysvtab tab;
	struct sysv_key_index keys;
	int64_t start = clock_now_ns();
	int res;

	pthread_mutex_lock(&si->usage.lock);
	tab = si->usage.spare;
	keys = si->usage.spare_keys;
	memset(&si->usage.spare, 0, sizeof(si->usage.spare));
	memset(&si->usage.spare_keys, 0, sizeof(si->usage.spare_keys));
	pthread_mutex_unlock(&si->usage.lock);
	res = sysv_enter(si) ?: sysvtab_read(&tab);
	if (res == 0)
		usage_swap(si, &tab, &keys, start);
	pthread_mutex_lock(&si->usage.lock);
	if (si->usage.spare.v == NULL) {
		si->usage.spare = tab;
		si->usage.spare_keys = keys;
	} else {
		sysvtab_free(&tab);
		free(keys.v);
	}
	pthread_mutex_unlock(&si->usage.lock);
	return res;
}

static const struct sysv_info *usage_find(struct sysv_inst *si, int shmid)
{
	struct sysv_info want = { .shmid = shmid };

	if (si->usage.tab.n == 0)
		return NULL;
	return bsearch(&want, si->usage.tab.v, si->usage.tab.n, sizeof(want),
		       by_shmid);
}

/*
 * Fill rss and swap from the snapshot, re-read first if it is old (and
 * REFRESH); FULL gets the whole row (for callers that may not IPC_STAT).
 * -ENOENT if not in the table.
 */
static int usage_get(struct sysv_inst *si, int shmid, struct sysv_info *info,
		     int full, int refresh)
{
	const struct sysv_info *row;
	int64_t age;
	int res = 0;

	pthread_mutex_lock(&si->usage.lock);
	row = usage_find(si, shmid);
	age = clock_now_ns() - si->usage.when_ns;
	if (refresh && (row == NULL || age > USAGE_MAX_AGE_NS ||
			age > 10 * si->usage.cost_ns)) {
		pthread_mutex_unlock(&si->usage.lock);
		res = sysv_usage_refresh(si);
		pthread_mutex_lock(&si->usage.lock);
		row = usage_find(si, shmid);
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
	pthread_mutex_unlock(&si->usage.lock);
	return res;
}

/* The kernel's record, with rss from the snapshot (REFRESH: see above). */
static int stat_id(struct sysv_inst *si, int shmid, struct sysv_info *info,
		   int refresh)
{
	struct shmid_ds ds;
	int res = sysv_enter(si);

	if (res < 0)
		return res;
	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		/* A segment we may not read is still listed, as ipcs does. */
		if (errno == EACCES)
			return usage_get(si, shmid, info, 1, refresh);
		return sysv_err(errno);
	}
	sysvtab_from_ds(&ds, shmid, info);
	usage_get(si, shmid, info, 0, refresh);
	return 0;
}

int sysv_stat_id(struct sysv_inst *si, int shmid, struct sysv_info *info)
{
	return stat_id(si, shmid, info, 1);
}

int sysv_stat_known(struct sysv_inst *si, int shmid, struct sysv_info *info)
{
	return stat_id(si, shmid, info, 0);
}

size_t sysv_usage_rows(struct sysv_inst *si)
{
	size_t n;

	pthread_mutex_lock(&si->usage.lock);
	n = si->usage.tab.n;
	pthread_mutex_unlock(&si->usage.lock);
	return n;
}

int sysv_usage_row(struct sysv_inst *si, int shmid, struct sysv_info *info)
{
	return usage_get(si, shmid, info, 1, 0);
}

int sysv_usage_key(struct sysv_inst *si, key_t key)
{
	struct sysv_key_id want = { .key = key }, *row;
	int shmid = -ENOENT;

	pthread_mutex_lock(&si->usage.lock);
	row = si->usage.keys.n == 0
		      ? NULL
		      : bsearch(&want, si->usage.keys.v, si->usage.keys.n,
				sizeof(want), by_key);
	if (row != NULL)
		shmid = row->shmid;
	pthread_mutex_unlock(&si->usage.lock);
	return shmid;
}

void sysv_usage_free(struct sysv_inst *si)
{
	pthread_mutex_lock(&si->usage.lock);
	sysvtab_free(&si->usage.tab);
	sysvtab_free(&si->usage.spare);
	free(si->usage.keys.v);
	free(si->usage.spare_keys.v);
	memset(&si->usage.keys, 0, sizeof(si->usage.keys));
	memset(&si->usage.spare_keys, 0, sizeof(si->usage.spare_keys));
	pthread_mutex_unlock(&si->usage.lock);
}

/* A listing's fresh table then serves rss for a while. */
int sysv_each(struct sysv_inst *si,
	      int (*fn)(void *ctx, const struct sysv_info *info), void *ctx)
{
	int res = sysv_usage_refresh(si);

	if (res < 0)
		return res;
	pthread_mutex_lock(&si->usage.lock);
	for (size_t i = 0; i < si->usage.tab.n && res == 0; i++)
		res = fn(ctx, &si->usage.tab.v[i]);
	pthread_mutex_unlock(&si->usage.lock);
	return res;
}
