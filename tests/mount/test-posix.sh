#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# POSIX objects through posix/: they behave like tmpfs files; checked with
# shmhelper (shm_open/mmap) and /dev/shm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENOENT="No such file or directory"
P=$MNT/posix
hex() { xxd -p | tr -d '\n'; }

"$H" posix-create p1 0 0644
"$H" posix-write p1 0 "hello"
start_shmfs -o allow_other

section "read and write"
assert_eq hello "$(cat "$P/p1")" "cat shows the object"
assert_true "echo hi > p1" sh -c 'echo hi > "$1"' sh "$P/p1"
assert_eq 68690a "$("$H" posix-read p1 | hex)" "echo > replaces the contents (O_TRUNC)"
assert_eq 3 "$(posix_field p1 size)" "and sets the size"
assert_true "echo more >> p1" sh -c 'echo more >> "$1"' sh "$P/p1"
assert_eq "$(printf 'hi\nmore\n' | hex)" "$("$H" posix-read p1 | hex)" "append grows the object"
assert_eq 8 "$(posix_field p1 size)" "size after append"
assert_true "dd past the end" sh -c 'printf END | dd of="$1" bs=1 seek=100 conv=notrunc status=none' sh "$P/p1"
assert_eq 103 "$(posix_field p1 size)" "a write past the end grows the object"
assert_eq END "$("$H" posix-read p1 100 3)" "with the written bytes"
assert_eq 000000 "$("$H" posix-read p1 8 3 | hex)" "and a zero-filled hole"
assert_eq 103 "$(stat -c %s "$P/p1")" "stat size follows"
assert_eq 103 "$(stat -c %s /dev/shm/p1)" "/dev/shm agrees"

section "offsets past 4 GiB"
assert_ok truncate -s 5G "$P/huge"
assert_eq 5368709120 "$(posix_field huge size)" "truncate -s 5G"
assert_true "dd write at 5 GiB + 3" sh -c 'printf XY | dd of="$1" oflag=seek_bytes seek=5368709123 conv=notrunc status=none' sh "$P/huge"
assert_eq 5368709125 "$(posix_field huge size)" "the write grew the object"
assert_eq XY "$("$H" posix-read huge 5368709123 2)" "helper sees the bytes"
assert_eq XY "$(dd if="$P/huge" iflag=skip_bytes skip=5368709123 bs=2 count=1 status=none)" "read back at 5 GiB + 3"
assert_eq "" "$("$H" posix-read huge 1073741827 2 | strip_nul)" "nothing at the offset modulo 4 GiB"
"$H" posix-rm huge

section "O_APPEND follows the object's current end"
"$H" posix-create app 0
"$H" posix-write app 0 abc
exec 5>>"$P/app"
printf X >&5
assert_eq abcX "$("$H" posix-read app)" "append at the end"
"$H" posix-write app 10 0123456789
printf Y >&5
assert_eq 0123456789Y "$("$H" posix-read app 10)" "append after another process grew it"
"$H" posix-truncate app 2
printf Z >&5
assert_eq abZ "$("$H" posix-read app)" "append after another process shrank it"
exec 5>&-
"$H" posix-rm app

section "truncate"
assert_ok truncate -s 10000 "$P/p1"
assert_eq 10000 "$(posix_field p1 size)" "truncate -s 10000 grows"
assert_ok truncate -s 2 "$P/p1"
assert_eq 2 "$(posix_field p1 size)" "truncate -s 2 shrinks"
assert_eq hi "$("$H" posix-read p1)" "keeping the head"
assert_true ": > p1" sh -c ': > "$1"' sh "$P/p1"
assert_eq 0 "$(posix_field p1 size)" "O_TRUNC empties the object"
assert_eq "" "$(cat "$P/p1")" "cat of an empty object"

section "create and remove"
assert_true "(umask 027; touch new)" sh -c 'umask 027; touch "$1"' sh "$P/new"
assert_eq "0640 0" "$(posix_field new mode) $(posix_field new size)" "create applies mode and umask"
assert_exists /dev/shm/new
assert_true "echo x > created" sh -c 'echo x > "$1"' sh "$P/created"
assert_eq "0644 2" "$(posix_field created mode) $(posix_field created size)" "echo > creates a 2-byte object"
assert_true "nobody creates an object" setpriv --reuid=65534 --regid=65534 --clear-groups \
	sh -c 'echo x > "$1"' sh "$P/bynobody"
