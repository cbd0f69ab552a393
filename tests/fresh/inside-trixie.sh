#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by test-trixie.sh inside a fresh Debian 13 root, as root.
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
cd /root/shmfs || exit 1
# What test-trixie.sh runs there: every unit test, and these mount tests.
MOUNT_TESTS=(sysv posix passthrough killpriv hostile conformance kernel-cache security tree cli)

echo "# \$ ./mount/setup.sh"
t0=$SECONDS
out=$(./mount/setup.sh 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/# | /'
echo "# time: ./mount/setup.sh: $((SECONDS - t0)) s"
check_eq 0 "$rc" "./mount/setup.sh succeeds on a fresh Debian 13"
check_eq fuse.shmfs "$(findmnt -n -o FSTYPE /run/shmfs)" "shmfs is mounted on /run/shmfs"
log=$(grep -E 'Run-time dependency fuse3 found|passthrough API' build/meson-logs/meson-log.txt)
printf '%s\n' "$log" | sed 's/^/# meson: /'
check_match 'fuse3 found: YES 3\.1[7-9]' "$log" "meson finds libfuse 3.17 or later"
check_match 'libfuse 3\.17 passthrough API.* compiles: YES' "$log" "and its passthrough API"
check "config.h defines HAVE_FUSE_PASSTHROUGH" grep -q "^#define HAVE_FUSE_PASSTHROUGH" build/config.h
check "fusermount3 -u unmounts" fusermount3 -u /run/shmfs

echo "# the tests' build, -Dwerror=true -Dtests=enabled"
t0=$SECONDS
out=$(./mount/setup.sh --deps-only libcmocka-dev procps python3 perl 2>&1) ||
	fail "setup.sh --deps-only for the tests" "$out"
out=$(meson setup build-tests -Dwerror=true -Dtests=enabled 2>&1 && meson compile -C build-tests 2>&1) &&
	rc=0 || rc=$?
check_eq 0 "$rc" "the tests build warning-free (werror) against libfuse 3.17"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
echo "# time: the tests' build: $((SECONDS - t0)) s"
t0=$SECONDS
out=$(meson test -C build-tests --print-errorlogs --suite unit 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped|Timeout): ' | sed 's/^/# /'
check_eq 0 "$rc" "the unit tests pass"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
out=$(meson test -C build-tests --print-errorlogs "${MOUNT_TESTS[@]/#/mount-}" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped|Timeout): ' | sed 's/^/# /'
check_eq 0 "$rc" "the mount tests pass: ${MOUNT_TESTS[*]}"
check_eq 0 "$(grep -c '"result": "SKIP"' build-tests/meson-logs/testlog.json)" "and none skips"
# Indented: not this script's own ok/FAIL lines.
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | grep -E '^(FAIL|test-|    )' | head -n 60 | sed 's/^/    /'
echo "# time: the tests: $((SECONDS - t0)) s"
fresh_done
