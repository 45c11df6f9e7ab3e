#!/usr/bin/env bash
# linux-domu.sh -- build (or find in the cache) the initramfs of the Linux PV domU
# that `make bench` measures as its baseline: the lab's Debian kernel (x86-build.sh's
# vmlinux) booted as a domU with this as its ramdisk. See linux-domu/init for what
# it runs and prints.
#
# Contents: the lab's static busybox, linux-domu/init, static tools built here
# (linux-domu/*.c, and tests/dom0/xsbench.c and evtchn-echo.c: the same clients dom0's
# baseline uses), the Xen modules the benchmarks need (from the lab's kernel
# package, which x86-build.sh has already downloaded), the discard/chargen
# scripts for busybox nc, a chargen pattern file and an HTTP page.
#
# usage: linux-domu.sh      prints the path of linux-domu.cpio.gz on stdout
#
# Cache: build/lab-linux-domu/<key>/ (or $STUBOS_LINUX_DOMU_CACHE/<key>/), <key>
# hashes the kernel package's name, busybox and every input file here; a build
# runs in a temporary directory renamed into place when complete.
set -euo pipefail

readonly PROG=linux-domu
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly TOP=$(cd "$HERE/../.." && pwd)
readonly CACHE=${STUBOS_LINUX_DOMU_CACHE:-$TOP/build/lab-linux-domu}
readonly SRC=$HERE/linux-domu
readonly INPUTS=("$SRC"/init "$SRC"/*-service "$SRC"/*.c "$TOP/tests/dom0/xsbench.c" "$TOP/tests/dom0/evtchn-echo.c" "$TOP/tests/dom0/xsdev.h" "$HERE/linux-domu.sh")
# Load order matters: xenfs needs xen-privcmd (checked against the modules' depends=).
readonly MODULES=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netfront)
# 95 lines are one period of the chargen pattern; 128 periods are 879 KiB.
readonly CHARGEN_PERIODS=128

die() { echo "$PROG: error: $*" >&2; exit 1; }

# The kernel package x86-build.sh used: its manifest names the .deb, kept in ../debs.
kernel_deb() {
  local art=$1 f
  f=$(awk '$1 == "deb" && $2 ~ /^linux-image-/ { print $3 }' "$art/manifest")
  [ -n "$f" ] && [ -f "$art/../debs/$f" ] || die "no kernel package for $art"
  echo "$art/../debs/$f"
}

install_modules() {
  local deb=$1 root=$2 stage=$3 m ko dep
  dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$stage" --wildcards './lib/modules/*/kernel/drivers/xen/*' \
        './lib/modules/*/kernel/drivers/net/xen-netfront.ko*' || die "cannot unpack modules"
  mkdir -p "$root/lib/modules"
  : > "$root/lib/modules/load.list"
  for m in "${MODULES[@]}"; do
    ko=$(find "$stage/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
    [ -n "$ko" ] || die "module $m is not in the kernel package"
    case $ko in
      *.xz) xz -dc "$ko" > "$root/lib/modules/$m.ko" ;;
      *) cp "$ko" "$root/lib/modules/$m.ko" ;;
    esac
    for dep in $(strings "$root/lib/modules/$m.ko" | sed -n 's/^depends=//p' | tr , ' '); do
      grep -qx "$dep" "$root/lib/modules/load.list" || die "$m needs $dep, which is not loaded before it"
    done
    echo "$m" >> "$root/lib/modules/load.list"
  done
}

build_tools() {
  local bin=$1 c
  for c in "$SRC"/*.c "$TOP/tests/dom0/xsbench.c" "$TOP/tests/dom0/evtchn-echo.c"; do
    gcc -static -O2 -Wall -Wextra -Werror -o "$bin/$(basename "$c" .c)" "$c" ||
      die "cannot build $c"
  done
}

# The RFC 864 pattern as tests/dom0/nettest.c checks it: line L holds the 72
# printable characters starting at ' ' + L mod 95, then CR LF.
write_chargen() {
  awk -v periods="$CHARGEN_PERIODS" 'BEGIN {
    for (l = 0; l < 95; l++) {
      s = ""; for (c = 0; c < 72; c++) s = s sprintf("%c", 32 + (l + c) % 95)
      line[l] = s "\r\n"
    }
    for (p = 0; p < periods; p++) for (l = 0; l < 95; l++) printf "%s", line[l]
  }' > "$1"
}

# The page nettest's http mode fetches; its client wants the word "stubos" in it.
write_page() {
  cat > "$1" <<'EOF'
<!DOCTYPE html>
<html><head><title>Linux domU baseline</title></head>
<body><h1>Linux domU baseline</h1>
<p>busybox httpd in a Linux PV domU, the baseline stubos netsvc is measured against.</p>
<ul><li><a href="/">index</a></li></ul>
</body></html>
EOF
}

build_into() {
  local dir=$1 art=$2 root=$1/root stage=$1/stage bb=$2/busybox
  mkdir -p "$root"/{bin,dev,proc,sys,tmp,srv/www} "$stage"
  cp "$bb" "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"
  install -m 755 "$SRC/init" "$root/init"
  install -m 755 "$SRC/discard-service" "$SRC/chargen-service" "$root/bin/"
  build_tools "$root/bin"
  install_modules "$(kernel_deb "$art")" "$root" "$stage"
  write_chargen "$root/srv/chargen"
  write_page "$root/srv/www/index.html"
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$bb" cpio -o -H newc -R 0:0 2>/dev/null) |
    gzip -9 -n > "$dir/linux-domu.cpio.gz"
  rm -rf "$root" "$stage"
}

main() {
  [ $# -eq 0 ] || { echo "usage: $0   (prints the initramfs path)" >&2; exit 64; }
  local art key out tmp
  art=$("$HERE/x86-build.sh") || die "x86-build.sh failed"
  key=$({ basename "$(kernel_deb "$art")"; sha256sum "$art/busybox" "${INPUTS[@]}" | cut -d' ' -f1; } |
        sha256sum | cut -c1-12)
  out=$CACHE/$key
  if [ ! -f "$out/linux-domu.cpio.gz" ]; then
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/.build-$key.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    build_into "$tmp" "$art"
    # another run may have finished the same key meanwhile: keep the first
    mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp"
    trap - EXIT
    # older keys are dead weight
    find "$CACHE" -mindepth 1 -maxdepth 1 ! -name "$key" -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
  fi
  echo "$out/linux-domu.cpio.gz"
}

main "$@"
