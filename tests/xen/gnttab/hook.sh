# dom0 side of the gnttab test: map the guest's grants with gntmap (/extra,
# tests/dom0/gntmap.c). The guest prints "GNT <step> <ref> <domid>" for the
# steps read, write and hold, in that order; we serve them in turn.
LOG=/var/log/xen/console/guest-$NAME.log

# step_ref STEP: wait (up to 30 s) for the step's line, print its ref.
step_ref() {
    i=0
    while ! grep -q "^GNT $1 " "$LOG" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 6000 ] && return 1; usleep 5000
    done
    line=$(grep "^GNT $1 " "$LOG" | head -1 | tr -d '\r')
    set -- $line
    if [ "$4" = "$DOMID" ]; then
        echo "TEST gnttab-dom0-domid-$2 PASS"
    else
        echo "TEST gnttab-dom0-domid-$2 FAIL: guest says domain $4, xl says $DOMID"
    fi
    echo "$3" > /tmp/gnttab-ref.$DOMID
}

step_ref read || { echo "TEST gnttab-dom0-read FAIL: the guest offered no read grant"; exit 0; }
REF=$(cat /tmp/gnttab-ref.$DOMID)
gntmap "$DOMID" "$REF" read
if gntmap "$DOMID" "$REF" write must-not-land 2>&1; then
    echo "TEST gnttab-dom0-ro-write-refused FAIL: dom0 mapped a read-only grant writable"
else
    echo "TEST gnttab-dom0-ro-write-refused PASS"
fi

step_ref write || { echo "TEST gnttab-dom0-write FAIL: the guest offered no write grant"; exit 0; }
gntmap "$DOMID" "$(cat /tmp/gnttab-ref.$DOMID)" write written-by-dom0

step_ref hold || { echo "TEST gnttab-dom0-hold FAIL: the guest offered no hold grant"; exit 0; }
gntmap "$DOMID" "$(cat /tmp/gnttab-ref.$DOMID)" hold 3 held-by-dom0
rm -f /tmp/gnttab-ref.$DOMID
