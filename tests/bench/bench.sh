#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Performance of shmfs against the kernel's own path, measured side by side
# in the same run: the same tool on a same-size file in /dev/shm (tmpfs).
# Rounds alternate shmfs and native; the median of each is compared.
# The data path is measured in both modes (shmfs(1), DATA PATH): the
# kernel's passthrough, and the daemon's (-o passthrough=off), for a SysV
# segment and a POSIX object each.
# Prints one table: workload, shmfs, native, ratio, target, met.
#
#   meson test -C BUILD --benchmark --verbose      (or SHMFS_BENCH_ROUNDS=N)
source "$(dirname "${BASH_SOURCE[0]}")/../mount/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

ROUNDS=${SHMFS_BENCH_ROUNDS:-5}
BIG=$((512 << 20))
NSEGS=${SHMFS_BENCH_SEGMENTS:-20000}

# Private namespaces: these limits are the test's own.
mount -o remount,size=3g /dev/shm
sysctl -q -w kernel.shmmni=32768


ROWS=()
# row NAME SHMFS NATIVE UNIT RATIO TARGET MET
row() { ROWS+=("$(printf '%-52s %12s %12s %-6s %7s %8s  %s' "$@")"); }
# ratio A B: A / B, two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# rate MB MS: MB/s
rate() { awk -v m="$1" -v t="$2" 'BEGIN { printf "%.0f", m / (t / 1000) }'; }
# judge VALUE OP LIMIT: "met" or "NOT MET"; OP is >= or <=
judge() {
	awk -v v="$1" -v op="$2" -v l="$3" \
		'BEGIN { ok = (op == ">=") ? v >= l : v <= l; print ok ? "met" : "NOT MET" }'
}
# throughput NAME TARGET MB FN: ROUNDS alternating timed runs of FN on the
# shmfs file ($S) and the native one ($N), medians compared as MB/s.
# TARGET is a minimum ratio, or - for a row that only informs.
throughput() {
	local name=$1 target=$2 mb=$3 fn=$4 s n
	: >"$TMP/t.s"
	: >"$TMP/t.n"
	for ((i = 0; i < ROUNDS; i++)); do
		elapsed_ms "$fn" "$S" >>"$TMP/t.s"
		elapsed_ms "$fn" "$N" >>"$TMP/t.n"
	done
	s=$(median <"$TMP/t.s")
	n=$(median <"$TMP/t.n")
	verdict "$name" "$(rate "$mb" "$s")" "$(rate "$mb" "$n")" MB/s "$(ratio "$n" "$s")" "$target"
}
# random_reads NAME TARGET: fio's 4 KiB random reads, 3 runs each, IOPS
random_reads() {
	local s n
	if ! command -v fio >/dev/null; then
		echo "fio is not installed: $1 not measured"
		return
	fi
	: >"$TMP/r.s"
	: >"$TMP/r.n"
	for ((i = 0; i < 3; i++)); do
		fio_iops "$S" >>"$TMP/r.s"
		fio_iops "$N" >>"$TMP/r.n"
	done
	s=$(median <"$TMP/r.s")
	n=$(median <"$TMP/r.n")
	verdict "$1" "$s" "$n" IOPS "$(ratio "$s" "$n")" "$2"
}
# verdict NAME SHMFS NATIVE UNIT RATIO TARGET(a minimum ratio, or -)
verdict() {
	if [[ $6 == - ]]; then
		row "$1" "$2" "$3" "$4" "$5" - info
	else
		row "$1" "$2" "$3" "$4" "$5" ">= $6" "$(judge "$5" ">=" "$6")"
	fi
}