assert_eq 65534 "$(posix_field bynobody uid)" "owned by the creating user"
assert_eq "File exists" "$(perl -e 'use Fcntl; sysopen(my $f, $ARGV[0], O_WRONLY|O_CREAT|O_EXCL) or print "$!"' "$P/created")" "O_EXCL on an existing object"
assert_ok rm "$P/new"
assert_fails_with "$ENOENT" "$H" posix-stat new
assert_missing /dev/shm/new
assert_missing "$P/new"
assert_ok cp "$P/created" "$P/copy"
assert_eq 78 "$("$H" posix-read copy 0 1 | hex)" "cp within posix/"
ino=$("$H" posix-stat copy ino)
assert_ok mv "$P/copy" "$P/moved"
assert_eq "bynobody created moved p1" "$(ls "$P" | tr '\n' ' ' | sed 's/ $//')" "mv works"
assert_eq "$ino" "$("$H" posix-stat moved ino)" "by renaming the object"
assert_eq 78 "$("$H" posix-read moved 0 1 | hex)" "moved contents"

section "chmod, chown, stat"
assert_ok chmod 600 "$P/p1"
assert_eq 0600 "$(posix_field p1 mode)" "chmod 600"
assert_ok chown 65534:100 "$P/p1"
assert_eq "65534 100" "$(posix_field p1 uid) $(posix_field p1 gid)" "chown 65534:100"
"$H" posix-create s 1234 0751
assert_eq "regular file 751 0 0 1234" "$(stat -c '%F %a %u %g %s' "$P/s")" "stat shows the object's own attributes"
assert_eq "$(stat -c '%a %u %g %s' /dev/shm/s)" "$(stat -c '%a %u %g %s' "$P/s")" "same as /dev/shm"

section "permissions (mounted with allow_other)"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"$H" posix-create secret 6 0600
"$H" posix-write secret 0 secret
assert_fails_with "Permission denied" "${NOBODY[@]}" cat "$P/secret"
assert_fails_with "Permission denied" "${NOBODY[@]}" sh -c 'echo x >> "$1"' sh "$P/s"
assert_eq 1234 "$(posix_field s size)" "nobody's refused append changed nothing"
assert_fails_with_any "Permission denied|Operation not permitted" "${NOBODY[@]}" rm -f "$P/secret"
assert_fails_with "Operation not permitted" "${NOBODY[@]}" chmod 666 "$P/secret"
assert_fails_with "Operation not permitted" "${NOBODY[@]}" chown 65534 "$P/secret"
assert_fails_with "Permission denied" "${NOBODY[@]}" truncate -s 0 "$P/s"
assert_eq secret "$("$H" posix-read secret)" "object untouched by nobody"
assert_eq "0600 0 1234" "$(posix_field secret mode) $(posix_field secret uid) $(posix_field s size)" "modes, owner and size untouched"
assert_true "nobody chmods its own object" "${NOBODY[@]}" chmod 604 "$P/bynobody"
assert_eq 0604 "$(posix_field bynobody mode)" "(mode 0604)"
assert_true "nobody removes its own object" "${NOBODY[@]}" rm "$P/bynobody"
assert_missing /dev/shm/bynobody

section "names"
"$H" posix-create "with space" 3
assert_has_line "with space" "$(ls "$P")" "a name with a space is listed"
assert_eq 3 "$(stat -c %s "$P/with space")" "and can be looked up"
long=$(printf 'n%.0s' {1..200})
assert_true "echo > a 200-character name" sh -c 'echo x > "$1"' sh "$P/$long"
assert_eq 2 "$(posix_field "$long" size)" "the long name is a POSIX object"

section "sem.* is hidden"
"$H" posix-create sem.mysem 32
assert_exists /dev/shm/sem.mysem
assert_no_match "sem\\." "$(ls -a "$P")" "sem.* is not listed"
assert_fails_with "$ENOENT" stat "$P/sem.mysem"

section "large copy round trip"
head -c 8M /dev/urandom >"$TMP/big"
assert_ok cp "$TMP/big" "$P/big"
assert_eq "$(cksum <"$TMP/big")" "$("$H" posix-sum big)" "helper sees the 8 MiB copied in"
assert_ok cp "$P/big" "$TMP/back"
assert_ok cmp "$TMP/big" "$TMP/back"
"$H" posix-fill big 3000000 7
assert_eq "$("$H" posix-sum big)" "$(cksum <"$P/big")" "cat of a helper-filled object"

section "object shrinking under a reader"
"$H" posix-create churn 0
"$H" posix-fill churn 1M 3
bg_helper "$TMP/churn.out" posix-churn churn 1M --until-file "$TMP/stop"
end=$((SECONDS + 4))
reads=0
while ((SECONDS < end)); do
	cat "$P/churn" >/dev/null 2>&1
	dd if="$P/churn" of=/dev/null bs=64k status=none 2>/dev/null
	dd if="$P/churn" of=/dev/null bs=4k skip=100 count=20 status=none 2>/dev/null
	reads=$((reads + 3))
	daemon_alive || break
done
touch "$TMP/stop"
wait "$BG_PID"
assert_true "daemon alive after $reads reads of a churning object" daemon_alive
assert_eq 1048576 "$(cat "$P/churn" | wc -c)" "object readable afterwards"
assert_ok ls "$P"
