#!/bin/bash
# The test runner behind "make test": host unit tests, then every guest test
# in tests/xen/ booted under real Xen (Xen + Linux dom0 in QEMU, one boot for
# all guests). Prints one line per check and ends with "N passed, N failed".
#
# Environment:
#   TESTS=a,b      run only these guest tests (default: all)
#   SKIP_UNIT=1    skip the host unit tests
#   SKIP_XEN=1     skip the guest tests
#   SKIP_XS_STUB=1 skip the guest tests against the xenstore stub domain (run
#                  after the x86_64-pv lab; TESTS=xs-stub selects all of them)
#                  and the conformance test against C xenstored (TESTS=xs-conformance;
#                  XSCONF_QUICK=1 runs only its short first part)
#   ARCHES="..."   builds to test (default: "x86_64-pv x86_64-pvh arm64-dom0less");
#                  a guest test runs on the builds its expect file lists ("arches
#                  ...", default x86_64-pv x86_64-pvh); expect lines starting "@<build> " apply
#                  to that build only
set -uo pipefail
cd "$(dirname "$0")/.."

PASSED=0
FAILED=0
SKIPPED=0
FAILURES=()

pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
skip() { SKIPPED=$((SKIPPED + 1)); printf 'SKIP %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1)); FAILURES+=("$1")
    printf 'FAIL %s\n' "$1"
}

# Count "TEST <name> PASS|FAIL: why" lines produced by a test program.
count_test_lines() {   # prefix file
    local prefix=$1 file=$2 line name rest
    while IFS= read -r line; do
        [[ $line =~ ^TEST\ ([^ ]+)\ (PASS|FAIL|SKIP)(.*)$ ]] || continue
        name=${BASH_REMATCH[1]}; rest=${BASH_REMATCH[3]}
        case ${BASH_REMATCH[2]} in
            PASS) pass "$prefix/$name" ;;
            SKIP) skip "$prefix/$name$rest" ;;
            *) fail "$prefix/$name$rest" ;;
        esac
    done < "$file"
}

run_unit_tests() {
    echo "== host unit tests"
    if ! make -s unit-tests dom0-tools >/tmp/stubos-unit-build.$$ 2>&1; then
        cat /tmp/stubos-unit-build.$$; rm -f /tmp/stubos-unit-build.$$
        fail "unit/build"; return
    fi
    rm -f /tmp/stubos-unit-build.$$
    local bin out
    out=$(mktemp)
    for bin in build/host/unit/*; do
        [ -x "$bin" ] || continue
        if ! "$bin" > "$out" 2>&1; then
            grep -q '^TEST .* FAIL' "$out" || fail "unit/$(basename "$bin"): exited non-zero: $(tail -3 "$out" | tr '\n' ' ')"
        fi
        count_test_lines "unit/$(basename "$bin")" "$out"
    done
    rm -f "$out"
}

# The expect lines that apply to a build: comments dropped, "@<build> "
# prefixes kept only for that build (and stripped).
expect_lines() {   # expectfile build
    [ -f "$1" ] || return 0
    sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$1" |
        awk -v b="@$2" '/^@/ { if ($1 != b) next; sub(/^@[^ ]+ +/, "") } { print }'
}

# Read one guest test's expect file into globals.
load_expect() {   # testdir build
    EXP_TIMEOUT=20; EXP_IMAGE=""; EXP_TESTS=""; EXP_ARCHES="x86_64-pv x86_64-pvh"
    local key value
    while read -r key value; do
        case "$key" in
            timeout) EXP_TIMEOUT=$value ;;
            image) EXP_IMAGE=$value ;;
            tests) EXP_TESTS=$value ;;
            arches) EXP_ARCHES=$value ;;
        esac
    done < <(expect_lines "$1/expect" "$2")
}

selected() {   # name
    [ -z "${TESTS:-}" ] && return 0
    [[ ",$TESTS," == *",$1,"* ]]
}

# Evaluate the lab's output for one guest against its expect file.
check_guest() {   # build name outdir [expectfile]
    local build=$1 name=$2 out=$3 tag="xen/$1/$2" expect=${4:-tests/xen/$2/expect}
    local dom0less=0 elf=build/$1/tests/xen/$2/$2.elf
    [[ $build == *dom0less ]] && dom0less=1
    local console=$out/$name.console hook=$out/$name.hook result=$out/$name.result
    if [ ! -f "$result" ]; then fail "$tag: the lab produced no result"; return; fi
    [ -f "$console" ] || : > "$console"
    count_test_lines "$tag" "$console"
    [ -f "$hook" ] && count_test_lines "$tag(dom0)" "$hook"
    local failed_before=$FAILED
    local reason; reason=$(sed -n 's/.*reason=\([a-z-]*\).*/\1/p' "$result")
    local key value n
    while read -r key value; do
        case "$key" in
            hook|xl)
                [ "$dom0less" = 1 ] && { skip "$tag: $key /$value/ (no dom0 under dom0less)"; continue; } ;;&
            reason)
                if [ "$reason" = "$value" ]; then pass "$tag: shutdown reason $value"
                else fail "$tag: shutdown reason $reason, expected $value"; fi ;;
            console)
                if grep -Eq -- "$value" "$console"; then pass "$tag: console /$value/"
                else fail "$tag: no console line matches /$value/"; fi ;;
            no-console)
                if grep -Eq -- "$value" "$console"; then fail "$tag: console matches forbidden /$value/"
                else pass "$tag: console never /$value/"; fi ;;
            xl)
                if grep -Eq -- "$value" "$out/$name.xl" 2>/dev/null; then pass "$tag: xl /$value/"
                else fail "$tag: no xl output line matches /$value/"; fi ;;
            hook)
                if [ -f "$hook" ] && grep -Eq -- "$value" "$hook"; then pass "$tag: dom0 hook /$value/"
                else fail "$tag: no dom0 hook line matches /$value/"; fi ;;
            symbol)
                # The crash report resolved against the image's symbols
                # (tests/lab/symbolize.sh), as a developer would read it.
                if grep -Eq -- "$value" < <(tests/lab/symbolize.sh "$elf" "$console" 2>/dev/null); then
                    pass "$tag: symbolized backtrace /$value/"
                else fail "$tag: no symbolized backtrace line matches /$value/"; fi ;;
            tests)
                n=$(grep -cE '^TEST [^ ]+ (PASS|FAIL|SKIP)' "$console")
                if [ "$n" = "$value" ]; then pass "$tag: $n TEST lines"
                else fail "$tag: $n TEST lines, expected $value"; fi ;;
        esac
    done < <(expect_lines "$expect" "$build")
    if [ "$FAILED" -gt "$failed_before" ]; then
        echo "---- console of $tag (last 30 lines) ----"; tail -30 "$console"
        [ -f "$hook" ] && { echo "---- dom0 hook of $tag ----"; tail -15 "$hook"; }
        echo "---- $(cat "$result")"
    fi
}

