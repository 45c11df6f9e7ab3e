#!/usr/bin/env bash
# x86-run.sh -- run a plan of Xen PV guests under Xen 4.17 + a Linux dom0 in QEMU,
# all guests one after the other in ONE boot, and collect each guest's results.
#
# usage: x86-run.sh [-f DIR] [-m MIB] [-t SEC] [-X IMAGE] PLAN OUTDIR
#   -f DIR   copy DIR's files into dom0 at /extra (put first on dom0's PATH)
#   -X IMAGE xenstore stub domain mode: dom0 starts IMAGE with init-xenstore-domain
#            (--memory $STUBOS_LAB_XENSTORE_MEMORY or 32, --param "$STUBOS_LAB_XENSTORE_PARAM") instead of running
#            xenstored; OUTDIR then also gets xenstored.init (init-xenstore-domain's
#            output), xenstored.ls0 / xenstored.ls1 (xenstore-ls -p before / after
#            the plan) and xenstored.console (the stub's console)
#   -m MIB   dom0 memory (default 256)
#   -t SEC   hard timeout for the whole QEMU run (default: sum of guest timeouts + 60)
#
# PLAN: one guest per line, '#' starts a comment, fields separated by whitespace:
#   NAME IMAGE CFG TIMEOUT_S [HOOK]
#   NAME      [A-Za-z0-9][A-Za-z0-9_.-]*, unique; becomes the domain name
#   IMAGE     the PV kernel; CFG's kernel= line is replaced by it
#   CFG       xl config file, or "-" for type="pv" memory=32 vcpus=1; name= is set to
#             NAME and on_poweroff/on_reboot/on_crash/on_watchdog/on_soft_reset to
#             "destroy", so that every guest ends
#   TIMEOUT_S from xl create until the domain must be gone, else it is destroyed
#   HOOK      dom0 shell script started once the domain exists, with NAME, DOMID and
#             GUEST_DIR in its environment; killed 1 s after the domain is gone
#   Relative paths are relative to the directory of PLAN.
#
# OUTDIR gets, per guest: NAME.console (console log, \r removed), NAME.hook (hook
# output), NAME.xl (xl's output), each cut at 1 MiB, and NAME.result:
#   reason=<poweroff|reboot|suspend|crash|watchdog|soft-reset|destroyed|timeout|create-failed>
#   create_to_first_line_ms=<n|-> create_to_gone_ms=<n> [hook_rc=<n|killed>]
# and serial.log (whole serial output, "seconds.ms line"), lab.result:
#   <ok|xen-crashed|dom0-failed|timeout> dom0_ready_s=<s|-> total_s=<s> guests=<done>/<planned> [detail=...]
#
# exit: 0 the lab worked (whatever the guests did), 4 Xen/dom0/lab failure,
#       5 QEMU timeout, 64 usage
# env:  STUBOS_LAB_ACCEL=auto|tcg|kvm (default auto: kvm only with real VT-x/AMD-V),
#       STUBOS_LAB_XEN_ARGS, STUBOS_LAB_DOM0_ARGS: appended to Xen's / dom0's command line
#       STUBOS_LAB_XENSTORE_PARAM: with -X, extra words for the stub's command line
#       STUBOS_LAB_XENSTORE_MEMORY: with -X, the stub's --memory in MiB (default 32)
set -euo pipefail

readonly PROG=x86-run
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die()   { echo "$PROG: error: $*" >&2; exit 4; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 64; }
bad()   { echo "$PROG: $*" >&2; exit 64; }

# ---------------------------------------------------------------- plan --------

# shellcheck source=plan.sh
source "$HERE/plan.sh"

# The guest's xl config as dom0 will use it.
write_cfg() {
  local src=$1 name=$2 kernel=$3
  if [ "$src" = - ]; then
    printf 'type = "pv"\nmemory = 32\nvcpus = 1\n'
  else
    grep -vE '^[[:space:]]*(kernel|name|on_poweroff|on_reboot|on_crash|on_watchdog|on_soft_reset)[[:space:]]*=' "$src" || true
  fi
  printf 'name = "%s"\nkernel = "%s"\n' "$name" "$kernel"
  printf 'on_%s = "destroy"\n' poweroff reboot crash watchdog soft_reset
}

