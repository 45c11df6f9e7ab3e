# dom0 side of the xenbus test (protocol in main.c): check from dom0 what
# the guest wrote, write nodes the guest watches, and overwrite the node its
# open transaction has read, so that its commit conflicts.
B=/local/domain/$DOMID/data/test

wait_phase() {
    i=0
    until [ "$(xenstore-read $B/phase 2>/dev/null)" = "$1" ]; do
        i=$((i + 1)); [ $i -gt 1500 ] && { echo "hook: the guest never reached phase $1"; return 1; }
        usleep 20000
    done
}

check() {   # name condition-result why
    if [ "$2" = ok ]; then echo "TEST $1 PASS"; else echo "TEST $1 FAIL: $3"; fi
}

wait_phase watch-ready || exit 0
v=$(xenstore-read $B/from-guest 2>&1)
check xenbus-dom0-reads-guest "$([ "$v" = G-ok ] && echo ok)" "from-guest holds '$v'"
l=$(xenstore-list $B/dir 2>&1 | sort | tr '\n' ' ')
check xenbus-dom0-list "$([ "$l" = "a c " ] && echo ok)" "dir lists '$l'"
p=$(xenstore-ls -p $B 2>&1 | grep -E '^ *perm ')
case "$p" in *"(n$DOMID,r0)"*) r=ok ;; *) r= ;; esac
check xenbus-dom0-perms "$r" "xenstore-ls -p shows '$p'"
xenstore-write $B/from-dom0 D-hello

wait_phase tx-open || exit 0
xenstore-write $B/counter 100

wait_phase tx-done || exit 0
v=$(xenstore-read $B/counter 2>&1)
check xenbus-dom0-tx-counter "$([ "$v" = 101 ] && echo ok)" "counter holds '$v', want 101"
xenstore-write $B/hook-done 1