run_guest_tests() {   # arch-mode
    local build=$1 arch=${1%-*} mode=${1#*-}
    echo "== guest tests under Xen ($build)"
    local log; log=$(mktemp)
    if ! make -s ARCH="$arch" MODE="$mode" all > "$log" 2>&1; then
        cat "$log"; rm -f "$log"
        fail "xen/$build/build"; return
    fi
    # A directory per run (several runs may share a build tree); test-out
    # points at the latest.
    local out plan
    mkdir -p "build/$build"
    out=$(mktemp -d "build/$build/test-out.XXXXXX")
    [ -L "build/$build/test-out" ] || rm -rf "build/$build/test-out"
    ln -sfn "$(basename "$out")" "build/$build/test-out"
    # Keep the last few runs only.
    ls -dt "build/$build"/test-out.* 2>/dev/null | tail -n +6 | xargs rm -rf
    plan=$out/plan
    : > "$plan"
    local dir name image names=()
    for dir in tests/xen/*/; do
        name=$(basename "$dir")
        [ -f "$dir/test.cfg" ] && selected "$name" || continue
        load_expect "$dir" "$build"
        [[ " $EXP_ARCHES " == *" $build "* ]] || continue
        # "manual": known to be unreliable in the lab; runs only when named.
        if [[ " $EXP_ARCHES " == *" manual "* ]] && [[ ",${TESTS:-}," != *",$name,"* ]]; then
            skip "xen/$build/$name: manual test (see its expect file); run with TESTS=$name"
            continue
        fi
        image=build/$build/tests/xen/$name/$name.gz
        [ -n "$EXP_IMAGE" ] && image=build/$build/$EXP_IMAGE/$(basename "$EXP_IMAGE").gz
        # A test that does not build fails alone; the others still run.
        if ! make -s ARCH="$arch" MODE="$mode" "$image" > "$log" 2>&1; then
            cat "$log"; fail "xen/$build/$name: does not build"; continue
        fi
        # The same xl config boots the PVH build as type "pvh".
        local cfg=$PWD/${dir}test.cfg
        if [ "$mode" = pvh ]; then
            sed 's/^\([[:space:]]*type[[:space:]]*=[[:space:]]*\)"pv"/\1"pvh"/' "$cfg" > "$out/$name.cfg"
            cfg=$PWD/$out/$name.cfg
        fi
        printf '%s %s %s %s %s\n' "$name" "$PWD/$image" "$cfg" "$EXP_TIMEOUT" \
            "$( [ -f "$dir/hook.sh" ] && echo "$PWD/${dir}hook.sh")" >> "$plan"
        names+=("$name")
    done
    rm -f "$log"
    [ ${#names[@]} -gt 0 ] || return
    run_lab "$build" "$plan" "$out"
    for name in "${names[@]}"; do check_guest "$build" "$name" "$out"; done
    run_lab_plans "$build" "$out"
}

# Boot one lab run: x86 guests under Xen + a Linux dom0, arm64 guests as
# dom0less domains.
run_lab() {   # build plan outdir
    local runner=tests/lab/x86-run.sh args=(-f build/host/dom0)
    [ "$1" = arm64-dom0less ] && { runner=tests/lab/arm64-run.sh; args=(); }
    "$runner" "${args[@]}" "$2" "$3"
    local rc=$?
    if [ $rc -ne 0 ]; then
        fail "xen/$1/lab: $(basename "$runner") exited $rc ($(cat "$3/lab.result" 2>/dev/null))"
        tail -40 "$3/serial.log" 2>/dev/null
    fi
}

# Tests that need several guests in one boot of their own (arm64: two
# dom0less domains talking): tests/lab/<arch>/<test>/{plan,expect}.
run_lab_plans() {   # build outdir
    local build=$1 arch=${1%-*} dir t name
    for dir in tests/lab/"$arch"/*/; do
        t=$(basename "$dir")
        [ -f "$dir/plan" ] && selected "$t" || continue
        make -s ARCH="$arch" guest-tests >/dev/null 2>&1 || true
        mkdir -p "$2/$t"
        run_lab "$build" "${dir}plan" "$2/$t"
        for name in $(sed 's/#.*//' "${dir}plan" | awk 'NF { print $1 }'); do
            check_guest "$build" "$name" "$2/$t" "${dir}expect"
        done
    done
}

# Guest tests against our xenstore stub domain: one more x86_64-pv lab boot
# in which dom0 runs stubdom/xenstore instead of C xenstored
# (tests/lab/xenstore-stub.sh), with a hostile client first and normal
# guests after it. TESTS=a,b keeps the named ones ("xs-stub" runs them all).
XS_STUB_TESTS="xs-hostile hello xenbus timers events shutdown libc sched net-ping net-echo netfront gnttab"
run_xenstore_stub() {
    local list= name out line
    for name in $XS_STUB_TESTS; do
        [[ ",${TESTS:-}," == *",xs-stub,"* ]] || selected "$name" || continue
        list+=" $name"
    done
    [ -n "$list" ] || return 0
    echo "== guest tests with the xenstore stub domain (x86_64-pv):$list"
    mkdir -p build/x86_64-pv
    out=$(mktemp -d build/x86_64-pv/xs-stub-out.XXXXXX)
    ls -dt build/x86_64-pv/xs-stub-out.* 2>/dev/null | tail -n +6 | xargs rm -rf
    while IFS= read -r line; do
        case $line in
            "PASS "*) pass "${line#PASS }" ;;
            "FAIL "*) fail "${line#FAIL }" ;;
            "SKIP "*) skip "${line#SKIP }" ;;
            x86-run:*) echo "$line" >&2 ;;
        esac
    done < <(XS_TESTS="${list# }" tests/lab/xenstore-stub.sh "$out" 2>&1 | tee "$out/run.log")
    if ! grep -q '^[0-9]* passed, 0 failed' "$out/run.log"; then
        grep -q '^[0-9]* passed, [0-9]* failed' "$out/run.log" || fail "xs-stub: $(tail -1 "$out/run.log")"
        echo "---- (outputs and log in $out)"
    fi
}