# Tree for the cpio appended to the initramfs: /lab (plan, configs, hooks, images
# stored once per content) and /extra.
pack_plan() {
  local tree=$1 extra_dir=$2 xs_image=${3:-} i sum
  local -A sums=()
  mkdir -p "$tree/lab/img" "$tree/lab/g"
  : > "$tree/lab/plan"
  for i in "${!NAMES[@]}"; do
    sum=${sums[${IMAGES[$i]}]:-}
    if [ -z "$sum" ]; then
      sum=$(sha256sum < "${IMAGES[$i]}"); sum=${sum:0:16}
      sums[${IMAGES[$i]}]=$sum
    fi
    [ -f "$tree/lab/img/$sum" ] || cp "${IMAGES[$i]}" "$tree/lab/img/$sum"
    mkdir -p "$tree/lab/g/${NAMES[$i]}"
    write_cfg "${CFGS[$i]}" "${NAMES[$i]}" "/lab/img/$sum" > "$tree/lab/g/${NAMES[$i]}/cfg"
    [ -z "${HOOKS[$i]}" ] || install -m 755 "${HOOKS[$i]}" "$tree/lab/g/${NAMES[$i]}/hook"
    echo "${NAMES[$i]} ${TIMEOUTS[$i]}" >> "$tree/lab/plan"
  done
  if [ -n "$xs_image" ]; then
    mkdir -p "$tree/lab/xenstore"
    cp "$xs_image" "$tree/lab/xenstore/image"
    printf '%s\n' "${STUBOS_LAB_XENSTORE_PARAM:-}" > "$tree/lab/xenstore/param"
    printf '%s\n' "${STUBOS_LAB_XENSTORE_MEMORY:-32}" > "$tree/lab/xenstore/memory"
  fi
  if [ -n "$extra_dir" ]; then
    mkdir -p "$tree/extra"
    cp -a "$extra_dir"/. "$tree/extra/"
  fi
}

# initramfs = dom0.cpio.gz + zero padding + plain newc cpio of the tree. Linux only
# finds an appended archive that starts 4-byte aligned (we pad to 512) and silently
# ignores it otherwise.
make_initrd() {
  local art=$1 tree=$2 out=$3 size
  cp "$art/dom0.cpio.gz" "$out"
  size=$(stat -c %s "$out")
  head -c $(( (512 - size % 512) % 512 )) /dev/zero >> "$out"
  (cd "$tree" && find . -mindepth 1 | LC_ALL=C sort | "$art/busybox" cpio -o -H newc -R 0:0 2>/dev/null) >> "$out"
}

# ---------------------------------------------------------------- qemu --------

# TCG unless KVM is real VT-x/AMD-V: under kvm_pvm Xen PV cannot work at all (its
# hypercalls are SYSCALLs that kvm_pvm mishandles), see the lab recipe.
pick_accel() {
  local want=${STUBOS_LAB_ACCEL:-auto}
  case $want in
    tcg) ACCEL=(-accel tcg -cpu max,-smap,-rdtscp) ;;
    kvm) ACCEL=(-accel kvm -cpu host) ;;
    auto)
      if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo &&
         [ ! -d /sys/module/kvm_pvm ]; then
        ACCEL=(-accel kvm -cpu host)
      else
        # SMAP under TCG breaks the PV dom0's first exception bounce
        ACCEL=(-accel tcg -cpu max,-smap,-rdtscp)
      fi ;;
    *) bad "STUBOS_LAB_ACCEL must be auto, tcg or kvm" ;;
  esac
}

need_qemu() {
  command -v qemu-system-x86_64 >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || die "qemu-system-x86_64 missing: run as root or apt-get install qemu-system-x86"
  echo "$PROG: installing qemu-system-x86" >&2
  apt-get install -y -q qemu-system-x86 >&2 || die "apt-get install qemu-system-x86 failed"
}

# ------------------------------------------------------------ serial log ------

