#!/usr/bin/env bash
# arm64-dom0.sh -- OPT-IN lab: Debian's arm64 Xen 4.17 with a Linux arm64
# dom0 (Debian's linux-image, busybox-static, xen-utils-4.17, all unpacked
# with dpkg -x, never installed) in qemu-system-aarch64 (TCG). The dom0
# initramfs starts xenstored, xen-init-dom0 and xenconsoled, then creates
# each guest with `xl create`, one after the other, and prints what the
# guest wrote to its PV console (xenconsoled's log) on the serial line.
# Not part of `make test`.
#
# usage: arm64-dom0.sh [-o OUTDIR] [-t TIMEOUT_S] [-f DIR] NAME:IMAGE:XLCFG[:HOOK] ...
#   IMAGE  an arm64 Image (e.g. build/arm64-dom0less/stubdom/hello/hello)
#   XLCFG  an xl config (tests/xen/<t>/test.cfg); its type/kernel lines are
#          replaced (Arm guests are PVH, the kernel is IMAGE)
#   HOOK   optional dom0 script (tests/xen/<t>/hook.sh), run with DOMID and
#          NAME set while the guest runs; it may go on for up to 60 s after
#          the guest is gone, then it is killed; its output goes to NAME.hook
#   -f DIR DIR's files go to dom0's /extra, first on PATH (default: the
#          aarch64 tests/dom0 tools, build/host-arm64/dom0 from
#          `make ARCH=arm64 dom0-tools`, when built)
# Writes OUTDIR/serial.log (timestamped), OUTDIR/NAME.console (the guest's
# PV console), OUTDIR/NAME.hook, OUTDIR/NAME.result, OUTDIR/timings.
# NAME.result: `create_to_first_line_ms=N|- create_to_gone_ms=N` (dom0
# uptime, 10 ms steps; "gone" is seen by polling `xl list`, ~0.2-0.5 s late).
#
# Cache: ${STUBOS_CACHE:-~/.cache/stubos}/lab-arm64-dom0/ (debs/, root/, apt/).
# The debs are fetched with `apt-get download` into the cache and unpacked
# with dpkg-deb -x; nothing is installed. If dpkg does not know arm64 (or
# STUBOS_DOM0_PRIVATE_APT=1), apt runs with a private config in apt/ (its
# own sources, arm64 lists and an empty status file) so the host's apt and
# dpkg state are left alone.
# Other knobs: STUBOS_DOM0_CPU (QEMU -cpu, default max,pauth-impdef=on),
# STUBOS_DOM0_XEN_ARGS (more Xen options), STUBOS_DOM0_DEBUG=1 (xl output,
# xenstore and ps dumps in the log).
# exit: 0 every guest ended, 4 lab failure, 5 timeout
set -euo pipefail

readonly PROG=arm64-dom0
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly CACHE=${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/lab-arm64-dom0
readonly KVER=6.1.0-56-arm64
readonly DEBS=(linux-image-$KVER busybox-static xen-utils-4.17 xen-utils-common xenstore-utils
  libc6 libgcc-s1 libncurses6 libtinfo6 libyajl2 libfdt1 libuuid1 zlib1g liblzma5 libzstd1
  libbz2-1.0 liblzo2-2 libext2fs2 libcom-err2 libblkid1
  libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17 libxenstore4
  libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1)

die() { echo "$PROG: error: $*" >&2; exit 4; }
log() { echo "$PROG: $*" >&2; }

OUT=$PWD/arm64-dom0-out TIMEOUT_S=600 EXTRA=$HERE/../../build/host-arm64/dom0
while getopts o:t:f:h opt; do
  case $opt in
    f) EXTRA=$OPTARG; [ -d "$EXTRA" ] || die "-f $EXTRA: no such directory" ;;
    o) OUT=$(mkdir -p "$OPTARG" && cd "$OPTARG" && pwd) ;;
    t) TIMEOUT_S=$OPTARG ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 64 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "no guests (NAME:IMAGE:XLCFG[:HOOK])"
mkdir -p "$OUT"

T_START=${EPOCHREALTIME/./}
XEN_DIR=$("$HERE/arm64-xen.sh") || die "no arm64 Xen"

