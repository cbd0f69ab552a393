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

int change_name(struct change_list *l, const struct seg_dir_ops *dir,
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
	c->dir = dir;
	c->name = copy;
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
