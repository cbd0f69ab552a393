// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Maps of the real /proc, shared.  A map is made as one caller and tells
 * what that caller may see, which the kernel decides from its rights
 * only: fsuid, fsgid and groups (hidepid's gid=), effective capabilities
 * (CAP_SYS_PTRACE and the like): all of them make the key a map is shared
 * under, so that a caller who dropped a capability or a group never reads
 * a map made with it.  The caller's pid is not part of it: the scan runs
 * in the daemon, and the kernel lets a process read its own /proc even
 * when it is not dumpable, which another process with the same rights
 * may not; so a non-dumpable caller's own mappings may be missing from
 * what it reads (less than it could learn, never more).
 *
 * A map serves for PROCSCAN_FRESH_NS after it was made, or for
 * PROCSCAN_FRESH_RATIO times as long as it took to make where that is
 * longer: so scans for one set of rights, however many ask, take at most
 * a third of a thread's time (of a core), on any machine.  A caller finding
 * none fresh makes one, or waits for the one being made for its rights:
 * one scan per window per set of rights, however many ask.  Only the
 * pool's threads (defer.h) wait; a worker gets -DEFER_AGAIN.  At most
 * SLOTS maps are kept (each at most PROCSCAN_HOLDS_MAX holds); a stale one
 * is freed by the next request that finds it.
 */
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "cred.h"
#include "defer.h"
#include "log.h"

#define PROC  "/proc"
#define SLOTS 4

/* What decides what a caller may read of /proc. */
struct key {
	uid_t uid;
	gid_t gid;
	uint64_t caps;
	int ngroups; /* -1: the daemon itself */
	gid_t groups[CRED_MAX_GROUPS];
};

enum { FREE, BUILDING, READY };

struct slot {
	struct key key;
	int state;
	int64_t done_ns;  /* READY: when its scan ended */
	int64_t fresh_ns; /* READY: for how long after that it serves */
	struct procscan_map map;
};

/*
 * All under lock; a BUILDING slot's map belongs to the thread making it.
 * Daemon-wide: /proc is the machine's, and one map serves every kind
 * and instance that asks within its freshness.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t built; /* a slot left BUILDING */
	struct slot slot[SLOTS];
} share = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .built = PTHREAD_COND_INITIALIZER };

/* C's key; 0 if C's rights cannot all be told (groups past the kept
 * ones): such a caller shares no map. */
static int make_key(const struct seg_cred *c, struct key *k)
{
	memset(k, 0, sizeof(*k));
	if (c == NULL) {
		k->ngroups = -1;
		return 1;
	}
	k->uid = c->uid;
	k->gid = c->gid;
	k->caps = c->caps;
	k->ngroups = c->ngroups;
	memcpy(k->groups, c->groups, (size_t)c->ngroups * sizeof(gid_t));
	return c->more == 0;
}

static int same_key(const struct key *a, const struct key *b)
{
	return a->uid == b->uid && a->gid == b->gid && a->caps == b->caps &&
	       a->ngroups == b->ngroups &&
	       (a->ngroups <= 0 ||
		memcmp(a->groups, b->groups,
		       (size_t)a->ngroups * sizeof(gid_t)) == 0);
}

/* Make a map as this thread's caller. */
static int build(struct procscan_map *m)
{
	int64_t t0 = clock_now_ns();
	int fd = open(PROC, O_RDONLY | O_DIRECTORY | O_CLOEXEC), res;

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return -errno;
	res = procscan_build_at(fd, procscan_shm_devs(),
				cred_caller() != NULL ? getpid() : 0, m);
	close(fd);
	log_debug("procscan: %zu holds%s, %lld us\n", m->n,
		  m->complete ? "" : " (incomplete)",
		  (long long)((clock_now_ns() - t0) / 1000));
	return res;
}

static void drop(struct slot *s)
{
	procscan_map_free(&s->map);
	s->state = FREE;
}

/*
 * Stale maps are freed; the slot for K: fresh or BUILDING, or one to
 * build in (FREE: the oldest map of other rights is dropped for it if
 * need be; maps are only read under the lock), or NULL when every slot
 * is being built.
 */
static struct slot *find(const struct key *k, int64_t now)
{
	struct slot *free_slot = NULL, *mine = NULL, *oldest = NULL;

	for (size_t i = 0; i < SLOTS; i++) {
		struct slot *s = &share.slot[i];

		if (s->state == READY && now - s->done_ns > s->fresh_ns)
			drop(s);
		if (s->state == FREE && free_slot == NULL)
			free_slot = s;
		else if (s->state != FREE && same_key(&s->key, k))
			mine = s;
		else if (s->state == READY &&
			 (oldest == NULL || s->done_ns < oldest->done_ns))
			oldest = s;
	}
	if (mine == NULL && free_slot == NULL && oldest != NULL) {
		drop(oldest);
		free_slot = oldest;
	}
	return mine != NULL ? mine : free_slot;
}

