#!/bin/bash
# xs-conformance.sh -- differential conformance test of stubdom/xenstore
# against Debian's C xenstored (4.17).
#
# usage: tests/lab/xs-conformance.sh [OUTDIR]   (default build/x86_64-pv/xs-conformance-out)
#
# Two lab boots with the same plan: one guest (xs-conformance/xsguest, an
# unprivileged xenstore client) whose dom0 hook (xs-conformance/conformance.sh)
# runs some 400 xenstore operations through Debian's xenstore-* clients and
# xs-conformance/xsclient (libxenstore, built here, static), then paces the
# guest through its own operations and creates and destroys a second domain.
#   boot 1: x86-run.sh            -> C xenstored in dom0      (OUTDIR/c)
#   boot 2: x86-run.sh -X stub    -> our xenstore stub domain (OUTDIR/stub)
# Each transcript (hook lines + the guest's "XSG" lines) has one line per
# operation, "<operation> => <result>"; both must list the same operations,
# and every result that differs must be listed in
# xs-conformance/allowed-differences (operation, then the reason).
# Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero on a failure.
# XSCONF_PARALLEL=1 runs both boots at once; XSCONF_NO_BOOT=1 only compares
# OUTDIR's existing runs again; XSCONF_QUICK=1 stops before the watches
# (command-line clients, plain operations, permissions, transactions);
# XSCONF_ONLY=c|stub boots one side only (debugging). dom0's console
# (OUTDIR/RUN/serial.log) repeats the hook's lines as "xsconf| ...", so a
# wedged run still shows its last operation.
set -uo pipefail
cd "$(dirname "$0")/../.."

BUILD=x86_64-pv
DIR=tests/lab/xs-conformance
OUT=${1:-build/$BUILD/xs-conformance-out}
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$1"; }

XS_IMAGE=build/$BUILD/stubdom/xenstore/xenstore.gz
GUEST=build/$BUILD/tests/lab/xs-conformance/xsguest/xsguest.gz
make -s dom0-tools "$XS_IMAGE" "$GUEST" >/dev/null || { echo "build failed" >&2; exit 1; }
mkdir -p "$OUT/extra"
OUT=$(cd "$OUT" && pwd)
# the libxenstore client: static like the other dom0 tools (libxenstore.a
# and libxentoolcore.a come with libxen-dev)
gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/extra/xsclient" "$DIR/xsclient.c" \
    -lxenstore -lxentoolcore -lpthread 2> "$OUT/xsclient.build" ||
    { cat "$OUT/xsclient.build" >&2; echo "xsclient does not build" >&2; exit 1; }
