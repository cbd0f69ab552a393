#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Performance of shmfs against the kernel's own path, measured side by side
# in the same run: the same tool on a same-size file in /dev/shm (tmpfs).
# Rounds alternate shmfs and native; the median of each is compared.
# Prints one table: workload, shmfs, native, ratio, target, met.
#
#   meson test -C BUILD --benchmark --verbose      (or SHMFS_BENCH_ROUNDS=N)
source "$(dirname "${BASH_SOURCE[0]}")/../mount/lib.sh"

ROUNDS=${SHMFS_BENCH_ROUNDS:-5}
BIG=$((512 << 20))
NSEGS=${SHMFS_BENCH_SEGMENTS:-20000}

# Private namespaces: these limits are the test's own.
mount -o remount,size=3g /dev/shm
sysctl -q -w kernel.shmmni=32768

now_ns() { date +%s%N; }
# elapsed_ms CMD...: wall time of CMD in milliseconds (3 decimals)
elapsed_ms() {
	local t0 t1
	t0=$(now_ns)
	"$@" >/dev/null 2>&1
	t1=$(now_ns)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ROWS=()
# row NAME SHMFS NATIVE UNIT RATIO TARGET MET
row() { ROWS+=("$(printf '%-44s %12s %12s %-6s %7s %8s  %s' "$@")"); }
# ratio A B: A / B, two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# rate MB MS: MB/s
rate() { awk -v m="$1" -v t="$2" 'BEGIN { printf "%.0f", m / (t / 1000) }'; }
# judge VALUE OP LIMIT: "met" or "NOT MET"; OP is >= or <=
judge() {
	awk -v v="$1" -v op="$2" -v l="$3" \
		'BEGIN { ok = (op == ">=") ? v >= l : v <= l; print ok ? "met" : "NOT MET" }'
}
# compare NAME TARGET(>=) SHMFS-MS NATIVE-MS MB: throughput of MB moved
compare() {
	local name=$1 target=$2 s=$3 n=$4 mb=$5 q
	q=$(ratio "$n" "$s")
	row "$name" "$(rate "$mb" "$s")" "$(rate "$mb" "$n")" MB/s \
		"$q" ">= $target" "$(judge "$q" ">=" "$target")"
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

start_shmfs
"$H" sysv-create 0xbe7c "$BIG" 0600 >/dev/null
S=$MNT/sysv/0x0000be7c
N=/dev/shm/native
dd if=/dev/zero of="$N" bs=1M count=$((BIG >> 20)) status=none
dd if="$N" of="$S" bs=1M status=none # every page of both resident

section "sequential I/O, 1 MiB blocks, 512 MiB ($ROUNDS rounds each)"
for w in read write two; do
	: >"$TMP/$w.s"
	: >"$TMP/$w.n"
done
for ((i = 0; i < ROUNDS; i++)); do
	elapsed_ms dd_read "$S" >>"$TMP/read.s"
	elapsed_ms dd_read "$N" >>"$TMP/read.n"
	elapsed_ms two_readers "$S" >>"$TMP/two.s"
	elapsed_ms two_readers "$N" >>"$TMP/two.n"
	elapsed_ms dd_write "$S" >>"$TMP/write.s"
	elapsed_ms dd_write "$N" >>"$TMP/write.n"
done
compare "sequential read, 1 reader" 0.75 "$(median <"$TMP/read.s")" "$(median <"$TMP/read.n")" 512
compare "sequential read, 2 readers in parallel" 0.65 "$(median <"$TMP/two.s")" "$(median <"$TMP/two.n")" 1024
compare "sequential write" 0.70 "$(median <"$TMP/write.s")" "$(median <"$TMP/write.n")" 512

section "random 4 KiB reads"
if command -v fio >/dev/null; then
	fio_iops() {
		fio --name=rand --filename="$1" --rw=randread --bs=4k --size=$BIG \
			--runtime=3 --time_based --ioengine=psync --invalidate=0 \
			--output-format=terse --terse-version=3 2>/dev/null | cut -d';' -f8
	}
	: >"$TMP/rand.s"
	: >"$TMP/rand.n"
	for ((i = 0; i < 3; i++)); do
		fio_iops "$S" >>"$TMP/rand.s"
		fio_iops "$N" >>"$TMP/rand.n"
	done
	rs=$(median <"$TMP/rand.s")
	rn=$(median <"$TMP/rand.n")
	q=$(ratio "$rs" "$rn")
	row "random 4 KiB reads (fio, psync)" "$rs" "$rn" IOPS "$q" ">= 0.08" "$(judge "$q" ">=" 0.08)"
else
	echo "fio is not installed: random reads not measured"
fi

# Speed mode: the same file, mounted -o kernel_cache, read once to fill
# the page cache, then the same workloads (no target: the trade-off is
# described in docs/performance.md).
section "-o kernel_cache: re-reads from the page cache"
stop_shmfs
start_shmfs -o kernel_cache
cat "$S" >/dev/null
: >"$TMP/kc.s"
: >"$TMP/kc.n"
: >"$TMP/kcw.s"
: >"$TMP/kcw.n"
for ((i = 0; i < ROUNDS; i++)); do
	elapsed_ms dd_read "$S" >>"$TMP/kc.s"
	elapsed_ms dd_read "$N" >>"$TMP/kc.n"
done
kcs=$(median <"$TMP/kc.s")
kcn=$(median <"$TMP/kc.n")
q=$(ratio "$kcn" "$kcs")
row "kernel_cache: sequential re-read, 1 reader" "$(rate 512 "$kcs")" "$(rate 512 "$kcn")" MB/s "$q" - info
if command -v fio >/dev/null; then
	: >"$TMP/kcr.s"
	: >"$TMP/kcr.n"
	for ((i = 0; i < 3; i++)); do
		fio_iops "$S" >>"$TMP/kcr.s"
		fio_iops "$N" >>"$TMP/kcr.n"
	done
	rs=$(median <"$TMP/kcr.s")
	rn=$(median <"$TMP/kcr.n")
	row "kernel_cache: random 4 KiB reads" "$rs" "$rn" IOPS "$(ratio "$rs" "$rn")" - info
fi
for ((i = 0; i < ROUNDS; i++)); do
	elapsed_ms dd_write "$S" >>"$TMP/kcw.s"
	elapsed_ms dd_write "$N" >>"$TMP/kcw.n"
done
kcs=$(median <"$TMP/kcw.s")
kcn=$(median <"$TMP/kcw.n")
row "kernel_cache: sequential write" "$(rate 512 "$kcs")" "$(rate 512 "$kcn")" MB/s "$(ratio "$kcn" "$kcs")" - info
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
# has cached, with the whole table to poll: chmod by shmctl(IPC_SET),
# then stat through the mount until it shows.
V=$MNT/sysv/$(printf '0x%08x' 0x10000)
: >"$TMP/vis"
for ((i = 0; i < 10; i++)); do
	stat "$V" >/dev/null
	sleep 0.0$((RANDOM % 10)) # any phase of the watcher's poll
	mode=$((i % 2 ? 640 : 604))
	"$H" sysv-chmod 0x10000 "$mode"
	t0=$(now_ns)
	until [[ $(stat -c %a "$V") == "$mode" ]]; do :; done
	t1=$(now_ns)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }' >>"$TMP/vis"
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
printf '%-44s %12s %12s %-6s %7s %8s  %s\n' workload shmfs native unit ratio target result
for r in "${ROWS[@]}"; do echo "$r"; done
echo
pass "benchmark ran"
