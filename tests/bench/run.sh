#!/bin/bash
# make bench: benchmarks in ONE lab boot (Xen + Linux dom0 in QEMU/TCG),
# reported as ratios against baselines measured in the same run. Not part
# of make test: timings under TCG on a shared machine are noisy, so nothing
# here passes or fails on a number.
#
#   boot     hello (PV and PVH) x5 each vs a Linux PV domU (Debian's kernel,
#            booted until it panics for lack of a root fs) x3:
#            xl create -> first console line, -> domain gone; and the guest's
#            own kernel entry -> main (Xen system time; CPU time from runstate)
#   events   event-channel round trip guest <-> dom0 (tests/xen/events)
#   xenstore read/write ops/s from the guest vs a C client in dom0
#   grants   dom0 map+unmap of a page our guest granted, per second
#   sizes    hello and hello-newlib images (stripped ELF / gz)
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/x86_64-pv P=build/x86_64-pvh
RUNS=${BENCH_RUNS:-5}

echo "== building"
make -s all bench-guests guest-tests dom0-tools >/dev/null
make -s MODE=pvh "$P/stubdom/hello/hello.gz" >/dev/null
lab=$(tests/lab/x86-build.sh 2>/dev/null | tail -1)

out=$(mktemp -d "$PWD/build/bench.XXXXXX")
ln -sfn "$(basename "$out")" build/bench-latest
plan=$out/plan
sed 's/^\(type *= *\)"pv"/\1"pvh"/' tests/xen/hello/test.cfg > "$out/hello-pvh.cfg"
cat > "$out/linux.cfg" <<'CFG'
type = "pv"
memory = 128
vcpus = 1
extra = "console=hvc0 panic=-1 loglevel=4"
CFG
{
    for i in $(seq "$RUNS"); do echo "hello-pv-$i $PWD/$B/stubdom/hello/hello.gz $PWD/tests/xen/hello/test.cfg 30"; done
    for i in $(seq "$RUNS"); do echo "hello-pvh-$i $PWD/$P/stubdom/hello/hello.gz $out/hello-pvh.cfg 30"; done
    for i in 1 2 3; do echo "linux-$i $lab/vmlinux $out/linux.cfg 120"; done
    echo "events $PWD/$B/tests/xen/events/events.gz $PWD/tests/xen/events/test.cfg 60 $PWD/tests/xen/events/hook.sh"
    echo "xsbench $PWD/$B/tests/bench/xsbench/xsbench.gz - 60 $PWD/tests/bench/xsbench/hook.sh"
    echo "grants $PWD/$B/tests/bench/grants/grants.gz - 120 $PWD/tests/bench/grants/hook.sh"
    echo "mallocbench $PWD/$B/tests/bench/mallocbench/mallocbench.gz - 120"
} > "$plan"
# The same malloc/free program natively on the host, as its baseline.
gcc -O2 -o "$out/mallocbench-host" tests/bench/mallocbench/main.c
host_malloc=$("$out/mallocbench-host" | sed -n 's/^BENCH malloc_free_ops_per_s //p')
echo "== lab run ($(wc -l < "$plan") guests, one boot)"
tests/lab/x86-run.sh -m 512 -f build/host/dom0 "$plan" "$out" 2>&1 | grep -v ': running$' || true

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$out"/$1-*.result | median; }
boot_us() { sed -n "s/^Boot: kernel entry to main in \([0-9]*\) us, \([0-9]*\) us.*/\\$2/p" "$out"/$1-*.console | median; }
bench() { cat "$out"/*.console "$out"/*.hook 2>/dev/null | sed -n "s/^BENCH $1 \([0-9]*\).*/\1/p" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
size() { [ -f "$1" ] && stat -c %s "$1" || echo -; }

pv_first=$(field hello-pv create_to_first_line_ms); pv_gone=$(field hello-pv create_to_gone_ms)
pvh_first=$(field hello-pvh create_to_first_line_ms); pvh_gone=$(field hello-pvh create_to_gone_ms)
lx_first=$(field linux create_to_first_line_ms); lx_gone=$(field linux create_to_gone_ms)
rtt=$(bench evtchn_rtt_ns)
xs_w=$(bench xs_write_ops_per_s); xs_r=$(bench xs_read_ops_per_s)
xs_w0=$(bench xs_write_ops_per_s_dom0); xs_r0=$(bench xs_read_ops_per_s_dom0)
gnt=$(bench gnt_map_unmap_per_s)
mal=$(bench malloc_free_ops_per_s)

{
echo "== results (medians; TCG, so compare ratios, not absolute times)"
printf '%-44s %12s %12s %8s\n' "measure" "stubos" "baseline" "ratio"
printf '%-44s %12s %12s %8s\n' "xl create -> first console line, ms (vs Linux)" "$pv_first" "$lx_first" "$(ratio "$pv_first" "$lx_first")"
printf '%-44s %12s %12s %8s\n' "xl create -> domain gone, ms (vs Linux panic)" "$pv_gone" "$lx_gone" "$(ratio "$pv_gone" "$lx_gone")"
printf '%-44s %12s %12s %8s\n' "PVH: create -> first line, ms (vs PV)" "$pvh_first" "$pv_first" "$(ratio "$pvh_first" "$pv_first")"
printf '%-44s %12s %12s %8s\n' "PVH: create -> gone, ms (vs PV)" "$pvh_gone" "$pv_gone" "$(ratio "$pvh_gone" "$pv_gone")"
printf '%-44s %12s %12s %8s\n' "entry -> main, us (PVH vs PV)" "$(boot_us hello-pvh 1)" "$(boot_us hello-pv 1)" "$(ratio "$(boot_us hello-pvh 1)" "$(boot_us hello-pv 1)")"
printf '%-44s %12s %12s %8s\n' "entry -> main, us running (PVH vs PV)" "$(boot_us hello-pvh 2)" "$(boot_us hello-pv 2)" "$(ratio "$(boot_us hello-pvh 2)" "$(boot_us hello-pv 2)")"
printf '%-44s %12s %12s %8s\n' "event channel round trip, ns (no baseline)" "$rtt" "-" "-"
printf '%-44s %12s %12s %8s\n' "xenstore writes/s (vs dom0 C client)" "$xs_w" "$xs_w0" "$(ratio "$xs_w" "$xs_w0")"
printf '%-44s %12s %12s %8s\n' "xenstore reads/s (vs dom0 C client)" "$xs_r" "$xs_r0" "$(ratio "$xs_r" "$xs_r0")"
printf '%-44s %12s %12s %8s\n' "dom0 grant map+unmap/s of our page" "$gnt" "-" "-"
printf '%-44s %12s %12s %8s\n' "newlib malloc+free ops/s (vs same on host)" "$mal" "$host_malloc" "$(ratio "$mal" "$host_malloc")"
h=$B/stubdom/hello/hello; n=$B/stubdom/hello-newlib/hello-newlib
printf '%-44s %12s %12s %8s\n' "hello stripped bytes (vs hello-newlib)" "$(size $h)" "$(size $n)" "$(ratio "$(size $h)" "$(size $n)")"
printf '%-44s %12s %12s %8s\n' "hello gz bytes (vs hello-newlib)" "$(size $h.gz)" "$(size $n.gz)" "$(ratio "$(size $h.gz)" "$(size $n.gz)")"
printf '%-44s %12s %12s %8s\n' "hello PVH stripped bytes (vs PV)" "$(size $P/stubdom/hello/hello)" "$(size $h)" "$(ratio "$(size $P/stubdom/hello/hello)" "$(size $h)")"
echo "(raw results: $out)"
} | tee "$out/summary"

# arm64: TCG figures, comparable only with each other.
A=build/arm64-dom0less
if make -s ARCH=arm64 "$A/stubdom/hello/hello.gz" guest-tests >/dev/null 2>&1; then
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
