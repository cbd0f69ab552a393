#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fresh Debian roots for the tests in this folder: what a newcomer has
# before installing anything.  Sourced by tests/fresh/test-*.sh, run by
# tests/run.sh (its pass 4) as root.
#
# A pristine root of each suite is made once by debootstrap
# --variant=minbase from the Debian mirror the host's apt uses, and kept as
# a tarball outside the clone ($SHMFS_FRESH_CACHE, default
# /var/cache/shmfs-ci/SUITE-minbase.tar).  Every test extracts its own copy
# into a temporary directory and removes it at exit.
#
# fresh_in ROOT COMMAND... runs COMMAND with ROOT as its root (pivot_root)
# inside new mount,
# PID and IPC namespaces, with /proc, /sys, a tmpfs /run, /dev/shm and a
# small /dev (null, zero, full, random, urandom, tty, fuse, ptmx, pts)
# mounted there and nowhere else: when COMMAND ends, its namespaces end,
# and with them every mount and every process it left (a daemon that
# setup.sh started), so nothing outlives a test even when it fails.
set -u

FRESH_CACHE=${SHMFS_FRESH_CACHE:-/var/cache/shmfs-ci}
FRESH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FRESH_TMP=$(mktemp -d "${TMPDIR:-/var/tmp}/shmfs-fresh.XXXXXX") || exit 1

# The unshare of the fresh_check_in that runs, if any: killed (SIGKILL,
# as it ignores SIGTERM) when this test ends early, which ends the
# namespace's first process (--kill-child) and with it every process there.
FRESH_PID=
fresh_stop() {
	[ -n "$FRESH_PID" ] || return 0
	kill -KILL "$FRESH_PID" 2>/dev/null
	wait "$FRESH_PID" 2>/dev/null
	FRESH_PID=
}
fresh_interrupted() {
	[ -n "$FRESH_PID" ] || return 0
	fresh_stop
	echo "    the root's last output:" >&2
	tail -n 20 "$FRESH_TMP/out" 2>/dev/null | sed 's/^/    | /' >&2
}
fresh_cleanup() {
	fresh_stop
	# Nothing is mounted under FRESH_TMP outside fresh_in's namespaces;
	# refuse to remove a tree that has a mount all the same.
	if grep -qF " $FRESH_TMP/" /proc/self/mounts; then
		echo "fresh: mounts left under $FRESH_TMP, not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$FRESH_TMP"
}
# shellcheck disable=SC2154 # assigned as the trap runs
trap 'fresh_rc=$?; fresh_cleanup; exit $fresh_rc' EXIT
# A timeout (tests/run.sh) or an interrupt: say so, stop the root's
# processes, and remove the copies (the EXIT trap).
for sig in TERM INT HUP; do
	# shellcheck disable=SC2064 # $sig now
	trap "echo 'FAIL - interrupted by SIG$sig' >&2; fresh_interrupted; exit 1" "$sig"
done

# shellcheck source=tests/fresh/check.sh
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
fresh_cannot_run() {
	echo "cannot run: $*" >&2
	[[ ${CI:-} == true ]] && exit 1
	exit 77
}

[ "$(id -u)" -eq 0 ] || fresh_cannot_run "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null ||
	fresh_cannot_run "debootstrap is not installed (tests/run.sh installs it)"
[ -c /dev/fuse ] || fresh_cannot_run "no /dev/fuse"

# The Debian mirror (not security) that the host's apt uses.
fresh_mirror() {
	apt-get indextargets 'Created-By: Packages' 'Label: Debian' \
		--format '$(REPO_URI)' 2>/dev/null | sort -u | head -n 1
}

# fresh_pristine SUITE: the pristine root's tarball, made if missing.
fresh_pristine() {
	local suite=$1 tar=$FRESH_CACHE/$1-minbase.tar mirror dir
	mkdir -p "$FRESH_CACHE" || return 1
	(
		flock 9 || exit 1
		[ -s "$tar" ] && exit 0
		# Under the lock, a build directory left here is a killed run's.
		rm -rf --one-file-system "$FRESH_CACHE/$suite".?????? "$FRESH_CACHE/$suite".??????.log "$tar.new"
		mirror=$(fresh_mirror)
		[ -n "$mirror" ] || {
			echo "fresh: no Debian mirror in the host's apt sources" >&2
			exit 1
		}
		dir=$(mktemp -d "$FRESH_CACHE/$suite.XXXXXX") || exit 1
		echo "# debootstrap --variant=minbase $suite (cached in $tar)" >&2
		if ! debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$dir.log" 2>&1; then
			tail -n 20 "$dir.log" >&2
			rm -rf --one-file-system "$dir" "$dir.log"
			exit 1
		fi
		# Complete and on disk before it takes the name the tests read.
		if ! { tar -C "$dir" --numeric-owner -cf "$tar.new" . && sync "$tar.new" &&
			mv "$tar.new" "$tar"; }; then
			echo "fresh: could not write $tar" >&2
			rm -rf --one-file-system "$dir" "$dir.log" "$tar.new"
			exit 1
		fi
		rm -rf --one-file-system "$dir" "$dir.log"
	) 9>"$FRESH_CACHE/.lock"
}

