# dom0 side of the timers test: time the guest's 2 s sleep with dom0's clock
# (by when its console lines appear) and compare with what the guest measured.
LOG=/var/log/xen/console/guest-$NAME.log
uptime_cs() { read up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }   # centiseconds
wait_line() {
    i=0
    while ! grep -q "$1" "$LOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 3000 ] && return 1; usleep 5000
    done
}
wait_line TIMERS-SLEEP-BEGIN || { echo "TEST time-vs-dom0 FAIL: no BEGIN line"; exit 0; }
t0=$(uptime_cs)
wait_line TIMERS-SLEEP-END || { echo "TEST time-vs-dom0 FAIL: no END line"; exit 0; }
t1=$(uptime_cs)
dom0_ms=$(( (t1 - t0) * 10 ))
guest_ms=$(sed -n 's/.*TIMERS-SLEEP-END guest_ms=\([0-9]*\).*/\1/p' "$LOG" | head -1)
echo "dom0 measured ${dom0_ms} ms, guest measured ${guest_ms} ms"
diff=$(( dom0_ms > guest_ms ? dom0_ms - guest_ms : guest_ms - dom0_ms ))
if [ $(( diff * 20 )) -le "$guest_ms" ]; then
    echo "TEST time-vs-dom0 PASS"
else
    echo "TEST time-vs-dom0 FAIL: dom0 ${dom0_ms} ms vs guest ${guest_ms} ms (over 5 %)"
fi