# ---- packages: fetched once, unpacked into root/
if [ ! -f "$CACHE/root/.complete" ]; then
  mkdir -p "$CACHE/debs"
  missing=()
  for p in "${DEBS[@]}"; do ls "$CACHE/debs/${p}_"*_arm64.deb >/dev/null 2>&1 || missing+=("$p:arm64"); done
  if [ ${#missing[@]} -gt 0 ]; then
    APTOPTS=(-o APT::Sandbox::User=root)
    if [ -n "${STUBOS_DOM0_PRIVATE_APT:-}" ] || ! dpkg --print-foreign-architectures | grep -qx arm64; then
      # A private apt config (sources, lists, an empty dpkg status) that
      # knows arm64: the host's apt and dpkg state stay as they are.
      A=$CACHE/apt
      mkdir -p "$A/lists/partial" "$A/sources.list.d"
      : > "$A/sources.list"; [ -f "$A/status" ] || : > "$A/status"
      cat > "$A/sources.list.d/debian-arm64.sources" <<'EOS'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Architectures: arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Architectures: arm64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
      APTOPTS+=(-o "Dir::Etc::SourceList=$A/sources.list" -o "Dir::Etc::SourceParts=$A/sources.list.d"
                -o "Dir::State::Lists=$A/lists" -o "Dir::State::status=$A/status"
                -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o "APT::Architectures::=arm64")
      log "private apt config in $A: apt-get update (arm64 indexes)"
      apt-get -q "${APTOPTS[@]}" update >&2 || die "apt-get update (private, arm64) failed"
    fi
    log "apt-get download ${#missing[@]} arm64 packages"
    (cd "$CACHE/debs" && apt-get -q "${APTOPTS[@]}" download "${missing[@]}" >&2) ||
      die "apt-get download failed"
  fi
  rm -rf "$CACHE/root.tmp" && mkdir "$CACHE/root.tmp"
  for d in "$CACHE"/debs/*.deb; do dpkg-deb -x "$d" "$CACHE/root.tmp"; done
  touch "$CACHE/root.tmp/.complete"
  rm -rf "$CACHE/root" && mv "$CACHE/root.tmp" "$CACHE/root"
fi
R=$CACHE/root

WORK=$(mktemp -d -t stubos-arm64-dom0.XXXXXX)
QPID=
cleanup() { [ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# ---- the dom0 initramfs
I=$WORK/initrd
mkdir -p "$I"/{bin,sbin,dev,proc,sys,tmp,etc,var/run/xen,var/lib/xen,var/lib/xenstored,var/log/xen/console,run,guests,lib,usr}
cp -a "$R/lib" "$R/usr" "$I/" 2>/dev/null || true
cp -a "$R/etc/xen" "$I/etc/" 2>/dev/null || true
rm -rf "$I/lib/modules" "$I/usr/share" "$I/usr/lib/python3" "$I/usr/lib/python3"*
mkdir -p "$I/modules"
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs/xenfs; do
  cp "$R/lib/modules/$KVER/kernel/drivers/xen/$m.ko" "$I/modules/" || die "no module $m"
done
cp "$R/bin/busybox" "$I/bin/busybox"
for a in $(echo sh mount mkdir cat echo sleep insmod ls ps grep sed tr sort usleep poweroff date head tail seq kill cp rm wc true false test printf uname dmesg awk cut env); do
  ln -sf busybox "$I/bin/$a"
done
ln -sf lib "$I/lib64" 2>/dev/null || true
mkdir -p "$I/extra"
if [ -d "$EXTRA" ]; then cp -a "$EXTRA"/. "$I/extra/"; else log "no $EXTRA: hooks needing tests/dom0 tools will fail"; fi
XB=/usr/lib/xen-4.17/bin
n=0 GUESTS=
for spec in "$@"; do
  IFS=: read -r name image cfg hook <<< "$spec"
  [ -f "$image" ] && [ -f "$cfg" ] || die "$spec: no image or config"
  # one copy per image content: a plan may boot the same image many times
  img=$(md5sum < "$image" | cut -c1-32).img
  [ -f "$I/guests/$img" ] || cp "$image" "$I/guests/$img"
  sed -E '/^[[:space:]]*(type|kernel|name)[[:space:]]*=/d' "$cfg" > "$I/guests/$name.cfg"
  printf 'name = "%s"\nkernel = "/guests/%s"\n' "$name" "$img" >> "$I/guests/$name.cfg"
  # a crashed guest stays until its console log is read
  grep -qE '^[[:space:]]*on_crash[[:space:]]*=' "$cfg" || echo 'on_crash = "preserve"' >> "$I/guests/$name.cfg"
  [ -z "$hook" ] || cp "$hook" "$I/guests/$name.hook"
  GUESTS+=" $name"
done
cat > "$I/init" <<EOF
#!/bin/sh
LAB_DEBUG=${STUBOS_DOM0_DEBUG:-}
export PATH=/extra:$XB:/bin:/sbin:/usr/bin:/usr/sbin LD_LIBRARY_PATH=/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp; mount -t tmpfs run /var/run
mkdir -p /var/run/xen /var/run/xenstored /dev/pts; mount -t devpts pts /dev/pts
echo "LAB: init up \$(cut -d' ' -f1 /proc/uptime)"
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs; do insmod /modules/\$m.ko || echo "LAB: insmod \$m failed"; done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file=/var/run/xenstored.pid || echo "LAB: xenstored failed"
xen-init-dom0 || echo "LAB: xen-init-dom0 failed"
xenconsoled --pid-file=/var/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || echo "LAB: xenconsoled failed"
echo "LAB: tools up \$(cut -d' ' -f1 /proc/uptime)"
for g in $GUESTS; do
  # The first console byte is timed by polling the log (as tests/lab/dom0-init does).
  (while [ ! -s /var/log/xen/console/guest-\$g.log ]; do usleep 10000; done; echo "LAB: first-line \$g \$(cut -d' ' -f1 /proc/uptime)") & wpid=\$!
  echo "LAB: create \$g \$(cut -d' ' -f1 /proc/uptime)"
  xl create /guests/\$g.cfg > /tmp/\$g.xl 2>&1 || { kill \$wpid; echo "LAB: xl create \$g failed"; sed "s/^/LAB-XL \$g: /" /tmp/\$g.xl; continue; }
  [ -z "\$LAB_DEBUG" ] || sed "s/^/LAB-XL: /" /tmp/\$g.xl
  id=\$(xl list | awk -v n=\$g '\$1 == n { print \$2 }')
  echo "LAB: created \$g domid \$id \$(cut -d' ' -f1 /proc/uptime)"
  hpid=
  if [ -f /guests/\$g.hook ] && [ -n "\$id" ]; then (DOMID=\$id NAME=\$g sh /guests/\$g.hook 2>&1 | sed "s/^/LAB-HOOK \$g: /"; : > /tmp/\$g.hook-done) & hpid=\$!; fi
  i=0
  while xl list \$g >/tmp/xl.list 2>&1 && awk 'NR == 2 && \$5 ~ /[cs]/ { exit 1 }' /tmp/xl.list; do i=\$((i+1)); [ \$i -gt 600 ] && { echo "LAB: \$g timeout"; xl destroy \$g; break; }; usleep 200000; done
  [ -z "\$LAB_DEBUG" ] || sed "s/^/LAB-XL: /" /tmp/xl.list
  echo "LAB: ended \$g \$(cut -d' ' -f1 /proc/uptime)"
  sleep 1
  kill \$wpid 2>/dev/null
  sed "s/^/LAB-CON \$g: /" /var/log/xen/console/guest-\$g.log
  if [ -n "\$LAB_DEBUG" ]; then ls -l /var/log/xen/console 2>&1 | sed "s/^/LAB-DBG: /"; xenstore-ls -f /local/domain/\$id 2>&1 | head -40 | sed "s/^/LAB-DBG: /"; ps | sed "s/^/LAB-DBG: /"; fi
  xl destroy \$g 2>/dev/null
  # (a marker file, as kill -0 cannot tell an ended job from a zombie)
  end=\$((\$(cut -d. -f1 /proc/uptime) + 60))
  while [ -n "\$hpid" ] && [ ! -f /tmp/\$g.hook-done ] && [ \$(cut -d. -f1 /proc/uptime) -lt \$end ]; do usleep 200000; done
  [ -z "\$hpid" ] || kill \$hpid 2>/dev/null
done
xl dmesg | grep -v "vGIC\|SMC" | tail -40 | sed "s/^/LAB-DMESG: /"
echo "LAB: all done \$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
EOF
chmod +x "$I/init"
(cd "$I" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd.gz"
log "initramfs $(stat -c %s "$WORK/initrd.gz") bytes, prepared in $(( (${EPOCHREALTIME/./} - T_START) / 1000 )) ms"

# ---- device tree: QEMU's own, plus Xen's /chosen with dom0's modules
MACHINE=(-machine virt,virtualization=on,gic-version=3 -cpu "${STUBOS_DOM0_CPU:-max,pauth-impdef=on}" -smp 1 -m 2048)
qemu-system-aarch64 "${MACHINE[@]}" -machine dumpdtb="$WORK/virt.dtb" -display none >/dev/null 2>&1 || [ -s "$WORK/virt.dtb" ] ||
  die "qemu dumpdtb failed"
dtc -q -I dtb -O dts "$WORK/virt.dtb" -o "$WORK/virt.dts"
KADDR=$((0x50000000)) KSIZE=$(stat -c %s "$R/boot/vmlinuz-$KVER")
IADDR=$(( (KADDR + KSIZE + 0x1fffff) & ~0x1fffff )) ISIZE=$(stat -c %s "$WORK/initrd.gz")
{
  cat "$WORK/virt.dts"
  cat <<EOF
/ { chosen {
    #address-cells = <2>; #size-cells = <2>;
    xen,xen-bootargs = "console=dtuart dom0_mem=512M bootscrub=0 loglvl=all guest_loglvl=all ${STUBOS_DOM0_XEN_ARGS:-}";
    xen,dom0-bootargs = "console=hvc0 earlycon=xen rdinit=/init quiet loglevel=4";
    module@$(printf %x $KADDR) {
      compatible = "multiboot,kernel", "multiboot,module";
      reg = <0x0 $(printf 0x%x $KADDR) 0x0 $(printf 0x%x "$KSIZE")>;
    };
    module@$(printf %x $IADDR) {
      compatible = "multiboot,ramdisk", "multiboot,module";
      reg = <0x0 $(printf 0x%x $IADDR) 0x0 $(printf 0x%x "$ISIZE")>;
    };
}; };
EOF
} > "$WORK/xen.dts"
dtc -q -I dts -O dtb "$WORK/xen.dts" -o "$WORK/xen.dtb" || die "dtc failed"

# ---- boot
: > "$OUT/serial.log"
for g in $GUESTS; do : > "$OUT/$g.console"; : > "$OUT/$g.hook"; done
T0=${EPOCHREALTIME/./}
qemu-system-aarch64 "${MACHINE[@]}" -display none -monitor none -nic none -no-reboot \
  -serial "file:$WORK/serial.raw" -kernel "$XEN_DIR/xen" -dtb "$WORK/xen.dtb" \
  -device "loader,file=$R/boot/vmlinuz-$KVER,addr=$(printf 0x%x $KADDR),force-raw=on" \
  -device "loader,file=$WORK/initrd.gz,addr=$(printf 0x%x $IADDR),force-raw=on" \
  < /dev/null > "$WORK/qemu.err" 2>&1 &
QPID=$!
log "booting Xen + Linux dom0 (qemu pid $QPID), timeout ${TIMEOUT_S} s"
code=5 seen=0
while kill -0 "$QPID" 2>/dev/null; do
  sleep 0.5
  [ -f "$WORK/serial.raw" ] || continue
  t=$(( (${EPOCHREALTIME/./} - T0) / 1000 ))
  # timestamp new lines (to 0.5 s) as they arrive
  tail -n +$((seen + 1)) "$WORK/serial.raw" | tr -d '\r' | head -n -1 > "$WORK/new" || true
  if [ -s "$WORK/new" ]; then
    awk -v t="$t" '{ printf "%4d.%03d %s\n", t / 1000, t % 1000, $0 }' "$WORK/new" >> "$OUT/serial.log"
    seen=$((seen + $(wc -l < "$WORK/new")))
    grep -q "LAB: all done" "$WORK/new" && { code=0; sleep 1; break; }
  fi
  [ "$t" -lt $((TIMEOUT_S * 1000)) ] || { log "timeout"; break; }
done
kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; QPID=
tail -n +$((seen + 1)) "$WORK/serial.raw" | tr -d '\r' | sed 's/^/   end /' >> "$OUT/serial.log" || true
grep -q "LAB: all done" "$OUT/serial.log" && code=0
log "wall time $(( (${EPOCHREALTIME/./} - T0) / 1000 )) ms from QEMU start"
for g in $GUESTS; do
  sed -n "s/^.*LAB-CON $g: //p" "$OUT/serial.log" > "$OUT/$g.console"
  sed -n "s/^.*LAB-HOOK $g: //p" "$OUT/serial.log" > "$OUT/$g.hook"
  awk -v g="$g" '$2 == "LAB:" && $4 == g { t[$3] = int($5 * 1000 + 0.5) }
    END { if (!("create" in t)) exit
          printf "create_to_first_line_ms=%s create_to_gone_ms=%s\n",
            ("first-line" in t) ? t["first-line"] - t["create"] : "-",
            ("ended" in t) ? t["ended"] - t["create"] : "-" }' "$OUT/serial.log" > "$OUT/$g.result"
done
grep -v "LAB-DMESG" "$OUT/serial.log" | grep -E "LAB: |Freed .*init memory|Loading d0 kernel|\(XEN\) Xen version" > "$OUT/timings" || true
cat "$OUT/timings" >&2
exit $code
