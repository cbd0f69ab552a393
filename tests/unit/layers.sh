#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The include rules of src/ (docs/design.md, "Layers"), for what the
# include paths of src/meson.build cannot stop: a relative path ("../")
# or libfuse's headers reached through <fuse3/...>.  Every "header" a file
# includes must be in its own folder or one it may use.
src=${1:?usage: layers.sh SRCDIR}
declare -A may=(
	[base]="base"
	[core]="core base"
	[fuse]="fuse core base"
)
bad=0
for dir in "$src"/*/; do
	folder=$(basename "$dir")
	allowed=${may[$folder]:-"$folder core base"} # a kind
	# The program may use every folder.
	[[ $folder == daemon ]] && allowed=$(cd "$src" && echo */ | tr -d /)
	for f in "$dir"*.[ch]; do
		while read -r h; do
			[[ $h == config.h ]] && continue
			ok=
			for a in $allowed; do
				[[ -e $src/$a/$h && $h != */* ]] && ok=1
			done
			if [[ -z $ok ]]; then
				echo "layers: ${f#"$src"/} includes \"$h\"," \
					"outside ${allowed// /, }"
				bad=1
			fi
		done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
		case $folder in fuse | daemon) continue ;; esac
		if grep -Hn '^#[[:space:]]*include[[:space:]]*<fuse' "$f"; then
			echo "layers: ${f#"$src"/} includes libfuse, below the FUSE layer"
			bad=1
		fi
	done
done
exit $bad
