/* Typed hypercall wrappers shared by every arch. Each returns Xen's result:
 * 0 or a positive value on success, a negative Xen errno on failure (Xen's
 * errno values match ours for the common cases). */
#ifndef MINIOS_HYPERCALL_H
#define MINIOS_HYPERCALL_H

#include <minios/xen.h>
#include <arch/hypercall.h>

#define HC(nr, a, b, c) arch_hypercall5((nr), (unsigned long)(a), (unsigned long)(b), \
                                        (unsigned long)(c), 0, 0)

static inline long xen_sched_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_sched_op, cmd, arg, 0);
}

static inline long xen_event_channel_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0);
}

static inline long xen_version(int cmd, void *arg)
{
    return HC(__HYPERVISOR_xen_version, cmd, arg, 0);
}

static inline long xen_console_io(int cmd, unsigned long count, const char *buf)
{
    return HC(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long xen_memory_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_memory_op, cmd, arg, 0);
}

static inline long xen_grant_table_op(int cmd, void *uop, unsigned count)
{
    return HC(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline long xen_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
    return HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long xen_hvm_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_hvm_op, cmd, arg, 0);
}

static inline long xen_set_timer_op(uint64_t deadline_ns)
{
    return HC(__HYPERVISOR_set_timer_op, deadline_ns, 0, 0);
}

static inline long xen_shutdown(unsigned reason)
{
    struct sched_shutdown arg = {.reason = reason};
    return xen_sched_op(SCHEDOP_shutdown, &arg);
}

#endif
