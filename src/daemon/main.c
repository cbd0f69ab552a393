// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shmfs: shared memory as a file tree.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cred.h"
#include "defer.h"
#include "fs.h"
#include "kind.h"
#include "log.h"
#include "node.h"
#include "opts.h"
#include "passthrough.h"

static void from_libfuse(enum fuse_log_level level, const char *fmt, va_list ap)
{
	log_vmsg((int)level, fmt, ap);
}

/* One clear line for the mistakes people make most. */
static int check_mountpoint(const char *path, char **real)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "shmfs: bad mount point `%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "shmfs: bad mount point `%s': %s\n", path,
			strerror(ENOTDIR));
		return -1;
	}
	*real = realpath(path, NULL);
	if (*real == NULL) {
		fprintf(stderr, "shmfs: bad mount point `%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Before any thread exists, so every thread serves that namespace. */
static int enter_ipc_ns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "shmfs: ipc_ns=%s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWIPC) < 0) {
		int err = errno;

		fprintf(stderr, "shmfs: ipc_ns=%s: %s\n", path,
			err == EINVAL  ? "not an IPC namespace"
			: err == EPERM ? "entering it needs CAP_SYS_ADMIN"
				       : strerror(err));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int add_mount_args(struct fuse_args *args, const struct shmfs_opts *opts)
{
	const char *source = opts_source(opts);
	char fsname[256] = "-ofsname=shmfs";

	/* A source with a comma would split the option; keep the default. */
	if (source != NULL && strchr(source, ',') == NULL &&
	    strlen(source) < sizeof(fsname) - 9)
		snprintf(fsname, sizeof(fsname), "-ofsname=%s", source);
	if (fuse_opt_add_arg(args, fsname) < 0)
		return -1;
	/* Without a root daemon to act as the caller, let the kernel check
	 * the modes we show before anyone else gets in. */
	if (opts->allow_other && !cred_active() &&
	    fuse_opt_add_arg(args, "-odefault_permissions") < 0)
		return -1;
	return 0;
}

#define IDLE_THREADS 4

static int run_loop(struct fuse_session *se,
		    const struct fuse_cmdline_opts *copts)
{
	struct fuse_loop_config *config;
	int res;

	if (copts->singlethread)
		return fuse_session_loop(se);
	config = fuse_loop_cfg_create();
	if (config == NULL)
		return -ENOMEM;
	fuse_loop_cfg_set_clone_fd(config, copts->clone_fd);
	/*
	 * UINT_MAX is libfuse's "not given", which its setter rejects.  Ours
	 * is a few idle threads, not all that a burst made: each holds a
	 * receive buffer of FS_MAX_IO that large writes fill.
	 */
	fuse_loop_cfg_set_idle_threads(config,
				       copts->max_idle_threads != UINT_MAX
					       ? copts->max_idle_threads
					       : IDLE_THREADS);
	fuse_loop_cfg_set_max_threads(config, copts->max_threads);
	res = fuse_session_loop_mt(se, config);
	fuse_loop_cfg_destroy(config);
	return res;
}

/*
 * Memory goes back to the system when it is freed.  glibc would otherwise
 * raise its mmap threshold after the first free of a large buffer (a
 * worker's receive buffer, a listing of tens of thousands of entries) and
 * keep the next ones in heaps it never shrinks; and it would give every
 * busy thread an arena of its own.
 */
static void tune_malloc(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 2);
#endif
}

/*
 * Every open file costs the daemon a descriptor; with the usual soft
 * limit of 1024 one user holding a thousand opens would lock everyone
 * else out.  Take what the hard limit allows.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts copts;
	struct shmfs_opts opts;
	struct fs_config cfg = { 0 };
	struct fuse_session *se;
	char *mountpoint = NULL;
	struct kind_inst insts[KINDS_MAX];
	size_t started = 0;
	struct kind_params params = { 0 }; /* what is not set: none */
	int res, ret = 1;

	tune_malloc();
	/* libfuse's own lines go where ours do (log.h). */
	fuse_set_log_func(from_libfuse);
	memset(&copts, 0, sizeof(copts));
	memset(&opts, 0, sizeof(opts));
	/* Create modes arrive with the caller's umask already applied. */
	umask(0);
	raise_fd_limit();
	log_setup(0);

	if (opts_parse(&args, &opts) < 0 ||
	    fuse_parse_cmdline(&args, &copts) != 0)
		goto out_opts;
	if (copts.show_help) {
		opts_print_help(argv[0]);
		ret = 0;
		goto out_opts;
	}
	if (copts.show_version) {
		opts_print_version();
		ret = 0;
		goto out_opts;
	}
	log_setup(copts.debug);
	if (opts_mountpoint(&opts) == NULL) {
		fprintf(stderr,
			"shmfs: no mount point\n"
			"see `%s --help' for usage\n",
			argv[0]);
		goto out_opts;
	}
	if (check_mountpoint(opts_mountpoint(&opts), &mountpoint) < 0)
		goto out_opts;

	if (opts.ipc_ns != NULL && enter_ipc_ns(opts.ipc_ns) < 0)
		goto out_mountpoint;
	cred_init(opts.allow_other && geteuid() == 0);

	params.posix_dir = opts.posix_dir;
	/* Entered above for the whole process: the instance is in it. */
	params.ipc_ns = NULL;
	/* One instance of each kind, for the daemon's namespace. */
	for (; kinds[started] != NULL && started < KINDS_MAX; started++) {
		insts[started].kind = kinds[started];
		insts[started].inst = NULL;
		if (kinds[started]->start(&params, &insts[started].inst) < 0)
			goto out_kinds;
	}
	if (add_mount_args(&args, &opts) < 0)
		goto out_kinds;

	cfg.kernel_cache = opts.kernel_cache;
	cfg.passthrough = opts.passthrough;
	cfg.insts = insts;
	cfg.ninsts = started;
	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &cfg);
	if (se == NULL)
		goto out_kinds;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, mountpoint) != 0)
		goto out_signals;
	if (passthrough_connect(se, &cfg) < 0)
		goto out_unmount;
	if (fuse_daemonize(copts.foreground) != 0)
		goto out_unmount;
	if (!copts.foreground)
		log_to_syslog();

	res = fs_start(se, &cfg);
	if (res < 0) {
		log_err("cannot start the thread that watches for changes: "
			"%s\n",
			strerror(-res));
		goto out_unmount;
	}
	/* After fuse_daemonize(): its fork keeps no thread. */
	res = defer_start();
	if (res < 0) {
		log_err("cannot start the scan threads: %s\n", strerror(-res));
		fs_stop(&cfg);
		goto out_unmount;
	}
	/*
	 * libfuse's handlers end the loop with the signal's number: SIGTERM
	 * (systemctl stop), SIGINT and SIGHUP are a stop asked for, and we
	 * unmount below; only -errno is an error.
	 */
	ret = run_loop(se, &copts) < 0;
	defer_stop();
	fs_stop(&cfg);

out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_kinds:
	node_clear();
	/* In reverse, each kind that started. */
	while (started > 0) {
		started--;
		insts[started].kind->stop(insts[started].inst);
	}
out_mountpoint:
	free(mountpoint);
out_opts:
	opts_free(&opts);
	free(copts.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
