# dom0 side of the timers test: time the guest's 2 s sleep with dom0's clock
# (when its two xenstore writes arrive) and compare with what it measured.
P=/local/domain/$DOMID/data/timers
uptime_cs() { read up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }   # centiseconds
t0=""
xenstore-watch "$P" 2>/dev/null | while read -r _; do
    now=$(uptime_cs)
    v=$(xenstore-read "$P" 2>/dev/null)
    case "$v" in
        begin) [ -z "$t0" ] && t0=$now ;;
        end*)
            [ -n "$t0" ] || { echo "TEST time-vs-dom0 FAIL: saw end before begin"; break; }
            dom0_ms=$(( (now - t0) * 10 )); guest_ms=${v#end }
            echo "dom0 measured ${dom0_ms} ms, guest measured ${guest_ms} ms"
            diff=$(( dom0_ms > guest_ms ? dom0_ms - guest_ms : guest_ms - dom0_ms ))
            if [ $(( diff * 20 )) -le "$guest_ms" ]; then echo "TEST time-vs-dom0 PASS"
            else echo "TEST time-vs-dom0 FAIL: dom0 ${dom0_ms} ms vs guest ${guest_ms} ms (over 5 %)"; fi
            break ;;
    esac
done
