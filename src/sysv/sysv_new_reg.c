// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of SysV files being created: which entries exist, by
 * serial and by key, and how many hold each.  Taking a reference is all
 * it does; what an entry holds is guarded by the entry's own lock
 * (sysv_new_int.h).
 */
#include "sysv_new_int.h"

#include <errno.h>
#include <stdlib.h>

#include "name.h"

/* The registry is the instance's (struct sysv_inst.reg: its lock rules). */

static struct sysv_new *find_key(struct sysv_inst *si, key_t key)
{
	for (struct sysv_new *n = si->reg.head; n != NULL; n = n->next)
		if (n->visible && n->key == key)
			return n;
	return NULL;
}

int new_reg_add(struct sysv_new *n)
{
	struct sysv_inst *si = n->si;
	int res = 0;

	pthread_mutex_lock(&si->reg.lock);
	if (find_key(si, n->key) != NULL) {
		res = -EEXIST;
	} else {
		n->serial = ++si->reg.serial;
		n->refs = 1;
		n->visible = 1;
		n->next = si->reg.head;
		si->reg.head = n;
	}
	pthread_mutex_unlock(&si->reg.lock);
	return res;
}

struct sysv_new *new_reg_get(struct sysv_inst *si, uint64_t serial)
{
	struct sysv_new *n;

	pthread_mutex_lock(&si->reg.lock);
	for (n = si->reg.head; n != NULL && n->serial != serial; n = n->next)
		;
	if (n != NULL)
		n->refs++;
	pthread_mutex_unlock(&si->reg.lock);
	return n;
}

struct sysv_new *new_reg_get_key(struct sysv_inst *si, key_t key)
{
	struct sysv_new *n;

	pthread_mutex_lock(&si->reg.lock);
	n = find_key(si, key);
	if (n != NULL)
		n->refs++;
	pthread_mutex_unlock(&si->reg.lock);
	return n;
}

void new_reg_put(struct sysv_new *n)
{
	struct sysv_inst *si = n->si;
	int last;

	pthread_mutex_lock(&si->reg.lock);
	last = --n->refs == 0;
	if (last) {
		struct sysv_new **p = &si->reg.head;

		while (*p != n)
			p = &(*p)->next;
		*p = n->next;
	}
	pthread_mutex_unlock(&si->reg.lock);
	/*
	 * Unlisted and unreferenced: nobody else can reach it now.  One never
	 * made counted until here, removed or not (new_discard()).
	 */
	if (last) {
		new_limit_leave(n);
		newbuf_free(&n->data);
		pthread_mutex_destroy(&n->lock);
		free(n);
	}
}

void new_reg_hide(struct sysv_new *n)
{
	struct sysv_inst *si = n->si;

	pthread_mutex_lock(&si->reg.lock);
	n->visible = 0;
	pthread_mutex_unlock(&si->reg.lock);
}

#define LIST_BATCH 32

/*
 * FILL is the caller's (it grows a listing): called in batches, the lock
 * dropped, resuming below the last serial given; entries added meanwhile
 * come after the listing began and are not in it.
 */
int new_reg_list(struct sysv_inst *si, seg_fill_fn fill, void *ctx)
{
	struct {
		key_t key;
		uint64_t serial;
	} batch[LIST_BATCH];
	uint64_t below = UINT64_MAX;
	size_t k;
	int res = 0;

	do {
		k = 0;
		pthread_mutex_lock(&si->reg.lock);
		for (struct sysv_new *n = si->reg.head;
		     n != NULL && k < LIST_BATCH; n = n->next) {
			if (!n->visible || n->serial >= below)
				continue;
			batch[k].key = n->key;
			batch[k].serial = n->serial;
			k++;
		}
		pthread_mutex_unlock(&si->reg.lock);
		for (size_t i = 0; i < k && res == 0; i++) {
			char name[NAME_KEY_LEN];

			name_format_key(batch[i].key, name);
			res = fill(ctx, name,
				   SEG_INO_TAG(SEG_TAG_NEW, batch[i].serial) |
					   si->ino_salt,
				   S_IFREG);
			below = batch[i].serial;
		}
	} while (res == 0 && k == LIST_BATCH);
	return res;
}
