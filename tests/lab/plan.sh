# plan.sh: the guest plan format shared by x86-run.sh and arm64-run.sh
# (sourced; the caller defines bad() for usage errors). One guest a line,
# `#` comments, paths relative to the plan's directory:
#   NAME IMAGE CFG TIMEOUT_S [HOOK]      (CFG "-": the default config)
# read_plan PLAN fills NAMES, IMAGES, CFGS, TIMEOUTS, HOOKS (absolute paths).

NAMES=() IMAGES=() CFGS=() TIMEOUTS=() HOOKS=()

abspath() { case $2 in /*) echo "$2" ;; *) echo "$1/$2" ;; esac; }

read_plan() {
  local plan=$1 dir n=0 name image cfg tmo hook extra line
  dir=$(cd "$(dirname "$plan")" && pwd)
  declare -A seen=()
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    read -r name image cfg tmo hook extra <<< "$line" || true
    [ -n "$name" ] || continue
    [ -z "$extra" ] && [ -n "$tmo" ] || bad "$plan:$n: want NAME IMAGE CFG TIMEOUT_S [HOOK]"
    [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || bad "$plan:$n: bad name '$name'"
    [ -z "${seen[$name]:-}" ] || bad "$plan:$n: duplicate name '$name'"
    [[ $tmo =~ ^[1-9][0-9]*$ ]] || bad "$plan:$n: bad timeout '$tmo'"
    image=$(abspath "$dir" "$image"); [ -f "$image" ] || bad "$plan:$n: no image $image"
    if [ "$cfg" != - ]; then cfg=$(abspath "$dir" "$cfg"); [ -f "$cfg" ] || bad "$plan:$n: no config $cfg"; fi
    if [ -n "$hook" ]; then hook=$(abspath "$dir" "$hook"); [ -f "$hook" ] || bad "$plan:$n: no hook $hook"; fi
    seen[$name]=1
    NAMES+=("$name") IMAGES+=("$image") CFGS+=("$cfg") TIMEOUTS+=("$tmo") HOOKS+=("$hook")
  done < "$plan"
  [ ${#NAMES[@]} -gt 0 ] || bad "$plan: no guests"
}
