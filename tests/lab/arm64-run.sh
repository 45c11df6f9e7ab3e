#!/usr/bin/env bash
# arm64-run.sh -- boot a plan of arm64 stub domains as Xen dom0less domUs:
# Debian's arm64 Xen 4.17 in qemu-system-aarch64 (TCG), no dom0, every guest
# of the plan started by Xen itself from the device tree, all in ONE boot
# (plan line 1 becomes domain 1, line 2 domain 2, ...). Collects each guest's
# console and how it ended.
#
# usage: arm64-run.sh [-g 2|3] [-s CPUS] [-t SEC] [-x XENARGS] [-k] PLAN OUTDIR
#   -g N     GIC version of the QEMU machine (default 3)
#   -s N     host CPUs (default 2)
#   -t SEC   hard timeout for the whole QEMU run (default: the largest guest
#            timeout + 30)
#   -x ARGS  extra Xen command line
#   -k       keep the generated device tree (OUTDIR/xen.dts)
#
# PLAN: one guest per line, '#' starts a comment (same format as x86-run.sh):
#   NAME IMAGE CFG TIMEOUT_S [HOOK]
#   IMAGE     arm64 Image (or Image.gz, Xen unpacks it)
#   CFG       xl-style config or "-" for memory=32 vcpus=1. Read: memory (MiB),
#             vcpus, extra (the guest's command line), and for dom0less only:
#               dom0less_xen_args = "..."        added to Xen's command line
#               dom0less_evtchn = "PORT PEER PEERPORT"
#                       a static event channel from our PORT to PEERPORT of the
#                       plan guest named PEER, bound by Xen before either runs
#               dom0less_enhanced = "no-xenstore"  (default) or "none": with it
#                       the guest's DT has the /hypervisor node (grant area,
#                       event-channel interrupt)
#   TIMEOUT_S from Xen's start of the domains until the guest must have ended
#   HOOK      not supported (there is no dom0): noted in the result
#
# A guest has "ended" when its console shows the kernel's last words:
#   "stubos: main returned N, powering off"  -> reason=poweroff
#   "*** domain shutting down: <reason>"     -> reason=<reason>
#   "stubos: domain shutdown: <reason>"      -> reason=<reason>
# or Xen reports "Domain N ... crashed" -> reason=crash. (Xen prints nothing
# when a domU shuts itself down and without dom0 nobody else can tell.)
#
# OUTDIR gets, per guest: NAME.console (its lines, Xen's prefix removed),
# NAME.result:
#   reason=<poweroff|reboot|crash|suspend|watchdog|timeout> domid=<n>
#   start_to_first_line_ms=<n|-> start_to_end_ms=<n|-> [hook=unsupported]
# and serial.log (whole serial output, "seconds.ms line"), lab.result:
#   <ok|xen-crashed|timeout|qemu-failed> xen_ready_s=<s|-> total_s=<s> guests=<ended>/<planned>
#
# exit: 0 the lab worked (whatever the guests did), 4 Xen/QEMU/lab failure,
#       5 hard timeout, 64 usage
# env:  STUBOS_LAB_XEN_ARGS: appended to Xen's command line
set -euo pipefail

readonly PROG=arm64-run
readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die()   { echo "$PROG: error: $*" >&2; exit 4; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 64; }
bad()   { echo "$PROG: $*" >&2; exit 64; }

# ---------------------------------------------------------------- plan --------

# shellcheck source=plan.sh
source "$HERE/plan.sh"

# QEMU's -device loader takes the image path in a comma-separated list.
check_image_paths() {
  local image
  for image in "${IMAGES[@]}"; do
    case $image in *,*) bad "image paths must not contain commas (QEMU): $image" ;; esac
  done
}

