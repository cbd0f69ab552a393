#!/bin/bash
# Run every test of shmfs from a clean build: the unit tests and the mount
# tests, which mount shmfs for real in private IPC and mount namespaces.
# Installs what it needs first (as root, on Debian).  With CI=true a mount
# test that cannot mount fails instead of being skipped.
#
#   sudo ./tests/run.sh
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$root/build-tests}

"$root/mount/setup.sh" --deps-only libcmocka-dev attr xxd util-linux procps python3 \
	python3-docutils man-db

rm -rf "$builddir"
meson setup "$builddir" -Dwerror=true >/dev/null
meson compile -C "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs || status=$?

# One closing line that any reader of the log can find.
python3 - "$builddir/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {}
for line in open(sys.argv[1]):
    result = json.loads(line)["result"]
    counts[result] = counts.get(result, 0) + 1
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
skipped = counts.get("SKIP", 0)
failed = sum(counts.values()) - passed - skipped
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
