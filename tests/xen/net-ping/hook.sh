# dom0 side: ARP + ping the guest's lwIP over IPv4, then ping6 its link-local
# address, then tell the guest we are done.
LOG=/var/log/xen/console/guest-$NAME.log
i=0
while ! grep -q NET-READY "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 3000 ] && { echo "no NET-READY"; exit 0; }; usleep 10000
done
ll=$(sed -n 's/.*NET-READY \([Ff][Ee]80:[0-9A-Fa-f:]*\).*/\1/p' "$LOG" | head -1 | tr A-F a-f)
ping -c 5 -W 2 198.18.0.2
echo "ping rc=$?"
ip neigh show dev xenbr0 | grep 198.18.0.2
ping6 -c 5 -W 2 "$ll%xenbr0"
echo "ping6 rc=$?"
xenstore-write "/local/domain/$DOMID/data/net-ping-done" 1
