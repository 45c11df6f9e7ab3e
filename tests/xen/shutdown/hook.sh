# dom0 side of the three shutdown tests (shutdown-reboot/ and
# shutdown-destroy/ link here; the test's name picks the case):
#   shutdown          a "suspend" request is refused and left in place, then
#                     `xl shutdown` powers the guest off;
#   shutdown-reboot   `xl reboot` ends it with reason reboot (the lab's
#                     on_reboot=destroy removes it);
#   shutdown-destroy  `xl destroy` needs nothing from the guest (its shutdown
#                     hook must not run); only the domain must be gone.
# For shutdown and reboot the domain must be gone within 1 s of the request.
C=/local/domain/$DOMID/control
LOG=/var/log/xen/console/guest-$NAME.log
uptime_cs() { read up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }   # centiseconds
wait_line() {
    i=0
    while ! grep -q "$1" "$LOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 3000 ] && return 1; usleep 5000
    done
}
check() { if [ "$2" = ok ]; then echo "TEST $1 PASS"; else echo "TEST $1 FAIL: $3"; fi; }

# Time one toolstack request with dom0's clock (10 ms steps): `xl CMD`
# writes control/shutdown and exits, so the request is made by the time it
# returns (its own start-up, slow under TCG, is printed apart); the domain
# is gone when xl has removed its xenstore home.
time_request() {   # xl-command test-name
    t0=$(uptime_cs)
    xl "$1" "$DOMID"; rc=$?
    t1=$(uptime_cs)
    i=0
    while xenstore-exists /local/domain/$DOMID 2>/dev/null && [ $i -lt 4000 ]; do
        i=$((i + 1)); usleep 5000
    done
    t2=$(uptime_cs)
    xl_ms=$(( (t1 - t0) * 10 )); gone_ms=$(( (t2 - t1) * 10 ))
    echo "$2: xl $1 (rc $rc) took $xl_ms ms; the domain was gone $gone_ms ms after the request ($(( xl_ms + gone_ms )) ms in all)"
    check "$2" "$([ $rc = 0 ] && [ $gone_ms -lt 1000 ] && echo ok)" \
        "xl rc $rc, domain gone $gone_ms ms after the request"
}

wait_line SHUTDOWN-READY || { echo "TEST shutdown-ready FAIL: the guest never got ready"; exit 0; }
case $NAME in
*reboot*)
    time_request reboot shutdown-reboot-latency ;;
*destroy*)
    t0=$(uptime_cs)
    xl destroy "$DOMID"; rc=$?
    while xenstore-exists /local/domain/$DOMID 2>/dev/null; do usleep 5000; done
    echo "shutdown-destroy: xl destroy (rc $rc) -> domain gone in $(( ($(uptime_cs) - t0) * 10 )) ms"
    check shutdown-destroy-gone "$([ $rc = 0 ] && ! xl list "$DOMID" >/dev/null 2>&1 && echo ok)" \
        "xl destroy rc $rc, or xl list still shows domain $DOMID" ;;
*)
    xenstore-write $C/shutdown suspend
    wait_line 'refusing "suspend"'; refused=$?
    v=$(xenstore-read $C/shutdown 2>&1)
    check shutdown-suspend-refused "$([ $refused = 0 ] && [ "$v" = suspend ] && echo ok)" \
        "refusal line seen: $refused, control/shutdown holds '$v'"
    time_request shutdown shutdown-latency ;;
esac