/* Without a slot: a caller that shares none. */
static int run_alone(int (*fn)(const struct procscan_map *m, void *ctx),
		     void *ctx)
{
	struct procscan_map m;
	int res = build(&m);

	if (res == 0)
		res = fn(&m, ctx);
	procscan_map_free(&m);
	return res;
}

int procscan_with_map(int (*fn)(const struct procscan_map *m, void *ctx),
		      void *ctx)
{
	struct key k;
	int shared = make_key(cred_serving(), &k), res, built;
	struct slot *s;
	int64_t t0;

	if (!defer_on_pool() && !shared)
		return -DEFER_AGAIN;
	if (!shared)
		return run_alone(fn, ctx);
	pthread_mutex_lock(&share.lock);
	for (;;) {
		s = find(&k, clock_now_ns());
		if (s != NULL && s->state == READY) {
			res = fn(&s->map, ctx);
			pthread_mutex_unlock(&share.lock);
			return res;
		}
		if (!defer_on_pool()) {
			pthread_mutex_unlock(&share.lock);
			return -DEFER_AGAIN;
		}
		if (s != NULL && s->state == FREE)
			break;
		pthread_cond_wait(&share.built, &share.lock);
	}
	s->state = BUILDING;
	s->key = k;
	pthread_mutex_unlock(&share.lock);
	t0 = clock_now_ns();
	built = build(&s->map);
	pthread_mutex_lock(&share.lock);
	res = built == 0 ? fn(&s->map, ctx) : built;
	if (built == 0) {
		s->state = READY;
		s->done_ns = clock_now_ns();
		s->fresh_ns = PROCSCAN_FRESH_RATIO * (s->done_ns - t0);
		if (s->fresh_ns < PROCSCAN_FRESH_NS)
			s->fresh_ns = PROCSCAN_FRESH_NS;
	} else {
		drop(s);
	}
	pthread_cond_broadcast(&share.built);
	pthread_mutex_unlock(&share.lock);
	return res;
}

struct run_ctx {
	const struct procscan_target *t;
	struct procscan *out;
};

static int run_lookup(const struct procscan_map *m, void *ctx)
{
	struct run_ctx *r = ctx;

	return procscan_lookup(m, r->t, r->out);
}

int procscan_run(const struct procscan_target *t, struct procscan *out)
{
	struct run_ctx r = { t, out };

	memset(out, 0, sizeof(*out));
	return procscan_with_map(run_lookup, &r);
}

/* ---- The kernel's shm mounts ---- */

#ifndef MFD_HUGE_SHIFT /* linux/memfd.h, which glibc's sys/mman.h lacks */
#define MFD_HUGE_SHIFT 26
#endif

/* Daemon-wide: the kernel's own shm mounts, the same for every instance. */
static struct procscan_devs shm_devs;
static pthread_once_t shm_devs_once = PTHREAD_ONCE_INIT;

/* Where a memfd of these FLAGS lives: where SysV segments of its page
 * size do (shmem_kernel_file_setup(), hugetlb_file_setup()). */
static void add_dev_of(unsigned flags)
{
	int fd = memfd_create("shmfs-probe", MFD_CLOEXEC | flags);
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && shm_devs.n < PROCSCAN_SHM_DEVS)
		shm_devs.dev[shm_devs.n++] = st.st_dev;
	close(fd);
}

static void find_shm_devs(void)
{
	DIR *d;
	struct dirent *de;

	shm_devs.text = getenv("SHMFS_PROCSCAN_TEXT") != NULL;
	add_dev_of(0);
	if (shm_devs.n == 0)
		log_warn("procscan: no memfd: SysV attachments not found\n");
	d = opendir("/sys/kernel/mm/hugepages");
	while (d != NULL && (de = readdir(d)) != NULL) {
		unsigned long kb;
		unsigned shift = 10;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1 || kb == 0)
			continue;
		while (shift < 63 && (1UL << (shift - 10)) < kb)
			shift++;
		add_dev_of(MFD_HUGETLB | shift << MFD_HUGE_SHIFT);
	}
	if (d != NULL)
		closedir(d);
}

const struct procscan_devs *procscan_shm_devs(void)
{
	pthread_once(&shm_devs_once, find_shm_devs);
	return &shm_devs;
}

int procscan_alive(pid_t pid)
{
	int fd = open(PROC, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int res;

	/* Without /proc only kill(2) can tell. */
	if (fd < 0)
		return pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH;
	res = procscan_alive_at(fd, pid);
	close(fd);
	return res;
}
