# dom0 side of net-echo: drive netsvc's echo, discard, chargen and UDP echo.
LOG=/var/log/xen/console/guest-$NAME.log
IP=198.18.0.2
i=0
while ! grep -q "netsvc: ready" "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 6000 ] && { echo "TEST netsvc-ready FAIL: no ready line"; exit 0; }; usleep 10000
done

# What the guest says about itself, for failures.
diagnose() {
    echo "---- diagnosis"
    ping -c 2 -W 2 $IP
    timeout 10 wget -q -O - "http://$IP/"
}

out=$(nettest -t tcp-echo-16m echo $IP 7 16777216)
echo "$out"
case $out in *"TEST tcp-echo-16m PASS"*) ;; *) diagnose ;; esac
# The guest logs the CRC-32 of what it received when the connection ends.
crc=$(echo "$out" | sed -n 's/.*received 16777216 bytes crc32 \([0-9a-f]*\).*/\1/p')
i=0
while ! grep -q "^echo: .*: 16777216 bytes crc32" "$LOG"; do
    i=$((i + 1)); [ $i -gt 1000 ] && break; usleep 10000
done
guest=$(sed -n 's/^echo: .*: 16777216 bytes crc32 \([0-9a-f]*\).*/\1/p' "$LOG" | head -1)
if [ -n "$crc" ] && [ "$crc" = "$guest" ]; then
    echo "TEST tcp-echo-guest-crc PASS"
else
    echo "TEST tcp-echo-guest-crc FAIL: dom0 sent crc32 '$crc', guest received crc32 '$guest'"
fi

nettest -t udp-echo udp $IP 7 200
nettest -t tcp-discard sink $IP 9 4194304
nettest -t tcp-chargen source $IP 19 4194304
xl shutdown "$DOMID"
