# dom0 side of the gnttab test.
# 1. We grant the guest two pages of ours (gntoffer, tests/dom0/gntoffer.c)
#    and publish the refs as data/gnttab/dom0-rw and dom0-ro in its
#    xenstore home: the guest maps them like a backend would.
# 2. We map the guest's grants with gntmap (tests/dom0/gntmap.c). The guest
#    publishes data/gnttab/<step> = <ref> for the steps read, write and
#    hold, in that order; we serve them in turn.
HOME_PATH=/local/domain/$DOMID/data/gnttab
OFFER_LOG=/tmp/gntoffer.$DOMID

gntoffer "$DOMID" 60 > "$OFFER_LOG" 2>&1 &
OFFER_PID=$!
i=0
while ! grep -q '^offer:' "$OFFER_LOG" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 500 ] && break; usleep 20000
done
set -- $(grep '^offer:' "$OFFER_LOG")
if [ "$1" = offer: ]; then
    xenstore-write "$HOME_PATH/dom0-ro" "$5" "$HOME_PATH/dom0-rw" "$3"
else
    echo "gntoffer did not offer: $(cat "$OFFER_LOG")"
fi

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

wait "$OFFER_PID"
cat "$OFFER_LOG"
rm -f "$OFFER_LOG"
