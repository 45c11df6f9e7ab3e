# dom0 side of net-hotplug: ping both vifs, detach one, attach one on the
# second bridge, ping again.
LOG=/var/log/xen/console/guest-$NAME.log
i=0
while ! grep -q NET-READY "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 4000 ] && { echo "no NET-READY"; break; }; usleep 10000
done
ping -c 2 -W 2 198.18.0.2 >/dev/null; echo "ping .2 rc=$?"
ping -c 2 -W 2 198.18.0.3 >/dev/null; echo "ping .3 rc=$?"

xl network-detach "$DOMID" 1; echo "detach rc=$?"
i=0
while ! grep -q "vif1: detached" "$LOG"; do
    i=$((i + 1)); [ $i -gt 2000 ] && { echo "guest never said detached"; break; }; usleep 10000
done
ip neigh flush dev xenbr0
ping -c 2 -W 1 198.18.0.3 >/dev/null; echo "ping .3 after detach rc=$?"

# xenbr1 is the lab's second bridge, 198.18.0.128/25 (tests/lab/dom0-init).
xl network-attach "$DOMID" bridge=xenbr1 ip=198.18.0.130/25; echo "attach rc=$?"
i=0
while ! grep -q "IPv4 198.18.0.130" "$LOG"; do
    i=$((i + 1)); [ $i -gt 3000 ] && { echo "guest never configured 198.18.0.130"; break; }; usleep 10000
done
ping -c 3 -W 2 198.18.0.130 >/dev/null; echo "ping xenbr1 rc=$?"
ping -c 2 -W 2 198.18.0.2 >/dev/null; echo "ping xenbr0 rc=$?"
xl network-list "$DOMID"
xenstore-write "/local/domain/$DOMID/data/net-hotplug-done" 1
