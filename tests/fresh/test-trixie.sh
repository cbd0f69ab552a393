#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian 13 (trixie) from a fresh minbase root: the README's first command
# builds shmfs against its libfuse 3.17, where meson must find the
# passthrough API (the path src/passthrough_abi.c takes with libfuse's own
# calls; the host's pass 1 builds the other, libfuse 3.14's), and mounts
# it; then the unit tests and the mount tests of the data path,
# credentials and conformance pass there.  inside-trixie.sh runs in the
# root.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(timed "a pristine trixie root" fresh_root trixie trixie) || exit 1
fresh_copy_src "$root" /root/shmfs || exit 1
fresh_check_in "$root" "setup.sh and the tests in the trixie root" \
	env CI="${CI:-}" bash /root/shmfs/tests/fresh/inside-trixie.sh
fresh_done
