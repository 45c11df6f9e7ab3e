#!/bin/bash
# make bench: the x86 benchmarks in ONE lab boot (Xen + Linux dom0 in QEMU/TCG),
# reported as ratios against baselines measured in the same run. Not part
# of make test: timings under TCG on a shared machine are noisy, so nothing
# here passes or fails on a number.
#
#   boot     hello (PV and PVH) x5 each vs a Linux PV domU (Debian's kernel,
#            booted until it panics for lack of a root fs) x3:
#            xl create -> first console line, -> domain gone; and the guest's
#            own kernel entry -> main (Xen system time; CPU time from runstate)
#   core     our PV guests vs a Linux PV domU (the same kernel with the
#            initramfs of tests/lab/linux-domu.sh) doing the same with the
#            same dom0 tools and counts; our PVH guests vs PV:
#     events   event-channel round trip guest <-> dom0 (tests/xen/events)
#     xenstore read/write ops/s from the guest; also vs a C client in dom0
#              (run while only an idle guest exists)
#     grants   dom0 map+unmap of a page the guest granted, per second
#   net      stubdom/netsvc vs the Linux domU serving the same with busybox
#            (nc for discard/chargen, httpd), same kind of vif: 16 MiB to
#            discard, 16 MiB from chargen, HTTP requests/s; and each guest's
#            memory (configured, and used: ours RAM - free pages, Linux
#            MemTotal - MemAvailable). netsvc runs at BENCH_NETSVC_MIB (12:
#            about a tenth of Linux's 128) and at BENCH_NETSVC_MIN_MIB (5: the
#            least it did all three jobs in; at 4 MiB its network fell silent
#            during the chargen transfer, with no message)
#   sizes    hello and hello-newlib images (stripped ELF / gz)
#   arm64    dom0less boots (entry -> main, domU <-> domU event round trip),
#            then tests/bench/arm64.sh: the core services, boot and sizes in
#            one boot of the arm64 dom0 lab (BENCH_ARM64_DOM0=0: skipped)
#   xenstore stub  tests/bench/xenstore-stub.sh: our xenstore stub domain vs C
#            xenstored (dom0 and guest ops/s, watch latency), its smallest
#            --memory and size (BENCH_XS_STUB=0: skipped)
#
# BENCH_RESULTS=DIR: no build, no lab: only the report from DIR, the raw
# results of an earlier run (build/bench-latest is the last one).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/x86_64-pv P=build/x86_64-pvh
RUNS=${BENCH_RUNS:-5}
LINUX_MIB=128
NETSVC_MIB=${BENCH_NETSVC_MIB:-12}
NETSVC_MIN_MIB=${BENCH_NETSVC_MIN_MIB:-5}

