#!/usr/bin/env bash
# x86-dom0.sh -- fast mode: boot a PV kernel image directly as Xen's dom0 in QEMU
# (no Linux, no toolstack; about 1 s). A dom0 may print with the console_io
# hypercall, which a domU of this release-build Xen may not, so its output shows up
# on Xen's serial port. Prints the serial output on stdout.
#
# usage: x86-dom0.sh [-e CMDLINE] [-t SEC] IMAGE
#   -e CMDLINE  the kernel's command line (no commas: QEMU multiboot separator)
#   -t SEC      timeout (default 30)
#
# exit: 0 the kernel powered off or rebooted, 1 it crashed, 4 Xen failure (panic or
#       nothing recognisable), 5 timeout, 64 usage
# env:  STUBOS_LAB_ACCEL=auto|tcg|kvm, DOM0_MEM (default 64M), XEN_EXTRA (appended
#       to Xen's command line)
set -euo pipefail

readonly PROG=x86-dom0
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die()   { echo "$PROG: error: $*" >&2; exit 4; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 64; }
bad()   { echo "$PROG: $*" >&2; exit 64; }

# Same rule as x86-run.sh: TCG unless KVM has real VT-x/AMD-V (not kvm_pvm).
pick_accel() {
  case ${STUBOS_LAB_ACCEL:-auto} in
    tcg) ACCEL=(-accel tcg -cpu max,-smap) ;;
    kvm) ACCEL=(-accel kvm -cpu host) ;;
    auto)
      if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo &&
         [ ! -d /sys/module/kvm_pvm ]; then
        ACCEL=(-accel kvm -cpu host)
      else
        ACCEL=(-accel tcg -cpu max,-smap)
      fi ;;
    *) bad "STUBOS_LAB_ACCEL must be auto, tcg or kvm" ;;
  esac
}

need_qemu() {
  command -v qemu-system-x86_64 >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || die "qemu-system-x86_64 missing: run as root or apt-get install qemu-system-x86"
  apt-get install -y -q qemu-system-x86 >&2 || die "apt-get install qemu-system-x86 failed"
}

# What Xen says when dom0 ends: "Hardware Dom0 shutdown: rebooting machine",
# "Hardware Dom0 halted: halting machine", "Hardware Dom0 crashed: ...".
classify() {
  case $1 in
    *"(XEN) Hardware Dom0 shutdown"*|*"(XEN) Hardware Dom0 halted"*) RESULT=0 ;;
    *"(XEN) Hardware Dom0 crashed"*) RESULT=1 ;;
    *"(XEN) Panic on CPU"*|*"(XEN) FATAL TRAP"*|*"(XEN) Xen BUG at"*) RESULT=4 ;;
    *) return 1 ;;
  esac
}

main() {
  local cmdline= timeout=30 o
  while getopts "e:t:h" o; do
    case $o in
      e) cmdline=$OPTARG ;;
      t) timeout=$OPTARG; [[ $timeout =~ ^[1-9][0-9]*$ ]] || bad "-t wants seconds" ;;
      *) usage ;;
    esac
  done
  shift $((OPTIND - 1))
  [ $# -eq 1 ] && [ -f "$1" ] || usage
  local image
  image=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  case $cmdline in *,*) bad "-e: no commas (QEMU multiboot module separator)" ;; esac
  case $image in *[,\ ]*) bad "no commas or spaces in the image path (QEMU multiboot)" ;; esac

  local art
  art=$("$HERE/x86-build.sh") || die "x86-build.sh failed"
  need_qemu
  pick_accel

  local xen_cmd="console=com1 loglvl=all guest_loglvl=all dom0_mem=${DOM0_MEM:-64M} noreboot ${XEN_EXTRA:-}"
  local t0 line= chunk rc deadline
  WORK=$(mktemp -d -t stubos-lab-dom0.XXXXXX) QPID=
  # never leave a QEMU behind, also when we are interrupted
  trap '[ -z "$QPID" ] || kill "$QPID" 2>/dev/null; rm -rf "$WORK"' EXIT
  trap 'exit 130' INT TERM
  local work=$WORK
  : > "$work/serial"
  t0=${EPOCHREALTIME//[!0-9]/} deadline=$((SECONDS + timeout)) RESULT=
  # Serial to a file (QEMU never blocks on it); on a result line, stop QEMU.
  qemu-system-x86_64 "${ACCEL[@]}" -m 256 -smp 1 -display none -vga none -nic none \
    -monitor none -no-reboot -serial "file:$work/serial" \
    -kernel "$art/xen.elf" -append "$xen_cmd" -initrd "$image $cmdline" \
    < /dev/null > "$work/qemu.err" 2>&1 &
  local qpid=$!
  QPID=$qpid
  exec 4< <(tail -s 0.1 --pid="$qpid" -n +1 -f "$work/serial" 2>/dev/null)
  while :; do
    if IFS= read -r -t 0.2 -u 4 chunk; then
      line=${line}${chunk//$'\r'/}
      printf '%s\n' "$line"
      # Xen halts (noreboot) after these, so QEMU would not exit by itself
      classify "$line" && { kill "$qpid" 2>/dev/null || true; }
      line=
    else
      rc=$?
      if [ $rc -gt 128 ]; then
        line+=${chunk//$'\r'/}
        [ $SECONDS -lt $deadline ] || { kill "$qpid" 2>/dev/null || true; }
        continue
      fi
      [ -z "$line$chunk" ] || printf '%s\n' "$line$chunk"
      break
    fi
  done
  wait "$qpid" 2>/dev/null || true
  QPID=
  grep -v "terminating on signal" "$work/qemu.err" >&2 || true
  if [ -z "$RESULT" ]; then
    if [ $SECONDS -ge $deadline ]; then RESULT=5; else RESULT=4; fi
  fi
  t0=$(( (${EPOCHREALTIME//[!0-9]/} - t0) / 1000 ))
  printf '%s: exit %d after %d.%03d s\n' "$PROG" "$RESULT" $((t0 / 1000)) $((t0 % 1000)) >&2
  exit "$RESULT"
}

main "$@"
