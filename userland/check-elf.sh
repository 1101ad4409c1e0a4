#!/bin/sh
# check-elf.sh CROSS ELF: what the kernel's ELF loader will demand of a user
# program, checked right after the link so that a bad linker script fails
# the build instead of the boot:
#   - program headers are PT_LOAD only, flagged R E, R or RW (never W and X);
#   - every segment lies inside [USER_BASE, USER_STACK_TOP - USER_STACK_SIZE);
#   - no two segments touch the same 4 KiB page;
#   - the entry point is _start.
set -eu
cross=$1
elf=$2
USER_BASE=$((0x100000000))
USER_LIMIT=$((0x13ffe0000))   # the stack's lowest page (abi/user.h)

fail() {
    echo "check-elf: $elf: $*" >&2
    exit 1
}

# type vaddr memsz flags, one line per program header.
segments=$("${cross}readelf" -lW "$elf" | awk '
    /^Program Headers:/ { on = 1; next }
    on && /^ *Type/     { next }
    on && NF == 0       { on = 0 }
    on {
        flags = $7
        for (i = 8; i < NF; i++) flags = flags $i
        print $1, $3, $6, flags
    }')
[ -n "$segments" ] || fail "no program headers"

pages=""
count=0
echo "$segments" | {
    while read -r type vaddr memsz flags; do
        [ "$type" = LOAD ] || fail "a $type program header (PT_LOAD only)"
        case "$flags" in
            RE|R|RW) ;;
            *) fail "a segment at $vaddr is flagged $flags (R E, R or RW only)";;
        esac
        start=$((vaddr))
        end=$((vaddr + memsz))
        [ "$start" -ge "$USER_BASE" ] && [ "$end" -le "$USER_LIMIT" ] ||
            fail "the segment at $vaddr (size $memsz) is outside user space"
        first=$((start / 4096))
        last=$(((end - 1) / 4096))
        for range in $pages; do
            f=${range%-*}
            l=${range#*-}
            [ "$first" -gt "$l" ] || [ "$last" -lt "$f" ] ||
                fail "the segment at $vaddr shares a page with another"
        done
        pages="$pages $first-$last"
        count=$((count + 1))
    done
    [ "$count" -ge 1 ] || fail "no PT_LOAD segment"
}

entry=$("${cross}readelf" -hW "$elf" | awk '/Entry point address/ { print $NF }')
start=$("${cross}nm" "$elf" | awk '$3 == "_start" { print "0x" $1 }')
[ -n "$start" ] || fail "no _start symbol"
[ $((entry)) -eq $((start)) ] || fail "the entry point $entry is not _start ($start)"