# fresh_root SUITE NAME: a pristine copy of SUITE in $FRESH_TMP/NAME, with
# the host's resolver and the host's apt proxy and date-check settings
# (whatever they are; none is named here).  Prints its path.
fresh_root() {
	local suite=$1 dir=$FRESH_TMP/$2
	fresh_pristine "$suite" || return 1
	mkdir "$dir" || return 1
	if ! tar -C "$dir" --numeric-owner -xf "$FRESH_CACHE/$suite-minbase.tar"; then
		# Damaged (a full disk?): made again by the next run.
		echo "fresh: $FRESH_CACHE/$suite-minbase.tar does not extract; removed" >&2
		(flock 9 && rm -f "$FRESH_CACHE/$suite-minbase.tar") 9>"$FRESH_CACHE/.lock"
		return 1
	fi
	cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null
	apt-config dump 2>/dev/null | grep -E '^Acquire::([^ ]*::)?(Proxy|Check-Valid-Until|Check-Date) ' \
		>"$dir/etc/apt/apt.conf.d/00host"
	echo "$dir"
}

# fresh_in ROOT COMMAND...: see the top of this file.
fresh_in() {
	local dir=$1 run=
	shift
	# In a subshell (fresh_check_in's &), unshare takes its place, so that
	# $! is unshare's PID, which fresh_stop kills.
	[ "$BASHPID" = "$$" ] || run="exec"
	$run unshare --mount --pid --ipc --fork --kill-child --propagation private \
		bash -c '
		set -e
		r=$1
		shift
		# The root a mount point, as unshare --mount inside needs.
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount -t sysfs -o ro sysfs "$r/sys"
		mount -t tmpfs -o mode=755 run "$r/run"
		mkdir -p "$r/run/lock"
		mount -t tmpfs -o mode=755 dev "$r/dev"
		for d in null zero full random urandom tty fuse; do
			touch "$r/dev/$d"
			mount --bind "/dev/$d" "$r/dev/$d"
		done
		mkdir "$r/dev/pts" "$r/dev/shm"
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
		ln -s pts/ptmx "$r/dev/ptmx"
		ln -s /proc/self/fd "$r/dev/fd"
		ln -s /proc/self/fd/0 "$r/dev/stdin"
		ln -s /proc/self/fd/1 "$r/dev/stdout"
		ln -s /proc/self/fd/2 "$r/dev/stderr"
		mount -t tmpfs -o mode=1777 shm "$r/dev/shm"
		# pivot_root, not only chroot: a test that enters a mount
		# namespace (nsenter) must find the same root there.
		cd "$r"
		pivot_root . mnt
		exec /usr/sbin/chroot . /bin/sh -c '\''umount -l /mnt && exec "$@"'\'' sh \
			/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 TERM=dumb "$@"
	' fresh "$dir" "$@"
}

# fresh_copy_src ROOT DEST: a copy of this checkout at DEST in ROOT, as a
# clone would have it (no build directories, no .git).
fresh_copy_src() {
	mkdir -p "$1$2" &&
		tar -C "$FRESH_SRC" --exclude='./build*' --exclude=./.git --exclude=./pkg \
			-cf - . | tar -C "$1$2" -xf -
}

# fresh_check_in ROOT NAME COMMAND...: fresh_in, showing and counting the
# ok/FAIL lines it prints; a run that fails without saying why fails too.
fresh_check_in() {
	local root=$1 name=$2 out rc t0=$SECONDS before=$fresh_failed
	shift 2
	# In the background, so that a signal to this test is handled at once
	# (fresh_stop), not when the root's command ends.
	fresh_in "$root" "$@" >"$FRESH_TMP/out" 2>&1 </dev/null &
	FRESH_PID=$!
	wait "$FRESH_PID" && rc=0 || rc=$?
	FRESH_PID=
	out=$(<"$FRESH_TMP/out")
	printf '%s\n' "$out"
	echo "# time: $name: $((SECONDS - t0)) s"
	fresh_count "$out"
	if [ "$rc" -ne 0 ] && [ "$fresh_failed" -eq "$before" ]; then
		fail "$name: exit $rc"
	fi
}

# timed NAME COMMAND...: run COMMAND, then print how long it took.
timed() {
	local name=$1 t0=$SECONDS rc
	shift
	"$@" && rc=0 || rc=$?
	echo "# time: $name: $((SECONDS - t0)) s" >&2
	return $rc
}