# cfg_get CFG KEY DEFAULT: the value of "KEY = value" (quotes removed).
cfg_get() {
  local v=
  [ "$1" = - ] || v=$(sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | tail -1)
  v=${v%%#*}; v=${v%"${v##*[![:space:]]}"}
  v=${v#\"}; v=${v%\"}; v=${v#\'}; v=${v%\'}
  echo "${v:-$3}"
}

index_of() { local i; for i in "${!NAMES[@]}"; do [ "${NAMES[$i]}" = "$1" ] && { echo "$i"; return 0; }; done; return 1; }

# The /chosen nodes that make Xen build the domains (Xen 4.17 dom0less,
# docs/misc/arm/device-tree/booting.txt), after QEMU's own machine tree.
write_dts() {
  local out=$1 xen_args=$2 i addr=$((0x50000000)) size mem vcpus enh ev port peer pport j
  local -a evnodes
  for i in "${!NAMES[@]}"; do evnodes[$i]=; done
  for i in "${!NAMES[@]}"; do
    ev=$(cfg_get "${CFGS[$i]}" dom0less_evtchn "")
    [ -n "$ev" ] || continue
    read -r port peer pport <<< "$ev"
    [[ $port =~ ^[0-9]+$ && $pport =~ ^[0-9]+$ ]] || bad "${NAMES[$i]}: dom0less_evtchn wants PORT PEER PEERPORT"
    j=$(index_of "$peer") || bad "${NAMES[$i]}: dom0less_evtchn peer '$peer' is not in the plan"
    evnodes[$i]+="      ev_${i}_$port: evtchn@$port { compatible = \"xen,evtchn-v1\"; xen,evtchn = <$port &ev_${j}_$pport>; };"$'\n'
    evnodes[$j]+="      ev_${j}_$pport: evtchn@$pport { compatible = \"xen,evtchn-v1\"; xen,evtchn = <$pport &ev_${i}_$port>; };"$'\n'
  done
  {
    cat "$VIRT_DTS"
    echo "/ { chosen {"
    echo "    xen,xen-bootargs = \"$xen_args\";"
    for i in "${!NAMES[@]}"; do
      size=$(stat -c %s "${IMAGES[$i]}")
      mem=$(cfg_get "${CFGS[$i]}" memory 32); vcpus=$(cfg_get "${CFGS[$i]}" vcpus 1)
      enh=$(cfg_get "${CFGS[$i]}" dom0less_enhanced no-xenstore)
      [[ $mem =~ ^[0-9]+$ && $vcpus =~ ^[0-9]+$ ]] || bad "${NAMES[$i]}: bad memory/vcpus"
      LOADERS+=(-device "loader,file=${IMAGES[$i]},addr=$(printf 0x%x $addr),force-raw=on")
      echo "    domU$((i + 1)) {"
      echo "      compatible = \"xen,domain\";"
      echo "      #address-cells = <2>; #size-cells = <2>;"
      echo "      memory = <0 $((mem * 1024))>;"
      echo "      cpus = <$vcpus>;"
      echo "      vpl011;"
      [ "$enh" = none ] || echo "      xen,enhanced = \"$enh\";"
      printf '      module@%x {\n' $addr
      echo "        compatible = \"multiboot,kernel\", \"multiboot,module\";"
      printf '        reg = <0x0 0x%x 0x0 0x%x>;\n' $addr "$size"
      printf '        bootargs = "%s";\n' "$(cfg_get "${CFGS[$i]}" extra "" | sed 's/["\\]/\\&/g')"
      echo "      };"
      printf '%s' "${evnodes[$i]}"
      echo "    };"
      addr=$(( (addr + size + 0x1fffff) & ~0x1fffff ))
    done
    echo "}; };"
  } > "$out"
}

# ---------------------------------------------------------------- serial ------

# Serial output goes to a file, never a pipe (a slow reader must not stall
# QEMU's UART); we follow the file, timestamp it and react to what we see.
T0=0 READY_MS= CRASH= CRASH_MS=
declare -a FIRST_MS END_MS REASON
elapsed_ms() { local t=${EPOCHREALTIME//[!0-9]/}; ELAPSED=$(( (t - T0) / 1000 )); }

guest_line() {   # domid text
  local i=$(( $1 - 1 )) text=$2
  [ $i -ge 0 ] && [ $i -lt ${#NAMES[@]} ] || return 0
  printf '%s\n' "$text" >> "$OUT/${NAMES[$i]}.console"
  [ -n "${FIRST_MS[$i]}" ] || FIRST_MS[$i]=$ELAPSED
  [ -z "${REASON[$i]}" ] || return 0
  case $text in
    "stubos: main returned "*", powering off"*) REASON[$i]=poweroff ;;
    "*** domain shutting down: "*) REASON[$i]=${text#"*** domain shutting down: "}; REASON[$i]=${REASON[$i]%% *} ;;
    "stubos: domain shutdown: "*) REASON[$i]=${text#"stubos: domain shutdown: "}; REASON[$i]=${REASON[$i]%% *} ;;
    *) return 0 ;;
  esac
  END_MS[$i]=$ELAPSED
  echo "$PROG: ${NAMES[$i]} (d$1): ${REASON[$i]}" >&2
}

on_line() {
  local l=${1//$'\r'/}
  elapsed_ms
  printf '%4d.%03d %s\n' $((ELAPSED / 1000)) $((ELAPSED % 1000)) "$l" >&3
  if [[ $l =~ ^\(XEN\)\ DOM([0-9]+):\ ?(.*)$ ]] || [[ $l =~ ^\(d([0-9]+)\)\ ?(.*)$ ]]; then
    guest_line "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  elif [[ $l =~ Domain\ ([0-9]+)\ \(vcpu\#[0-9]+\)\ crashed ]]; then
    local i=$(( BASH_REMATCH[1] - 1 ))
    if [ $i -ge 0 ] && [ $i -lt ${#NAMES[@]} ] && [ -z "${REASON[$i]}" ]; then
      REASON[$i]=crash END_MS[$i]=$ELAPSED
    fi
  else
    case $l in
      *"Freed "*"init memory"*) [ -n "$READY_MS" ] || READY_MS=$ELAPSED ;;
      *"Panic on CPU"*|*"Xen BUG at"*|*"Assertion '"*|*"Could not set up"*)
        [ -n "$CRASH" ] || { CRASH=xen-crashed; CRASH_MS=$ELAPSED; } ;;
    esac
  fi
}

all_ended() {
  local i
  for i in "${!NAMES[@]}"; do [ -n "${REASON[$i]}" ] || return 1; done
}

# Guest deadlines count from when Xen has started the domains.
check_stop() {
  local i base
  elapsed_ms
  base=${READY_MS:-0}
  for i in "${!NAMES[@]}"; do
    if [ -z "${REASON[$i]}" ] && [ -n "$READY_MS" ] && [ $((ELAPSED - base)) -gt $(( TIMEOUTS[i] * 1000 )) ]; then
      REASON[$i]=timeout
      echo "$PROG: ${NAMES[$i]}: timeout after ${TIMEOUTS[$i]} s" >&2
    fi
  done
  if all_ended; then
    # the last guest's final hypercall may still be on its way: 200 ms grace
    [ -n "$ALL_ENDED_MS" ] || ALL_ENDED_MS=$ELAPSED
    [ $((ELAPSED - ALL_ENDED_MS)) -lt 200 ] || stop_qemu
  elif [ -n "$CRASH_MS" ] && [ $((ELAPSED - CRASH_MS)) -gt 1000 ]; then stop_qemu
  elif [ "$ELAPSED" -gt $((TIMEOUT_S * 1000)) ]; then TIMED_OUT=1; stop_qemu
  fi
}

stop_qemu() { [ -n "$QEMU_STOPPED" ] || { QEMU_STOPPED=1; kill "$QPID" 2>/dev/null || true; }; }

run_qemu() {
  local raw=$1 log=$2 line= chunk rc
  QEMU_STOPPED= TIMED_OUT= ALL_ENDED_MS=
  : > "$raw"
  T0=${EPOCHREALTIME//[!0-9]/}
  "${QEMU[@]}" < /dev/null > "$WORK/qemu.err" 2>&1 &
  QPID=$!
  exec 3> "$log"
  exec 4< <(tail -s 0.05 --pid="$QPID" -n +1 -f "$raw" 2>/dev/null)
  while :; do
    if IFS= read -r -t 0.2 -u 4 chunk; then
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
  [ ! -s "$WORK/qemu.err" ] || sed 's/^/qemu: /' "$WORK/qemu.err" >> "$log"
}

fmt_s() { [ -n "$1" ] && printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10)) || echo -; }
rel_ms() { [ -n "$1" ] && [ -n "$READY_MS" ] && echo $(( $1 - READY_MS )) || echo -; }

# ---------------------------------------------------------------- main --------

main() {
  local gic=3 smp=2 timeout= xen_extra= keep= o i
  while getopts "g:s:t:x:kh" o; do
    case $o in
      g) gic=$OPTARG; [[ $gic =~ ^[23]$ ]] || bad "-g wants 2 or 3" ;;
      s) smp=$OPTARG; [[ $smp =~ ^[1-8]$ ]] || bad "-s wants 1-8" ;;
      t) timeout=$OPTARG; [[ $timeout =~ ^[1-9][0-9]*$ ]] || bad "-t wants seconds" ;;
      x) xen_extra=$OPTARG ;;
      k) keep=1 ;;
      *) usage ;;
    esac
  done
  shift $((OPTIND - 1))
  [ $# -eq 2 ] || usage
  local plan=$1
  [ -f "$plan" ] || bad "no plan file $plan"
  read_plan "$plan"; check_image_paths
  if [ -z "$timeout" ]; then
    timeout=0; for o in "${TIMEOUTS[@]}"; do [ "$o" -le "$timeout" ] || timeout=$o; done
    timeout=$((timeout + 30))
  fi
  TIMEOUT_S=$timeout

  local lab
  lab=$("$HERE/arm64-xen.sh") || die "arm64-xen.sh failed"
  mkdir -p "$2" || bad "cannot create $2"
  OUT=$(cd "$2" && pwd)
  for i in "${!NAMES[@]}"; do
    rm -f "$OUT/${NAMES[$i]}".{console,result}
    : > "$OUT/${NAMES[$i]}.console"
    FIRST_MS[$i]= END_MS[$i]= REASON[$i]=
  done
  rm -f "$OUT/serial.log" "$OUT/lab.result" "$OUT/xen.dts"

  WORK=$(mktemp -d -t stubos-lab-arm64.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
  local machine=(-machine "virt,virtualization=on,gic-version=$gic" -cpu cortex-a57 -smp "$smp" -m 2048)
  # QEMU's own tree for this exact machine, cached per QEMU version.
  local qv; qv=$(qemu-system-aarch64 --version | head -1 | tr -cd 'A-Za-z0-9.+-')
  VIRT_DTS=$lab/virt-gic$gic-smp$smp-$qv.dts
  if [ ! -f "$VIRT_DTS" ]; then
    qemu-system-aarch64 "${machine[@]}" -machine dumpdtb="$WORK/virt.dtb" -display none >/dev/null 2>&1 ||
      [ -s "$WORK/virt.dtb" ] || die "qemu dumpdtb failed"
    dtc -q -I dtb -O dts "$WORK/virt.dtb" -o "$WORK/virt.dts" || die "dtc failed"
    mv -f "$WORK/virt.dts" "$VIRT_DTS"
  fi

  # bootscrub=0: no 5 s of scrubbing; the domains' memory is ours to clear.
  local xen_args="console=dtuart bootscrub=0 loglvl=all guest_loglvl=all"
  for i in "${!NAMES[@]}"; do
    o=$(cfg_get "${CFGS[$i]}" dom0less_xen_args "")
    [ -z "$o" ] || [[ " $xen_args " == *" $o "* ]] || xen_args+=" $o"
    [ -z "${HOOKS[$i]}" ] || echo "$PROG: ${NAMES[$i]}: hooks need dom0, which dom0less has not; ignored" >&2
  done
  xen_args+=" $xen_extra ${STUBOS_LAB_XEN_ARGS:-}"
  LOADERS=()
  write_dts "$WORK/xen.dts" "$xen_args"
  [ -z "$keep" ] || cp "$WORK/xen.dts" "$OUT/xen.dts"
  dtc -q -I dts -O dtb "$WORK/xen.dts" -o "$WORK/xen.dtb" 2> "$WORK/dtc.err" ||
    { cat "$WORK/dtc.err" >&2; die "dtc could not compile the generated tree"; }

  QEMU=(qemu-system-aarch64 "${machine[@]}" -display none -monitor none -nic none -no-reboot
        -serial "file:$WORK/serial.raw" -kernel "$lab/xen" -dtb "$WORK/xen.dtb" "${LOADERS[@]}")
  echo "$PROG: ${#NAMES[@]} guest(s) in one boot, GICv$gic, timeout ${TIMEOUT_S} s" >&2
  run_qemu "$WORK/serial.raw" "$OUT/serial.log"
  elapsed_ms; local total=$ELAPSED ended=0

  for i in "${!NAMES[@]}"; do
    local r=${REASON[$i]:-timeout}
    [ "$r" = timeout ] || ended=$((ended + 1))
    printf 'reason=%s domid=%d start_to_first_line_ms=%s start_to_end_ms=%s%s\n' "$r" $((i + 1)) \
      "$(rel_ms "${FIRST_MS[$i]}")" "$(rel_ms "${END_MS[$i]}")" \
      "$([ -z "${HOOKS[$i]}" ] || echo ' hook=unsupported')" > "$OUT/${NAMES[$i]}.result"
    echo "$PROG: ${NAMES[$i]}: $(cat "$OUT/${NAMES[$i]}.result") console_lines=$(wc -l < "$OUT/${NAMES[$i]}.console")" >&2
  done

  local status=ok code=0
  if [ -n "$CRASH" ]; then status=$CRASH code=4
  elif [ -n "$TIMED_OUT" ]; then status=timeout code=5
  elif [ -z "$READY_MS" ]; then status=qemu-failed code=4
  fi
  echo "$status xen_ready_s=$(fmt_s "$READY_MS") total_s=$(fmt_s "$total") guests=$ended/${#NAMES[@]}" > "$OUT/lab.result"
  echo "$PROG: lab $(cat "$OUT/lab.result") out=$OUT" >&2
  if [ $code -ne 0 ]; then
    echo "$PROG: last serial lines:" >&2
    tail -n 15 "$OUT/serial.log" >&2
  fi
  exit $code
}

main "$@"
