#!/bin/bash
# symbolize.sh ELF [LOG]: resolve the "[<address>]" frames of stubos crash
# reports (exceptions, panics) in a console log to function, offset and
# source line, using the unstripped image (build/.../<name>.elf). Reads the
# log from stdin when LOG is not given; other lines pass through unchanged.
set -euo pipefail
elf=${1:?usage: symbolize.sh ELF [LOG]}
[ -f "$elf" ] || { echo "symbolize: no such image: $elf" >&2; exit 1; }
addr2line=$(command -v "${CROSS_COMPILE:-}addr2line" || command -v addr2line)
while IFS= read -r line; do
    if [[ $line =~ \[\<([0-9a-f]{8,16})\>\] ]]; then
        addr=${BASH_REMATCH[1]}
        # A return address points after the call: look up the call itself.
        lookup=$(printf '%x' $(( 16#$addr - 1 )))
        [[ $line == *"faulting instruction"* ]] && lookup=$addr
        where=$("$addr2line" -f -i -p -C -e "$elf" "0x$lookup" 2>/dev/null | head -1)
        printf '%s  %s\n' "$line" "${where:-??}"
    else
        printf '%s\n' "$line"
    fi
done < "${2:-/dev/stdin}"
