#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Who holds what, for a whole tree (issue 24): getfattr -R -n
# user.shm.pids over sysv/ against getfattr -R -n user.shm.nattch (no
# scan) over the same tree, in the same run, with SHMFS_BENCH_SEGMENTS
# segments (default 20,000) and, in turn, each count of extra processes
# in SHMFS_BENCH_PROCESSES (default "500 1000 5000"), 100 of them
# attached to a segment each.  Medians of SHMFS_BENCH_ROUNDS runs
# (default 3); and the scans the daemon made for one more walk.  Then
# one scan's time by PROCMAP_QUERY and by the text of maps.
#
#   meson test -C BUILD --benchmark --verbose perf-holders
source "$(dirname "${BASH_SOURCE[0]}")/../mount/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"

ROUNDS=${SHMFS_BENCH_ROUNDS:-3}
NSEGS=${SHMFS_BENCH_SEGMENTS:-20000}
COUNTS=${SHMFS_BENCH_PROCESSES:-500 1000 5000}
ATTACHED=100

nprocs() { find /proc -maxdepth 1 -name '[0-9]*' 2>/dev/null | wc -l; }
# walk ATTR: the median of ROUNDS walks of sysv/ reading ATTR
walk() {
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		elapsed_ms getfattr -R -n "user.shm.$1" "$MNT/sysv"
	done | median
}

# This IPC namespace only (lib.sh made it): room for the segments.
echo $((NSEGS + 1000)) >/proc/sys/kernel/shmmni || fail "cannot raise shmmni in the test's IPC namespace"
"$H" sysv-create-many 0x10000 "$NSEGS" 4096 || exit 1
start_shmfs
for ((i = 0; i < ATTACHED; i++)); do
	bg_helper "$TMP/h$i" sysv-hold $((0x10000 + i * (NSEGS / ATTACHED))) 1200 || exit 1
done
added=$ATTACHED
# Every name looked up once before anything is timed.
getfattr -R -n user.shm.nattch "$MNT/sysv" >/dev/null 2>&1
printf '%-44s %12s %12s %7s %7s\n' "processes" "nattch (ms)" "pids (ms)" "ratio" "scans"
for n in $COUNTS; do
	for (( ; added < n; added++)); do
		sleep 1200 &
		BG_PIDS+=("$!")
	done
	# The witness: one holder's segment, as IPC_STAT and the map see it.
	k=$((0x10000 + NSEGS / ATTACHED))
	assert_eq "$(grep -x '[0-9]*' "$TMP/h1")" \
		"$(getfattr --absolute-names --only-values -n user.shm.pids "$MNT/sysv/$(sysv_name $k)")" \
		"$(nprocs) processes: the holder of $(sysv_name $k), as the map tells"
	nattch=$(walk nattch)
	pids=$(walk pids)
	# The scans of one walk, from the debug log of a daemon with -d
	# (which logs every request: not timed).
	stop_shmfs
	start_shmfs -d
	: >"$SHMFS_LOG"
	getfattr -R -n user.shm.pids "$MNT/sysv" >/dev/null 2>&1
	scans=$(grep -ac 'procscan:' "$SHMFS_LOG")
	stop_shmfs
	start_shmfs
	printf '%-44s %12s %12s %7s %7s\n' "$(nprocs) ($n extra, $ATTACHED attached)" "$nattch" "$pids" \
		"$(awk -v a="$pids" -v b="$nattch" 'BEGIN { printf "%.2f", a / b }')" "$scans"
done

# Read only what is needed: one scan's time in the daemon (its debug log),
# by PROCMAP_QUERY and by the text of maps (SHMFS_PROCSCAN_TEXT=1), with
# the processes above, then with 4 more mapping one page of a file at a
# 3,800-byte path 60,000 times each.
scan_ms() {
	local i
	for ((i = 0; i < ROUNDS; i++)); do
		sleep 0.3 # past the map's freshness
		: >"$SHMFS_LOG"
		getfattr -n user.shm.pids "$MNT/sysv/$(sysv_name $k)" >/dev/null 2>&1
		grep -ao 'procscan: .* [0-9]* us' "$SHMFS_LOG" | awk '{ print $(NF - 1) / 1000 }'
	done | median
}
scan_rows() {
	stop_shmfs
	start_shmfs -d
	query=$(scan_ms)
	stop_shmfs
	SHMFS_PROCSCAN_TEXT=1 start_shmfs -d
	text=$(scan_ms)
	stop_shmfs
	printf '%-44s %12s %12s\n' "$1" "$query" "$text"
}
# SHMFS_BENCH_SCANS=0: not these (a daemon without SHMFS_PROCSCAN_TEXT).
if [[ ${SHMFS_BENCH_SCANS:-1} == 0 ]]; then
	pass "measured"
	exit 0
fi
printf '%-44s %12s %12s\n' "one scan" "query (ms)" "text (ms)"
scan_rows "$(nprocs) processes"
LONG=$TMP/long
for i in $(seq 15); do LONG=$LONG/$(printf '%0250d' "$i"); done
mkdir -p "$LONG" && head -c 4096 /dev/zero >"$LONG/f"
for _ in 1 2 3 4; do
	python3 - "$LONG/f" 60000 <<'PY' >>"$TMP/huge" &
import ctypes, mmap, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(int(sys.argv[2])):
    if libc.mmap(None, 4096, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0) in (None, 2**64 - 1):
        sys.exit("mmap: " + os.strerror(ctypes.get_errno()))
print(os.getpid(), flush=True)
time.sleep(1200)
PY
	BG_PIDS+=("$!")
done
wait_for 120 sh -c "[ \$(wc -l <'$TMP/huge') -ge 4 ]" || fail "the processes with huge maps did not start"
scan_rows "$(nprocs), 4 of them mapping 60,000 times"
pass "measured"