dd_read() { dd if="$1" of=/dev/null bs=1M; }
dd_write() { dd if=/dev/zero of="$1" bs=1M count=$((BIG >> 20)) conv=notrunc; }
two_readers() {
	local a b
	dd_read "$1" &
	a=$!
	dd_read "$1" &
	b=$!
	wait "$a" "$b" # not a bare wait: the daemon is a child too
}
fio_iops() {
	fio --name=rand --filename="$1" --rw=randread --bs=4k --size=$BIG \
		--runtime=3 --time_based --ioengine=psync --invalidate=0 \
		--output-format=terse --terse-version=3 2>/dev/null | cut -d';' -f8
}
# fio_map_mbps FILE: MB/s of 1 MiB sequential reads through a shared
# mapping (fio's mmap engine copies out of it), or nothing if it fails
fio_map_mbps() {
	fio --name=map --filename="$1" --rw=read --bs=1M --size=$BIG \
		--runtime=3 --time_based --ioengine=mmap --invalidate=0 \
		--output-format=terse --terse-version=3 2>/dev/null |
		awk -F';' '$5 == 0 && $7 > 0 { printf "%.0f\n", $7 * 1024 / 1e6 }'
}
# mapped_reads NAME TARGET: fio_map_mbps, 3 runs each
mapped_reads() {
	local s n
	command -v fio >/dev/null || return
	: >"$TMP/m.s"
	: >"$TMP/m.n"
	for ((i = 0; i < 3; i++)); do
		fio_map_mbps "$S" >>"$TMP/m.s"
		fio_map_mbps "$N" >>"$TMP/m.n"
	done
	n=$(median <"$TMP/m.n")
	if [[ ! -s $TMP/m.s ]]; then
		row "$1" "ENODEV" "$n" MB/s - - "no mapping"
		return
	fi
	s=$(median <"$TMP/m.s")
	verdict "$1" "$s" "$n" MB/s "$(ratio "$s" "$n")" "$2"
}
# cpu_ticks: the daemon's user and system time so far, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SHMFS_PID/stat"; }

SYSV=$MNT/sysv/0x0000be7c
POSIX=$MNT/posix/bench
# In a directory of its own: the watcher's inotify sees /dev/shm only.
N=/dev/shm/native.d/native
mkdir /dev/shm/native.d
"$H" sysv-create 0xbe7c "$BIG" 0600 >/dev/null
"$H" posix-create bench 0 0600 >/dev/null
dd if=/dev/zero of="$N" bs=1M count=$((BIG >> 20)) status=none
dd if=/dev/zero of=/dev/shm/bench bs=1M count=$((BIG >> 20)) status=none
"$H" sysv-fill 0xbe7c 1 # every page of each resident

# data_path MODE OPTIONS: every workload on both kinds, mounted with
# OPTIONS.  Targets: passthrough is the speed of /dev/shm but for SysV
# writes, which still go through the daemon; the daemon's own path is
# held to the targets it had before passthrough.
data_path() {
	local mode=$1 kind r1 r2 w rr mr t0 cpu
	shift
	start_shmfs "$@"
	for kind in SysV POSIX; do
		if [[ $mode == passthrough ]]; then
			r1=0.90 r2=0.90 rr=0.80 mr=0.90
			w=$([[ $kind == SysV ]] && echo 0.50 || echo 0.90)
		else
			r1=0.75 r2=0.65 w=0.70 rr=0.08 mr=-
		fi
		S=$([[ $kind == SysV ]] && echo "$SYSV" || echo "$POSIX")
		section "$mode, $kind: 1 MiB blocks, 512 MiB ($ROUNDS rounds each)"
		throughput "$mode, $kind: sequential read, 1 reader" $r1 512 dd_read
		throughput "$mode, $kind: sequential read, 2 readers" $r2 1024 two_readers
		throughput "$mode, $kind: sequential write" $w 512 dd_write
		section "$mode, $kind: random 4 KiB reads, mapped reads"
		t0=$(cpu_ticks)
		random_reads "$mode, $kind: random 4 KiB reads (fio, psync)" $rr
		# What the daemon spent, per second of its 3 runs of 3 s.
		cpu=$(awk -v t=$(($(cpu_ticks) - t0)) -v hz="$(getconf CLK_TCK)" \
			'BEGIN { printf "%.3f", t / hz / 9 }')
		[[ $mode == passthrough ]] &&
			row "passthrough, $kind: daemon CPU in those reads" "$cpu" - s/s - "<= 0.05" \
				"$(judge "$cpu" "<=" 0.05)"
		mapped_reads "$mode, $kind: mapped reads (fio, mmap)" $mr
	done
	stop_shmfs
}
data_path passthrough
data_path off -o passthrough=off

