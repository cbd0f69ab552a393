#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memfd/ (issue 26): listing it with SHMFS_BENCH_MEMFDS memfds (default
# 5,000) in SHMFS_BENCH_HOLDERS processes (default 500), against what
# lists them without shmfs in the same run: util-linux's lsfd, and ls of
# every /proc/PID/fd.  Medians of SHMFS_BENCH_ROUNDS runs (default 3),
# each past the holder map's window; and the scans one listing made.
#
#   meson test -C BUILD --benchmark --verbose perf-memfd
source "$(dirname "${BASH_SOURCE[0]}")/../mount/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

ROUNDS=${SHMFS_BENCH_ROUNDS:-3}
NMEMFDS=${SHMFS_BENCH_MEMFDS:-5000}
HOLDERS=${SHMFS_BENCH_HOLDERS:-500}
PER=$((NMEMFDS / HOLDERS))

# timed CMD...: the median of ROUNDS runs, each after the map's window
timed() {
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		sleep 0.6 # past the map's window (twice a scan of ~0.15 s)
		elapsed_ms "$@"
	done | median
}
# shellcheck disable=SC2010 # what is measured: ls of every /proc/PID/fd
proc_fds() { ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep -c 'memfd:shmfs-bench'; }

start_shmfs -o allow_other
for ((i = 0; i < HOLDERS; i++)); do
	"$H" memfd-hold "shmfs-bench$i" 4096 --count "$PER" 1200 >/dev/null 2>&1 &
	BG_PIDS+=("$!")
done
# shellcheck disable=SC2010 # what is measured: a listing of memfd/
count() { ls -f "$MNT/memfd" | grep -c '^shmfs-bench'; }
all_listed() { [[ $(count) == $((PER * HOLDERS)) ]]; }
wait_for 60 all_listed
assert_eq $((PER * HOLDERS)) "$(count)" "memfd/ lists every memfd once"
assert_eq $((PER * HOLDERS)) "$(proc_fds)" "the witness: as many descriptors in /proc"

printf '%-40s %12s\n' "$((PER * HOLDERS)) memfds in $HOLDERS processes" "ms"
printf '%-40s %12s\n' "ls -f memfd/" "$(timed ls -f "$MNT/memfd")"
printf '%-40s %12s\n' "ls -l memfd/" "$(timed ls -l "$MNT/memfd")"
if command -v lsfd >/dev/null; then
	printf '%-40s %12s\n' "lsfd -Q 'NAME =~ \"/memfd:\"'" \
		"$(timed lsfd -Q '(NAME =~ "/memfd:.*")' -o PID,INODE,NAME)"
fi
printf '%-40s %12s\n' "ls -l /proc/*/fd | grep memfd:" "$(timed proc_fds)"
stop_shmfs
start_shmfs -o allow_other -d
sleep 0.6
: >"$SHMFS_LOG"
ls -f "$MNT/memfd" >/dev/null
printf '%-40s %12s\n' "scans of one ls -f memfd/" "$(grep -ac 'procscan:' "$SHMFS_LOG")"
sleep 0.6
: >"$SHMFS_LOG"
ls -l "$MNT/memfd" >/dev/null
printf '%-40s %12s\n' "scans of one ls -l memfd/" "$(grep -ac 'procscan:' "$SHMFS_LOG")"
for op in READDIRPLUS LOOKUP GETATTR GETXATTR; do
	printf '%-40s %12s\n' "  $op requests" "$(grep -ac "opcode: $op " "$SHMFS_LOG")"
done
stop_shmfs
pass "measured"
