#!/usr/bin/env bash
# x86-build.sh -- build (or find in the cache) the x86 lab artefacts:
#
#   xen.elf       Xen 4.17 hypervisor (gunzipped: QEMU's multiboot loader wants an ELF)
#   vmlinux       dom0 Linux kernel as a plain ELF (see extract_vmlinux)
#   dom0.cpio.gz  dom0 initramfs: busybox, xl + xenstored + xenconsoled, modules, our /init
#   busybox       static busybox, used by x86-run.sh to pack plan cpios on the host
#   manifest      what went in (packages, file hashes, kernel version)
#
# Everything comes from Debian packages fetched with `apt-get download` and unpacked
# with dpkg-deb: nothing is installed on the host, glibc included (the dom0 tree is
# self-contained, so the host's own libraries do not matter).
#
# usage: x86-build.sh          prints the artefact directory on stdout
#
# Cache: ${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/lab-x86/<key>/ where
# <key> hashes the .deb file names (name+version) and every tests/lab file that goes
# into the build. A directory is only used if it holds the .complete stamp; builds run
# in a temporary directory that is renamed into place at the very end.
set -euo pipefail

readonly PROG=x86-build
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/lab-x86
readonly DEBS=$ROOT/debs

# Files of tests/lab that end up in the artefacts; a change to any of them is a new key.
readonly LAB_FILES=(dom0-init dom0-vif-bridge dom0-block x86-build.sh)

# Xen 4.17 + its tools, and the libraries the tools need (glibc too: see above).
readonly PACKAGES=(
  xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils libxenmisc4.17
  libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenstore4
  libxentoollog1 libxentoolcore1 libxendevicemodel1 libxenhypfs1 libyajl2
  busybox-static libc6 libgcc-s1 liblzma5 libuuid1 zlib1g libzstd1
)
# The real kernel package behind this metapackage (e.g. linux-image-6.1.0-56-amd64).
readonly KERNEL_META=linux-image-amd64

# Xen tools copied into dom0, from /usr/lib/xen-4.17/bin (libxl expects them there).
readonly XEN_TOOLS=(xl xenstored xenconsoled xenconsole xen-init-dom0 init-xenstore-domain
                    xenstore-control libxl-save-helper)
readonly XENSTORE_CLIENTS=(read write ls rm list exists watch chmod)
# dom0 modules; their dependencies are added from modules.dep.
readonly MODULES=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback
                  xen-blkback loop bridge)

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

# need CMD:PKG...: install the packages of missing commands (needs root).
need() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing host packages (${missing[*]}): run as root or apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  apt-get install -y -q "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

apt_quiet() { apt-get -q -o APT::Sandbox::User=root "$@"; }

# Fingerprint of apt's view of the archive: while it stays the same, the package
# resolution below stays the same, so we never need to ask apt (>1 s) on the fast path.
apt_fingerprint() {
  { stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* /etc/apt/sources.list \
      /etc/apt/sources.list.d/* /etc/apt/preferences.d/* 2>/dev/null || true; } |
    sha256sum | cut -c1-16
}

# Ask apt which .deb files the packages are: prints "package filename" lines.
resolve_with_apt() {
  local kernel uris
  kernel=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
           awk '/Depends: linux-image-/ { print $2; exit }') || true
  [ -n "$kernel" ] || return 1
  uris=$(apt_quiet download --print-uris "${PACKAGES[@]}" "$kernel" 2>/dev/null) || return 1
  # lines look like: 'URL' FILENAME SIZE SHA256:...; FILENAME is PACKAGE_VERSION_ARCH.deb
  awk '{ f = $2; p = f; sub(/_.*/, "", p); print p, f }' <<< "$uris" | LC_ALL=C sort
}

