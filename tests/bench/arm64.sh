#!/bin/bash
# tests/bench/arm64.sh [OUTDIR]: the arm64 benchmarks, in ONE boot of the
# arm64 dom0 lab (tests/lab/arm64-dom0.sh: Debian's Xen 4.17 and a Linux
# arm64 dom0 with xl in qemu-system-aarch64, TCG), reported as ratios
# against baselines measured in the same boot. Emulated (TCG) figures are
# only comparable with each other: not with the x86 lab's, not with
# hardware. Nothing here passes or fails on a number.
#
#   boot     hello x BENCH_RUNS vs a Linux arm64 domU (Debian's kernel,
#            booted until it panics for lack of a root fs) x 3: xl create ->
#            first console line, -> domain gone; the guest's own kernel entry
#            -> main, hello-newlib vs hello
#   events   event-channel round trip guest <-> dom0 (tests/xen/events with
#            its evtchn-pingpong hook) vs the same ping-pong with dom0 at
#            both ends (evtchn-echo)
#   xenstore read/write ops/s from the guest (tests/bench/xsbench) vs the C
#            client in dom0 (tests/dom0/xsbench.c), run after the guest's
#   grants   dom0 map+unmap/s of a page our guest granted (tests/bench/grants
#            + gntmap) vs of a page dom0 granted itself (gntalloc-hold)
#   sizes    hello and hello-newlib images: arm64 vs x86_64 PV, PVH vs PV
#
# OUTDIR (default build/bench-arm64.XXXXXX, linked as build/bench-arm64-latest)
# gets the lab's files (NAME.console, NAME.hook, NAME.result, serial.log)
# and `summary`. Env: BENCH_RUNS (hello boots, default 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
T0=$SECONDS
A=build/arm64-dom0less B=build/x86_64-pv P=build/x86_64-pvh
RUNS=${BENCH_RUNS:-5}

echo "== building (arm64 guests and dom0 tools; x86_64 hello images for the sizes)"
# Only the dom0 tools used here (arm64-dom0.sh puts all that are built on dom0's PATH).
tools=(evtchn-pingpong evtchn-echo gntmap gntalloc-hold xsbench)
make -s ARCH=arm64 "${tools[@]/#/build/host-arm64/dom0/}" "$A/stubdom/hello/hello.gz" "$A/stubdom/hello-newlib/hello-newlib.gz" \
    "$A/tests/xen/events/events.gz" "$A/tests/bench/xsbench/xsbench.gz" "$A/tests/bench/grants/grants.gz" >/dev/null
make -s "$B/stubdom/hello/hello.gz" "$B/stubdom/hello-newlib/hello-newlib.gz" >/dev/null
make -s MODE=pvh "$P/stubdom/hello/hello.gz" "$P/stubdom/hello-newlib/hello-newlib.gz" >/dev/null

if [ $# -gt 0 ]; then
    out=$(mkdir -p "$1" && cd "$1" && pwd)
else
    out=$(mktemp -d "$PWD/build/bench-arm64.XXXXXX")
    ln -sfn "$(basename "$out")" build/bench-arm64-latest
fi

# The Linux baseline: the dom0 lab's own arm64 kernel, an uncompressed
# Image like ours (cached by arm64-dom0.sh: absent before its first run).
linux=$(ls "${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}"/lab-arm64-dom0/root/boot/vmlinuz-* 2>/dev/null | head -1 || true)
printf 'memory = 32\nvcpus = 1\n' > "$out/guest.cfg"
cat > "$out/linux.cfg" <<'CFG'
memory = 128
vcpus = 1
extra = "console=hvc0 panic=-1 loglevel=4"
on_reboot = "destroy"
CFG

# Hooks: our guest and its baseline never run at the same time. The events
# and grants baselines run first, while the guest waits idle for dom0; the
# xenstore guest starts its benchmark at once, so the C client runs after it.
{
    cat <<'HOOK'
i=0
while ! grep -q '^BENCH xs_read_ops_per_s ' "/var/log/xen/console/guest-$NAME.log" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 3000 ] && break; usleep 20000
done
i=0
while xl list "$DOMID" > /dev/null 2>&1; do i=$((i + 1)); [ $i -gt 100 ] && break; usleep 100000; done
HOOK
    cat tests/bench/xsbench/hook.sh
} > "$out/xsbench-hook.sh"
{
    cat <<'HOOK'
# baseline: the same ping-pong with dom0 at both ends of the channel
evtchn-echo 0 1000 > /tmp/echo.out 2>&1 &
i=0
while ! grep -q '^EVTCHN-PORT ' /tmp/echo.out; do i=$((i + 1)); [ $i -gt 500 ] && break; usleep 10000; done
evtchn-pingpong 0 "$(sed -n 's/^EVTCHN-PORT //p' /tmp/echo.out)" 1000 |
    sed -n 's/^BENCH evtchn_rtt_ns /BENCH evtchn_rtt_ns_dom0_loop /p'
HOOK
    cat tests/xen/events/hook.sh
} > "$out/events-hook.sh"
{
    cat <<'HOOK'
# baseline: dom0 maps and unmaps a page it granted itself
gntalloc-hold 0 120 > /tmp/self.out 2>&1 &
hold=$!
i=0
while ! grep -q '^GNT-REF ' /tmp/self.out; do i=$((i + 1)); [ $i -gt 500 ] && break; usleep 10000; done
gntmap 0 "$(sed -n 's/^GNT-REF //p' /tmp/self.out)" bench 2000 |
    sed -n 's/^BENCH gnt_map_unmap_per_s /BENCH gnt_map_unmap_per_s_dom0_self /p'
kill $hold
HOOK
    cat tests/bench/grants/hook.sh
} > "$out/grants-hook.sh"

