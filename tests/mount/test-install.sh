#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installing: what `meson install --destdir` puts where, for packagers; the
# version and options of the installed shmfs against its man page; and
# mount(8) with the installed tree: `mount -t fuse.shmfs`, the example fstab
# line, fstab-only options, and the mount the systemd units describe.
#
# The tree is installed with prefix /usr into $TMP/dest, and that tree is
# laid over /usr with a read-only overlay inside this test's private mount
# namespace, so mount.fuse3 finds /usr/bin/shmfs as on a real install while
# the machine's /usr never changes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=$(cd "$(dirname "$_LIB_SELF")/../.." && pwd)
BUILD=$TMP/build
DEST=$TMP/dest
RUNMNT=/run/shmfs

# Before lib.sh's cleanup, which removes $TMP but no file system that uses it.
install_cleanup() {
	local p
	grep -q " $RUNMNT " /proc/self/mounts && umount -l "$RUNMNT" 2>/dev/null
	for p in $(shmfs_daemons); do kill -KILL "$p" 2>/dev/null; done
	grep -q ' /usr overlay ' /proc/self/mounts && umount -l /usr 2>/dev/null
	return 0
}
# shellcheck disable=SC2154 # assigned as the trap runs
trap '_install_rc=$?; install_cleanup; (exit $_install_rc); _lib_cleanup' EXIT

run_mounted_fstype() {
	awk -v d="$RUNMNT" '$5 == d { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+1); exit } }' \
		/proc/self/mountinfo
}

# check_run_mount HOW: shmfs is mounted on $RUNMNT by /usr/bin/shmfs and
# shows the segment made below; then unmount it and see the daemon go.
check_run_mount() {
	local how=$1 d
	assert_eq fuse.shmfs "$(run_mounted_fstype)" "$how: mounted as fuse.shmfs"
	d=$(shmfs_daemons)
	assert_eq /usr/bin/shmfs "$(readlink "/proc/${d%%$'\n'*}/exe" 2>/dev/null)" \
		"$how: the daemon is the installed /usr/bin/shmfs"
	assert_eq "installed" "$(head -c 9 "$RUNMNT/sysv/0x00000929")" "$how: the segment reads through the mount"
	assert_ok umount "$RUNMNT"
	assert_true "$how: the daemon exits after umount" wait_for 5 no_shmfs_daemons
}

# ---- meson install --destdir ----

section "meson install --destdir, as a packager does"
out=$(meson setup --prefix=/usr "$BUILD" "$SRC" 2>&1) ||
	{ fail "meson setup --prefix=/usr" "${out: -2000}"; exit 1; }
out=$(meson compile -C "$BUILD" 2>&1) || { fail "meson compile" "${out: -2000}"; exit 1; }
out=$(meson install -C "$BUILD" --destdir "$DEST" 2>&1) ||
	{ fail "meson install --destdir" "${out: -2000}"; exit 1; }
pass "meson install --destdir $DEST"
assert_eq usr "$(ls -A "$DEST")" "everything is installed under the prefix"
assert_true "usr/bin/shmfs is an executable" test -x "$DEST/usr/bin/shmfs"
for f in lib/systemd/system/run-shmfs.mount lib/systemd/system/run-shmfs.automount \
	share/doc/shmfs/examples/shmfs.fstab; do
	assert_true "usr/$f is installed" test -s "$DEST/usr/$f"
	assert_match "^#" "$(head -n 1 "$DEST/usr/$f")" "usr/$f starts with a comment on how to use it"
done
MAN=$DEST/usr/share/man/man1/shmfs.1
if command -v rst2man >/dev/null || command -v rst2man.py >/dev/null || [[ ${CI:-} == true ]]; then
	assert_true "usr/share/man/man1/shmfs.1 is installed" test -s "$MAN"
fi
assert_eq "" "$(find "$DEST" -name 'mount.fuse*')" \
	"no mount.fuse.shmfs helper: mount.fuse3 runs shmfs (see mount/meson.build)"

