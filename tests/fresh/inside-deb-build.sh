#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by test-deb.sh inside a fresh root, as root: install what building
# the package needs (debian/control's Build-Depends, by apt-get build-dep),
# build it as the user "builder" and run lintian on it.
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
src=/home/builder/src/shmfs
export DEBIAN_FRONTEND=noninteractive

# quiet COMMAND...: COMMAND's output only if it fails.
quiet() {
	local out
	out=$("$@" 2>&1) && return 0
	printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
	return 1
}
t0=$SECONDS
check "apt-get installs dpkg-dev and lintian" quiet bash -c \
	'apt-get update && apt-get install -y --no-install-recommends dpkg-dev lintian'
check "apt-get build-dep installs the Build-Depends" quiet apt-get build-dep -y "$src"
echo "# time: the build's packages: $((SECONDS - t0)) s"
useradd -M -d /home/builder builder && chown -R builder:builder /home/builder || exit 1
as_builder() {
	setpriv --reuid=builder --regid=builder --init-groups \
		env -i PATH=/usr/bin:/bin HOME=/home/builder LC_ALL=C.UTF-8 "$@"
}
t0=$SECONDS
echo "# \$ dpkg-buildpackage -us -uc -b   # as builder"
out=$(cd "$src" && as_builder dpkg-buildpackage -us -uc -b 2>&1) && rc=0 || rc=$?
check_eq 0 "$rc" "dpkg-buildpackage -us -uc -b builds, as a user"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
printf '%s\n' "$out" | grep -E '^dpkg-deb: building' | sed 's/^/# /'
check_match '-D_FORTIFY_SOURCE=[23].*-fstack-protector-strong' "$out" "the build is hardened (fortify, stack protector)"
check_match '-Wl,-z,relro -Wl,-z,now' "$out" "and links with relro and now"
check_match 'Dsystemdsystemunitdir=' "$out" "meson is told where this release keeps units"
echo "# time: dpkg-buildpackage: $((SECONDS - t0)) s"
echo "# \$ lintian --pedantic -I shmfs_*.changes   # $(lintian --version)"
out=$(cd /home/builder/src && as_builder lintian --pedantic -I --fail-on error,warning shmfs_*.changes 2>&1) &&
	rc=0 || rc=$?
printf '%s\n' "${out:-(no output)}" | sed 's/^/# | /'
check_eq 0 "$rc" "lintian reports no error and no warning"
check_eq "" "$(grep -E '^[EW]: ' <<<"$out")" "lintian prints no E: or W: line"
fresh_done
