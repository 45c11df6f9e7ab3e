# dom0 side of net-dhcp: a DHCP server on xenbr0 (198.18.0.0/25, see
# tests/lab/dom0-init), then ping the address it gave.
LOG=/var/log/xen/console/guest-$NAME.log
mkdir -p /tmp/dhcp
cat > /tmp/dhcp/udhcpd.conf <<CONF
start 198.18.0.100
end 198.18.0.120
interface xenbr0
lease_file /tmp/dhcp/leases
option subnet 255.255.255.128
option router 198.18.0.1
option lease 600
CONF
: > /tmp/dhcp/leases
udhcpd -f /tmp/dhcp/udhcpd.conf &
i=0
while ! grep -q NET-READY "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 4000 ] && { echo "no NET-READY"; break; }; usleep 10000
done
ip=$(sed -n 's/.*NET-READY \([0-9.]*\).*/\1/p' "$LOG" | head -1)
echo "guest got $ip"
[ -n "$ip" ] && ping -c 3 -W 2 "$ip"
echo "ping rc=$?"
xenstore-write "/local/domain/$DOMID/data/net-dhcp-done" 1
