# dom0 side of the gnttab test: map the guest's grants with gntmap (/extra,
# tests/dom0/gntmap.c). The guest publishes data/gnttab/<step> = <ref> in its
# xenstore home for the steps read, write and hold, in that order; we serve
# them in turn.
HOME_PATH=/local/domain/$DOMID/data/gnttab

# step_ref STEP: wait (up to 30 s) for the step's node, print its ref.
step_ref() {
    i=0
    while ! xenstore-read "$HOME_PATH/$1" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 1500 ] && return 1; usleep 20000
    done
}

REF=$(step_ref read) || { echo "TEST gnttab-dom0-read FAIL: the guest offered no read grant"; exit 0; }
gntmap "$DOMID" "$REF" read
if gntmap "$DOMID" "$REF" write must-not-land 2>&1; then
    echo "TEST gnttab-dom0-ro-write-refused FAIL: dom0 mapped a read-only grant writable"
else
    echo "TEST gnttab-dom0-ro-write-refused PASS"
fi

REF=$(step_ref write) || { echo "TEST gnttab-dom0-write FAIL: the guest offered no write grant"; exit 0; }
gntmap "$DOMID" "$REF" write written-by-dom0

REF=$(step_ref hold) || { echo "TEST gnttab-dom0-hold FAIL: the guest offered no hold grant"; exit 0; }
gntmap "$DOMID" "$REF" hold 5 held-by-dom0
