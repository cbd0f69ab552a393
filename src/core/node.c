// SPDX-License-Identifier: GPL-2.0-or-later
#include "node.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <stdio.h>
#include <time.h>

#include "grow.h"

struct node {
	struct node *next;
	uint64_t ino;
	uint64_t nlookup;
	const struct seg_ops *ops;
	void *inst;
	uint64_t id;
	char *name; /* NULL unless the backend names its objects */
	uint64_t stamp;
	int64_t told_ns;
	unsigned opens;
};

/*
 * The kernel's inodes of the mount.  One table for the daemon, as it
 * serves one mount: a node's ref says which instance of which kind it is
 * (seg_ref.inst), so instances share it.
 */
static struct {
	pthread_mutex_t lock;
	struct node **bucket;
	size_t nbuckets; /* a power of two */
	size_t count;
	size_t opens;
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

static size_t slot(uint64_t ino, size_t nbuckets)
{
	/* Inode numbers share their high bits; mix before masking. */
	ino ^= ino >> 29;
	ino *= UINT64_C(0xbf58476d1ce4e5b9);
	ino ^= ino >> 32;
	return (size_t)ino & (nbuckets - 1);
}

static struct node *find(uint64_t ino)
{
	if (tab.nbuckets == 0)
		return NULL;
	for (struct node *n = tab.bucket[slot(ino, tab.nbuckets)]; n != NULL;
	     n = n->next)
		if (n->ino == ino)
			return n;
	return NULL;
}

static int rehash(void)
{
	size_t nb = tab.nbuckets ? tab.nbuckets * 2 : 256;
	struct node **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < tab.nbuckets; i++) {
		struct node *n = tab.bucket[i];

		while (n != NULL) {
			struct node *next = n->next;
			size_t s = slot(n->ino, nb);

			n->next = b[s];
			b[s] = n;
			n = next;
		}
	}
	free(tab.bucket);
	tab.bucket = b;
	tab.nbuckets = nb;
	return 0;
}

/* A POSIX object can be renamed behind our back: keep the newest name. */
static int set_name(struct node *n, const char *name)
{
	char *copy;

	if (name[0] == '\0' || (n->name != NULL && strcmp(n->name, name) == 0))
		return 0;
	copy = strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	free(n->name);
	n->name = copy;
	return 0;
}

int node_remember(uint64_t ino, const struct seg_ref *ref)
{
	struct node *n;
	int res = 0;

	pthread_mutex_lock(&tab.lock);
	n = find(ino);
	if (n != NULL) {
		res = set_name(n, ref->name);
		if (res < 0)
			goto out;
	} else {
		if (tab.count >= tab.nbuckets && (res = rehash()) < 0)
			goto out;
		n = calloc(1, sizeof(*n));
		if (n == NULL || set_name(n, ref->name) < 0) {
			free(n);
			res = -ENOMEM;
			goto out;
		}
		/*
		 * Linked first and filled after (ops, below): nobody sees it
		 * half made only because every reader of the table holds
		 * tab.lock, as this does until it is complete.
		 */
		n->ino = ino;
		n->next = tab.bucket[slot(ino, tab.nbuckets)];
		tab.bucket[slot(ino, tab.nbuckets)] = n;
		tab.count++;
	}
	n->ops = ref->ops;
	n->inst = ref->inst;
	n->id = ref->id;
	n->nlookup++;
out:
	pthread_mutex_unlock(&tab.lock);
	return res;
}

void node_renamed(uint64_t ino, const struct seg_ref *ref)
{
	struct node *n;

	pthread_mutex_lock(&tab.lock);
	n = find(ino);
	/* Out of memory, the old name stays: the next lookup sets it. */
	if (n != NULL && n->ops == ref->ops && n->inst == ref->inst &&
	    n->id == ref->id)
		(void)set_name(n, ref->name);
	pthread_mutex_unlock(&tab.lock);
}

int node_get(uint64_t ino, struct seg_ref *ref)
{
	struct node *n;
	int res = 0;

	pthread_mutex_lock(&tab.lock);
	n = find(ino);
	if (n == NULL) {
		res = -ESTALE;
	} else {
		ref->ops = n->ops;
		ref->inst = n->inst;
		ref->id = n->id;
		strcpy(ref->name, n->name ? n->name : "");
	}
	pthread_mutex_unlock(&tab.lock);
	return res;
}

