#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Soak: a bounded stress run with a final consistency check.  Not in the
# default suite; run it with
#
#   meson test -C BUILDDIR --benchmark --print-errorlogs     # 60 s, 8 clients
#   SHMFS_SOAK_SECONDS=600 SHMFS_SOAK_CLIENTS=16 meson test -C BUILDDIR --benchmark
#
# Clients (shmstress soak): a quarter run fsx on a POSIX object of their
# own, a quarter fsx on a SysV segment of their own, a quarter create,
# check and remove objects through the mount, a quarter list, stat, getfattr
# and read everything; meanwhile a POSIX object is shrunk and grown and a
# key removed and re-created by other processes.  At the end every fsx
# model must equal its object as shmat/shm_open see it, nothing made by
# the churners may be left, the daemon must hold nothing and exit 0.
source "$(dirname "${BASH_SOURCE[0]}")/../mount/lib.sh"

S=${SHMSTRESS:?run through meson: SHMSTRESS is not set}
SECS=${SHMFS_SOAK_SECONDS:-60}
CLIENTS=${SHMFS_SOAK_CLIENTS:-8}

for ((c = 0; c < CLIENTS; c += 4)); do
	"$H" posix-create "soak-$c" 0
	((c + 1 < CLIENTS)) && "$H" sysv-create $((0x5A000000 + c + 1)) 65536 >/dev/null
done
"$H" posix-create soak-churn 0
start_shmfs
fds_before=$(fd_count)

section "$CLIENTS clients for $SECS s, with foreign churn"
timeout -k 5 $((SECS + 120)) "$H" posix-churn soak-churn 256k "$SECS" >"$TMP/pchurn.out" 2>&1 &
churn1=$!
timeout -k 5 $((SECS + 120)) "$H" sysv-churn 0x5b000000 4096,65536 "$SECS" >"$TMP/schurn.out" 2>&1 &
churn2=$!
BG_PIDS+=("$churn1" "$churn2")
mkdir "$TMP/models"
start=$SECONDS
timeout -k 5 $((SECS + 120)) "$S" soak "$MNT" "$SECS" "$CLIENTS" "$TMP/models" >"$TMP/soak.out" 2>&1 && rc=0 || rc=$?
wait "$churn1" "$churn2"
assert_eq 0 "$rc" "every client passed its checks"
echo "soak: $((SECONDS - start)) s"
sed 's/^/    /' "$TMP/soak.out"
assert_true "the daemon survived" daemon_alive

section "final consistency"
for ((c = 0; c < CLIENTS; c++)); do
	case $((c % 4)) in
	0) assert_eq "$(cksum <"$TMP/models/model-$c" 2>&1)" "$("$H" posix-sum "soak-$c")" "client $c: its POSIX object equals its model" ;;
	1) assert_eq "$(cksum <"$TMP/models/model-$c" 2>&1)" "$("$H" sysv-sum $((0x5A000000 + c)))" "client $c: its segment equals its model" ;;
	esac
done
assert_eq "" "$(ls /dev/shm | grep '^soak-tmp-')" "no POSIX object of the create/remove clients is left"
assert_eq "" "$(ipcs -m | awk '$1 ~ /^0x5c/')" "no segment of the create/remove clients is left"
assert_true "the daemon's fds are back to $fds_before and it holds no segment" wait_for 5 daemon_settled "$fds_before"
assert_all_detached
stop_shmfs_cleanly
