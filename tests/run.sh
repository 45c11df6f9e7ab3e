#!/bin/bash
# The test runner behind "make test": host unit tests, then every guest test
# in tests/xen/ booted under real Xen (Xen + Linux dom0 in QEMU, one boot for
# all guests). Prints one line per check and ends with "N passed, N failed".
#
# Environment:
#   TESTS=a,b      run only these guest tests (default: all)
#   SKIP_UNIT=1    skip the host unit tests
#   SKIP_XEN=1     skip the guest tests
#   ARCHES="..."   arch-mode pairs to test (default: "x86_64-pv")
set -uo pipefail
cd "$(dirname "$0")/.."

PASSED=0
FAILED=0
FAILURES=()

pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1)); FAILURES+=("$1")
    printf 'FAIL %s\n' "$1"
}

# Count "TEST <name> PASS|FAIL: why" lines produced by a test program.
count_test_lines() {   # prefix file
    local prefix=$1 file=$2 line name rest
    while IFS= read -r line; do
        [[ $line =~ ^TEST\ ([^ ]+)\ (PASS|FAIL)(.*)$ ]] || continue
        name=${BASH_REMATCH[1]}; rest=${BASH_REMATCH[3]}
        if [ "${BASH_REMATCH[2]}" = PASS ]; then pass "$prefix/$name"; else fail "$prefix/$name$rest"; fi
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

# Read one guest test's expect file into globals.
load_expect() {   # testdir
    EXP_TIMEOUT=20; EXP_IMAGE=""; EXP_TESTS=""
    [ -f "$1/expect" ] || return 0
    local key value
    while read -r key value; do
        case "$key" in
            timeout) EXP_TIMEOUT=$value ;;
            image) EXP_IMAGE=$value ;;
            tests) EXP_TESTS=$value ;;
        esac
    done < <(grep -v '^\s*#' "$1/expect")
}

selected() {   # name
    [ -z "${TESTS:-}" ] && return 0
    [[ ",$TESTS," == *",$1,"* ]]
}

# Evaluate the lab's output for one guest against its expect file.
check_guest() {   # build name outdir
    local build=$1 name=$2 out=$3 tag="xen/$1/$2"
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
            tests)
                n=$(grep -cE '^TEST [^ ]+ (PASS|FAIL)' "$console")
                if [ "$n" = "$value" ]; then pass "$tag: $n TEST lines"
                else fail "$tag: $n TEST lines, expected $value"; fi ;;
        esac
    done < <(grep -v '^\s*#' "tests/xen/$name/expect" 2>/dev/null)
    if [ "$FAILED" -gt "$failed_before" ]; then
        echo "---- console of $tag (last 30 lines) ----"; tail -30 "$console"
        [ -f "$hook" ] && { echo "---- dom0 hook of $tag ----"; tail -15 "$hook"; }
        echo "---- $(cat "$result")"
    fi
}

run_guest_tests() {   # arch-mode
    local build=$1 arch=${1%-*} mode=${1#*-}
    echo "== guest tests under Xen ($build)"
    if ! make -s ARCH="$arch" MODE="$mode" all guest-tests > /tmp/stubos-build.$$ 2>&1; then
        cat /tmp/stubos-build.$$; rm -f /tmp/stubos-build.$$
        fail "xen/$build/build"; return
    fi
    rm -f /tmp/stubos-build.$$
    local out=build/$build/test-out plan
    rm -rf "$out"; mkdir -p "$out"
    plan=$out/plan
    : > "$plan"
    local dir name image names=()
    for dir in tests/xen/*/; do
        name=$(basename "$dir")
        [ -f "$dir/test.cfg" ] && selected "$name" || continue
        load_expect "$dir"
        image=build/$build/tests/xen/$name/$name.gz
        [ -n "$EXP_IMAGE" ] && image=build/$build/$EXP_IMAGE/$(basename "$EXP_IMAGE").gz
        printf '%s %s %s %s %s\n' "$name" "$PWD/$image" "$PWD/${dir}test.cfg" "$EXP_TIMEOUT" \
            "$( [ -f "$dir/hook.sh" ] && echo "$PWD/${dir}hook.sh")" >> "$plan"
        names+=("$name")
    done
    [ ${#names[@]} -gt 0 ] || return
    tests/lab/x86-run.sh -f build/host/dom0 "$plan" "$out"
    local rc=$?
    if [ $rc -ne 0 ]; then
        fail "xen/$build/lab: x86-run.sh exited $rc ($(cat "$out/lab.result" 2>/dev/null))"
        tail -40 "$out/serial.log" 2>/dev/null
    fi
    for name in "${names[@]}"; do check_guest "$build" "$name" "$out"; done
}

[ "${SKIP_UNIT:-0}" = 1 ] || run_unit_tests
if [ "${SKIP_XEN:-0}" != 1 ]; then
    for b in ${ARCHES:-x86_64-pv}; do run_guest_tests "$b"; done
fi

if [ $FAILED -gt 0 ]; then
    echo "== failures:"
    printf '  %s\n' "${FAILURES[@]}"
fi
echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
