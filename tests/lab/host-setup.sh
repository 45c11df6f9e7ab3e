#!/bin/bash
# Install the Debian packages stubos needs to build and to run its lab
# ("make setup"; "make run" and "make test" call it). Does nothing when all
# are present; needs root only when something is missing.
set -euo pipefail

PACKAGES=(
    make gcc libc6-dev linux-libc-dev   # kernel build, static dom0 test tools
    libxen-dev                          # Xen public headers
    dpkg-dev xz-utils                   # unpacking Debian source packages (lib/deps)
    qemu-system-x86 cpio gzip bc        # the x86 lab: Xen + dom0 in QEMU
    gcc-aarch64-linux-gnu qemu-system-arm device-tree-compiler   # arm64 build and lab
    libc6-dev-arm64-cross               # static arm64 dom0 test tools (arm64 dom0 lab)
    clang                               # libFuzzer targets in the unit tests
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
        { echo "setup: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi
