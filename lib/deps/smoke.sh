#!/usr/bin/env bash
# shellcheck disable=SC2048,SC2086 # symbol lists are split into words on purpose
# smoke.sh ARCH - prove the cached newlib for ARCH (x86_64|arm64) is link-complete:
#   1. audit: every symbol libc.a leaves undefined must be defined by our syscall
#      shim (smoke/shim.c), except a few known dead references (KNOWN_GAPS);
#   2. compile smoke/main.c + shim.c against newlib's headers with the kernel's
#      flags, link statically with nothing but libc.a libm.a libgcc.a;
#   3. run it: x86_64 natively, arm64 under qemu-aarch64 (qemu-user-static).
# Every command is echoed with a "+ " prefix.  Exit 0 = all of the above passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
arch=${1:?usage: smoke.sh x86_64|arm64}

# References from libc.a members to functions newlib 3.3.0 does not build for
# *-xen-elf.  Harmless unless the kernel calls the member's function:
#   aligned_alloc -> posix_memalign, rpmatch -> regcomp/regexec/regfree,
#   towctrans_l -> _jp2uc_l/_uc2jp_l (JIS tables, not configured).
KNOWN_GAPS="posix_memalign regcomp regexec regfree _jp2uc_l _uc2jp_l"

case $arch in
x86_64) tool='' archflags=(-mno-red-zone -mcmodel=small) ;;
arm64) tool=aarch64-linux-gnu- archflags=(-mno-outline-atomics) ;;
*) echo "smoke: unknown ARCH '$arch' (want x86_64 or arm64)" >&2; exit 1 ;;
esac
cc=${tool}gcc nm=${tool}nm

run() { echo "+ $*"; "$@"; }

newlib=$("$here/deps.sh" newlib "$arch" | tail -n 1)
work=$(mktemp -d -t stubos-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Same freestanding discipline as the kernel: newlib's headers, then gcc's own
# (stddef.h, stdarg.h, float.h), never glibc's.
cflags=(-O2 -g -std=gnu11 -Wall -Wextra -nostdinc
	-isystem "$newlib/include" -isystem "$("$cc" -print-file-name=include)"
	-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables "${archflags[@]}")
libs=("$newlib/lib/libc.a" "$newlib/lib/libm.a" "$("$cc" -print-libgcc-file-name)")

run "$cc" "${cflags[@]}" -c "$here/smoke/main.c" -o "$work/main.o"
run "$cc" "${cflags[@]}" -c "$here/smoke/shim.c" -o "$work/shim.o"

# 1. audit: what libc.a needs, and who provides it (shim = the kernel's part)
undefined() { "$nm" -g "$1" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u; }
defined() { "$nm" -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
words() { echo $*; } # one line, single spaces
needs=$(comm -23 <(undefined "$newlib/lib/libc.a") <(defined "$newlib/lib/libc.a"))
from_shim=$(comm -12 <(echo "$needs") <(defined "$work/shim.o"))
from_libgcc=$(comm -12 <(echo "$needs") <(defined "${libs[2]}"))
gaps=$(comm -12 <(echo "$needs") <(tr ' ' '\n' <<<"$KNOWN_GAPS" | sort))
missing=$(comm -23 <(echo "$needs") <(printf '%s\n' $from_shim $from_libgcc $gaps | sort))
echo "libc.a ($arch) needs from the OS layer (shim): $(words $from_shim)"
echo "libc.a ($arch) needs from libgcc.a: $(words ${from_libgcc:-none})"
echo "libc.a ($arch) dead references (known gaps): $(words $gaps)"
if [[ -n $missing ]]; then
	echo "smoke: FAIL: libc.a needs symbols nobody defines: $(words $missing)" >&2
	exit 1
fi

# 2. link: -nostdlib, so only our objects and these three archives take part
run "$cc" -nostdlib -static -no-pie -Wl,-z,noexecstack -o "$work/smoke-$arch" \
	"$work/main.o" "$work/shim.o" -Wl,--start-group "${libs[@]}" -Wl,--end-group

# 3. run
runner=()
if [[ $arch == arm64 ]]; then
	qemu=$(command -v qemu-aarch64 qemu-aarch64-static | head -n 1 || true)
	if [[ -z $qemu && $(id -u) == 0 ]]; then
		echo "smoke: installing qemu-user-static (for qemu-aarch64)" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			qemu-user-static >"$work/apt.log" 2>&1 || tail -n 5 "$work/apt.log" >&2
		qemu=$(command -v qemu-aarch64 qemu-aarch64-static | head -n 1 || true)
	fi
	if [[ -z $qemu ]]; then
		echo "smoke: arm64 linked but NOT run: install qemu-user-static for qemu-aarch64" >&2
		exit 0
	fi
	runner=("$qemu")
fi
run "${runner[@]}" "$work/smoke-$arch"
