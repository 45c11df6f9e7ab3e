#!/bin/bash
# xenstore-stub.sh -- benchmark of stubdom/xenstore against Debian's C
# xenstored (4.17), as ratios measured in the same invocation. Not a test:
# nothing passes or fails on a number (TCG on a shared machine is noisy).
#
# usage: tests/bench/xenstore-stub.sh [OUTDIR]   (default: build/bench-xsstub.XXXXXX)
#
#   ops        two lab boots with the same plan, C xenstored in dom0 (baseline)
#              and our stub domain (x86-run.sh -X):
#              - dom0: xsbench (sequential writes and reads) and xswatch (write
#                -> watch event latency), 3 rounds each, medians, over
#                /dev/xen/xenbus (tests/bench/xenstore-stub/dom0-hook.sh),
#                while an idle guest (the conformance test's xsguest) waits;
#              - a guest: tests/bench/xsbench (its own writes and reads).
#   memory     the smallest --memory (MiB) with which the stub runs the guest
#              tests hello and xenbus (tests/lab/xenstore-stub.sh), trying
#              XSB_MEMORY (default "4 3 2 1") until one fails; upstream's
#              C stub defaults to 8 MiB.
#   size       xenstore.gz (and stripped) vs Debian's xenstored binary
#              (dynamically linked: libc and libxen* not counted).
# XSB_SKIP_MEMORY=1 skips the memory search (3-4 more lab boots).
set -uo pipefail
cd "$(dirname "$0")/../.."
B=build/x86_64-pv
XS_IMAGE=$B/stubdom/xenstore/xenstore.gz
HOST=$B/tests/lab/xs-conformance/xsguest/xsguest.gz
XSB=$B/tests/bench/xsbench/xsbench.gz

echo "== building"
make -s dom0-tools "$XS_IMAGE" "$HOST" "$XSB" >/dev/null || { echo "build failed" >&2; exit 1; }
lab=$(tests/lab/x86-build.sh 2>/dev/null | tail -1)

if [ $# -ge 1 ]; then out=$1; mkdir -p "$out"; else out=$(mktemp -d "$PWD/build/bench-xsstub.XXXXXX"); fi
out=$(cd "$out" && pwd)
plan=$out/plan
{
    echo "xsbench $PWD/$XSB - 60"
    echo "xsdom0 $PWD/$HOST $PWD/tests/lab/xs-conformance/guest.cfg 600 $PWD/tests/bench/xenstore-stub/dom0-hook.sh"
} > "$plan"

for run in c stub; do
    echo "== lab run: $run"
    mkdir -p "$out/$run"
    if [ $run = c ]; then tests/lab/x86-run.sh -f build/host/dom0 "$plan" "$out/$run" 2> "$out/$run.lab"
    else tests/lab/x86-run.sh -f build/host/dom0 -X "$XS_IMAGE" "$plan" "$out/$run" 2> "$out/$run.lab"; fi
    echo "   $(cat "$out/$run/lab.result" 2>/dev/null || echo 'no lab.result')"
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
bench() { cat "$out/$1"/*.console "$out/$1"/*.hook 2>/dev/null | sed -n "s/^BENCH $2 \([0-9]*\).*/\1/p" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
size() { [ -f "$1" ] && stat -c %s "$1" || echo -; }

# smallest memory
mem_ok=- mem_fail=-
if [ -z "${XSB_SKIP_MEMORY:-}" ]; then
    for m in ${XSB_MEMORY:-4 3 2 1}; do
        echo "== lab run: stub with --memory $m (hello, xenbus)"
        if STUBOS_LAB_XENSTORE_MEMORY=$m XS_TESTS="hello xenbus" \
           tests/lab/xenstore-stub.sh "$out/mem-$m" > "$out/mem-$m.log" 2>&1; then
            mem_ok=$m
            echo "   $(tail -1 "$out/mem-$m.log")"
        else
            mem_fail=$m
            echo "   $(tail -1 "$out/mem-$m.log")  -> stop"
            break
        fi
    done
fi

# Debian's C xenstored, from the .deb the lab's dom0 is built from
deb=$(ls "$lab"/../debs/xen-utils-4.17_*.deb 2>/dev/null | head -1)
c_bin=-
if [ -n "$deb" ]; then
    rm -rf "$out/deb"; mkdir -p "$out/deb"
    dpkg-deb -x "$deb" "$out/deb" && c_bin=$out/deb/usr/lib/xen-4.17/bin/xenstored
    [ -f "$c_bin" ] && gzip -9nc "$c_bin" > "$out/xenstored.gz"
fi

s_w=$(bench stub xs_write_ops_per_s_dom0) c_w=$(bench c xs_write_ops_per_s_dom0)
s_r=$(bench stub xs_read_ops_per_s_dom0) c_r=$(bench c xs_read_ops_per_s_dom0)
s_l=$(bench stub xs_watch_latency_us_dom0) c_l=$(bench c xs_watch_latency_us_dom0)
s_e=$(bench stub xs_watch_events_per_s_dom0) c_e=$(bench c xs_watch_events_per_s_dom0)
s_gw=$(bench stub xs_write_ops_per_s) c_gw=$(bench c xs_write_ops_per_s)
s_gr=$(bench stub xs_read_ops_per_s) c_gr=$(bench c xs_read_ops_per_s)
{
echo "== xenstore stub domain vs C xenstored in dom0 (medians; TCG: compare ratios)"
printf '%-46s %12s %12s %8s\n' "measure" "stub" "C xenstored" "ratio"
printf '%-46s %12s %12s %8s\n' "dom0 writes/s" "$s_w" "$c_w" "$(ratio "$s_w" "$c_w")"
printf '%-46s %12s %12s %8s\n' "dom0 reads/s" "$s_r" "$c_r" "$(ratio "$s_r" "$c_r")"
printf '%-46s %12s %12s %8s\n' "dom0 write -> watch event, us" "$s_l" "$c_l" "$(ratio "$s_l" "$c_l")"
printf '%-46s %12s %12s %8s\n' "dom0 write+event rounds/s" "$s_e" "$c_e" "$(ratio "$s_e" "$c_e")"
printf '%-46s %12s %12s %8s\n' "guest writes/s" "$s_gw" "$c_gw" "$(ratio "$s_gw" "$c_gw")"
printf '%-46s %12s %12s %8s\n' "guest reads/s" "$s_gr" "$c_gr" "$(ratio "$s_gr" "$c_gr")"
printf '%-46s %12s %12s %8s\n' "smallest --memory MiB (vs upstream's 8)" "$mem_ok" "8" "$(ratio "$mem_ok" 8)"
[ "$mem_fail" = - ] || printf '%-46s %12s\n' "  (failed at --memory MiB)" "$mem_fail"
printf '%-46s %12s %12s %8s\n' "image gz vs xenstored binary, bytes" "$(size "$XS_IMAGE")" "$(size "$c_bin")" "$(ratio "$(size "$XS_IMAGE")" "$(size "$c_bin")")"
printf '%-46s %12s %12s %8s\n' "image gz vs xenstored gz, bytes" "$(size "$XS_IMAGE")" "$(size "$out/xenstored.gz")" "$(ratio "$(size "$XS_IMAGE")" "$(size "$out/xenstored.gz")")"
printf '%-46s %12s %12s %8s\n' "stripped image vs xenstored binary, bytes" "$(size "${XS_IMAGE%.gz}")" "$(size "$c_bin")" "$(ratio "$(size "${XS_IMAGE%.gz}")" "$(size "$c_bin")")"
echo "(raw results: $out)"
} | tee "$out/summary"
