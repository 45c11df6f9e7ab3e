# dom0 side of the xenstore conformance test (the hook of the xsguest
# domain, busybox sh). Runs the same operations against whichever xenstore
# server the lab booted with and prints a transcript, one line per
# operation, that tests/lab/xs-conformance.sh compares between C xenstored
# and stubdom/xenstore:
#   1. Debian's xenstore-* command-line clients ("cli ... => rc=N output");
#   2. xsclient (libxenstore) for transactions, watches, several
#      connections and raw malformed requests ("c0 ... => result");
#   3. the guest's unprivileged operations (its console, "XSG ..."):
#      this script prepares /xsconf/g and paces it through data/xsconf-*;
#   4. a second, paused domain created and destroyed here for
#      @introduceDomain / @releaseDomain / IS_DOMAIN_INTRODUCED.
# Domain ids print as G (the guest) and V (the victim).
# Both libxenstore and the CLI use /dev/xen/xenbus (dom0's ring), so the two
# servers are reached the same way.
export XENSTORED_PATH=/dev/xen/xenbus
export XSCONF_GUEST=$DOMID XSCONF_VICTIM=$((DOMID + 1))
H=/local/domain/$DOMID
B=/xsconf

echo "XSCONF begin"

stamp() { echo "TIME $(cut -d' ' -f1 /proc/uptime)"; }

cli() {
    out=$(timeout 30 "$@" 2>&1)
    rc=$?
    printf 'cli %s => rc=%d %s\n' "$*" "$rc" "$(printf '%s' "$out" | tr '\n' '|')"
}

