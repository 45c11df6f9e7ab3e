# The xenstore baseline in dom0: the same sequential writes and reads as the
# guests, from a C client, while the only guest (tests/xen/shutdown, started
# with "poweroff") sleeps; then shut that guest down.
LOG=/var/log/xen/console/guest-$NAME.log
i=0
while ! grep -q SHUTDOWN-READY "$LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 600 ] && break; usleep 50000
done
xsbench /local/domain/0/bench-baseline 1000
xl shutdown "$DOMID"
