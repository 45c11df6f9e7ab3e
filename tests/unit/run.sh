#!/bin/sh
# Runs every host unit test binary and passes their output through.
# Exits non-zero if any test failed (or none were built).
dir=${1:-build/host/unit}
status=0
found=0
for t in "$dir"/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    found=1
    echo "=== $(basename "$t")"
    if ! "$t"; then
        echo "=== $(basename "$t") FAILED"
        status=1
    fi
done
if [ "$found" = 0 ]; then
    echo "no unit test binaries in $dir (run: make unit-tests)" >&2
    exit 1
fi
exit $status
