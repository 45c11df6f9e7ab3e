#!/usr/bin/env bash
# arm64-xen.sh -- make sure the arm64 lab is there: the host tools (QEMU for
# aarch64, dtc) and Debian's arm64 Xen 4.17 hypervisor, unpacked from its .deb
# (never installed). Prints the directory that holds "xen" (an arm64 Image).
#
# usage: arm64-xen.sh
#
# Cache: ${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/lab-arm64/
#   xen-<debian version>/   xen, xen.deb, .complete (version and sha256)
#   current -> xen-<version> (the one to use; replaced atomically)
# A result is built in a temporary directory next to it and renamed into
# place with its .complete stamp, so a directory with the stamp is whole.
# apt can only download an arm64 .deb once dpkg knows the arm64 architecture:
# the first run (as root) adds it (dpkg --add-architecture arm64, a lasting
# host setting) and runs apt-get update.
# exit: 0 ok, 4 failure
set -euo pipefail

readonly PROG=arm64-xen
readonly ROOT=${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/lab-arm64
readonly PKG=xen-hypervisor-4.17-arm64

die() { echo "$PROG: error: $*" >&2; exit 4; }
log() { echo "$PROG: $*" >&2; }

# Fast path: a complete result.
if [ -f "$ROOT/current/.complete" ] && [ -f "$ROOT/current/xen" ] &&
   command -v qemu-system-aarch64 >/dev/null && command -v dtc >/dev/null; then
  (cd "$ROOT/current" && pwd -P)
  exit 0
fi

need=()
command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
command -v dtc >/dev/null || need+=(device-tree-compiler)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}: run as root or apt-get install ${need[*]}"
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2; } ||
    die "apt-get install ${need[*]} failed"
fi

if [ -f "$ROOT/current/.complete" ] && [ -f "$ROOT/current/xen" ]; then
  (cd "$ROOT/current" && pwd -P)
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "the arm64 Xen is not unpacked yet ($ROOT): run once as root"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  log "dpkg --add-architecture arm64; apt-get update"
  dpkg --add-architecture arm64 && apt-get update -q >&2 || die "cannot enable arm64 packages"
fi
mkdir -p "$ROOT"
tmp=$(mktemp -d "$ROOT/.tmp-xen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "$PKG:arm64" >&2) ||
  { apt-get update -q >&2 && (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "$PKG:arm64" >&2); } ||
  die "apt-get download $PKG:arm64 failed"
deb=$(ls "$tmp"/"$PKG"_*_arm64.deb | head -1)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$tmp/pkg"
cp "$tmp"/pkg/boot/xen-4.17-arm64 "$tmp/xen"
[ "$(dd if="$tmp/xen" bs=1 skip=56 count=4 2>/dev/null | od -An -c | tr -d ' ')" = ARMd ] ||
  die "$deb: boot/xen-4.17-arm64 is not an arm64 Image"
mv "$deb" "$tmp/xen.deb"
rm -rf "$tmp/pkg"
printf 'package=%s version=%s sha256=%s\n' "$PKG" "$version" "$(sha256sum < "$tmp/xen" | cut -c1-64)" > "$tmp/.complete"
dest=$ROOT/xen-$version
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
ln -sfn "xen-$version" "$ROOT/current.tmp.$$" && mv -Tf "$ROOT/current.tmp.$$" "$ROOT/current"
log "arm64 Xen $version ready in $dest"
(cd "$dest" && pwd -P)
