#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stopping the daemon: SIGTERM (systemctl stop of a unit running shmfs
# -f), SIGINT (^C) and SIGHUP unmount and exit 0; only an error exits 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$H" sysv-create 0x1601 4096 0644 >/dev/null
for sig in TERM INT HUP; do
	section "SIG$sig"
	# With job control the daemon does not start with SIGINT ignored, as
	# a background job of a script otherwise does.
	set -m
	start_shmfs -o allow_other
	set +m
	cat "$MNT/sysv/$(sysv_name 0x1601)" >/dev/null
	kill -"$sig" "$SHMFS_PID"
	if wait_for 5 sh -c '! kill -0 "$1" 2>/dev/null' sh "$SHMFS_PID"; then
		wait "$SHMFS_PID" && rc=0 || rc=$?
		pass "the daemon ends at SIG$sig"
	else
		fail "the daemon still runs 5 s after SIG$sig"
		stop_shmfs
		rc=timeout
	fi
	SHMFS_PID=
	assert_eq 0 "$rc" "the daemon exits 0 at SIG$sig"
	assert_true "the mount is gone" sh -c "! awk '\$5 == \"$MNT\"' /proc/self/mountinfo | grep -q ."
	_lib_check_daemon_reports
done

section "an error still exits 1"
"$SHMFS" -f -o posix_dir="$TMP/missing" "$MNT" >"$TMP/err" 2>&1 && rc=0 || rc=$?
assert_eq 1 "$rc" "a posix_dir that cannot be opened exits 1"
assert_true "and nothing is mounted" sh -c "! awk '\$5 == \"$MNT\"' /proc/self/mountinfo | grep -q ."
