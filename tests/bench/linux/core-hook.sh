# dom0 side of the Linux domU's core-service baseline (tests/lab/linux-domu/init
# with bench=events,grants,...): the same dom0 tools and counts as for the
# stubos guests (tests/xen/events/hook.sh, tests/bench/grants/hook.sh).
# run.sh appends tests/bench/net/hook.sh to this for the same domU, which runs
# its xenstore benchmark last, once dom0 is done: nothing here polls meanwhile.
LOG=/var/log/xen/console/guest-$NAME.log
P=/local/domain/$DOMID/data
wait_line() {   # pattern, tries of 50 ms
    i=0
    while ! grep -q "$1" "$LOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt "$2" ] && return 1; usleep 50000
    done
}

# Linux takes 10-40 s to boot under TCG.
if wait_line '^EVTCHN-PORT ' 3000; then
    evtchn-pingpong "$DOMID" "$(sed -n 's/^EVTCHN-PORT \([0-9]*\).*/\1/p' "$LOG" | head -1)" 1000
else
    echo "linux: the domU offered no event channel"
fi
if wait_line '^gntshare: granted' 600; then
    gntmap "$DOMID" "$(xenstore-read $P/bench-ref)" bench 2000
    xenstore-write $P/bench-done 1
else
    echo "linux: the domU granted no page"
fi
