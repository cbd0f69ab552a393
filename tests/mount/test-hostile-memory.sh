#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A hostile user against the daemon's memory (docs/reliability.md, "A
# hostile user"): whatever offsets and however many open files and
# directory handles one user picks, the daemon's address space and resident
# memory stay within the bound stated there, and the others are not locked
# out.  The attacker is a real other user through a root -o allow_other
# mount; /proc/PID/status of the daemon is the witness, with shmhelper and
# the SysV segment another user reads afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
[[ -x $PY ]] || _lib_cannot_run "$PY is missing"
ATTACKER=(setpriv --reuid=1002 --regid=1002 --clear-groups)
VICTIM=(setpriv --reuid=1003 --regid=1003 --clear-groups)
MiB=$((1 << 20))

# status_kb FIELD: the daemon's FIELD (VmRSS, VmSize) in KiB.
status_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SHMFS_PID/status"; }
report() { # report WHAT: one line for the log and the docs
	echo "memory: $1: VmRSS $(status_kb VmRSS) KiB, VmSize $(status_kb VmSize) KiB"
}

declare -A HOLD
# hold WHAT ARGS...: the attacker's python holds its files or handles open
# until $TMP/release-WHAT exists; prints "ready" once it holds them all.
hold() {
	local what=$1
	shift
	"${ATTACKER[@]}" "$PY" - "$TMP/release-$what" "$@" >"$TMP/$what.out" 2>&1 <<'PY' &
import os, sys, time
release, how, args = sys.argv[1], sys.argv[2], sys.argv[3:]
held = []
if how == "sparse":
    # open each object through the mount and read its very last byte
    for path in args:
        fd = os.open(path, os.O_RDONLY)
        size = os.fstat(fd).st_size
        assert os.pread(fd, 1, size - 1) == b"\0", path
        held.append(fd)
else:
    # N directory handles, each started (its first entries read)
    n, d = int(args[0]), args[1]
    for _ in range(n):
        it = os.scandir(d)
        next(it)
        held.append(it)
print("ready", flush=True)
while not os.path.exists(release):
    time.sleep(0.05)
PY
	BG_PIDS+=($!)
	HOLD[$what]=$!
	if ! wait_for 120 grep -qx ready "$TMP/$what.out"; then
		fail "the attacker could not hold its $what" "$(cat "$TMP/$what.out")"
		return 1
	fi
	pass "the attacker holds its $what"
}
release() { # release WHAT: the holder closes everything and exits
	touch "$TMP/release-$1"
	wait "${HOLD[$1]}"
	rm "$TMP/release-$1"
}

# The victim's segment, and a segment for reading after each attack.
"$H" sysv-create 0x1501 $((4 * MiB)) 0644 >/dev/null
"$H" sysv-write 0x1501 0 "still served"
chmod 1777 /dev/shm

start_shmfs -o allow_other
P=$MNT/posix
victim_reads() {
	assert_eq "still served" "$("${VICTIM[@]}" cat "$MNT/sysv/$(sysv_name 0x1501)" | strip_nul)" \
		"$1: another user still reads a SysV segment through the mount"
}
ls "$MNT/sysv" "$P" >/dev/null
report "idle"
rss0=$(status_kb VmRSS)
vm0=$(status_kb VmSize)

section "sparse objects of up to 2^46 bytes, each read at its last byte and kept open"
# Three of each size from 2^46 down to 2^12 bytes: mapping [0, end) of each,
# as a read once did, fills the daemon's 128 TiB of address space to the
# last few pages, and then no SysV segment can be attached.
sparse=()
for ((k = 46; k >= 12; k--)); do
	for j in 1 2 3; do
		"${ATTACKER[@]}" truncate -s $((1 << k)) "/dev/shm/sparse$k-$j"
		sparse+=("$P/sparse$k-$j")
	done
done
NSPARSE=${#sparse[@]}
assert_eq $((1 << 46)) "$(posix_field sparse46-1 size)" "a sparse object of 2^46 bytes"
hold sparse sparse "${sparse[@]}"
report "$NSPARSE sparse objects held"
vm1=$(status_kb VmSize)
rss1=$(status_kb VmRSS)
# Each open file maps at most its read window, 8 MiB (docs/reliability.md).
assert_true "VmSize grew by at most 8 MiB an open file, $NSPARSE files ($(((vm1 - vm0) / 1024)) MiB)" \
	test $((vm1 - vm0)) -le $((NSPARSE * 8 * 1024 + 64 * 1024))
victim_reads "with the sparse objects held"
release sparse
report "sparse objects closed"

stop_shmfs_cleanly
