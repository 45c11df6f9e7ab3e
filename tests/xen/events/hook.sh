# dom0 side: find the port the guest offered, then ping-pong 1000 times.
LOG=/var/log/xen/console/guest-$NAME.log
i=0
while ! grep -q '^EVTCHN-PORT ' "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 2000 ] && { echo "TEST evtchn-dom0-bind FAIL: guest offered no port"; exit 0; }
    usleep 5000
done
PORT=$(sed -n 's/^EVTCHN-PORT \([0-9]*\).*/\1/p' "$LOG" | head -1)
evtchn-pingpong "$DOMID" "$PORT" 1000
