#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the attributes that scan /proc cost (user.shm.pids, .orphan,
# .pagesize, .status, .all): getfattr of one of them with 500 extra
# processes running, and user.shm.all of 1,000 segments, each against the
# same command on an attribute that needs no scan.  Medians of SHMFS_BENCH_ROUNDS
# runs (default 5): wall time of the whole command, fork and exec
# included; and the time of one scan in the daemon, from its debug log.
#
#   meson test -C BUILD --benchmark --verbose perf-admin
source "$(dirname "${BASH_SOURCE[0]}")/../mount/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

ROUNDS=${SHMFS_BENCH_ROUNDS:-5}
NPROC=${SHMFS_BENCH_PROCESSES:-500}
NSEGS=${SHMFS_BENCH_SEGMENTS:-1000}

# timed NAME CMD...: the median of ROUNDS runs of CMD, one table row
timed() {
	local name=$1 i
	shift
	: >"$TMP/t"
	for ((i = 0; i < ROUNDS; i++)); do elapsed_ms "$@" >>"$TMP/t"; done
	printf '%-62s %10s ms\n' "$name" "$(median <"$TMP/t")"
}
nprocs() { find /proc -maxdepth 1 -name '[0-9]*' | wc -l; }

start_shmfs
"$H" sysv-create-many 0x10000 "$NSEGS" 4096 || exit 1
"$H" posix-create obj 4096 || exit 1
bg_helper "$TMP/sysv-holder" sysv-hold 0x10000 600 || exit 1
bg_helper "$TMP/posix-holder" posix-hold obj --open 600 || exit 1
S=$MNT/sysv/0x00010000
P=$MNT/posix/obj

rows() {
	timed "getfattr -n user.shm.key (no scan), SysV" getfattr -n user.shm.key "$S"
	timed "getfattr -n user.shm.pids, SysV" getfattr -n user.shm.pids "$S"
	timed "getfattr -n user.shm.pids, POSIX (maps and descriptors)" getfattr -n user.shm.pids "$P"
	timed "getfattr -n user.shm.all, one SysV segment" getfattr -n user.shm.all "$S"
	timed "getfattr -n user.shm.nattch (no scan) of $NSEGS segments" \
		getfattr -n user.shm.nattch "$MNT"/sysv-id/*
	timed "getfattr -n user.shm.all of $NSEGS segments" getfattr -n user.shm.all "$MNT"/sysv-id/*
	timed "ls -l of $NSEGS segments" ls -l "$MNT/sysv-id"
}

# scan_us WHAT PATH: the median time the daemon (with -d) spent in one
# scan for getfattr -n user.shm.pids PATH
scan_us() {
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		: >"$SHMFS_LOG"
		getfattr -n user.shm.pids "$2" >/dev/null 2>&1
		grep -ao 'procscan: .* [0-9]* us' "$SHMFS_LOG" | awk '{ print $(NF - 1) }'
	done | median
}
scans() {
	printf '%-62s %10s us\n' "one scan in the daemon, SysV" "$(scan_us sysv "$S")"
	printf '%-62s %10s us\n' "one scan in the daemon, POSIX" "$(scan_us posix "$P")"
}

measure() {
	rows
	stop_shmfs
	start_shmfs -d
	scans
	stop_shmfs
	start_shmfs
}

section "$(nprocs) processes"
measure
for ((i = 0; i < NPROC; i++)); do
	sleep 600 &
	BG_PIDS+=("$!")
done
section "$(nprocs) processes ($NPROC sleep(1) added)"
measure
pass "measured"