wait_node() {   # PATH VALUE: poll up to 180 s
    i=0
    until [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; do
        i=$((i + 1)); [ $i -gt 1800 ] && { echo "XSCONF timeout waiting for $1 = $2"; return 1; }
        usleep 100000
    done
}

stamp; echo "# --- command-line clients"
cli xenstore-exists $B
cli xenstore-read $B
cli xenstore-list $B
cli xenstore-write $B/a one
cli xenstore-exists $B
cli xenstore-exists $B/a
cli xenstore-read $B/a
cli xenstore-read $B
cli xenstore-write $B/a two $B/b three $B/c/d/e deep
cli xenstore-read $B/a $B/b $B/c/d/e
cli xenstore-read $B/c/d
cli xenstore-list $B
cli xenstore-list $B/c
cli xenstore-list -p $B/c/d
cli xenstore-list $B/nonexistent
cli xenstore-ls $B
cli xenstore-ls -f $B
cli xenstore-ls -p $B
cli xenstore-read -p $B/a
cli xenstore-read -R $B/a
cli xenstore-write $B/empty ""
cli xenstore-read $B/empty
cli xenstore-write $B/bin 'a\x01b\x7fc'
cli xenstore-read $B/bin
cli xenstore-read -R $B/bin
cli xenstore-write $B/sp "with spaces and = signs"
cli xenstore-read $B/sp
cli xenstore-write $B/a/child under-a
cli xenstore-read $B/a
cli xenstore-list $B/a
cli xenstore-rm $B/a/child
cli xenstore-list $B/a
cli xenstore-rm $B/a/child
cli xenstore-rm $B/nonexistent/child
cli xenstore-rm $B/c
cli xenstore-exists $B/c/d/e
cli xenstore-write $B/t1/t2/t3 x
cli xenstore-rm -t $B/t1/t2/t3
cli xenstore-exists $B/t1
cli xenstore-chmod $B/a n0 r7
cli xenstore-ls -p $B
cli xenstore-chmod $B/a b9
cli xenstore-ls -p $B
cli xenstore-chmod $B/a w0 r7 w8 b9 n10
cli xenstore-ls -p $B
cli xenstore-write $B/r/s/t v
cli xenstore-chmod -r $B/r r7
cli xenstore-ls -p $B/r
cli xenstore-write $B/r/s/new v2
cli xenstore-ls -p $B/r
cli xenstore-chmod $B/nonexistent n0
cli xenstore-chmod $B/a x5
cli xenstore-chmod $B/a r
cli xenstore-chmod $B/a r70000
cli xenstore-read ""
cli xenstore-read /
cli xenstore-read $B//a
cli xenstore-read $B/a/
cli xenstore-read "$B/a b"
cli xenstore-read "$B/a*b"
cli xenstore-write "$B/bad char" v
cli xenstore-write $B/ok-_@chars v
cli xenstore-read $B/ok-_@chars
cli xenstore-write @foo v
cli xenstore-read @introduceDomain
cli xenstore-read @releaseDomain
cli xenstore-exists @introduceDomain
cli xenstore-list @releaseDomain
cli xenstore-rm @releaseDomain
cli xenstore-write xsconf-rel relative
cli xenstore-read xsconf-rel
cli xenstore-read /local/domain/0/xsconf-rel
cli xenstore-rm xsconf-rel
cli xenstore-exists /local/domain/0/xsconf-rel
cli xenstore-rm /
cli xenstore-write / root
cli xenstore-read /local/domain/0/domid
cli xenstore-list /local/domain/0/nonexistent
long=$(printf '%03000d' 0 | tr 0 p)
cli xenstore-write $B/$long v
cli xenstore-read $B/$long
cli xenstore-write $B/$(printf '%0900d' 0 | tr 0 q)/$(printf '%0900d' 0 | tr 0 q) v
cli xenstore-exists $B/$(printf '%0900d' 0 | tr 0 q)
val4000=$(printf '%04000d' 0 | tr 0 v)
cli xenstore-write $B/big "$val4000"
cli xenstore-read $B/big
cli xenstore-write $B/big "${val4000}vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
cli xenstore-read $B/big
cli xenstore-rm $B/big
# xenstore-watch: the initial event, then two changes
(timeout 20 xenstore-watch -n 3 $B/w > /tmp/xsconf-watch 2>&1; echo "rc=$?" >> /tmp/xsconf-watch) &
wpid=$!
usleep 500000
cli xenstore-write $B/w/x 1
usleep 200000
cli xenstore-rm $B/w
wait $wpid
echo "cli xenstore-watch -n 3 $B/w => $(tr '\n' '|' < /tmp/xsconf-watch)"
cli xenstore-control print xsconf-marker
cli xenstore-control nonexistent-command
cli xenstore-control
cli xenstore-ls -p $B/r

stamp; echo "# --- libxenstore client"
{
cat <<'EOF'
# plain operations (no TRANSACTION_END with tx 0 or an unknown tx: dom0's
# kernel answers those itself, or never)
read - /xsconf/a
write - /xsconf/x/y/z deep
read - /xsconf/x
read - /xsconf/x/y
dir - /xsconf/x
dir - /xsconf/x/y/z
dir - /xsconf/nonexistent
read - /xsconf/nonexistent
mkdir - /xsconf/m
read - /xsconf/m
mkdir - /xsconf/m
write - /xsconf/m has-value
mkdir - /xsconf/m
read - /xsconf/m
mkdir - /xsconf/m/n/o
dir - /xsconf/m/n
rm - /xsconf/m/n/o
rm - /xsconf/m/n/o
rm - /xsconf/m/absent/deeper
rm - /xsconf/m
read - /xsconf/m
write - /xsconf/nul a%00b%00c
read - /xsconf/nul
write - /xsconf/empty -
read - /xsconf/empty
write - /xsconf/v *4000
read - /xsconf/v
write - /xsconf/v *4090
write - /xsconf/v *5000
read - /xsconf/v
read - relative-absent
write - xsconf-rel2 r
read - xsconf-rel2
rm - xsconf-rel2
read - /
dir - /xsconf/x/y
read - //
read - /xsconf/x/
read - xsconf//x
read - /xsconf/x%09y
read - -
write - /xsconf/%7e v
getperms - /xsconf/x
getperms - /xsconf/nonexistent
getperms - @introduceDomain
getperms - @releaseDomain
getperms - @other
# permissions
setperms - /xsconf/p n0
write - /xsconf/p pv
setperms - /xsconf/p n0
getperms - /xsconf/p
setperms - /xsconf/p r0 w7 b8 n9 r10
getperms - /xsconf/p
setperms - /xsconf/p n7 r0
getperms - /xsconf/p
write - /xsconf/p/inherit i
getperms - /xsconf/p/inherit
mkdir - /xsconf/p/inherit2
getperms - /xsconf/p/inherit2
setperms - /xsconf/p
setperms - /xsconf/p b0
getperms - /xsconf/p
setperms - /xsconf/nonexistent n0
setperms - @releaseDomain n0 r7
getperms - @releaseDomain
setperms - @releaseDomain n0
raw SET_PERMS - /xsconf/p%00x0%00
raw SET_PERMS - /xsconf/p%00
raw SET_PERMS - /xsconf/p%00r%00
raw SET_PERMS - /xsconf/p%00n0%00rabc%00
raw SET_PERMS - /xsconf/p%00n0%00r7
raw GET_PERMS - /xsconf/p%00
# transactions: own writes, isolation, commit and abort
write - /xsconf/t/x 1
write - /xsconf/t/y 1
tstart t1
read t1 /xsconf/t/x
write t1 /xsconf/t/x 2
read t1 /xsconf/t/x
read - /xsconf/t/x
write t1 /xsconf/t/new n
dir t1 /xsconf/t
dir - /xsconf/t
rm t1 /xsconf/t/y
read t1 /xsconf/t/y
read - /xsconf/t/y
tend t1 commit
read - /xsconf/t/x
read - /xsconf/t/y
read - /xsconf/t/new
tstart t2
write t2 /xsconf/t/x 3
mkdir t2 /xsconf/t/d
tend t2 abort
read - /xsconf/t/x
read - /xsconf/t/d
tend t2 commit
# conflicts: another connection changes what t3 used
write - /xsconf/t/x 10
tstart t3
read t3 /xsconf/t/x
conn 1
write - /xsconf/t/x 11
conn 0
write t3 /xsconf/t/z z
tend t3 commit
read - /xsconf/t/z
tstart t4
write t4 /xsconf/t/x 20
conn 1
write - /xsconf/t/unrelated u
conn 0
tend t4 commit
read - /xsconf/t/x
tstart t5
dir t5 /xsconf/t
conn 1
write - /xsconf/t/newchild c
conn 0
write t5 /xsconf/t/other o
tend t5 commit
tstart t6
read t6 /xsconf/t/absent
conn 1
write - /xsconf/t/absent now
conn 0
write t6 /xsconf/t/other o
tend t6 commit
tstart t7
write t7 /xsconf/t/x 30
conn 1
tstart t8
write t8 /xsconf/t/x 31
tend t8 commit
conn 0
tend t7 commit
read - /xsconf/t/x
tstart t9
read t9 /xsconf/t/x
conn 1
rm - /xsconf/t/x
conn 0
read t9 /xsconf/t/x
write t9 /xsconf/t/w w
tend t9 commit
tstart t10
read t10 /xsconf/t/unrelated
tend t10 commit
# watches
watch /xsconf/w tw
events
write - /xsconf/w v
events
write - /xsconf/w/a/b v
events
write - /xsconf/w v
events
mkdir - /xsconf/w
events
setperms - /xsconf/w n0 r7
events
read - /xsconf/w
dir - /xsconf/w
events
rm - /xsconf/w
events
watch /xsconf/w tw
watch /xsconf/w tw2
events
watch /xsconf/w/a tsub
events
write - /xsconf/w/a/b/c v
events
rm - /xsconf/w/a
events
rm - /xsconf/w/nothing
events
unwatch /xsconf/w tw2
unwatch /xsconf/w tw2
unwatch /xsconf/never tw
write - /xsconf/w q
events
unwatch /xsconf/w tw
unwatch /xsconf/w/a tsub
write - /xsconf/w r
events
watch xsconf-relw trel
events
write - xsconf-relw/sub v
events
rm - /local/domain/0/xsconf-relw
events
unwatch xsconf-relw trel
watch /xsconf/bad//path tb
watch /xsconf/ok tok
watch /xsconf/ok tok
# (initial events read before the unwatch: dom0's kernel drops the not yet delivered events of a watch it removes)
events
unwatch /xsconf/ok tok
events
watch / troot
events
write - /xsconf/deep/under/root v
events
unwatch / troot
watch /xsconf/tw ttx
events
tstart wt
write wt /xsconf/tw/a 1
write wt /xsconf/tw/b 2
events
tend wt commit
events
tstart wt2
write wt2 /xsconf/tw/c 3
tend wt2 abort
events
unwatch /xsconf/tw ttx
conn 1
watch /xsconf/tw other-conn
events
conn 0
write - /xsconf/tw/d 4
conn 1
events
unwatch /xsconf/tw other-conn
conn 0
# special paths and domains
watch @introduceDomain ti
watch @releaseDomain tr
events
domainpath 0
domainpath 7
domainpath 65535
domainpath $G
introduced 0
introduced $G
introduced 7
introduced 999
raw GET_DOMAIN_PATH - abc%00
raw GET_DOMAIN_PATH - -
raw IS_DOMAIN_INTRODUCED - abc%00
raw IS_DOMAIN_INTRODUCED - 999%00
raw IS_DOMAIN_INTRODUCED - 0%00
raw RELEASE - 999%00
raw RELEASE - abc%00
raw RESUME - 999%00
raw SET_TARGET - 999%00
raw SET_TARGET - 999%00998%00
raw INTRODUCE - 1%00
raw INTRODUCE - garbage%00
getperms - /local/domain/$G
dir - /local/domain/$G/data
# malformed requests (none whose one path argument lacks its NUL or has
# extra words: C xenstored 4.17 sends no reply to such a READ and stops
# answering dom0 altogether, which wedges the whole lab boot)
raw WRITE - /xsconf/rawv%00
read - /xsconf/rawv
raw WRITE - /xsconf/rawv%00val%00more
read - /xsconf/rawv
raw MKDIR - /xsconf/rawd%00
raw RM - /xsconf/rawd%00
raw DIRECTORY - /xsconf/x%00
raw TRANSACTION_START - -
raw 99 - /xsconf/a%00
raw 20 - /xsconf/a%00
raw ERROR - EINVAL%00
raw WATCH_EVENT - /xsconf/a%00tok%00
raw CONTROL - print%00xsconf%00
raw CONTROL - -
raw CONTROL - nosuchcommand%00
# a directory too big for one reply
tstart big
EOF
i=0
while [ $i -lt 300 ]; do
    echo "write big /xsconf/bigdir/child-with-a-long-name-$i v"
    i=$((i + 1))
done
cat <<'EOF'
tend big commit
raw DIRECTORY - /xsconf/bigdir%00
dir - /xsconf/bigdir
rm - /xsconf/bigdir
read - /xsconf/bigdir
EOF
} | timeout 300 xsclient

stamp; echo "# --- unprivileged guest"
G=/xsconf/g
ok=ok
for cmd in "xenstore-write $G/private secret" "xenstore-chmod $G n0 r$DOMID" \
           "xenstore-chmod $G/private n0" \
           "xenstore-write $G/readable r-val" "xenstore-chmod $G/readable n0 r$DOMID" \
           "xenstore-write $G/writable w-val" "xenstore-chmod $G/writable n0 w$DOMID" \
           "xenstore-write $G/both b-val" "xenstore-chmod $G/both n0 b$DOMID" \
           "xenstore-write $G/everyone e-val" "xenstore-chmod $G/everyone r0" \
           "xenstore-write $G/owned o-val" "xenstore-chmod $G/owned n$DOMID" \
           "xenstore-write $H/data/xsconf-go 1"; do
    $cmd || ok="failed: $cmd"
done
echo "guest setup => $ok"
wait_node $H/data/xsconf-phase watching
xenstore-write $G/private p2
xenstore-write $G/readable r2
xenstore-write $G/everyone e2
xenstore-write $H/data/xsconf-phase2 1
wait_node $H/data/xsconf-phase finished
stamp; echo "# --- what the guest left"
{
cat <<'EOF'
getperms - /xsconf/g/both/new
getperms - /xsconf/g/both/dir
getperms - /xsconf/g/owned
getperms - /xsconf/g/owned/sub
read - /xsconf/g/writable
read - /xsconf/g/readable
read - /local/domain/$G/data/big
dir - /xsconf/g/both
read - /xsconf-guest-top
# domain introduction and release
watch @introduceDomain ti
watch @releaseDomain tr
events
introduced $V
sh sed -e '/^name *=/d' "$GUEST_DIR/cfg" > /tmp/victim.cfg 2>&1 && echo 'name = "xsconf-victim"' >> /tmp/victim.cfg
sh xl create -p /tmp/victim.cfg > /tmp/victim.log 2>&1
sh [ "$(xl domid xsconf-victim 2>&1)" = "$XSCONF_VICTIM" ]
events
introduced $V
domainpath $V
getperms - /local/domain/$V
sh xl destroy xsconf-victim > /dev/null 2>&1
events
introduced $V
read - /local/domain/$V
unwatch @introduceDomain ti
unwatch @releaseDomain tr
# clean up
rm - /xsconf
read - /xsconf
EOF
} | timeout 300 xsclient
stamp
echo "XSCONF end"
# the last line ends the guest (xs-conformance.sh runs it after the rest)
xenstore-write /local/domain/$DOMID/data/xsconf-exit 1
