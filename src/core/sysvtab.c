// SPDX-License-Identifier: GPL-2.0-or-later
#include "sysvtab_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define PROC_SHM   "/proc/sysvipc/shm"
#define MAX_FIELDS 32

static const char *const col_names[SYSVTAB_NCOLS] = {
	[COL_KEY] = "key",	 [COL_SHMID] = "shmid", [COL_PERMS] = "perms",
	[COL_SIZE] = "size",	 [COL_CPID] = "cpid",	[COL_LPID] = "lpid",
	[COL_NATTCH] = "nattch", [COL_UID] = "uid",	[COL_GID] = "gid",
	[COL_CUID] = "cuid",	 [COL_CGID] = "cgid",	[COL_ATIME] = "atime",
	[COL_DTIME] = "dtime",	 [COL_CTIME] = "ctime", [COL_RSS] = "rss",
	[COL_SWAP] = "swap",
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * Split LINE in place at white space; returns the number of fields, or -1
 * if there are more than MAX_FIELDS.  (By hand: with tens of thousands of
 * segments the table is read every 50 ms while the kernel caches.)
 */
static int split_fields(char *line, char *field[MAX_FIELDS])
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return n;
		if (n == MAX_FIELDS)
			return -1;
		field[n++] = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

int sysvtab_parse_header(const char *line, struct sysvtab_cols *cols)
{
	char buf[512];
	char *field[MAX_FIELDS];
	int n;

	if (strlen(line) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, line);
	n = split_fields(buf, field);
	if (n <= 0)
		return -EINVAL;
	for (int c = 0; c < SYSVTAB_NCOLS; c++)
		cols->pos[c] = -1;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < SYSVTAB_NCOLS; c++)
			if (strcmp(field[i], col_names[c]) == 0)
				cols->pos[c] = i;
	cols->ncols = n;
	if (cols->pos[COL_KEY] < 0 || cols->pos[COL_SHMID] < 0 ||
	    cols->pos[COL_PERMS] < 0 || cols->pos[COL_SIZE] < 0)
		return -EINVAL;
	return 0;
}

/* Digits of BASE (8 or 10) up to the end of S, at most MAX. */
static int parse_digits(const char *s, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d >= (unsigned)base || v > (max - d) / (unsigned)base)
			return -EINVAL;
		v = v * (unsigned)base + d;
	}
	*out = v;
	return 0;
}

static int parse_num(const char *s, int base, int is_signed, int64_t min,
		     uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (is_signed && *s == '-') {
		if (parse_digits(s + 1, base, (uint64_t)INT64_MAX + 1, &v) <
			    0 ||
		    v > (uint64_t) - (min + 1) + 1)
			return -EINVAL;
		*out = -v;
		return 0;
	}
	if (is_signed && *s == '+')
		s++;
	return parse_digits(s, base, max, out);
}

static int field_u(char *const field[], const struct sysvtab_cols *cols,
		   enum sysvtab_col c, int base, uint64_t max, uint64_t *out)
{
	if (cols->pos[c] < 0) {
		*out = 0;
		return 0;
	}
	return parse_num(field[cols->pos[c]], base, 0, 0, max, out);
}

int sysvtab_parse_line(const struct sysvtab_cols *cols, const char *line,
		       struct sysv_info *info)
{
	char buf[512];
	char *field[MAX_FIELDS];
	uint64_t v[SYSVTAB_NCOLS];
	uint64_t key;
	int n, res = 0;

	if (strlen(line) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, line);
	n = split_fields(buf, field);
	if (n != cols->ncols)
		return -EINVAL;

	/* The kernel prints the key as a signed int. */
	res = parse_num(field[cols->pos[COL_KEY]], 10, 1, INT32_MIN, UINT32_MAX,
			&key);
	res = res
		      ?: field_u(field, cols, COL_SHMID, 10, INT32_MAX,
				 &v[COL_SHMID]);
	res = res ?: field_u(field, cols, COL_PERMS, 8, 07777, &v[COL_PERMS]);
	for (int c = COL_SIZE; c < SYSVTAB_NCOLS && res == 0; c++) {
		uint64_t max = UINT64_MAX;

		if (c == COL_CPID || c == COL_LPID)
			max = INT32_MAX;
		else if (c >= COL_UID && c <= COL_CGID)
			max = UINT32_MAX;
		res = field_u(field, cols, c, 10, max, &v[c]);
	}
	if (res < 0)
		return res;