guests=()
for i in $(seq "$RUNS"); do guests+=("hello-$i:$A/stubdom/hello/hello:tests/xen/hello/test.cfg"); done
for i in 1 2 3; do guests+=("hello-newlib-$i:$A/stubdom/hello-newlib/hello-newlib:tests/xen/hello-newlib/test.cfg"); done
[ -n "$linux" ] && for i in 1 2 3; do guests+=("linux-$i:$linux:$out/linux.cfg"); done
guests+=("events:$A/tests/xen/events/events:tests/xen/events/test.cfg:$out/events-hook.sh"
         "xsbench:$A/tests/bench/xsbench/xsbench:$out/guest.cfg:$out/xsbench-hook.sh"
         "grants:$A/tests/bench/grants/grants:$out/guest.cfg:$out/grants-hook.sh")
echo "== arm64 dom0 lab run (${#guests[@]} guests, one boot)"
lab_t0=$SECONDS
tests/lab/arm64-dom0.sh -o "$out" -t 1200 "${guests[@]}" > "$out/lab.log" 2>&1 ||
    echo "arm64-dom0.sh failed (exit $?): see $out/lab.log"
lab_s=$((SECONDS - lab_t0))

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
field() { cat "$out"/$1-[0-9]*.result 2>/dev/null | sed -n "s/.*$2=\([0-9][0-9]*\).*/\1/p" | median; }
boot_us() { cat "$out"/$1-[0-9]*.console 2>/dev/null |
    sed -n "s/^Boot: kernel entry to main in \([0-9]*\) us, \([0-9]*\) us.*/\\$2/p" | median; }
bench() { cat "$out"/*.console "$out"/*.hook 2>/dev/null | sed -n "s/^BENCH $1 \([0-9]*\).*/\1/p" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
size() { [ -f "$1" ] && stat -c %s "$1" || echo -; }
row() { printf '%-50s %12s %12s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }

{
echo "== arm64 results (medians of one boot of the arm64 dom0 lab; emulated by TCG:"
echo "   these figures are only comparable with each other, not with x86 or hardware)"
printf '%-50s %12s %12s %8s\n' "measure" "stubos" "baseline" "ratio"
row "xl create -> first console line, ms (vs Linux)" "$(field hello create_to_first_line_ms)" "$(field linux create_to_first_line_ms)"
row "xl create -> domain gone, ms (vs Linux panic)" "$(field hello create_to_gone_ms)" "$(field linux create_to_gone_ms)"
row "entry -> main, us (hello-newlib vs hello)" "$(boot_us hello-newlib 1)" "$(boot_us hello 1)"
row "entry -> main, us running (hello-newlib vs hello)" "$(boot_us hello-newlib 2)" "$(boot_us hello 2)"
row "event channel round trip, ns (vs dom0<->dom0)" "$(bench evtchn_rtt_ns)" "$(bench evtchn_rtt_ns_dom0_loop)"
row "xenstore writes/s (vs dom0 C client)" "$(bench xs_write_ops_per_s)" "$(bench xs_write_ops_per_s_dom0)"
row "xenstore reads/s (vs dom0 C client)" "$(bench xs_read_ops_per_s)" "$(bench xs_read_ops_per_s_dom0)"
row "dom0 grant map+unmap/s, our page (vs dom0's own)" "$(bench gnt_map_unmap_per_s)" "$(bench gnt_map_unmap_per_s_dom0_self)"
echo "== image sizes, bytes (not emulated: exact)"
printf '%-50s %12s %12s %8s %12s %8s\n' "image" "arm64" "x86_64 PV" "ratio" "x86_64 PVH" "PVH/PV"
for img in hello hello-newlib; do
    for kind in stripped gz; do
        f=stubdom/$img/$img; [ $kind = gz ] && f=$f.gz
        a=$(size "$A/$f") b=$(size "$B/$f") p=$(size "$P/$f")
        printf '%-50s %12s %12s %8s %12s %8s\n' "$img ($kind)" "$a" "$b" "$(ratio "$a" "$b")" "$p" "$(ratio "$p" "$b")"
    done
done
echo "(lab boot ${lab_s} s, whole run $((SECONDS - T0)) s; raw results: $out)"
} | tee "$out/summary"
