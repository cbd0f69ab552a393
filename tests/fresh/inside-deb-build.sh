#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by test-deb.sh inside a fresh root, as root:
#   inside-deb-build.sh COMMANDS
# Run the README's COMMANDS (install dpkg-dev and the Build-Depends, build
# the package) in the checkout, the build as the user "builder"; check the
# build log for hardening and run lintian on the result.
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
src=/home/builder/src/shmfs
useradd -M -d /home/builder builder && chown -R builder:builder /home/builder || exit 1
cd "$src" || exit 1
t0=$SECONDS
# All but dpkg-buildpackage, whose output the checks below read.
run_readme_lines builder "$(grep -v dpkg-buildpackage <<<"$1")"
echo "# time: the build's packages: $((SECONDS - t0)) s"
t0=$SECONDS
line=$(grep dpkg-buildpackage <<<"$1")
echo "# \$ $line   # as builder"
out=$(setpriv --reuid=builder --regid=builder --init-groups \
	env -i PATH=/usr/bin:/bin HOME=/home/builder LC_ALL=C.UTF-8 bash -c "$line" 2>&1) && rc=0 || rc=$?
check_eq 0 "$rc" "README: $line (as a user)"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
printf '%s\n' "$out" | grep -E '^dpkg-deb: building' | sed 's/^/# /'
check_match '-D_FORTIFY_SOURCE=[23].*-fstack-protector-strong' "$out" "the build is hardened (fortify, stack protector)"
check_match '-Wl,-z,relro -Wl,-z,now' "$out" "and links with relro and now"
check_match 'Dsystemdsystemunitdir=' "$out" "meson is told where this release keeps units"
echo "# time: dpkg-buildpackage: $((SECONDS - t0)) s"

t0=$SECONDS
check "apt-get installs lintian" quiet env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends lintian
echo "# \$ lintian --pedantic -I shmfs_*.changes   # $(lintian --version)"
out=$(cd /home/builder/src && setpriv --reuid=builder --regid=builder --init-groups \
	env -i PATH=/usr/bin:/bin HOME=/home/builder LC_ALL=C.UTF-8 \
	lintian --pedantic -I --fail-on error,warning shmfs_*.changes 2>&1) && rc=0 || rc=$?
printf '%s\n' "${out:-(no output)}" | sed 's/^/# | /'
check_eq 0 "$rc" "lintian reports no error and no warning"
check_eq "" "$(grep -E '^[EW]: ' <<<"$out")" "lintian prints no E: or W: line"
echo "# time: lintian: $((SECONDS - t0)) s"
fresh_done