	memset(info, 0, sizeof(*info));
	info->key = (key_t)(uint32_t)key;
	info->shmid = (int)v[COL_SHMID];
	info->mode = (mode_t)v[COL_PERMS];
	info->size = v[COL_SIZE];
	info->cpid = (pid_t)v[COL_CPID];
	info->lpid = (pid_t)v[COL_LPID];
	info->nattch = v[COL_NATTCH];
	info->uid = (uid_t)v[COL_UID];
	info->gid = (gid_t)v[COL_GID];
	info->cuid = (uid_t)v[COL_CUID];
	info->cgid = (gid_t)v[COL_CGID];
	info->atime = (time_t)v[COL_ATIME];
	info->dtime = (time_t)v[COL_DTIME];
	info->ctime = (time_t)v[COL_CTIME];
	info->have_usage = cols->pos[COL_RSS] >= 0 && cols->pos[COL_SWAP] >= 0;
	info->rss = v[COL_RSS];
	info->swap = v[COL_SWAP];
	return 0;
}

static int tab_push(struct sysvtab *tab, const struct sysv_info *info)
{
	struct sysv_info *v = grow(tab->v, &tab->cap, tab->n + 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	tab->v = v;
	tab->v[tab->n++] = *info;
	return 0;
}

int sysvtab_read_stream(struct sysvtab *tab, void *stream)
{
	struct sysvtab_cols cols;
	char *line = NULL;
	size_t len = 0;
	int res;

	tab->n = 0;
	if (getline(&line, &len, stream) < 0) {
		res = -EINVAL;
		goto out;
	}
	res = sysvtab_parse_header(line, &cols);
	while (res == 0 && getline(&line, &len, stream) >= 0) {
		struct sysv_info info;

		/* A line we cannot read is skipped, not fatal: one odd
		 * segment must not hide all the others. */
		if (sysvtab_parse_line(&cols, line, &info) == 0)
			res = tab_push(tab, &info);
	}
out:
	free(line);
	return res;
}

void sysvtab_from_ds(const struct shmid_ds *ds, int shmid,
		     struct sysv_info *info)
{
	memset(info, 0, sizeof(*info));
	info->key = ds->shm_perm.__key;
	info->shmid = shmid;
	info->mode = ds->shm_perm.mode & 07777;
	info->size = ds->shm_segsz;
	info->cpid = ds->shm_cpid;
	info->lpid = ds->shm_lpid;
	info->nattch = ds->shm_nattch;
	info->uid = ds->shm_perm.uid;
	info->gid = ds->shm_perm.gid;
	info->cuid = ds->shm_perm.cuid;
	info->cgid = ds->shm_perm.cgid;
	info->atime = ds->shm_atime;
	info->dtime = ds->shm_dtime;
	info->ctime = ds->shm_ctime;
}

/* The walk ipcs falls back to: index by index up to SHM_INFO's maximum. */
static int read_shm_stat(struct sysvtab *tab)
{
	struct shm_info shm_info;
	int maxidx;

	tab->n = 0;
	maxidx = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&shm_info);
	if (maxidx < 0)
		return -errno;
	for (int i = 0; i <= maxidx; i++) {
		struct shmid_ds ds;
		struct sysv_info info;
		int shmid;

#ifdef SHM_STAT_ANY
		shmid = shmctl(i, SHM_STAT_ANY, &ds);
		if (shmid < 0 && errno == EINVAL)
#endif
			shmid = shmctl(i, SHM_STAT, &ds);
		if (shmid < 0)
			continue;
		sysvtab_from_ds(&ds, shmid, &info);
		if (tab_push(tab, &info) < 0)
			return -ENOMEM;
	}
	return 0;
}

int sysvtab_read(struct sysvtab *tab)
{
	FILE *f = fopen(PROC_SHM, "re");
	int res;

	if (f == NULL)
		return read_shm_stat(tab);
	/* Fewer, larger reads: each one makes the kernel format lines. */
	setvbuf(f, NULL, _IOFBF, 64 * 1024);
	res = sysvtab_read_stream(tab, f);
	fclose(f);
	if (res == -EINVAL)
		return read_shm_stat(tab);
	return res;
}

void sysvtab_free(struct sysvtab *tab)
{
	free(tab->v);
	tab->v = NULL;
	tab->n = tab->cap = 0;
}