cp build/host/dom0/* "$OUT/extra/"

# the guest's timeout bounds a hung run; the lab's own limit comes later, so
# that the outputs of a timed-out guest still reach us
GUEST_TIMEOUT=900
HOOK=$OUT/conformance-hook.sh
# The hook's lines also go to dom0's console (the lab's serial.log), cut
# short and without the 300 bigdir writes: the lab returns the hook's own
# output only when the guest ends, so this shows how far a wedged run got.
# The step that ends the guest (conformance.sh's last line) comes after the
# console copy has caught up, or the lab would kill the hook before that.
{ echo '{'
  if [ -n "${XSCONF_QUICK:-}" ]; then
      # the command-line clients and the libxenstore operations up to the
      # watches only (no guest, no second domain): a shorter run
      sed -n '1,/^# watches$/p' "$DIR/conformance.sh" | sed '$d'
      printf 'EOF\n} | timeout 300 xsclient\necho "XSCONF end"\n'
      end='xl destroy "$DOMID"'
  else
      sed '$d' "$DIR/conformance.sh"
      end=$(tail -n 1 "$DIR/conformance.sh")
  fi
  echo '} 2>&1 | while IFS= read -r l; do'
  echo '    printf "%s\n" "$l"'
  echo '    case $l in "c0 write big "*) ;; *) echo "xsconf| $l" | cut -c1-160 2>/dev/null > /dev/hvc0 ;; esac'
  echo 'done'
  echo "$end"; } > "$HOOK"
echo "xsconf $PWD/$GUEST $PWD/$DIR/guest.cfg $GUEST_TIMEOUT $HOOK" > "$OUT/plan"

# transcript RUNDIR: the hook's lines between the markers (without the 300
# writes that fill a directory), then the guest's
transcript() {
    sed -n '/^XSCONF begin$/,/^XSCONF end$/p' "$1/xsconf.hook" 2>/dev/null |
        grep -v -e '^c0 write big /xsconf/bigdir/child-with-a-long-name-[0-9]* v => ok$' -e '^TIME '

    sed -n 's/^\(XSG .*\)$/\1/p' "$1/xsconf.console" 2>/dev/null
}
# runs of 40 or more of one character (long paths and values) as "<c*N>"
shorten() { perl -pe 's/(.)\1{39,}/"<$1*" . length($&) . ">"/ge'; }

boot() {   # RUN: the lab boot of one server; its exit status in OUT/RUN.rc
    mkdir -p "$OUT/$1"
    local t=$((GUEST_TIMEOUT + 300))
    if [ $1 = c ]; then tests/lab/x86-run.sh -t $t -f "$OUT/extra" "$OUT/plan" "$OUT/$1" 2> "$OUT/$1.lab"
    else tests/lab/x86-run.sh -t $t -f "$OUT/extra" -X "$XS_IMAGE" "$OUT/plan" "$OUT/$1" 2> "$OUT/$1.lab"; fi
    echo $? > "$OUT/$1.rc"
}
# XSCONF_PARALLEL=1: both boots at once (two QEMUs)
# XSCONF_NO_BOOT=1: compare OUTDIR's existing boots again (after editing
# allowed-differences)
if [ -n "${XSCONF_NO_BOOT:-}" ]; then :
elif [ -n "${XSCONF_ONLY:-}" ]; then boot "$XSCONF_ONLY"     # c or stub: one side (debugging)
elif [ -n "${XSCONF_PARALLEL:-}" ]; then boot c & boot stub & wait
else boot c; boot stub; fi
for run in c stub; do
    rc=$(cat "$OUT/$run.rc")
    [ $rc -eq 0 ] && pass "xs-conformance/lab-$run: $(cat "$OUT/$run/lab.result")" ||
        fail "xs-conformance/lab-$run: x86-run.sh exited $rc ($(cat "$OUT/$run/lab.result" 2>/dev/null))"
    transcript "$OUT/$run" | shorten > "$OUT/$run.transcript"
    if grep -q '^XSCONF end$' "$OUT/$run.transcript" &&
       { [ -n "${XSCONF_QUICK:-}" ] || grep -q '^XSG end$' "$OUT/$run.transcript"; }; then
        pass "xs-conformance/transcript-$run: complete ($(grep -c ' => ' "$OUT/$run.transcript") operations)"
    else
        fail "xs-conformance/transcript-$run: incomplete (see $OUT/$run/xsconf.hook, xsconf.console)"
    fi
done

# Compare line by line: the operation (before " => ") must be the same, the
# result may differ only where allowed-differences lists the operation.
awk -F '\t' 'NF >= 2 && $1 !~ /^#/ { print $1 }' "$DIR/allowed-differences" > "$OUT/allowed.ops"
paste -d '\n' "$OUT/c.transcript" "$OUT/stub.transcript" | awk -v allowed="$OUT/allowed.ops" '
    BEGIN { while ((getline l < allowed) > 0) ok[l] = 1 }
    NR % 2 == 1 { c = $0; next }
    {
        s = $0
        ci = index(c, " => "); si = index(s, " => ")
        cop = ci ? substr(c, 1, ci - 1) : c; sop = si ? substr(s, 1, si - 1) : s
        if (cop != sop) { print "STRUCT\t" c "\t" s; next }
        if (!ci) next
        n++
        if (c == s) { same++; next }
        if (cop in ok) { print "ALLOWED\t" c "\t" substr(s, si + 4); used[cop] = 1; next }
        print "DIFF\t" c "\t" substr(s, si + 4)
    }
    END {
        print "COUNT\t" n + 0 "\t" same + 0
        for (o in ok) if (!(o in used)) print "UNUSED\t" o
    }' > "$OUT/compare"

n=$(awk -F '\t' '$1 == "COUNT" { print $2 }' "$OUT/compare")
same=$(awk -F '\t' '$1 == "COUNT" { print $3 }' "$OUT/compare")
[ "${n:-0}" -ge 200 ] && pass "xs-conformance/coverage: $n operations compared" ||
    fail "xs-conformance/coverage: only ${n:-0} operations compared (want >= 200)"
[ "$(wc -l < "$OUT/c.transcript")" = "$(wc -l < "$OUT/stub.transcript")" ] &&
    ! grep -q '^STRUCT' "$OUT/compare" &&
    pass "xs-conformance/structure: both transcripts list the same operations" ||
    fail "xs-conformance/structure: the transcripts list different operations (diff $OUT/c.transcript $OUT/stub.transcript)"
ndiff=0
while IFS=$'\t' read -r kind c s; do
    fail "xs-conformance/diff: $c   (ours: $s)"
    ndiff=$((ndiff + 1))
done < <(grep '^DIFF' "$OUT/compare")
[ $ndiff -eq 0 ] && pass "xs-conformance/results: $same identical, $(grep -c '^ALLOWED' "$OUT/compare") allowed differences, none other"
grep '^ALLOWED' "$OUT/compare" | cut -f2- | sed 's/^/note: allowed difference: /; s/\t/   (ours: /; s/$/)/'
grep '^UNUSED' "$OUT/compare" | cut -f2 | sed 's/^/note: allowed difference no longer seen: /'

echo "$PASSED passed, $FAILED failed (outputs in $OUT)"
[ "$FAILED" -eq 0 ]