# Differential conformance of the stub against C xenstored: the same dom0
# script (~450 operations) in two lab boots run side by side
# (tests/lab/xs-conformance.sh).
# Part of the xenstore stub step (SKIP_XS_STUB=1 skips it; TESTS=xs-conformance
# selects it alone).
run_xs_conformance() {
    [ -z "${TESTS:-}" ] || [[ ",$TESTS," == *",xs-conformance,"* || ",$TESTS," == *",xs-stub,"* ]] || return 0
    echo "== xenstore conformance: our stub domain vs C xenstored (x86_64-pv)"
    local out=build/x86_64-pv/xs-conformance-out line
    rm -rf "$out"; mkdir -p "$out"
    while IFS= read -r line; do
        case $line in
            "PASS "*) pass "xs-conformance: ${line#PASS }" ;;
            "FAIL "*) fail "xs-conformance: ${line#FAIL }" ;;
        esac
    done < <(XSCONF_PARALLEL=1 XSCONF_QUICK=${XSCONF_QUICK:-} tests/lab/xs-conformance.sh "$out" 2>&1 | tee "$out.log")
    grep -q '^[0-9]* passed, [0-9]* failed' "$out.log" || fail "xs-conformance: $(tail -1 "$out.log")"
}

[ "${SKIP_UNIT:-0}" = 1 ] || run_unit_tests
if [ "${SKIP_XEN:-0}" != 1 ]; then
    for b in ${ARCHES:-x86_64-pv x86_64-pvh arm64-dom0less}; do
        run_guest_tests "$b"
        [ "$b" != x86_64-pv ] || [ "${SKIP_XS_STUB:-0}" = 1 ] || { run_xenstore_stub; run_xs_conformance; }
    done
fi

if [ $FAILED -gt 0 ]; then
    echo "== failures:"
    printf '  %s\n' "${FAILURES[@]}"
fi
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ $FAILED -eq 0 ]
