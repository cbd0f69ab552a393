#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, on Debian 12 and 13 (or the suites given), the way
# README.md's "Install from a package" shows, its commands run as they
# are (those with sudo as root, the others as a user): built with
# dpkg-buildpackage -us -uc -b in a fresh minbase root, as a user
# (Rules-Requires-Root: no), and checked by that release's lintian; then
# installed with apt into another fresh root and mounted with mount(8);
# then removed while mounted, and purged.  inside-deb-build.sh and
# inside-deb-install.sh run in the roots.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
suites=("${@:-bookworm}")
[ $# -eq 0 ] && suites=(bookworm trixie)

# The README's block: the commands up to the build, and those after.
block=$(awk '/^<!-- test: run by tests\/fresh\/test-deb.sh -->$/ { m = 1; next }
	m && /^```/ { if (b) exit; b = 1; next } b { print }' "$FRESH_SRC/README.md")
build_cmds=$(sed -n '1,/dpkg-buildpackage/p' <<<"$block")
install_cmds=$(sed '1,/dpkg-buildpackage/d' <<<"$block")
check_match 'dpkg-buildpackage -us -uc -b' "$build_cmds" "README.md shows how to build the package"
check_match 'apt install \.\./shmfs_' "$install_cmds" "and how to install it"
check_match 'mount -t fuse.shmfs shmfs /run/shmfs -o allow_other' "$install_cmds" "and to mount it"

for suite in "${suites[@]}"; do
	echo "# ---- $suite ----"
	root=$(timed "a pristine $suite root" fresh_root "$suite" "build-$suite") || exit 1
	fresh_copy_src "$root" /home/builder/src/shmfs || exit 1
	fresh_check_in "$root" "the package built in the $suite root" \
		bash /home/builder/src/shmfs/tests/fresh/inside-deb-build.sh "$build_cmds"
	debs=("$root"/home/builder/src/shmfs_*.deb)
	if [ ! -f "${debs[0]}" ]; then
		fail "$suite: a .deb was built"
		continue
	fi
	root2=$(timed "a pristine $suite root" fresh_root "$suite" "install-$suite") || exit 1
	# Only the packages, beside where the checkout was.
	mkdir -p "$root2/root/src/shmfs" && cp "${debs[@]}" "$root2/root/src/" &&
		cp "$FRESH_SRC/tests/fresh/check.sh" \
			"$FRESH_SRC/tests/fresh/inside-deb-install.sh" "$root2/tmp/" || exit 1
	fresh_check_in "$root2" "the package installed in a fresh $suite root" \
		bash /tmp/inside-deb-install.sh "$install_cmds"
	rm -rf --one-file-system "$root" "$root2"
done
fresh_done
