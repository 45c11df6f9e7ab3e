# dom0 side of the network benchmark, the same job against stubdom/netsvc and
# against the Linux domU baseline (tests/lab/linux-domu/init with bench=net,
# busybox nc and httpd): 16 MiB to discard, 16 MiB from chargen, HTTP
# requests of /index.html, then each guest's memory. Guests whose name starts
# with "linux" are the baseline.
LOG=/var/log/xen/console/guest-$NAME.log
case $NAME in
    linux*) IP=198.18.0.3 READY="^LINUX-NET-READY" ;;
    *) IP=198.18.0.2 READY="^netsvc: ready" ;;
esac
i=0
while ! grep -q "$READY" "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 2400 ] && { echo "net: $NAME never got ready"; exit 0; }; usleep 50000
done

# run KEY SCALE nettest-args...: nettest's line, and "BENCH KEY N" with N its
# last "<number> MB/s" or "req/s" figure times SCALE, if it succeeded.
run() {
    key=$1 scale=$2; shift 2
    out=$(nettest "$@"); rc=$?
    echo "$out"
    v=$(echo "$out" | sed -En 's/.* ([0-9.]+) (MB\/s|req\/s).*/\1/p' | tail -1)
    [ $rc = 0 ] && [ -n "$v" ] && awk -v k="$key" -v v="$v" -v s="$scale" 'BEGIN { printf "BENCH %s %.0f\n", k, v * s }'
}

run net_to_guest_kb_per_s 1000 sink $IP 9 16777216
run net_from_guest_kb_per_s 1000 source $IP 19 16777216
# busybox httpd closes after each response and listens with a backlog of 9:
# one request per connection, at most 8 connections at a time.
for r in 1 2 3 4 5 6 7 8; do
    run http_req_per_s 1 http $IP 80 /index.html 8 1
done

case $NAME in
    linux*)
        # the domU prints its /proc/meminfo figures and powers off
        echo done | nc $IP 7001 ;;
    *)
        # "memory N KiB, M KiB free pages" on netsvc's status page
        printf 'GET / HTTP/1.0\r\nConnection: close\r\n\r\n' | timeout 10 nc $IP 80 > /tmp/status.$DOMID
        sed -n 's/^memory *\([0-9]*\) KiB, \([0-9]*\) KiB free.*/\1 \2/p' /tmp/status.$DOMID |
            { read total free && echo "BENCH mem_total_kib $total" && echo "BENCH mem_used_kib $((total - free))"; }
        # its vif and lwIP counters (drops, retransmissions), to explain slow runs
        echo "---- netsvc status after the runs"
        sed -n '/<pre>/,/<\/pre>/{/<\/\{0,1\}pre>/d;p}' /tmp/status.$DOMID
        xl shutdown "$DOMID" ;;
esac
