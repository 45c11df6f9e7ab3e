/* arm64 exceptions. Interrupts are dispatched (event channels, the virtual
 * timer); every synchronous exception, SError or FIQ is fatal for a stub
 * domain: we print what happened (exception class, faulting address,
 * registers, backtrace) and panic, which ends the domain with reason crash. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/panic.h>
#include "arm64.h"

uintptr_t arm64_stack_limit; /* lowest SP the running thread may use; 0 = none */

void arch_set_stack_limit(uintptr_t limit)
{
    arm64_stack_limit = limit;
}

void *arch_init_stack(void *stack_top, void (*entry)(void))
{
    /* Matches arch_switch_stack's frame: x19-x28, x29 (fp), x30 (lr),
     * d8-d15. The switch "returns" into entry with fp = 0, which ends
     * backtraces. */
    uint64_t *sp = (uint64_t *)((uintptr_t)stack_top & ~15UL) - 20;
    for (int i = 0; i < 20; i++)
        sp[i] = 0;
    sp[11] = (uint64_t)entry;
    return sp;
}

/* ---------------------------------------------------------------- interrupts */

static unsigned evtchn_irq, timer_irq;

void arm64_traps_set_irqs(unsigned evtchn, unsigned timer)
{
    evtchn_irq = evtchn;
    timer_irq = timer;
}

static void handle_irq(void)
{
    unsigned intid = arm64_gic_ack();
    if (intid >= 1020)
        return; /* spurious: nothing to acknowledge */
    if (intid == evtchn_irq)
        events_upcall();
    else if (intid == timer_irq)
        arm64_timer_irq();
    else
        printk("stubos: unexpected interrupt %u\n", intid);
    arm64_gic_eoi(intid);
}

/* ---------------------------------------------------------------- fatal */

static const char *class_name(unsigned ec)
{
    switch (ec) {
    case 0x00: return "unknown instruction";
    case 0x07: return "FP/SIMD access trap";
    case 0x0e: return "illegal execution state";
    case 0x15: return "SVC";
    case 0x16: return "HVC";
    case 0x18: return "system register trap";
    case 0x20: case 0x21: return "instruction abort";
    case 0x22: return "PC alignment fault";
    case 0x24: case 0x25: return "data abort";
    case 0x26: return "SP alignment fault";
    case 0x2c: return "FP exception";
    case 0x2f: return "SError";
    case 0x3c: return "BRK instruction";
    default: return "exception";
    }
}

static void dump_regs(const struct arm64_regs *r)
{
    printk("PC: %016lx  SP: %016lx  PSTATE: %08lx\n", r->pc, r->sp, r->pstate);
    printk("ESR: %08lx  FAR: %016lx\n", r->esr, r->far);
    for (int i = 0; i < 30; i += 3)
        printk("X%-2d: %016lx X%-2d: %016lx X%-2d: %016lx\n", i, r->x[i], i + 1, r->x[i + 1],
               i + 2, r->x[i + 2]);
    printk("X30: %016lx (LR)\n", r->x[30]);
}

/* Data and instruction aborts in the words an x86 page fault uses. */
static void describe_abort(const struct arm64_regs *r, unsigned ec)
{
    unsigned fsc = r->esr & 0x3f;
    bool far_valid = !(r->esr & (1UL << 10)), write = ec >= 0x24 && (r->esr & (1UL << 6));
    const char *kind = (fsc & 0x3c) == 0x04   ? "page not present"
                       : (fsc & 0x3c) == 0x0c ? "protection violation"
                       : (fsc & 0x3c) == 0x08 ? "access flag fault"
                       : fsc == 0x21          ? "alignment fault"
                                              : "external or other abort";
    printk("page fault at address %016lx: %s %s, %s\n", far_valid ? r->far : 0,
           ec >= 0x24 ? (write ? "write" : "read") : "instruction fetch", kind,
           !far_valid ? "address unknown" : r->far < PAGE_SIZE ? "NULL pointer dereference"
                                                                : "bad address");
}

static __noreturn void fatal(const struct arm64_regs *r, unsigned kind)
{
    unsigned ec = (r->esr >> 26) & 0x3f;
    const char *name = kind == KIND_SYNC     ? class_name(ec)
                       : kind == KIND_SERROR ? "SError"
                       : kind == KIND_FIQ    ? "FIQ"
                                             : "exception from a lower EL";
    /* A thread below its stack limit ran into the guard page: say so by name
     * (panic adds the thread), the way the x86 split-stack check does. */
    bool on_thread = !(r->pstate & 1);
    if (kind == KIND_SYNC && on_thread && arm64_stack_limit && r->sp < arm64_stack_limit)
        panic("stack overflow: sp %#lx is below the thread's stack limit %#lx (%s at pc %#lx)",
              r->sp, arm64_stack_limit, name, r->pc);
    printk("\n*** CPU exception: %s (EC %#x) at %016lx\n", name, ec, r->pc);
    if (kind == KIND_SYNC && (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25))
        describe_abort(r, ec);
    dump_regs(r);
    printk("Backtrace:\n  [<%016lx>] (faulting instruction)\n", r->pc);
    arch_backtrace((const void *)r->x[29], 24);
    panic("fatal %s at pc %016lx", name, r->pc);
}

void arm64_handle_exception(struct arm64_regs *regs, unsigned kind)
{
    if (kind == KIND_IRQ) {
        handle_irq();
        return;
    }
    fatal(regs, kind);
}

/* ---------------------------------------------------------------- backtrace */

static bool frame_ok(uintptr_t fp)
{
    return fp >= PAGE_SIZE && (fp & 15) == 0 && fp + 16 <= arm64_ram_size;
}

/* AAPCS64 frame records: fp -> {previous fp, return address}. */
void arch_backtrace(const void *fp, int max)
{
    const uintptr_t *frame = fp;
    for (int depth = 0; depth < max && frame_ok((uintptr_t)frame); depth++) {
        uintptr_t ret = frame[1];
        if (ret == 0)
            break;
        printk("  [<%016lx>]\n", (unsigned long)ret);
        const uintptr_t *next = (const uintptr_t *)frame[0];
        if (next == frame)
            break;
        frame = next;
    }
}
