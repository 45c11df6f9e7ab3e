#!/bin/bash
# run-stubdom.sh IMAGE CFG: boot one stub domain and show its console.
# On a Xen dom0 with xl, this is plain "xl create -c". Anywhere else it
# boots Xen 4.17 with a Linux dom0 in QEMU (tests/lab/x86-run.sh), creates
# the domain there and prints its console and how it ended.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=$1 cfg=$2
[ -f "$image" ] || { echo "run-stubdom: no image $image (run make first)" >&2; exit 1; }
[ -f "$cfg" ] || { echo "run-stubdom: no xl config $cfg" >&2; exit 1; }

if grep -qs control_d /proc/xen/capabilities && command -v xl >/dev/null; then
    echo "run-stubdom: Xen host found: xl create -c $cfg kernel=$image" >&2
    exec xl create -c "$cfg" "kernel=\"$(realpath "$image")\""
fi

out=$(mktemp -d -t stubos-run.XXXXXX)
trap 'rm -rf "$out"' EXIT
name=$(sed -n 's/^ *name *= *"\([^"]*\)".*/\1/p' "$cfg" | head -1)
name=${name:-stubdom}
printf '%s %s %s 60\n' "$name" "$(realpath "$image")" "$(realpath "$cfg")" > "$out/plan"
echo "run-stubdom: no Xen host here; booting Xen + Linux dom0 in QEMU (first run builds the lab)" >&2
rc=0
"$here/x86-run.sh" "$out/plan" "$out" || rc=$?
echo "===== console of $name ====="
cat "$out/$name.console" 2>/dev/null || true
echo "===== $(cat "$out/$name.result" 2>/dev/null || echo "no result")"
[ $rc -eq 0 ] || { echo "run-stubdom: the lab failed ($(cat "$out/lab.result" 2>/dev/null))" >&2; exit $rc; }
grep -q 'reason=poweroff' "$out/$name.result"
