// SPDX-License-Identifier: GPL-2.0-or-later
#include "opts.h"

#include <fuse_lowlevel.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	KEY_ALLOW_OTHER,
	KEY_DISCARD,
	KEY_PASSTHROUGH,
};

/* clang-format off */
#define SHMFS_OPT(t, p) { t, offsetof(struct shmfs_opts, p), 1 }
/* clang-format on */

static const struct fuse_opt opt_spec[] = {
	SHMFS_OPT("posix_dir=%s", posix_dir),
	SHMFS_OPT("ipc_ns=%s", ipc_ns),
	SHMFS_OPT("kernel_cache", kernel_cache),
	FUSE_OPT_KEY("passthrough=", KEY_PASSTHROUGH),
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	/* Words only mount(8) and fstab mean something by. */
	FUSE_OPT_KEY("auto", KEY_DISCARD),
	FUSE_OPT_KEY("noauto", KEY_DISCARD),
	FUSE_OPT_KEY("nofail", KEY_DISCARD),
	FUSE_OPT_KEY("_netdev", KEY_DISCARD),
	FUSE_OPT_KEY("user", KEY_DISCARD),
	FUSE_OPT_KEY("nouser", KEY_DISCARD),
	FUSE_OPT_KEY("users", KEY_DISCARD),
	FUSE_OPT_KEY("defaults", KEY_DISCARD),
	FUSE_OPT_END,
};

static int set_passthrough(struct shmfs_opts *opts, const char *value)
{
	static const char *const names[] = {
		[PASSTHROUGH_AUTO] = "auto",
		[PASSTHROUGH_ON] = "on",
		[PASSTHROUGH_OFF] = "off",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(value, names[i]) == 0) {
			opts->passthrough = (enum shmfs_passthrough)i;
			return 0;
		}
	}
	fprintf(stderr, "shmfs: passthrough=%s: must be auto, on or off\n",
		value);
	return -1;
}

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct shmfs_opts *opts = data;

	(void)outargs;
	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		if (opts->npos == 2) {
			fprintf(stderr,
				"shmfs: too many arguments: `%s'\n"
				"see `shmfs --help' for usage\n",
				arg);
			return -1;
		}
		opts->pos[opts->npos] = strdup(arg);
		if (opts->pos[opts->npos] == NULL)
			return -1;
		opts->npos++;
		return 0;
	case FUSE_OPT_KEY_OPT:
		if (strncmp(arg, "x-systemd.", 10) == 0 ||
		    strncmp(arg, "comment=", 8) == 0)
			return 0;
		return 1;
	case KEY_ALLOW_OTHER:
		opts->allow_other = 1;
		return 1;
	case KEY_DISCARD:
		return 0;
	case KEY_PASSTHROUGH:
		return set_passthrough(opts, arg + strlen("passthrough="));
	default:
		return 1;
	}
}

int opts_parse(struct fuse_args *args, struct shmfs_opts *opts)
{
	if (fuse_opt_parse(args, opts, opt_spec, opt_proc) < 0)
		return -1;
	/* The kernel refuses FOPEN_KEEP_CACHE on a passthrough open. */
	if (opts->kernel_cache && opts->passthrough == PASSTHROUGH_ON) {
		fprintf(stderr, "shmfs: -o kernel_cache and -o passthrough=on "
				"exclude each other\n");
		return -1;
	}
	return 0;
}

const char *opts_mountpoint(const struct shmfs_opts *opts)
{
	return opts->npos > 0 ? opts->pos[opts->npos - 1] : NULL;
}

const char *opts_source(const struct shmfs_opts *opts)
{
	return opts->npos == 2 ? opts->pos[0] : NULL;
}

void opts_free(struct shmfs_opts *opts)
{
	for (int i = 0; i < opts->npos; i++)
		free(opts->pos[i]);
	free(opts->posix_dir);
	free(opts->ipc_ns);
	memset(opts, 0, sizeof(*opts));
}

void opts_print_help(const char *progname)
{
	printf("usage: %s [options] [source] mountpoint\n"
	       "\n"
	       "Shows shared memory as files:\n"
	       "    mountpoint/sysv/0x000004d2   System V segment, by key\n"
	       "    mountpoint/sysv-id/32769     System V segment, by shmid\n"
	       "    mountpoint/posix/NAME        POSIX object shm_open(\"/NAME\")\n"
	       "The source, if given, is only a name for mount(8).\n"
	       "\n"
	       "shmfs options:\n"
	       "    -o posix_dir=DIR       POSIX objects are the files of DIR\n"
	       "                           (default: /dev/shm; a container's:\n"
	       "                           /proc/PID/root/dev/shm)\n"
	       "    -o ipc_ns=PATH         serve the SysV segments of that IPC\n"
	       "                           namespace (e.g. /proc/PID/ns/ipc)\n"
	       "    -o ro                  read-only: every change fails, EROFS\n"
	       "    -o passthrough=auto|on|off\n"
	       "                           who moves the data of open files:\n"
	       "                           the kernel, straight to the shared\n"
	       "                           memory (on; auto where it can), or\n"
	       "                           the daemon (off; see shmfs(1),\n"
	       "                           DATA PATH)\n"
	       "    -o kernel_cache        speed over live reads, without\n"
	       "                           passthrough: contents go through the\n"
	       "                           kernel's page cache and\n"
	       "                           mmap(MAP_SHARED) works; stores by\n"
	       "                           processes already attached show only\n"
	       "                           once the cache is dropped (see\n"
	       "                           shmfs(1), CACHING)\n"
	       "    auto, noauto, nofail, _netdev, user, users, defaults,\n"
	       "    x-systemd.*, comment=* are fstab words, accepted and ignored\n"
	       "\n"
	       "Who may do what:\n"
	       "    Without allow_other only the user who mounted may use the\n"
	       "    mount.  With -o allow_other a root daemon does every open\n"
	       "    and change as the calling user, so the kernel's own rules\n"
	       "    decide (SysV: owner or creator, group, root passes);\n"
	       "    a daemon run by another user adds default_permissions, and\n"
	       "    nobody gets more than both the mode shown and that user's\n"
	       "    rights allow.  allow_other for non-root needs\n"
	       "    user_allow_other in /etc/fuse.conf.\n"
	       "\n",
	       progname);
	printf("FUSE options:\n");
	fuse_cmdline_help();
	fuse_lowlevel_help();
}

void opts_print_version(void)
{
	printf("shmfs version %s\n", PACKAGE_VERSION);
	printf("FUSE library version %s\n", fuse_pkgversion());
	fflush(stdout);
	fuse_lowlevel_version();
}
