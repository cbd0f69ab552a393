#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A truncate never holds a worker for long (docs/reliability.md, "A
# truncate's page drop"): a truncate of a SysV segment keeps its size, so
# the daemon drops the kernel's cached pages itself before it answers; the
# kernel's drop waits for the lock of every page that a READ is filling
# through the page cache (splice, sendfile; every read with -o
# kernel_cache), and only a worker answers that READ.  Truncates and
# such reads at once, of one segment with one worker (-o max_threads=1)
# and of 12 segments with libfuse's 10 workers, must leave the mount
# answering, and a read by sendfile right after a truncate must still
# see the zeros.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOAD_S=4   # how long the truncaters and readers run
ANSWER_S=5 # how long the mount may take to answer afterwards

# load PATH GO ROLE: a process reading PATH by sendfile (ROLE read), or
# by pread (ROLE pread, cached with -o kernel_cache), or truncating it to
# 0 (ROLE truncate), in a loop from when the file GO exists until the
# time it holds (seconds since the epoch), so that all run together on a
# busy machine; prints its role, its count of calls and its slowest in ms.
load() {
	python3 - "$@" <<'PY'
import os, sys, time
path, go, role = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open(path, os.O_RDWR)
size = os.fstat(fd).st_size
out = os.open("/dev/null", os.O_WRONLY)
open(go + ".ready.%d" % os.getpid(), "w").close()
while not os.path.exists(go):
    time.sleep(0.01)
end = float(open(go).read())
n, worst = 0, 0.0
while time.time() < end:
    t0 = time.monotonic()
    if role == "truncate":
        os.ftruncate(fd, 0)
    elif role == "pread":
        os.pread(fd, size, 0)
    else:
        os.sendfile(out, fd, 0, size)
    worst = max(worst, time.monotonic() - t0)
    n += 1
print(role, n, int(worst * 1000))
PY
}

# zeros_after_truncate PATH ROUNDS: write, read by sendfile (the page is
# cached), truncate, read by sendfile; print how many rounds read old bytes.
zeros_after_truncate() {
	python3 - "$@" <<'PY'
import os, sys
path, rounds = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_RDWR)
def sendfile():
    r, w = os.pipe()
    os.sendfile(w, fd, 0, 4)
    os.close(w)
    data = os.read(r, 4)
    os.close(r)
    return data
bad = 0
for i in range(rounds):
    os.pwrite(fd, b"AAAA", 0)
    sendfile()
    os.ftruncate(fd, 0)
    if sendfile() != b"\0" * 4:
        bad += 1
print(bad)
PY
}

# all_ready GO N: N loads wait for GO.
all_ready() {
	local f n=0
	for f in "$1".ready.*; do [[ -e $f ]] && n=$((n + 1)); done
	((n == $2))
}

all_ended() {
	local p
	for p in "$@"; do ! kill -0 "$p" 2>/dev/null || return 1; done
}

# waiting PIDS...: where the loads (children of PIDS) still alive, and
# the daemon's threads, wait in the kernel.
waiting() {
	local p c t kids
	for p in "$@"; do
		read -ra kids < <(cat /proc/"$p"/task/*/children 2>/dev/null)
		for c in "${kids[@]}"; do
			printf ' %s: %s;' "$c" "$(cat "/proc/$c/wchan" 2>/dev/null)"
		done
	done
	for t in /proc/"$SHMFS_PID"/task/*; do
		printf ' daemon %s: %s;' "${t##*/}" "$(cat "$t/wchan" 2>/dev/null)"
	done
}

# round LABEL READ-ROLE KEY SEGMENTS PER OPTIONS...: SEGMENTS segments
# from KEY on, each read by PER processes and truncated by PER others for
# LOAD_S; then the checks.
round() {
	local label=$1 role=$2 key=$3 nseg=$4 per=$5 pids=() p k i t0 end hung=0
	local results=$TMP/load-$3 go=$TMP/go-$3 probe=$(($3 + $4))
	shift 5
	section "$label"
	start_shmfs "$@"
	for ((k = key; k < key + nseg; k++)); do
		"$H" sysv-create "$k" 65536 0666 >/dev/null
		for ((i = 0; i < per; i++)); do
			load "$MNT/sysv/$(sysv_name "$k")" "$go" "$role" >"$results.$k.r$i" 2>&1 &
			pids+=($!)
			load "$MNT/sysv/$(sysv_name "$k")" "$go" truncate >"$results.$k.t$i" 2>&1 &
			pids+=($!)
		done
	done
	BG_PIDS+=("${pids[@]}")
	wait_for 60 all_ready "$go" ${#pids[@]} ||
		fail "the loads did not start" "$(cat "$results".*)"
	end=$(($(date +%s) + LOAD_S))
	echo "$end" >"$go.new" && mv "$go.new" "$go"
	while (($(date +%s) < end)); do sleep 0.2; done
	# A name never looked up and a read: the kernel must ask the daemon.
	"$H" sysv-create "$probe" 4096 >/dev/null
	t0=$(now_ms)
	if timeout "$ANSWER_S" stat "$MNT/sysv/$(sysv_name "$probe")" >/dev/null &&
		timeout "$ANSWER_S" head -c 4 "$MNT/sysv/$(sysv_name "$probe")" >/dev/null; then
		pass "the mount answers a lookup and a read (after $(($(now_ms) - t0)) ms)"
	else
		fail "the mount answers a lookup and a read within $ANSWER_S s" \
			"no answer after $(($(now_ms) - t0)) ms: every worker waits on a page"
		hung=1
	fi
	if ! wait_for "$ANSWER_S" all_ended "${pids[@]}"; then
		fail "every reader and truncater ends within $ANSWER_S s of the end" \
			"still waiting (pid: where):$(waiting "${pids[@]}")"
		hung=1
	fi
	if ((hung)); then
		abort_mount
		wait "${pids[@]}" 2>/dev/null
		stop_shmfs
		return
	fi
	wait "${pids[@]}"
	echo "under load: $(cat "$results".* | awk '{ n[$1] += $2; if ($3 > w[$1]) w[$1] = $3 }
		END { for (r in n) printf "%s: %d, slowest %d ms; ", r, n[r], w[r] }')"
	assert_eq $((2 * nseg * per)) "$(cat "$results".* | grep -cE '^(read|pread|truncate) [0-9]+ [0-9]+$')" \
		"the $((2 * nseg * per)) loads ran to their end"
	assert_eq 0 "$(zeros_after_truncate "$MNT/sysv/$(sysv_name "$key")" 200)" \
		"200 rounds: a sendfile read right after a truncate reads zeros"
	for ((k = key; k <= probe; k++)); do "$H" sysv-rm "$k"; done
	stop_shmfs_cleanly
}

round "one worker, the daemon's data path: truncates and sendfile reads" read 0x7501 1 2 \
	-o max_threads=1,passthrough=off
round "one worker, -o kernel_cache: truncates and cached reads" pread 0x7511 1 2 \
	-o max_threads=1,kernel_cache
# Truncates of one file wait for each other (the inode's lock): to hold
# all of libfuse's 10 workers at once takes more files than workers.
round "as many workers as libfuse starts: 12 segments truncated and read" read 0x7521 12 1 \
	-o passthrough=off
