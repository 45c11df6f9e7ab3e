# dom0 side of the shutdown-destroy test: `xl destroy` needs nothing from
# the guest (no guest code runs, so its shutdown hook must not run either);
# we only check that the domain is gone.
LOG=/var/log/xen/console/guest-$NAME.log
uptime_cs() { read up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }   # centiseconds
wait_line() {
    i=0
    while ! grep -q "$1" "$LOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 3000 ] && return 1; usleep 5000
    done
}
check() { if [ "$2" = ok ]; then echo "TEST $1 PASS"; else echo "TEST $1 FAIL: $3"; fi; }

wait_line SHUTDOWN-READY || { echo "TEST shutdown-ready FAIL: the guest never got ready"; exit 0; }
t0=$(uptime_cs)
xl destroy "$DOMID"; rc=$?
while xenstore-exists /local/domain/$DOMID 2>/dev/null; do usleep 5000; done
ms=$(( ($(uptime_cs) - t0) * 10 ))
echo "shutdown-destroy: xl destroy (rc $rc) -> domain gone in $ms ms"
check shutdown-destroy-gone "$([ $rc = 0 ] && ! xl list "$DOMID" >/dev/null 2>&1 && echo ok)" \
    "xl destroy rc $rc, or xl list still shows domain $DOMID"
