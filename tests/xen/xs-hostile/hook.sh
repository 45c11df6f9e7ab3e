# dom0 side of xs-hostile: while the guest's request flood holds its ring
# full, dom0's own xenstore requests and xl must still work; then we let the
# guest go (writing "go" into the page it granted us, since its xenstore
# ring is jammed), check again once it is done and let it end ("bye").
LOG=/var/log/xen/console/guest-$NAME.log
H=/local/domain/$DOMID/data/hostile

wait_line() {   # ERE: up to 60 s
    i=0
    until grep -Eq "$1" "$LOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 3000 ] && return 1; usleep 20000
    done
}

check() {   # name ok-or-empty why
    if [ "$2" = ok ]; then echo "TEST $1 PASS"; else echo "TEST $1 FAIL: $3"; fi
}

# dom0 writes, reads back, lists the guest's home and runs xl list
dom0_works() {
    xenstore-write /tool/xs-hostile "$1" && [ "$(xenstore-read /tool/xs-hostile)" = "$1" ] &&
        xenstore-ls /local/domain/$DOMID > /dev/null && xl list > /dev/null && echo ok
}

wait_line '^xs-hostile: flood holding' || { echo "TEST xs-hostile-dom0-during-flood FAIL: no flood"; exit 0; }
r=$(dom0_works during-flood)
# the guest must still be waiting for us: else the check proved nothing
grep -q '^xs-hostile: flood released' "$LOG" && r=
check xs-hostile-dom0-during-flood "$r" "dom0's requests failed while the guest flooded"
REF=$(xenstore-read $H/signal-ref)
gntmap "$DOMID" "$REF" write go || echo "hook: cannot signal the guest"

wait_line '^xs-hostile: done' || { echo "TEST xs-hostile-dom0-after FAIL: the guest never finished"; exit 0; }
r=$(dom0_works after)
[ "$(xenstore-read $H/done 2>&1)" = yes ] || r=
check xs-hostile-dom0-after "$r" "dom0's requests or the guest's last write failed"
xenstore-rm /tool/xs-hostile
gntmap "$DOMID" "$REF" write bye || echo "hook: cannot signal the guest"
