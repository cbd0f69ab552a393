#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, on Debian 12 and 13 (or the suites given): built
# with dpkg-buildpackage -us -uc -b in a fresh minbase root, as a user
# (Rules-Requires-Root: no), and checked by that release's lintian; then
# installed with apt into another fresh root, mounted with mount(8),
# removed and purged.  inside-deb-build.sh and inside-deb-install.sh run
# in the roots.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
suites=("${@:-bookworm}")
[ $# -eq 0 ] && suites=(bookworm trixie)

for suite in "${suites[@]}"; do
	echo "# ---- $suite ----"
	root=$(timed "a pristine $suite root" fresh_root "$suite" "build-$suite") || exit 1
	fresh_copy_src "$root" /home/builder/src/shmfs || exit 1
	fresh_check_in "$root" "the package built in the $suite root" \
		bash /home/builder/src/shmfs/tests/fresh/inside-deb-build.sh
	debs=("$root"/home/builder/src/shmfs_*.deb)
	if [ ! -f "${debs[0]}" ]; then
		fail "$suite: a .deb was built"
		continue
	fi
	root2=$(timed "a pristine $suite root" fresh_root "$suite" "install-$suite") || exit 1
	cp "${debs[@]}" "$root2/tmp/" && cp "$FRESH_SRC/tests/fresh/check.sh" \
		"$FRESH_SRC/tests/fresh/inside-deb-install.sh" "$root2/tmp/" || exit 1
	fresh_check_in "$root2" "the package installed in a fresh $suite root" \
		bash /tmp/inside-deb-install.sh
	rm -rf --one-file-system "$root" "$root2"
done
fresh_done
