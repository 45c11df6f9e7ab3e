/* Xen system time. Xen publishes, per vCPU, a (tsc_timestamp, system_time)
 * pair and a scale factor; the current time is system_time plus the scaled
 * TSC delta. Xen bumps "version" to an odd value while updating, so readers
 * retry until they see the same even version before and after. */
#include <minios/arch.h>
#include <minios/hypercall.h>
#include <minios/time.h>
#include <minios/xen.h>

struct time_snapshot {
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t mul;
    int8_t shift;
};

static void read_time_info(struct time_snapshot *t)
{
    volatile struct vcpu_time_info *ti = &shared_info->vcpu_info[0].time;
    uint32_t version;
    do {
        version = ti->version;
        xen_rmb();
        t->tsc_timestamp = ti->tsc_timestamp;
        t->system_time = ti->system_time;
        t->mul = ti->tsc_to_system_mul;
        t->shift = ti->tsc_shift;
        xen_rmb();
    } while ((version & 1) || version != ti->version);
}

static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t cycles_to_system_ns(uint64_t cycles)
{
    struct time_snapshot t;
    if (!shared_info)
        return 0;
    read_time_info(&t);
    /* Signed: a new domain's TSC starts near zero, so Xen's tsc_timestamp
     * may be a small negative number, and cycles may lie before it. */
    int64_t delta = (int64_t)(cycles - t.tsc_timestamp);
    if (delta >= 0)
        return t.system_time + scale_delta((uint64_t)delta, t.mul, t.shift);
    return t.system_time - scale_delta(-(uint64_t)delta, t.mul, t.shift);
}

uint64_t monotonic_ns(void)
{
    static uint64_t last;
    uint64_t now = cycles_to_system_ns(arch_read_cycles());
    /* Never go backwards, even if Xen's per-update correction does. */
    if (now < last)
        now = last;
    last = now;
    return now;
}

uint64_t wallclock_ns(void)
{
    volatile struct shared_info *s = shared_info;
    uint32_t version, sec, nsec, sec_hi;
    do {
        version = s->wc_version;
        xen_rmb();
        sec = s->wc_sec;
        nsec = s->wc_nsec;
        sec_hi = s->xen_wc_sec_hi;
        xen_rmb();
    } while ((version & 1) || version != s->wc_version);
    uint64_t boot_wall = (((uint64_t)sec_hi << 32) | sec) * NSEC_PER_SEC + nsec;
    return boot_wall + monotonic_ns();
}

uint64_t vcpu_running_ns(void)
{
    struct vcpu_runstate_info rs;
    if (xen_vcpu_op(VCPUOP_get_runstate_info, 0, &rs) < 0)
        return 0;
    uint64_t running = rs.time[RUNSTATE_running];
    if (rs.state == RUNSTATE_running)
        running += monotonic_ns() - (rs.state_entry_time & ~XEN_RUNSTATE_UPDATE);
    return running;
}
