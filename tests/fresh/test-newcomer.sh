#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A newcomer on a fresh Debian 12 (debootstrap --variant=minbase, nothing
# installed by hand): the README's first command, as root (a minimal root
# has no sudo), must install what shmfs needs, build it without cmocka and
# mount it; then the README's session works as another user, checked with
# ipcs and /dev/shm; and a failing step (apt-get without network or with
# an unknown package, meson) is reported as such; last, test-readme.sh
# runs README.md there command by command.  inside-newcomer.sh runs in the
# root.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
suite=${1:-bookworm}

# The README's first command: the first line of its first block to run.
first=$(awk '/^<!-- test: run -->$/ { m = 1; next } m && /^```/ { getline; print; exit }' \
	"$FRESH_SRC/README.md")
first=${first%%#*}
first=${first%"${first##*[![:space:]]}"}
check_eq "sudo ./mount/setup.sh" "$first" "the README's first command is sudo ./mount/setup.sh"

root=$(timed "a pristine $suite root" fresh_root "$suite" newcomer) || exit 1
fresh_copy_src "$root" /root/shmfs || exit 1
fresh_check_in "$root" "the newcomer's session in the $suite root" \
	bash /root/shmfs/tests/fresh/inside-newcomer.sh "${first#sudo }"
fresh_done
