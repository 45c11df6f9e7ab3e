# dom0 side of net-twovif: traffic to each of the guest's two addresses,
# checked to cross the vif on the matching bridge.
LOG=/var/log/xen/console/guest-$NAME.log
IP0=198.18.0.2
IP1=198.18.0.130
i=0
while ! grep -q "netsvc: ready" "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 6000 ] && { echo "TEST netsvc-ready FAIL: no ready line"; exit 0; }; usleep 10000
done

check() {   # name, then a command whose success is the check
    name=$1; shift
    if "$@"; then echo "TEST $name PASS"; else echo "TEST $name FAIL: $*"; fi
}
bytes() {   # dom0 interface, rx|tx: its byte counter
    cat "/sys/class/net/$1/statistics/$2_bytes"
}

# dom0's backend interfaces: vif<domid>.<devid>, each a port of its bridge.
V0=vif$DOMID.0
V1=vif$DOMID.1
check vif0-on-xenbr0 sh -c "[ \"\$(basename \$(readlink /sys/class/net/$V0/master))\" = xenbr0 ]"
check vif1-on-xenbr1 sh -c "[ \"\$(basename \$(readlink /sys/class/net/$V1/master))\" = xenbr1 ]"

check ping-vif0 ping -c 2 -W 2 $IP0
check ping-vif1 ping -c 2 -W 2 $IP1

# TCP echo through each vif; the other vif must stay quiet meanwhile
# (dom0 sends on tx of the backend interface, the guest answers on rx).
for n in 0 1; do
    eval ip=\$IP$n me=\$V$n other=\$V$((1 - n))
    me0=$(bytes $me tx); other0=$(bytes $other tx)
    nettest -t echo-vif$n echo $ip 7 1048576
    me1=$(bytes $me tx); other1=$(bytes $other tx)
    echo "echo to $ip: $me sent $((me1 - me0)) bytes, $other sent $((other1 - other0))"
    check vif$n-carried-echo [ $((me1 - me0)) -ge 1048576 -a $((other1 - other0)) -lt 65536 ]
done

nettest -t udp-vif0 udp $IP0 7 50
nettest -t udp-vif1 udp $IP1 7 50

# The guest's own per-vif counters: each vif received at least the 1 MiB
# echoed through it.
wget -q -O /tmp/status.html "http://$IP1/"
awk '/^vif[0-9]/ { v = $1 } /^  rx / { print v, $4 }' /tmp/status.html > /tmp/vifrx
cat /tmp/vifrx
check guest-vif0-rx awk '$1 == "vif0" && $2 >= 1048576 { ok = 1 } END { exit !ok }' /tmp/vifrx
check guest-vif1-rx awk '$1 == "vif1" && $2 >= 1048576 { ok = 1 } END { exit !ok }' /tmp/vifrx
xl shutdown "$DOMID"