# Serial output goes to a file, never a pipe: a slow reader must not stall QEMU's
# UART, since Xen drops console bytes when its transmit buffer fills up.
# We follow that file, timestamp lines into serial.log and react to markers.

T0=0 READY_MS= END_MS= CRASH= CRASH_MS= DOM0_FAIL= QPID=
elapsed_ms() { local t=${EPOCHREALTIME//[!0-9]/}; ELAPSED=$(( (t - T0) / 1000 )); }

on_line() {
  local l=${1//$'\r'/}
  elapsed_ms
  printf '%4d.%03d %s\n' $((ELAPSED / 1000)) $((ELAPSED % 1000)) "$l" >&3
  case $l in
    *"$MARK READY "*) READY_MS=$ELAPSED ;;
    *"$MARK END"*) END_MS=$ELAPSED ;;
    *"$MARK FAIL "*) DOM0_FAIL=${l#*"$MARK FAIL "} ;;
    *"$MARK G "*) echo "$PROG: ${l#*"$MARK G "}: running" >&2 ;;
    # a guest's debug-port output comes as whole "(dN) ..." lines: never Xen's words
    "(d"[0-9]*) ;;
    *"(XEN) Panic on CPU"*|*"(XEN) FATAL TRAP"*|*"(XEN) Xen BUG at"*|*"(XEN) Assertion '"*)
      crashed xen-crashed ;;
    *"(XEN) Hardware Dom0 crashed"*) crashed dom0-crashed ;;
    # dom0 ended without END (Xen then halts, and QEMU would wait for the timeout)
    *"(XEN) Hardware Dom0 halted"*|*"(XEN) Hardware Dom0 shutdown"*)
      [ -n "$END_MS" ] || crashed dom0-ended ;;
  esac
}

crashed() { [ -n "$CRASH" ] || { CRASH=$1; CRASH_MS=$ELAPSED; }; }

# Stop QEMU when the run is over: END seen (dom0 reboots; QEMU -no-reboot should
# exit by itself), a crash (let Xen print its dump for 1 s), or the hard timeout.
check_stop() {
  elapsed_ms
  if [ -n "$END_MS" ] && [ $((ELAPSED - END_MS)) -gt 3000 ]; then stop_qemu
  elif [ -n "$CRASH_MS" ] && [ $((ELAPSED - CRASH_MS)) -gt 1000 ]; then stop_qemu
  elif [ "$ELAPSED" -gt $((TIMEOUT_S * 1000)) ] && [ -z "$END_MS" ]; then TIMED_OUT=1; stop_qemu
  fi
}

# Never leave a QEMU behind, also when we are interrupted.
cleanup() {
  [ -z "${QPID:-}" ] || kill "$QPID" 2>/dev/null || true
  rm -rf "$WORK"
}

stop_qemu() { [ -n "$QEMU_STOPPED" ] || { QEMU_STOPPED=1; kill "$QPID" 2>/dev/null || true; }; }