section "version and options, binary against man page"
version=$(meson introspect --projectinfo "$BUILD" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
assert_match '^[0-9]+\.[0-9]+\.[0-9]+' "$version" "meson.build declares a version"
assert_eq "shmfs version $version" "$("$DEST/usr/bin/shmfs" --version | head -n 1)" \
	"shmfs --version shows meson.build's version"
help=$("$DEST/usr/bin/shmfs" --help 2>&1)
if [[ -s $MAN ]]; then
	assert_match "^\.TH \"?SHMFS\"? \"?1\"? .*shmfs $version" "$(grep '^\.TH' "$MAN")" \
		"the man page shows meson.build's version"
	# The page as text: fonts dropped, \- and \(aq as typed.
	man_text=$(sed -e 's/\\f[BIPR]//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\e/\\/g' "$MAN")
	for s in SYNOPSIS DESCRIPTION "THE TREE" OPERATIONS OPTIONS "DATA PATH" SECURITY LIMITS EXAMPLES "EXIT STATUS"; do
		assert_has_line ".SH $s" "$man_text" "the man page has a $s section"
	done
	# Every option --help names (shmfs's and libfuse's) is in the man page.
	opts=$(grep -oE -- '(^|[[:space:]])(-o [a-z_]+|--?[a-zA-Z-]+)' <<<"$help" | sed 's/^[[:space:]]*//' | sort -u)
	# "    auto, noauto, ..., comment=* are fstab words, accepted ..."
	words=$(sed -n '/^shmfs options:/,/^FUSE options:/p' <<<"$help" |
		awk '/^    [a-z_]+, /{f=1} f{print} /ignored/{f=0}' | tr '\n' ' ' |
		sed 's/ are .*//' | tr -s ' ,' '\n' | sed 's/\*$//' | grep .)
	assert_true "--help lists options" test -n "$opts"
	assert_true "--help lists the fstab words" test -n "$words"
	for o in $(tr ' ' '~' <<<"$opts") $words; do
		o=${o//\~/ }
		[[ $o == -- ]] && continue
		if grep -qF -- "$o" <<<"$man_text"; then pass "man page documents $o"; else
			fail "shmfs --help shows $o, the man page (docs/shmfs.1.rst) does not"
		fi
	done
fi

# ---- mount(8) with the installed tree ----

section "mount -t fuse.shmfs with /usr/bin/shmfs"
mount -t overlay -o "lowerdir=$DEST/usr:/usr" shmfs-test-usr /usr ||
	_lib_cannot_run "cannot lay a read-only overlay over /usr"
mount -t tmpfs -o mode=755 shmfs-test-run /run || _lib_cannot_run "cannot mount a private tmpfs on /run"
mkdir "$RUNMNT"
assert_true "/usr/bin/shmfs is there, in this namespace only" test -x /usr/bin/shmfs
"$H" sysv-create 0x929 4096 >/dev/null && "$H" sysv-write 0x929 0 installed >/dev/null

assert_ok mount -t fuse.shmfs shmfs "$RUNMNT" -o allow_other
opts=$(findmnt -n -o OPTIONS "$RUNMNT")
assert_match '(^|,)allow_other(,|$)' "$opts" "allow_other reaches FUSE"
assert_eq shmfs "$(findmnt -n -o SOURCE "$RUNMNT")" "the source is the name mount shows"
check_run_mount "mount -t fuse.shmfs"

section "the installed example fstab line"
grep -vE '^[[:space:]]*(#|$)' "$DEST/usr/share/doc/shmfs/examples/shmfs.fstab" >"$TMP/fstab"
assert_eq 1 "$(wc -l <"$TMP/fstab")" "the example has one fstab line"
assert_match "^shmfs[[:space:]]+${RUNMNT}[[:space:]]+fuse\.shmfs[[:space:]]" "$(cat "$TMP/fstab")" \
	"the example mounts shmfs on $RUNMNT"
assert_ok mount -T "$TMP/fstab" "$RUNMNT"
check_run_mount "the fstab line"

section "fstab-only options are accepted and not passed to FUSE"
fstab_words="auto,noauto,nofail,_netdev,user,nouser,users,defaults,x-systemd.automount,x-systemd.idle-timeout=30,comment=x"
echo "shmfs $RUNMNT fuse.shmfs $fstab_words,allow_other 0 0" >"$TMP/fstab2"
assert_ok mount -T "$TMP/fstab2" "$RUNMNT"
check_run_mount "an fstab line with every fstab-only option"
# mount(8) strips most of these itself; shmfs must too, when run directly.
assert_ok /usr/bin/shmfs -o "$fstab_words" "$RUNMNT"
assert_no_match 'noauto|nofail|_netdev|users|x-systemd|comment' \
	"$(grep " $RUNMNT " /proc/self/mountinfo)" "none of them reaches the mount"
check_run_mount "shmfs -o $fstab_words"

section "the installed systemd units"
UNITS=$DEST/usr/lib/systemd/system
unit_key() { sed -n "s/^$2=//p" "$UNITS/$1"; }
where=$(unit_key run-shmfs.mount Where)
if command -v systemd-escape >/dev/null; then
	escaped=$(systemd-escape --path "$where")
else # enough for paths of plain letters, as ours is
	escaped=${where#/}
	escaped=${escaped//\//-}
fi
assert_eq "run-shmfs" "$escaped" "run-shmfs.mount is named after its Where= ($where), as systemd requires"
assert_eq "$where" "$(unit_key run-shmfs.automount Where)" "the automount unit has the same Where="
assert_eq fuse.shmfs "$(unit_key run-shmfs.mount Type)" "the mount unit's Type="
assert_match '^\[Install\]$' "$(grep -x '\[Install\]' "$UNITS/run-shmfs.automount")" "the automount unit can be enabled"
# What systemd runs for the unit: mount -t Type -o Options What Where.
assert_ok mount -t "$(unit_key run-shmfs.mount Type)" -o "$(unit_key run-shmfs.mount Options)" \
	"$(unit_key run-shmfs.mount What)" "$where"
check_run_mount "the mount unit's mount"
