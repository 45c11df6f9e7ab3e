#!/bin/sh
# elf-to-image.sh OBJCOPY -o IMAGE ELF: turn a linked arm64 kernel into the
# Linux "Image" format Xen loads (a raw binary that starts with the 64-byte
# header of arch/arm/head.S), and check the header's magic. Called by the
# top-level Makefile in place of "strip -o IMAGE ELF" for ARCH=arm64.
set -eu
[ $# -eq 4 ] && [ "$2" = -o ] || { echo "usage: $0 OBJCOPY -o IMAGE ELF" >&2; exit 2; }
objcopy=$1 image=$3 elf=$4
"$objcopy" -O binary "$elf" "$image.tmp"
magic=$(dd if="$image.tmp" bs=1 skip=56 count=4 2>/dev/null | od -An -c | tr -d ' ')
if [ "$magic" != 'ARMd' ]; then
    rm -f "$image.tmp"
    echo "$0: $elf: no arm64 Image magic at offset 0x38 (is _start first?)" >&2
    exit 1
fi
mv "$image.tmp" "$image"