run_qemu() {
  local raw=$1 log=$2 line= chunk rc
  QEMU_STOPPED= TIMED_OUT=
  : > "$raw"
  T0=${EPOCHREALTIME//[!0-9]/}
  "${QEMU[@]}" < /dev/null > "$WORK/qemu.err" 2>&1 &
  QPID=$!
  exec 3> "$log"
  # tail ends once QEMU is gone and the file is drained
  exec 4< <(tail -s 0.1 --pid="$QPID" -n +1 -f "$raw" 2>/dev/null)
  while :; do
    if IFS= read -r -t 0.5 -u 4 chunk; then
      on_line "$line$chunk"; line=
    else
      rc=$?
      if [ $rc -gt 128 ]; then line+=$chunk; check_stop; continue; fi
      [ -z "$line$chunk" ] || on_line "$line$chunk"
      break
    fi
    check_stop
  done
  exec 4<&- 3>&-
  wait "$QPID" 2>/dev/null || true
  QPID=
  if [ -s "$WORK/qemu.err" ]; then
    sed 's/^/qemu: /' "$WORK/qemu.err" >> "$log"
  fi
}

# ------------------------------------------------------------ results ---------

# Split the serial log into per-guest files (markers are found anywhere in a line;
# data is gzip+base64, checked against the size and md5 in the S line).
split_results() {
  local raw=$1 out=$2 data=$WORK/data f name stream bytes sum full got
  mkdir -p "$data"
  awk -v mark="$MARK " -v dir="$data" '
    { gsub(/\r/, "") }
    (i = index($0, mark)) == 0 { next }
    { n = split(substr($0, i + length(mark)), f, " ") }
    f[1] == "D" && n == 4 { print f[4] > (dir "/" f[2] "." f[3] ".b64"); next }
    f[1] == "D" && n != 4 { print "bad" > (dir "/" f[2] "." f[3] ".bad"); next }
    f[1] == "S" { print f[4], f[5], f[6] > (dir "/" f[2] "." f[3] ".sum")
                  close(dir "/" f[2] "." f[3] ".sum"); close(dir "/" f[2] "." f[3] ".b64"); next }
    f[1] == "R" { r = f[3]; for (k = 4; k <= n; k++) r = r " " f[k]
                  print r > (dir "/" f[2] ".result") }' "$raw"
  BAD_STREAMS=()
  for f in "$data"/*.sum; do
    [ -e "$f" ] || continue
    name=${f##*/}; name=${name%.sum}; stream=${name##*.}; name=${name%.*}
    read -r bytes sum full < "$f"
    [ -z "$full" ] || echo "$PROG: $name: $stream cut to its first $bytes of $full bytes" >&2
    : > "$data/$name.$stream"
    if [ "$bytes" != 0 ]; then
      base64 -di "$data/$name.$stream.b64" 2>/dev/null | gzip -dc > "$data/$name.$stream" 2>/dev/null || true
    fi
    got=$(md5sum < "$data/$name.$stream"); got=${got%% *}
    if [ -e "$data/$name.$stream.bad" ] || [ "$got" != "$sum" ]; then
      BAD_STREAMS+=("$name.$stream")
    fi
    case $stream in
      console) tr -d '\r' < "$data/$name.$stream" > "$out/$name.console" ;;
      *) cp "$data/$name.$stream" "$out/$name.$stream" ;;
    esac
  done
  for f in "$data"/*.result; do
    [ -e "$f" ] && cp "$f" "$out/"
  done
  return 0
}

summarise() {
  local out=$1 name r lines done=0
  for name in "${NAMES[@]}"; do
    if [ -f "$out/$name.result" ]; then
      done=$((done + 1))
      read -r r < "$out/$name.result"
      lines=$(wc -l < "$out/$name.console" 2>/dev/null || echo 0)
      echo "$PROG: $name: $r console_lines=$lines" >&2
    else
      echo "$PROG: $name: no result (lab ended before it finished)" >&2
    fi
  done
  DONE=$done
}

fmt_s() { [ -n "$1" ] && printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10)) || echo -; }

# ---------------------------------------------------------------- main --------

main() {
  local extra_dir= dom0_mib=256 timeout= xs_image= o
  while getopts "f:m:t:X:h" o; do
    case $o in
      f) extra_dir=$OPTARG; [ -d "$extra_dir" ] || bad "-f: no directory $extra_dir" ;;
      m) dom0_mib=$OPTARG; [[ $dom0_mib =~ ^[1-9][0-9]*$ ]] || bad "-m wants MiB" ;;
      t) timeout=$OPTARG; [[ $timeout =~ ^[1-9][0-9]*$ ]] || bad "-t wants seconds" ;;
      X) xs_image=$OPTARG; [ -f "$xs_image" ] || bad "-X: no image $xs_image" ;;
      *) usage ;;
    esac
  done
  shift $((OPTIND - 1))
  [ $# -eq 2 ] || usage
  local plan=$1 out=$2
  [ -f "$plan" ] || bad "no plan file $plan"
  read_plan "$plan"
  if [ -z "$timeout" ]; then
    timeout=60; for o in "${TIMEOUTS[@]}"; do timeout=$((timeout + o)); done
    # init-xenstore-domain may take up to 60 s before dom0 gives up on the stub
    [ -z "$xs_image" ] || timeout=$((timeout + 60))
  fi
  TIMEOUT_S=$timeout

  local art
  art=$("$HERE/x86-build.sh") || die "x86-build.sh failed"
  need_qemu
  pick_accel
  mkdir -p "$out" || bad "cannot create $out"
  out=$(cd "$out" && pwd)
  rm -f "$out"/*.console "$out"/*.hook "$out"/*.xl "$out"/*.result "$out"/serial.log "$out"/lab.result
  [ -z "$xs_image" ] || rm -f "$out"/xenstored.init "$out"/xenstored.ls0 "$out"/xenstored.ls1

  WORK=$(mktemp -d -t stubos-lab-x86.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  case "$art$WORK" in *[,\ ]*) die "paths must not contain commas or spaces (QEMU multiboot): $art $WORK" ;; esac
  pack_plan "$WORK/tree" "$extra_dir" "$xs_image"
  make_initrd "$art" "$WORK/tree" "$WORK/initrd"

  # The marker word: random per run, only the host and dom0 know it.
  MARK=@@$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  local xen_cmd dom0_cmd qemu_mib=$(( dom0_mib + 768 ))
  [ $qemu_mib -ge 1024 ] || qemu_mib=1024
  # spec-ctrl=eager-fpu: Xen saves and restores the FPU/SSE state at every
  # vCPU switch; its lazy switching (CR0.TS and the #NM trap, the default on
  # TCG's AMD CPU) does not hold under QEMU TCG: dom0 programs found other
  # contexts' values in their vector registers (net-http, nettest fpucheck).
  xen_cmd="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all noreboot spec-ctrl=eager-fpu"
  xen_cmd+=" dom0_mem=${dom0_mib}M,max:${dom0_mib}M dom0_max_vcpus=1 ${STUBOS_LAB_XEN_ARGS:-}"
  dom0_cmd="console=hvc0 quiet stubos.nonce=${MARK#@@} ${STUBOS_LAB_DOM0_ARGS:-}"
  # Xen is the multiboot kernel; module 1 is dom0's kernel, module 2 its initramfs.
  QEMU=(qemu-system-x86_64 "${ACCEL[@]}" -m "$qemu_mib" -smp 1 -display none -vga none
        -nic none -no-reboot -monitor none -serial "file:$WORK/serial.raw"
        -kernel "$art/xen.elf" -append "$xen_cmd"
        -initrd "$art/vmlinux $dom0_cmd,$WORK/initrd")
  echo "$PROG: ${#NAMES[@]} guests, accel ${ACCEL[1]}, timeout ${TIMEOUT_S} s" >&2

  run_qemu "$WORK/serial.raw" "$out/serial.log"
  elapsed_ms; local total=$ELAPSED
  split_results "$WORK/serial.raw" "$out"
  summarise "$out"

  local status=ok code=0 detail=
  if [ -n "$TIMED_OUT" ]; then status=timeout code=5
  elif [ "$CRASH" = xen-crashed ]; then status=xen-crashed code=4
  elif [ -n "$CRASH" ]; then status=dom0-failed code=4 detail=$CRASH
  elif [ -n "$DOM0_FAIL" ]; then status=dom0-failed code=4 detail="dom0:${DOM0_FAIL// /_}"
  elif [ -z "$END_MS" ] || [ "$DONE" -ne ${#NAMES[@]} ]; then status=dom0-failed code=4 detail=no-end
  elif [ ${#BAD_STREAMS[@]} -gt 0 ]; then
    status=dom0-failed code=4 detail="corrupt:$(IFS=,; echo "${BAD_STREAMS[*]}")"
  fi
  echo "$status dom0_ready_s=$(fmt_s "$READY_MS") total_s=$(fmt_s "$total") guests=$DONE/${#NAMES[@]}${detail:+ detail=$detail}" > "$out/lab.result"
  echo "$PROG: lab $(cat "$out/lab.result") accel=${ACCEL[1]} out=$out" >&2
  if [ $code -ne 0 ]; then
    echo "$PROG: last serial lines:" >&2
    tail -n 15 "$out/serial.log" >&2
  fi
  exit $code
}

main "$@"