# Sets DEB_LIST to a file of "package filename" lines, cached per apt fingerprint.
resolve_debs() {
  local dir=$ROOT/resolve
  DEB_LIST=$dir/$(apt_fingerprint)
  [ -s "$DEB_LIST" ] && return 0
  mkdir -p "$dir"
  local out
  if ! out=$(resolve_with_apt); then
    # a fresh machine may have no package lists yet
    [ "$(id -u)" -eq 0 ] || die "apt cannot resolve the packages; run apt-get update as root"
    log "apt-get update"
    apt-get update -q >&2 || die "apt-get update failed"
    DEB_LIST=$dir/$(apt_fingerprint)
    out=$(resolve_with_apt) || die "apt cannot resolve ${PACKAGES[*]} $KERNEL_META"
  fi
  [ "$(wc -l <<< "$out")" -eq $(( ${#PACKAGES[@]} + 1 )) ] || die "apt resolved an unexpected package set"
  printf '%s\n' "$out" > "$DEB_LIST.tmp.$$" && mv -f "$DEB_LIST.tmp.$$" "$DEB_LIST"
}

# The cache key: deb names+versions, and the content of our own build inputs.
compute_key() {
  {
    cat "$DEB_LIST"
    (cd "$HERE" && sha256sum "${LAB_FILES[@]}")
  } | sha256sum | cut -c1-12
}

# Download the .debs not yet in $DEBS. They go to a scratch dir first, so an
# interrupted download never leaves a truncated file under its final name.
fetch_debs() {
  local pkg file want=()
  while read -r pkg file; do
    [ -f "$DEBS/$file" ] || want+=("$pkg")
  done < "$DEB_LIST"
  [ ${#want[@]} -eq 0 ] && return 0
  log "downloading ${#want[@]} packages"
  local part
  part=$(mktemp -d "$DEBS/.partial.XXXXXX")
  (cd "$part" && apt_quiet -q download "${want[@]}" >&2) || { rm -rf "$part"; die "apt-get download failed (stale package lists? apt-get update)"; }
  mv -f "$part"/*.deb "$DEBS"/ && rmdir "$part"
  while read -r pkg file; do
    [ -f "$DEBS/$file" ] || die "download of $pkg did not produce $file"
  done < "$DEB_LIST"
}

# Unpack everything except the kernel fully; from the kernel package (≈400 MB unpacked)
# only the kernel image and the module directories we may need. The kernel's xz
# stream takes the longest, so it runs in the background meanwhile.
unpack_debs() {
  local stage=$1 pkg file kpid=
  while read -r pkg file; do
    case $pkg in
      linux-image-*)
        dpkg-deb --fsys-tarfile "$DEBS/$file" |
          tar -x -C "$stage" --wildcards './boot/vmlinuz-*' \
              './lib/modules/*/kernel/drivers/xen/*' './lib/modules/*/kernel/drivers/block/*' \
              './lib/modules/*/kernel/drivers/net/xen-netback/*' './lib/modules/*/kernel/net/*' &
        kpid=$! ;;
      *) dpkg-deb -x "$DEBS/$file" "$stage" ;;
    esac
  done < "$DEB_LIST"
  [ -n "$kpid" ] || die "no kernel package"
  wait "$kpid" || die "cannot unpack the kernel package"
}

# Xen would decompress the xz bzImage itself, which costs ~4.5 s per boot under TCG.
# Take the payload out using the boot header (setup_sects at 0x1f1, payload_offset and
# payload_length at 0x248/0x24c) and hand Xen the plain ELF instead.
le_uint() { od -An -t "u$3" -j "$2" -N "$3" "$1" | tr -d ' '; }   # FILE OFFSET SIZE

extract_vmlinux() {
  local bz=$1 out=$2 sects poff plen start
  sects=$(le_uint "$bz" $((0x1f1)) 1); [ "$sects" -eq 0 ] && sects=4
  poff=$(le_uint "$bz" $((0x248)) 4); plen=$(le_uint "$bz" $((0x24c)) 4)
  start=$(( (sects + 1) * 512 + poff ))
  # the payload ends with the 4-byte decompressed size: --single-stream ignores it
  dd if="$bz" iflag=skip_bytes,count_bytes skip="$start" count="$plen" status=none |
    xz -dc --single-stream > "$out" || die "cannot decompress the xz payload of $bz"
  [ "$(head -c 4 "$out")" = $'\x7fELF' ] || die "$bz did not contain an ELF vmlinux"
}

# Modules in load order: dependencies first (modules.dep lists them nearest-first).
module_load_order() {
  local dep=$1; shift
  awk -v want="$*" '
    function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.xz|\.zst)?$/, "", p); return p }
    BEGIN { n = split(want, w, " ") }
    { sub(/:$/, "", $1); path[base($1)] = $1
      d = ""; for (i = NF; i >= 2; i--) d = d " " $i; deps[base($1)] = d }
    function add(m,   k, n2, ds) {
      if (done[m]++) return
      n2 = split(deps[m], ds, " ")
      for (k = 1; k <= n2; k++) add(base(ds[k]))
      print path[m]
    }
    END { for (i = 1; i <= n; i++) { if (!(w[i] in path)) { print "MISSING " w[i]; exit 1 }
                                     add(w[i]) } }' "$dep"
}

install_modules() {
  local stage=$1 root=$2 kdir rel name
  kdir=$(echo "$stage"/lib/modules/*)
  # the package has no modules.dep (depmod runs at install time): make one
  "$stage/bin/busybox" depmod -b "$stage" "${kdir##*/}" || die "depmod failed"
  mkdir -p "$root/lib/modules"
  : > "$root/lib/modules/load.list"
  module_load_order "$kdir/modules.dep" "${MODULES[@]}" > "$stage/order" ||
    die "module not found in modules.dep: $(grep MISSING "$stage/order" || true)"
  while read -r rel; do
    name=${rel##*/}; name=${name%%.ko*}
    [ -f "$kdir/$rel" ] || die "module file $rel was not unpacked"
    case $rel in
      *.xz)  xz -dc "$kdir/$rel" > "$root/lib/modules/$name.ko" ;;
      *.zst) die "zstd-compressed modules are not handled ($rel)" ;;
      *)     cp "$kdir/$rel" "$root/lib/modules/$name.ko" ;;
    esac
    echo "$name" >> "$root/lib/modules/load.list"
  done < "$stage/order"
}

# Copy the shared libraries the tools need, resolved by the *packaged* ld.so against
# the unpacked packages only, so a missing package shows up here and not in dom0.
install_libs() {
  local stage=$1 root=$2 ldso libpath libs
  ldso=$stage/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  libpath=$stage/lib/x86_64-linux-gnu:$stage/usr/lib/x86_64-linux-gnu
  libs=$(for b in "$root"/usr/lib/xen-4.17/bin/* "$root"/usr/bin/xenstore; do
           "$ldso" --library-path "$libpath" --list "$b"; done) || die "ld.so --list failed"
  grep -q 'not found' <<< "$libs" && die "libraries missing from the packages: $(grep 'not found' <<< "$libs" | sort -u | tr '\n\t' '  ')"
  mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/lib" "$root/lib64"
  awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<< "$libs" | sort -u |
    while read -r l; do cp -L "$l" "$root/usr/lib/x86_64-linux-gnu/"; done
  # glibc dlopen()s libgcc_s for pthread_cancel, so ld.so --list does not show it; xl
  # aborts without it ("libgcc_s.so.1 must be installed for pthread_cancel to work")
  cp -L "$stage/lib/x86_64-linux-gnu/libgcc_s.so.1" "$root/usr/lib/x86_64-linux-gnu/"
  cp -L "$ldso" "$root/lib64/ld-linux-x86-64.so.2"
  ln -s ../usr/lib/x86_64-linux-gnu "$root/lib/x86_64-linux-gnu"
}

# /etc/xen/xl.conf: dom0 memory is fixed (dom0_mem=N,max:N), so no ballooning;
# vifs default to our bridge and our busybox hotplug scripts (Debian's need bash).
write_xl_conf() {
  cat > "$1/etc/xen/xl.conf" <<'EOF'
autoballoon="off"
vif.default.bridge="xenbr0"
vif.default.script="vif-bridge"
EOF
}

build_root() {
  local stage=$1 root=$2 t a
  mkdir -p "$root"/{bin,proc,sys,dev,run,tmp,root,lab,extra,usr/bin,usr/lib/xen-4.17/bin}
  mkdir -p "$root"/{etc/xen/scripts,var/lib/xen,var/log/xen/console}
  ln -s ../run "$root/var/run"
  ln -s ../run/lock "$root/var/lock"
  ln -s bin "$root/sbin"

  # only sh here: /init links the other applets with busybox --install (one process
  # in dom0 instead of ~400 ln forks here)
  cp "$stage/bin/busybox" "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"

  for t in "${XEN_TOOLS[@]}"; do
    cp "$stage/usr/lib/xen-4.17/bin/$t" "$root/usr/lib/xen-4.17/bin/$t"
  done
  # xenstore is one multi-call binary that dispatches on argv[0]
  cp "$stage/usr/bin/xenstore" "$root/usr/bin/xenstore"
  for a in "${XENSTORE_CLIENTS[@]}"; do ln -s xenstore "$root/usr/bin/xenstore-$a"; done

  install_libs "$stage" "$root"
  install_modules "$stage" "$root"
  write_xl_conf "$root"
  install -m 755 "$HERE/dom0-vif-bridge" "$root/etc/xen/scripts/vif-bridge"
  install -m 755 "$HERE/dom0-block" "$root/etc/xen/scripts/block"
  install -m 755 "$HERE/dom0-init" "$root/init"
  echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
  echo "root:x:0:" > "$root/etc/group"
}

# newc cpio made by the packaged busybox (no host cpio needed), files sorted and
# owned by root so the archive depends only on its inputs.
make_initramfs() {
  local root=$1 out=$2 bb=$3
  (cd "$root" && find . | LC_ALL=C sort | "$bb" cpio -o -H newc -R 0:0 2>/dev/null) |
    gzip -6 -n > "$out"
}

build_into() {
  local dir=$1 key=$2 stage=$1/stage kver
  mkdir -p "$stage" "$dir/root"
  unpack_debs "$stage"
  kver=$(ls "$stage/lib/modules")
  [ "$(wc -w <<< "$kver")" -eq 1 ] || die "expected one kernel version, got: $kver"

  zcat "$stage/boot/xen-4.17-amd64.gz" > "$dir/xen.elf" || die "cannot gunzip Xen"
  extract_vmlinux "$stage/boot/vmlinuz-$kver" "$dir/vmlinux"
  cp "$stage/bin/busybox" "$dir/busybox"

  build_root "$stage" "$dir/root"
  make_initramfs "$dir/root" "$dir/dom0.cpio.gz" "$dir/busybox"
  {
    echo "key $key"
    echo "kernel $kver"
    sed 's/^/deb /' "$DEB_LIST"
    (cd "$HERE" && sha256sum "${LAB_FILES[@]}") | sed 's/^/file /'
  } > "$dir/manifest"
  rm -rf "$stage" "$dir/root"
  touch "$dir/.complete"
}

# Other keys' artefacts (~75 MB each) unused for a day, and builds killed a day ago.
prune_old() {
  local stamp dir
  find "$ROOT" -mindepth 2 -maxdepth 2 -name .complete -mmin +1440 2>/dev/null |
    while read -r stamp; do
      dir=${stamp%/.complete}
      log "removing unused $dir"; rm -rf "$dir"
    done
  find "$ROOT" -mindepth 1 -maxdepth 1 -name '.build-*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
}

main() {
  [ $# -eq 0 ] || { echo "usage: $0   (prints the artefact directory)" >&2; exit 64; }
  need apt-get:apt dpkg-deb:dpkg xz:xz-utils gzip:gzip tar:tar flock:util-linux od:coreutils
  mkdir -p "$ROOT" "$DEBS" || die "cannot create $ROOT"
  resolve_debs
  local key out
  key=$(compute_key)
  out=$ROOT/$key
  # the stamp's mtime says when the artefacts were last used (see prune_old)
  if [ -f "$out/.complete" ]; then touch "$out/.complete"; echo "$out"; return 0; fi

  # Serialise builders; re-check after the wait, another one may have finished it.
  exec 9> "$ROOT/.lock"
  flock 9
  if [ -f "$out/.complete" ]; then echo "$out"; return 0; fi
  [ -e "$out" ] && { log "removing incomplete $out"; rm -rf "$out"; }

  local t0=$SECONDS
  BUILD_TMP=$(mktemp -d "$ROOT/.build-$key.XXXXXX")
  trap 'rm -rf "$BUILD_TMP"' EXIT        # a failed build leaves nothing behind
  fetch_debs
  log "building $key"
  build_into "$BUILD_TMP" "$key"
  mv -T "$BUILD_TMP" "$out" || die "cannot move the build to $out"
  trap - EXIT
  log "built $out in $((SECONDS - t0)) s (initramfs $(du -h "$out/dom0.cpio.gz" | cut -f1))"
  prune_old
  echo "$out"
}

main "$@"