# run_lab: build, boot the lab once with every benchmark guest, raw results in $out
run_lab() {
    echo "== building"
    make -s all bench-guests dom0-tools "$B/tests/xen/events/events.gz" "$B/tests/xen/shutdown/shutdown.gz" >/dev/null
    make -s MODE=pvh "$P/stubdom/hello/hello.gz" "$P/tests/xen/events/events.gz" \
        "$P/tests/bench/xsbench/xsbench.gz" "$P/tests/bench/grants/grants.gz" >/dev/null
    lab=$(tests/lab/x86-build.sh 2>/dev/null | tail -1)
    linux_initrd=$(tests/lab/linux-domu.sh)

    plan=$out/plan
    # dom0's /extra: our dom0 tools and the Linux domU's initramfs
    mkdir -p "$out/extra"
    cp build/host/dom0/* "$linux_initrd" "$out/extra/"
    pvh() { sed 's/^\(type *= *\)"pv"/\1"pvh"/' "$1"; }
    pvh tests/xen/hello/test.cfg > "$out/hello-pvh.cfg"
    pvh tests/xen/events/test.cfg > "$out/events-pvh.cfg"
    printf 'type = "pvh"\nmemory = 32\nvcpus = 1\n' > "$out/pvh.cfg"
    cat > "$out/linux.cfg" <<CFG
type = "pv"
memory = $LINUX_MIB
vcpus = 1
extra = "console=hvc0 panic=-1 loglevel=4"
CFG
    # One Linux domU does all the baselines: one boot less (~30 s under TCG).
    # Its xenstore benchmark runs last, when its dom0 hook is done.
    cat > "$out/linux-bench.cfg" <<CFG
type = "pv"
memory = $LINUX_MIB
vcpus = 1
ramdisk = "/extra/$(basename "$linux_initrd")"
vif = [ "bridge=xenbr0,ip=198.18.0.3" ]
extra = "console=hvc0 quiet loglevel=4 panic=-1 bench=events,grants,net,xenstore bench.ip=198.18.0.3"
CFG
    cat tests/bench/linux/core-hook.sh tests/bench/net/hook.sh > "$out/linux-hook.sh"
    netsvc_cfg() {  # MiB: the 1 MiB file and request buffers come from the C heap
        printf 'type = "pv"\nmemory = %d\nvcpus = 1\nvif = [ "bridge=xenbr0,ip=198.18.0.2" ]\nextra = "LIBC_HEAP=2M"\n' "$1"
    }
    netsvc_cfg "$NETSVC_MIB" > "$out/netsvc.cfg"
    netsvc_cfg "$NETSVC_MIN_MIB" > "$out/netsvc-min.cfg"
    NET_HOOK=$PWD/tests/bench/net/hook.sh
    {
        for i in $(seq "$RUNS"); do echo "hello-pv-$i $PWD/$B/stubdom/hello/hello.gz $PWD/tests/xen/hello/test.cfg 30"; done
        for i in $(seq "$RUNS"); do echo "hello-pvh-$i $PWD/$P/stubdom/hello/hello.gz $out/hello-pvh.cfg 30"; done
        for i in 1 2 3; do echo "linux-boot-$i $lab/vmlinux $out/linux.cfg 120"; done
        echo "events $PWD/$B/tests/xen/events/events.gz $PWD/tests/xen/events/test.cfg 60 $PWD/tests/xen/events/hook.sh"
        echo "events-pvh $PWD/$P/tests/xen/events/events.gz $out/events-pvh.cfg 60 $PWD/tests/xen/events/hook.sh"
        echo "xsbench $PWD/$B/tests/bench/xsbench/xsbench.gz - 60"
        echo "xsbench-pvh $PWD/$P/tests/bench/xsbench/xsbench.gz $out/pvh.cfg 60"
        echo "xs-dom0 $PWD/$B/tests/xen/shutdown/shutdown.gz $PWD/tests/xen/shutdown/test.cfg 60 $PWD/tests/bench/xsbench/dom0-hook.sh"
        echo "grants $PWD/$B/tests/bench/grants/grants.gz - 120 $PWD/tests/bench/grants/hook.sh"
        echo "grants-pvh $PWD/$P/tests/bench/grants/grants.gz $out/pvh.cfg 90 $PWD/tests/bench/grants/hook.sh"
        echo "netsvc $PWD/$B/stubdom/netsvc/netsvc.gz $out/netsvc.cfg 150 $NET_HOOK"
        echo "netsvc-min $PWD/$B/stubdom/netsvc/netsvc.gz $out/netsvc-min.cfg 150 $NET_HOOK"
        echo "linux $lab/vmlinux $out/linux-bench.cfg 400 $out/linux-hook.sh"
        echo "mallocbench $PWD/$B/tests/bench/mallocbench/mallocbench.gz - 120"
    } > "$plan"
    # The same malloc/free program natively on the host, as its baseline.
    gcc -O2 -o "$out/mallocbench-host" tests/bench/mallocbench/main.c
    "$out/mallocbench-host" | sed -n 's/^BENCH malloc_free_ops_per_s //p' > "$out/host-malloc"
    echo "== lab run ($(wc -l < "$plan") guests, one boot)"
    tests/lab/x86-run.sh -m 512 -f "$out/extra" "$plan" "$out" 2>&1 | grep -v ': running$' || true
}

if [ -n "${BENCH_RESULTS:-}" ]; then
    # only the report, from an earlier run's raw results
    out=$(cd "$BENCH_RESULTS" && pwd)
else
    out=$(mktemp -d "$PWD/build/bench.XXXXXX")
    ln -sfn "$(basename "$out")" build/bench-latest
    run_lab
fi
host_malloc=$(cat "$out/host-malloc" 2>/dev/null || echo -)

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$out"/$1-*.result | median; }
boot_us() { sed -n "s/^Boot: kernel entry to main in \([0-9]*\) us, \([0-9]*\) us.*/\\$2/p" "$out"/$1-*.console | median; }
# val KEY GUEST...: median of "BENCH KEY N" in those guests' consoles and hooks
val() {
    local key=$1 g; shift
    for g in "$@"; do cat "$out/$g.console" "$out/$g.hook" 2>/dev/null || true; done |
        sed -n "s/^BENCH $key \([0-9]*\).*/\1/p" | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
size() { [ -f "$1" ] && stat -c %s "$1" || echo -; }
row() { printf '%-48s %12s %12s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }

pv_first=$(field hello-pv create_to_first_line_ms); pv_gone=$(field hello-pv create_to_gone_ms)
pvh_first=$(field hello-pvh create_to_first_line_ms); pvh_gone=$(field hello-pvh create_to_gone_ms)
lx_first=$(field linux-boot create_to_first_line_ms); lx_gone=$(field linux-boot create_to_gone_ms)
mal=$(val malloc_free_ops_per_s mallocbench)
mib_kib() { echo $(($1 * 1024)); }

{
echo "== results (medians; TCG, so compare ratios, not absolute times)"
printf '%-48s %12s %12s %8s\n' "measure" "stubos" "baseline" "ratio"
row "xl create -> first console line, ms (vs Linux)" "$pv_first" "$lx_first"
row "xl create -> domain gone, ms (vs Linux panic)" "$pv_gone" "$lx_gone"
row "PVH: create -> first line, ms (vs PV)" "$pvh_first" "$pv_first"
row "PVH: create -> gone, ms (vs PV)" "$pvh_gone" "$pv_gone"
row "entry -> main, us (PVH vs PV)" "$(boot_us hello-pvh 1)" "$(boot_us hello-pv 1)"
row "entry -> main, us running (PVH vs PV)" "$(boot_us hello-pvh 2)" "$(boot_us hello-pv 2)"
echo "-- core services: our PV guest vs a Linux PV domU ($LINUX_MIB MiB)"
row "event channel round trip, ns (vs Linux)" "$(val evtchn_rtt_ns events)" "$(val evtchn_rtt_ns linux)"
row "xenstore writes/s (vs Linux)" "$(val xs_write_ops_per_s xsbench)" "$(val xs_write_ops_per_s linux)"
row "xenstore reads/s (vs Linux)" "$(val xs_read_ops_per_s xsbench)" "$(val xs_read_ops_per_s linux)"
row "dom0 grant map+unmap/s (vs Linux)" "$(val gnt_map_unmap_per_s grants)" "$(val gnt_map_unmap_per_s linux)"
row "xenstore writes/s (vs dom0 C client)" "$(val xs_write_ops_per_s xsbench)" "$(val xs_write_ops_per_s_dom0 xs-dom0)"
row "xenstore reads/s (vs dom0 C client)" "$(val xs_read_ops_per_s xsbench)" "$(val xs_read_ops_per_s_dom0 xs-dom0)"
echo "-- core services: our PVH guest vs our PV guest"
row "PVH: event channel round trip, ns (vs PV)" "$(val evtchn_rtt_ns events-pvh)" "$(val evtchn_rtt_ns events)"
row "PVH: xenstore writes/s (vs PV)" "$(val xs_write_ops_per_s xsbench-pvh)" "$(val xs_write_ops_per_s xsbench)"
row "PVH: xenstore reads/s (vs PV)" "$(val xs_read_ops_per_s xsbench-pvh)" "$(val xs_read_ops_per_s xsbench)"
row "PVH: dom0 grant map+unmap/s (vs PV)" "$(val gnt_map_unmap_per_s grants-pvh)" "$(val gnt_map_unmap_per_s grants)"
for g in netsvc netsvc-min; do
    mib=$NETSVC_MIB; [ $g = netsvc ] || mib=$NETSVC_MIN_MIB
    echo "-- network: netsvc in $mib MiB vs a Linux PV domU in $LINUX_MIB MiB (busybox nc, httpd)"
    row "TCP dom0 -> guest discard, 16 MiB, kB/s" "$(val net_to_guest_kb_per_s $g)" "$(val net_to_guest_kb_per_s linux)"
    row "TCP guest chargen -> dom0, 16 MiB, kB/s" "$(val net_from_guest_kb_per_s $g)" "$(val net_from_guest_kb_per_s linux)"
    row "HTTP requests/s (8 clients x 1 request, x8)" "$(val http_req_per_s $g)" "$(val http_req_per_s linux)"
    row "memory configured, KiB" "$(mib_kib "$mib")" "$(mib_kib "$LINUX_MIB")"
    row "memory the kernel manages as RAM, KiB" "$(val mem_total_kib $g)" "$(val mem_total_kib linux)"
    row "memory used after the runs, KiB" "$(val mem_used_kib $g)" "$(val mem_used_kib linux)"
done
echo "-- other"
row "newlib malloc+free ops/s (vs same on host)" "$mal" "$host_malloc"
h=$B/stubdom/hello/hello; n=$B/stubdom/hello-newlib/hello-newlib
row "hello stripped bytes (vs hello-newlib)" "$(size $h)" "$(size $n)"
row "hello gz bytes (vs hello-newlib)" "$(size $h.gz)" "$(size $n.gz)"
row "hello PVH stripped bytes (vs PV)" "$(size $P/stubdom/hello/hello)" "$(size $h)"
echo "(raw results: $out)"
} | tee "$out/summary"

# arm64: TCG figures, comparable only with each other.
A=build/arm64-dom0less
if [ -z "${BENCH_RESULTS:-}" ] && make -s ARCH=arm64 "$A/stubdom/hello/hello.gz" guest-tests >/dev/null 2>&1; then
    mkdir -p "$out/arm64" "$out/arm64-xdom"
    for i in $(seq "$RUNS"); do echo "hello-arm-$i $PWD/$A/stubdom/hello/hello.gz $PWD/tests/xen/hello/test.cfg 30"; done > "$out/arm64/plan"
    tests/lab/arm64-run.sh "$out/arm64/plan" "$out/arm64" >/dev/null 2>&1 || true
    tests/lab/arm64-run.sh tests/lab/arm64/xdomain/plan "$out/arm64-xdom" >/dev/null 2>&1 || true
    {
    echo "== arm64 (dom0less, TCG: compare with each other only)"
    printf '%-44s %12s\n' "entry -> main, us" "$(sed -n 's/^Boot: kernel entry to main in \([0-9]*\) us.*/\1/p' "$out"/arm64/hello-arm-*.console | median)"
    printf '%-44s %12s\n' "domU <-> domU event round trip, ns" "$(sed -n 's/^BENCH xdom_evtchn_rtt_ns \([0-9]*\)/\1/p' "$out"/arm64-xdom/*.console | median)"
    printf '%-44s %12s\n' "hello Image bytes / gz" "$(size $A/stubdom/hello/hello) / $(size $A/stubdom/hello/hello.gz)"
    printf '%-44s %12s\n' "hello-newlib Image bytes / gz" "$(size $A/stubdom/hello-newlib/hello-newlib) / $(size $A/stubdom/hello-newlib/hello-newlib.gz)"
    } | tee -a "$out/summary"
fi

# arm64 with a Linux dom0 and xl: the core services, boot and sizes on arm64
# (one more boot, of the arm64 dom0 lab; BENCH_ARM64_DOM0=0 leaves it out).
if [ -z "${BENCH_RESULTS:-}" ] && [ "${BENCH_ARM64_DOM0:-1}" != 0 ]; then
    echo "== arm64 dom0 lab"
    tests/bench/arm64.sh "$out/arm64-dom0" 2>&1 | sed -n '/^== arm64 results/,$p' | tee -a "$out/summary" || true
fi

# Our xenstore stub domain vs C xenstored in dom0 (two boots, plus the
# --memory search).
if [ -z "${BENCH_RESULTS:-}" ] && [ "${BENCH_XS_STUB:-1}" != 0 ]; then
    echo "== xenstore stub domain vs C xenstored"
    tests/bench/xenstore-stub.sh "$out/xenstore-stub" > "$out/xenstore-stub.log" 2>&1 || true
    cat "$out/xenstore-stub/summary" 2>/dev/null | tee -a "$out/summary" || tail -5 "$out/xenstore-stub.log"
fi