void node_forget(uint64_t ino, uint64_t nlookup)
{
	struct node **p, *n;

	pthread_mutex_lock(&tab.lock);
	if (tab.nbuckets == 0)
		goto out;
	for (p = &tab.bucket[slot(ino, tab.nbuckets)]; (n = *p) != NULL;
	     p = &n->next) {
		if (n->ino != ino)
			continue;
		n->nlookup = nlookup < n->nlookup ? n->nlookup - nlookup : 0;
		if (n->nlookup == 0) {
			*p = n->next;
			free(n->name);
			free(n);
			tab.count--;
		}
		break;
	}
out:
	pthread_mutex_unlock(&tab.lock);
}

void node_seen(uint64_t ino, uint64_t stamp)
{
	struct timespec ts;
	struct node *n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&tab.lock);
	n = find(ino);
	if (n != NULL) {
		n->stamp = stamp;
		n->told_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	pthread_mutex_unlock(&tab.lock);
}

static int picked(const struct node *n, const struct watch_want *want)
{
	struct seg_ref ref;

	/* An open file's contents may be cached until it closes. */
	int64_t told = n->opens > 0 ? INT64_MAX : n->told_ns;

	if (want->all || (want->by_time && told >= want->since_ns))
		return 1;
	if (n->name == NULL && want->ids_n == 0)
		return 0;
	ref.id = n->id;
	ref.name[0] = '\0';
	if (n->name != NULL)
		snprintf(ref.name, sizeof(ref.name), "%s", n->name);
	return watch_wants(want, &ref);
}

int node_pick(const struct seg_ops *ops, const void *inst,
	      const struct watch_want *want, struct watch_node **v, size_t *cap,
	      size_t *n)
{
	int res = 0;

	*n = 0;
	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.nbuckets && res == 0; i++) {
		for (struct node *p = tab.bucket[i]; p != NULL; p = p->next) {
			struct watch_node *w;

			if (p->ops != ops || p->inst != inst ||
			    !picked(p, want))
				continue;
			w = grow(*v, cap, *n + 1, sizeof(**v));
			if (w == NULL) {
				res = -ENOMEM;
				break;
			}
			*v = w;
			w = &(*v)[(*n)++];
			w->ino = p->ino;
			w->ref.ops = p->ops;
			w->ref.inst = p->inst;
			w->ref.id = p->id;
			strcpy(w->ref.name, p->name ? p->name : "");
			w->stamp = p->stamp;
			w->told_ns = p->told_ns;
			w->drop_name = 0;
		}
	}
	pthread_mutex_unlock(&tab.lock);
	return res;
}

void node_checked(const struct watch_node *v, size_t n)
{
	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < n; i++) {
		struct node *p = find(v[i].ino);

		/* Gone, or renamed or told of again meanwhile: newer news. */
		if (p == NULL || p->id != v[i].ref.id ||
		    p->told_ns != v[i].told_ns ||
		    strcmp(p->name ? p->name : "", v[i].ref.name) != 0)
			continue;
		p->stamp = v[i].stamp;
		if (v[i].drop_name) {
			free(p->name);
			p->name = NULL;
		}
	}
	pthread_mutex_unlock(&tab.lock);
}

void node_opened(uint64_t ino, int delta)
{
	struct node *n;

	pthread_mutex_lock(&tab.lock);
	n = find(ino);
	if (n != NULL && (delta > 0 || n->opens > 0)) {
		n->opens += (unsigned)delta;
		tab.opens += (size_t)(ssize_t)delta;
	}
	pthread_mutex_unlock(&tab.lock);
}

static size_t locked_read(const size_t *v)
{
	size_t n;

	pthread_mutex_lock(&tab.lock);
	n = *v;
	pthread_mutex_unlock(&tab.lock);
	return n;
}

size_t node_open_count(void)
{
	return locked_read(&tab.opens);
}

size_t node_count(void)
{
	return locked_read(&tab.count);
}

void node_clear(void)
{
	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.nbuckets; i++) {
		struct node *n = tab.bucket[i];

		while (n != NULL) {
			struct node *next = n->next;

			free(n->name);
			free(n);
			n = next;
		}
	}
	free(tab.bucket);
	tab.bucket = NULL;
	tab.nbuckets = tab.count = tab.opens = 0;
	pthread_mutex_unlock(&tab.lock);
}
