#!/bin/bash
# Set up shmfs on a fresh Debian 12 or 13 machine: install what the build
# needs, build it in build/ (without the tests where cmocka is missing),
# and mount it on a directory (default /run/shmfs) with -o allow_other, so
# that the user who ran sudo can use it too.  As root, on a minimal system
# without sudo, run it as it is.  A step that fails is named, with its
# output.
#
#   sudo ./mount/setup.sh                 # build and mount on /run/shmfs
#   sudo ./mount/setup.sh /mnt/shm        # ... somewhere else
#   sudo ./mount/setup.sh --deps-only [PACKAGE...]
#                                         # only install the build dependencies
#                                         # (and any extra PACKAGEs)
#
# Unmount with: sudo fusermount3 -u /run/shmfs
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build_deps=(gcc meson ninja-build pkg-config libfuse3-dev fuse3)
# The man page, and the tools README.md shows.
build_deps+=(python3-docutils attr xxd)

# step NAME COMMAND...: run COMMAND with its output kept aside; if it
# fails, say which step it was, show that output, and exit non-zero.
step() {
	local name=$1 out rc
	shift
	out=$(mktemp) || exit 1
	"$@" >"$out" 2>&1 && rc=0 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "setup.sh: $name failed (exit $rc):" >&2
		sed 's/^/  | /' "$out" >&2
		rm -f "$out"
		exit 1
	fi
	rm -f "$out"
}

install_packages() {
	local missing=()
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "setup.sh: installing ${missing[*]}"
	step "apt-get update" apt-get update
	step "apt-get install ${missing[*]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}"
}

if [ "${1:-}" = "--deps-only" ]; then
	shift
	install_packages "${build_deps[@]}" "$@"
	exit 0
fi

mountpoint=${1:-/run/shmfs}
install_packages "${build_deps[@]}"

# A build/ that meson never finished setting up (a failed run) is set up
# again from scratch.
if [ ! -f "$root/build/build.ninja" ]; then
	rm -rf "$root/build"
	step "meson setup build" meson setup "$root/build" "$root"
fi
step "meson compile -C build" meson compile -C "$root/build"
shmfs="$root/build/src/shmfs"

# A mount whose daemon has ended (killed) answers ENOTCONN to everything:
# detach it, and mount again.
if findmnt -n -t fuse.shmfs --mountpoint "$mountpoint" >/dev/null 2>&1 &&
	! stat "$mountpoint" >/dev/null 2>&1; then
	echo "setup.sh: shmfs on $mountpoint has lost its daemon; unmounting it"
	step "unmounting the dead mount" fusermount3 -u -z "$mountpoint"
fi
step "mkdir -p $mountpoint" mkdir -p "$mountpoint"
if findmnt -n -t fuse.shmfs --mountpoint "$mountpoint" >/dev/null 2>&1; then
	echo "shmfs is already mounted on $mountpoint"
else
	step "mounting ($shmfs -o allow_other $mountpoint)" "$shmfs" -o allow_other "$mountpoint"
	echo "shmfs is mounted on $mountpoint"
fi
m=$(printf %q "$mountpoint")
cat <<USAGE

  ls -l $m/sysv $m/sysv-id $m/posix
  xxd $m/sysv/0x000004d2 | head      # a SysV segment, by key
  echo hello > $m/posix/demo         # a new POSIX object
  getfattr --only-values -n user.shm.all $m/sysv/0x000004d2
                                              # what ipcs knows about it
  sudo fusermount3 -u $m             # unmount

USAGE
if [ -f "$root/build/docs/shmfs.1" ]; then
	echo "The manual: man $root/build/docs/shmfs.1"
else
	echo "The manual: $root/docs/shmfs.1.rst"
fi
