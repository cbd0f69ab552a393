#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Races with other processes: while files are read and written through the
# mount, other processes shrink and grow POSIX objects, IPC_RMID segments
# and make new ones under the same key.  The daemon must not crash (a
# store or load on memory that vanished would be SIGBUS), reads must show
# one real state of a segment, never a mix, and a segment removed while a
# file is open stays readable through it until the close.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=${SHMSTRESS:?run through meson: SHMSTRESS is not set}
SECS=${SHMFS_RACE_SECONDS:-6}

pread_fd() {
	perl -e 'sysseek(STDIN, $ARGV[0], 0) // die "seek: $!\n";
		defined sysread(STDIN, my $b, $ARGV[1]) or die "read: $!\n"; print $b' "$2" "$3" <&"$1"
}
fstat_size() { perl -e 'my @s = stat(STDIN) or do { print "$!"; exit 1 }; print $s[7]' <&"$1"; }
gone_id() { ! "$H" sysv-stat "id:$1" >/dev/null 2>&1; }

# run_bg OUT CMD...: start a load process, remember it for wait_all
LOAD_PIDS=()
LOAD_OUTS=()
run_bg() {
	local out=$1
	shift
	# A hung request must fail the test, not hang it.
	timeout -k 5 $((SECS + 60)) "$@" >"$out" 2>&1 &
	LOAD_PIDS+=($!)
	LOAD_OUTS+=("$out")
	BG_PIDS+=($!)
}
# wait_all DESC: every load process must exit 0
wait_all() {
	local i rc
	for i in "${!LOAD_PIDS[@]}"; do
		wait "${LOAD_PIDS[i]}" && rc=0 || rc=$?
		if ((rc == 0)); then
			pass "$1: $(tail -n1 "${LOAD_OUTS[i]}")"
		else
			fail "$1: a load process failed (exit $rc)" "$(tail -n 20 "${LOAD_OUTS[i]}")"
		fi
	done
	LOAD_PIDS=()
	LOAD_OUTS=()
}

start_shmfs
fds_before=$(fd_count)

section "POSIX object shrunk and grown while read and written through the mount"
"$H" posix-create churn 0
P=$MNT/posix/churn
run_bg "$TMP/pchurn.out" "$H" posix-churn churn 1M "$SECS"
# One reader keeps its file open; the other opens and closes in a loop,
# so closes race the replies of reads (a use-after-free, fixed in 48ddb3c).
run_bg "$TMP/pr1.out" "$S" reader "$P" "$SECS" --allow-eio --keep-open
run_bg "$TMP/pr2.out" "$S" reader "$P" "$SECS" --allow-eio
run_bg "$TMP/pw1.out" "$S" writer "$P" "$SECS" 0xab 1M
run_bg "$TMP/pls.out" bash -c "end=\$((SECONDS + $SECS)); while ((SECONDS < end)); do stat '$P' >/dev/null 2>&1; ls -l '$MNT/posix' >/dev/null; done; echo stat-loop done"
wait_all "POSIX churn"
assert_true "the daemon survived the POSIX churn" daemon_alive
assert_eq "$("$H" posix-sum churn)" "$(cksum <"$P")" "afterwards a read through the mount equals the object"

section "segments removed and re-created under one key while read and written"
K=0x00007001
run_bg "$TMP/schurn.out" "$H" sysv-churn $K 4096,12288,65536,1 "$SECS"
run_bg "$TMP/sr1.out" "$S" reader "$MNT/sysv/$K" "$SECS" --sizes 4096,12288,65536,1
run_bg "$TMP/sr2.out" "$S" reader "$MNT/sysv/$K" "$SECS" --sizes 4096,12288,65536,1
# Zeros keep every generation uniform for the readers' check.
run_bg "$TMP/sw1.out" "$S" writer "$MNT/sysv/$K" "$SECS" 0 70000
run_bg "$TMP/sls.out" bash -c "end=\$((SECONDS + $SECS)); while ((SECONDS < end)); do ls -l '$MNT/sysv' '$MNT/sysv-id' >/dev/null 2>&1; getfattr -n user.shm.all '$MNT/sysv/$K' >/dev/null 2>&1; done; echo ls-loop done"
wait_all "SysV churn"
assert_match '^[0-9]+$' "$(tail -n1 "$TMP/schurn.out")" "the churner finished"
assert_true "at least 50 generations went by ($(tail -n1 "$TMP/schurn.out"))" test "$(tail -n1 "$TMP/schurn.out")" -ge 50
assert_true "the daemon survived the SysV churn" daemon_alive
k_id=$("$H" sysv-id $K)
assert_eq "$("$H" sysv-sum $K)" "$(cksum <"$MNT/sysv/$K")" "afterwards a read through the mount equals the last generation"
assert_true "only the last generation is left: the old ones were all detached" \
	test "$(ipcs -m | grep -c '^0x')" -eq 1

section "removed while open: readable through the open file until the close"
"$H" sysv-create 0x7002 8192 >/dev/null
"$H" sysv-fill 0x7002 42
held_id=$("$H" sysv-id 0x7002)
want=$("$H" sysv-sum 0x7002)
exec 3<"$MNT/sysv/0x00007002"
"$H" posix-create held 0
"$H" posix-fill held 20000 43
pwant=$("$H" posix-sum held)
exec 4<"$MNT/posix/held"
run_bg "$TMP/hchurn.out" "$H" sysv-churn 0x7002 4096,16384 2
run_bg "$TMP/hpchurn.out" bash -c "for ((i = 0; i < 100; i++)); do '$H' posix-rm held && '$H' posix-create held 100 || exit 1; done; echo re-created 100 times"
ok=1
for ((i = 0; i < 20; i++)); do
	[[ $(pread_fd 3 0 8192 | cksum) == "$want" ]] || ok=0
	[[ $(pread_fd 4 0 20000 | cksum) == "$pwant" ]] || ok=0
	sleep 0.1
done
wait_all "re-creating under the held names"
assert_eq 1 "$ok" "20 reads during the churn all returned the original bytes"
assert_eq 8192 "$(fstat_size 3)" "fstat of the held segment: its own size"
assert_eq 20000 "$(fstat_size 4)" "fstat of the held POSIX object: its own size"
assert_eq 1 "$("$H" sysv-stat "id:$held_id" dest)" "the held segment is marked for destruction"
assert_has_line "$held_id" "$(ls "$MNT/sysv-id")" "and still listed in sysv-id/"
assert_eq "$want" "$(cksum <"$MNT/sysv-id/$held_id")" "a new open through sysv-id/ reads it too"
exec 3<&- 4<&-
assert_true "closed: the held segment is destroyed" wait_for 5 gone_id "$held_id"

section "afterwards"
assert_true "the daemon is alive" daemon_alive
assert_no_match "SIGBUS|Bus error|Segmentation|AddressSanitizer|runtime error" "$(cat "$SHMFS_LOG")" "nothing alarming in the daemon's log"
assert_true "the daemon's fds are back to $fds_before and it holds no segment" wait_for 5 daemon_settled "$fds_before"
assert_all_detached
stop_shmfs_cleanly