# Speed mode: the SysV segment, mounted -o kernel_cache and read once to
# fill the page cache, under the same workloads.  No target: the trade-off
# is in docs/performance.md.
section "-o kernel_cache: contents through the page cache"
start_shmfs -o kernel_cache
S=$SYSV
cat "$S" >/dev/null
throughput "kernel_cache: sequential re-read, 1 reader" - 512 dd_read
random_reads "kernel_cache: random 4 KiB reads" -
throughput "kernel_cache: sequential write" - 512 dd_write
stop_shmfs
start_shmfs

section "metadata: $NSEGS segments"
"$H" sysv-create-many 0x10000 "$NSEGS" 4096
assert_eq "$((NSEGS + 1))" "$(ls "$MNT/sysv" | wc -l)" "all $NSEGS segments listed"
: >"$TMP/ls.s"
: >"$TMP/ls.n"
for ((i = 0; i < 3; i++)); do
	elapsed_ms ls -l "$MNT/sysv" >>"$TMP/ls.s"
	elapsed_ms ipcs -m >>"$TMP/ls.n"
done
ls_s=$(median <"$TMP/ls.s")
ls_n=$(median <"$TMP/ls.n")
q=$(ratio "$ls_s" "$ls_n")
row "ls -l sysv/ vs ipcs -m ($NSEGS segments)" "$ls_s" "$ls_n" ms "$q" "<= 3" "$(judge "$q" "<=" 3)"

# How long a change made elsewhere takes to show in attributes the kernel
# has cached, with the whole table to poll: chmod by shmctl(IPC_SET), then
# stat(2) through the mount every 0.2 ms until it shows (shmhelper).
V=$MNT/sysv/$(printf '0x%08x' 0x10000)
: >"$TMP/vis"
for ((i = 0; i < 10; i++)); do
	stat "$V" >/dev/null
	sleep 0.0$((RANDOM % 10)) # any phase of the watcher's poll
	"$H" sysv-chmod 0x10000 $((i % 2 ? 640 : 604)) "$V" >>"$TMP/vis"
done
vmax=$(sort -g "$TMP/vis" | tail -1)
row "change elsewhere visible, worst of 10 ($NSEGS segs)" "$vmax" - ms - "<= 100" \
	"$(judge "$vmax" "<=" 100)"
row "change elsewhere visible, median of 10" "$(median <"$TMP/vis")" - ms - - info

# Eight files open, as a busy mount has.
for ((i = 0; i < 8; i++)); do
	exec {fd}<"$MNT/sysv/$(printf '0x%08x' $((0x10000 + i)))"
	FDS+=("$fd")
done
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SHMFS_PID/status")
for fd in "${FDS[@]}"; do exec {fd}<&-; done
row "daemon RSS, $NSEGS listed, 8 files open" "$((rss_kb / 1024))" - MiB - "<= 16" \
	"$(judge "$rss_kb" "<=" $((16 * 1024)))"
stop_shmfs

section "mount ready: exec to mounted"
: >"$TMP/mount.s"
for ((i = 0; i < ROUNDS; i++)); do
	# shmfs daemonizes once the mount is in place
	elapsed_ms "$SHMFS" "$MNT" >>"$TMP/mount.s"
	fusermount3 -u "$MNT"
	wait_for 5 sh -c "! pgrep -f '^$SHMFS $MNT\$' >/dev/null"
done
mt=$(median <"$TMP/mount.s")
row "mount ready (exec to mounted)" "$mt" - ms - "<= 50" "$(judge "$mt" "<=" 50)"

echo
printf '%-52s %12s %12s %-6s %7s %8s  %s\n' workload shmfs native unit ratio target result
for r in "${ROWS[@]}"; do echo "$r"; done
echo
pass "benchmark ran"
