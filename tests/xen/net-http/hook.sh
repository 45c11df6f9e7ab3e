# dom0 side of net-http.
LOG=/var/log/xen/console/guest-$NAME.log
IP=198.18.0.2
i=0
while ! grep -q "netsvc: ready" "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 6000 ] && { echo "TEST netsvc-ready FAIL: no ready line"; exit 0; }; usleep 10000
done

check() {   # name, then a command whose success is the check
    name=$1; shift
    if "$@"; then echo "TEST $name PASS"; else echo "TEST $name FAIL: $*"; fi
}

# busybox wget: one plain HTTP/1.0-style client.
wget -q -O /tmp/status.html "http://$IP/"
check http-wget-status grep -q "netsvc status" /tmp/status.html
check http-wget-index sh -c "wget -q -O - http://$IP/index.html | grep -q '<h1>stubos netsvc</h1>'"
check http-404 sh -c "! wget -q -O /dev/null http://$IP/nothing-here"

# 64 concurrent keep-alive clients, 4 requests each, then 64 x 1 MiB
# (every byte of the file checked). Meanwhile a dom0 program checks that its
# vector registers survive dom0/guest switches: when they did not, glibc's
# memcpy/memcmp in the clients produced "corrupted responses" (lib/lwip/README.md).
nettest -t dom0-vector-regs fpucheck 15 > /tmp/fpucheck.out 2>&1 &
fpucheck=$!
nettest -t http-64-status http $IP 80 / 64 4
nettest -t http-64-file http $IP 80 /file.bin 64 1
wait $fpucheck
cat /tmp/fpucheck.out

# Bad requests get an error status and the connection is closed.
printf 'BREW / HTTP/1.1\r\n\r\n' | timeout 10 nc $IP 80 | head -1 > /tmp/r405
check http-405 grep -q "^HTTP/1.1 405" /tmp/r405
printf 'GET /\r\n\r\n' | timeout 10 nc $IP 80 | head -1 > /tmp/r400
check http-400 grep -q "^HTTP/1.1 400" /tmp/r400

# The server is still fine after all that.
check http-after sh -c "wget -q -O - http://$IP/ | grep -q 'http .* requests'"
echo "---- status page at the end"
timeout 10 wget -q -O - "http://$IP/"
xl shutdown "$DOMID"
