# dom0 side: ping the guest's hand-written ARP/ICMP responder over xenbr0.
LOG=/var/log/xen/console/guest-$NAME.log
i=0
while ! grep -q NETFRONT-READY "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 3000 ] && { echo "no NETFRONT-READY"; exit 0; }; usleep 10000
done
ip addr show xenbr0 | grep inet
ping -c 5 -W 2 198.18.0.2
echo "ping rc=$?"
