#!/bin/bash
# Run every test of shmfs from a clean build: the unit tests and the mount
# tests, which mount shmfs for real in private IPC and mount namespaces.
# Installs what it needs first (as root, on Debian).  With CI=true a mount
# test that cannot mount fails instead of being skipped.  Three passes
# (docs/reliability.md):
#   1. the normal build (-Dwerror=true): every test, and two mount sessions
#      with the daemon under valgrind;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build: every test
#      again (lib.sh fails a test on any report from the daemon);
#   3. the libFuzzer targets (clang), SHMFS_FUZZ_SECONDS each (default 25);
#   4. fresh Debian roots (tests/fresh, debootstrap --variant=minbase,
#      pristine roots cached in /var/cache/shmfs-ci): the README's first
#      command on Debian 12, the build and the mount tests on Debian 13
#      (libfuse 3.17), the Debian package built, installed and removed.
# Pass 1 also runs the soak (tests/soak/soak.sh), shortened to
# SHMFS_SOAK_SECONDS (default 25) with 8 clients, so that a regression in
# caching or concurrency fails CI; SHMFS_SOAK=1 runs its full 60 s form.
# SHMFS_QUICK=1 runs pass 1 only.
#
#   sudo ./tests/run.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$root/build-tests}
asandir=${ASAN_BUILDDIR:-$root/build-asan}
fuzzdir=${FUZZ_BUILDDIR:-$root/build-fuzz}

"$root/mount/setup.sh" --deps-only libcmocka-dev attr xxd util-linux procps python3 \
	python3-docutils man-db \
	perl valgrind fio rsync sqlite3 clang libclang-rt-14-dev debootstrap

status=0
logs=()

echo "=== pass 1: normal build, every test, the daemon under valgrind twice"
rm -rf "$builddir"
meson setup "$builddir" -Dwerror=true -Dtests=enabled >/dev/null
meson compile -C "$builddir"
meson test -C "$builddir" --print-errorlogs || status=$?
logs+=("normal=$builddir/meson-logs/testlog.json")
echo "=== pass 1: the soak"
if [[ ${SHMFS_SOAK:-} == 1 ]]; then
	soak_env=()
else
	soak_env=(SHMFS_SOAK_SECONDS="${SHMFS_SOAK_SECONDS:-25}" SHMFS_SOAK_CLIENTS=8)
fi
env "${soak_env[@]}" meson test -C "$builddir" --benchmark --print-errorlogs --logbase soak soak || status=$?
logs+=("soak=$builddir/meson-logs/soak.json")

if [[ ${SHMFS_QUICK:-} != 1 ]]; then
	echo "=== pass 2: AddressSanitizer + UndefinedBehaviorSanitizer, every test"
	rm -rf "$asandir"
	meson setup "$asandir" -Dwerror=true -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	meson compile -C "$asandir"
	# valgrind cannot run a sanitized binary; that session is pass 1's.
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:print_summary=1:suppressions=$root/tests/asan.supp \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$asandir" --print-errorlogs --no-suite valgrind --timeout-multiplier 3 || status=$?
	logs+=("asan=$asandir/meson-logs/testlog.json")

	echo "=== pass 3: fuzzing, ${SHMFS_FUZZ_SECONDS:-25} s per target"
	rm -rf "$fuzzdir"
	CC=clang meson setup "$fuzzdir" -Dtests=enabled -Dfuzz=true -Dfuzz_seconds="${SHMFS_FUZZ_SECONDS:-25}" >/dev/null
	meson compile -C "$fuzzdir"
	meson test -C "$fuzzdir" --print-errorlogs --suite fuzz || status=$?
	logs+=("fuzz=$fuzzdir/meson-logs/testlog.json")

	echo "=== pass 4: fresh Debian roots"
	# Each script is one test, logged as meson logs one, for the count;
	# each has SHMFS_FRESH_TIMEOUT seconds (default 900; test-deb.sh, the
	# longest, takes 4.5 min with a warm cache), as meson test gives a test
	# its timeout (SIGTERM, then SIGKILL 30 s later).
	freshlog=$builddir/meson-logs/fresh.json
	fresh_timeout=${SHMFS_FRESH_TIMEOUT:-900}
	: >"$freshlog"
	for t in newcomer trixie deb; do
		t0=$SECONDS
		echo "--- tests/fresh/test-$t.sh"
		timeout -k 30 "$fresh_timeout" "$root/tests/fresh/test-$t.sh" && rc=0 || rc=$?
		why=
		case $rc in
		0) result=OK ;;
		77) result=SKIP ;;
		124 | 137) result=TIMEOUT status=1 why=", timed out after $fresh_timeout s" ;;
		*) result=FAIL status=1 ;;
		esac
		echo "--- tests/fresh/test-$t.sh: $result ($((SECONDS - t0)) s$why)"
		printf '{"name": "fresh-%s", "result": "%s", "duration": %d}\n' \
			"$t" "$result" $((SECONDS - t0)) >>"$freshlog"
	done
	logs+=("fresh=$freshlog")
fi

# One closing line that any reader of the log can find.
python3 - "${logs[@]}" <<'PY'
import json, sys
total = {"passed": 0, "failed": 0, "skipped": 0}
for arg in sys.argv[1:]:
    name, path = arg.split("=", 1)
    counts = {}
    for line in open(path):
        result = json.loads(line)["result"]
        counts[result] = counts.get(result, 0) + 1
    passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
    skipped = counts.get("SKIP", 0)
    failed = sum(counts.values()) - passed - skipped
    print(f"  {name}: {passed} passed, {failed} failed, {skipped} skipped")
    total["passed"] += passed
    total["failed"] += failed
    total["skipped"] += skipped
print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
PY
exit $status
