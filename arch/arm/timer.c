/* Time on arm64: the generic timer.
 *
 * Xen on Arm publishes no vcpu_time_info (it leaves the shared-info time
 * record untouched) and has no set_timer_op. The vCPU has its own clock
 * instead: the virtual counter CNTVCT_EL0, which Xen offsets to start near
 * zero when the domain is created and which runs at CNTFRQ_EL0 Hz, and the
 * virtual timer (CNTV_CVAL_EL0/CNTV_CTL_EL0), whose interrupt Xen forwards
 * as a PPI -- also while the vCPU is blocked.
 *
 * So that the arch-independent clock code (minios/time.c), which reads
 * vcpu_info[0].time like on x86, needs no Arm branch, we write that record
 * ourselves, once: tsc_timestamp = 0, system_time = 0 and the scale factor
 * for CNTFRQ. "System time" is then nanoseconds since domain creation.
 * The one-shot timer the scheduler asks for (arch_set_timer) is the
 * virtual timer (see <arch/hypercall.h>). */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/panic.h>
#include <minios/time.h>
#include "arm64.h"

static uint64_t freq;

static uint64_t read_freq(void)
{
    uint64_t f;
    __asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(f));
    return f & 0xffffffff;
}

/* mul/shift such that ns = ((ticks << shift) * mul) >> 32 (the pvclock
 * format): pick shift with 10^9 < hz << shift <= 2 * 10^9, so that
 * mul = 10^9 * 2^32 / (hz << shift) lies in [2^31, 2^32) -- full precision.
 * (Generic timers run at 1 GHz at most.) */
static void scale_for(uint64_t hz, uint32_t *mul, int8_t *shift)
{
    int s = 0;
    while ((hz << s) <= NSEC_PER_SEC)
        s++;
    *mul = (uint32_t)(((unsigned __int128)NSEC_PER_SEC << 32) / (hz << s));
    *shift = (int8_t)s;
}

void arm64_time_info_init(void)
{
    freq = read_freq();
    if (freq == 0 || freq > NSEC_PER_SEC)
        panic("CNTFRQ_EL0 is %lu Hz: not a generic timer frequency we can use",
              (unsigned long)freq);
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t mul;
    int8_t shift;
    scale_for(freq, &mul, &shift);
    t->version = 1; /* odd: being updated */
    xen_wmb();
    t->tsc_timestamp = 0;
    t->system_time = 0;
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = 0;
    xen_wmb();
    t->version = 2;
}

void arm64_timer_init(unsigned irq)
{
    __asm__ __volatile__("msr cntv_ctl_el0, xzr; isb");
    arm64_gic_enable_ppi(irq);
}

/* Ticks at or after deadline_ns by our clock (rounded up, so the timer
 * never fires before the deadline monotonic_ns() will report). */
static uint64_t ns_to_ticks_up(uint64_t ns)
{
    unsigned __int128 t = (unsigned __int128)ns * freq + NSEC_PER_SEC - 1;
    return (uint64_t)(t / NSEC_PER_SEC) + 1;
}

/* Xen on Arm has no set_timer_op: the one-shot timer is the vCPU's own
 * virtual timer. */
void arch_set_timer(uint64_t deadline_ns)
{
    if (deadline_ns == 0) {
        __asm__ __volatile__("msr cntv_ctl_el0, xzr; isb" ::: "memory");
        return;
    }
    uint64_t cval = ns_to_ticks_up(deadline_ns);
    __asm__ __volatile__("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
                         :
                         : "r"(cval), "r"(1UL)
                         : "memory");
}

/* The timer fired: turn it off (its interrupt line stays asserted while
 * the condition holds). The scheduler runs expired timers and re-arms. */
void arm64_timer_irq(void)
{
    __asm__ __volatile__("msr cntv_ctl_el0, xzr; isb" ::: "memory");
}
