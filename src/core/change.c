// SPDX-License-Identifier: GPL-2.0-or-later
#include "change.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

static struct change *change_add(struct change_list *l)
{
	struct change *v = grow(l->v, &l->cap, l->n + 1, sizeof(*v));

	if (v == NULL)
		return NULL;
	l->v = v;
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	return &l->v[l->n++];
}

int change_inode(struct change_list *l, uint64_t ino, int contents)
{
	struct change *c = change_add(l);

	if (c == NULL)
		return -ENOMEM;
	c->ino = ino;
	c->contents = contents;
	return 0;
}

int change_name(struct change_list *l, const struct seg_dir *dir,
		const char *name)
{
	struct change *c;
	char *copy = strdup(name);

	if (copy == NULL)
		return -ENOMEM;
	c = change_add(l);
	if (c == NULL) {
		free(copy);
		return -ENOMEM;
	}
	c->dir = *dir;
	c->name = copy;
	return 0;
}

int change_dir(struct change_list *l, const struct seg_dir *dir)
{
	struct change *c = change_add(l);

	if (c == NULL)
		return -ENOMEM;
	c->dir = *dir;
	return 0;
}

int change_list_move(struct change_list *to, struct change_list *from)
{
	struct change *v = grow(to->v, &to->cap, to->n + from->n, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	to->v = v;
	if (from->n > 0)
		memcpy(to->v + to->n, from->v, from->n * sizeof(*from->v));
	to->n += from->n;
	from->n = 0;
	return 0;
}

void change_list_free(struct change_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int watch_want_name(struct watch_want *w, const char *name)
{
	struct watch_names *l = &w->names;
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

void watch_want_sort(struct watch_want *w)
{
	struct watch_names *l = &w->names;
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
	if (w->ids_n > 1)
		qsort(w->ids, w->ids_n, sizeof(*w->ids), by_id);
}

int watch_wants(const struct watch_want *w, const struct seg_ref *ref)
{
	const char *name = ref->name;

	if (w->names.n > 0 && bsearch(&name, w->names.v, w->names.n,
				      sizeof(*w->names.v), by_name) != NULL)
		return 1;
	return w->ids_n > 0 && bsearch(&ref->id, w->ids, w->ids_n,
				       sizeof(*w->ids), by_id) != NULL;
}

void watch_want_free(struct watch_want *w)
{
	for (size_t i = 0; i < w->names.n; i++)
		free(w->names.v[i]);
	free(w->names.v);
	free(w->ids);
	memset(w, 0, sizeof(*w));
}
