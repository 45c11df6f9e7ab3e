/* The guest's interrupt controller, just enough for two private (per-CPU)
 * interrupts: Xen's event-channel PPI and the virtual timer's.
 *
 * Xen gives a guest a virtual GIC of the host's version. GICv3: the
 * distributor and our redistributor are emulated by Xen (every register
 * access traps, so accesses are plain 32-bit loads/stores without
 * write-back addressing, which Xen's emulation needs); the CPU interface is
 * the ICC_* system registers, handled by the hardware's virtual interface.
 * GICv2: the distributor is emulated, the CPU interface (GICC) is real
 * hardware mapped into our address space.
 *
 * Acknowledge (IAR) returns the interrupt; end of interrupt (EOIR) both
 * drops the priority and deactivates it (EOImode 0). */
#include <minios/console.h>
#include <minios/panic.h>
#include <libfdt.h>
#include "arm64.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400
#define GICR_WAKER 0x014
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x100)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x400)
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010

#define IRQ_PRIORITY 0xa0

static int version; /* 2 or 3 */
static volatile uint8_t *gicd, *gicr, *gicc;

static uint32_t mmio_read(volatile uint8_t *base, unsigned off)
{
    uint32_t v;
    __asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(base + off) : "memory");
    return v;
}

static void mmio_write(volatile uint8_t *base, unsigned off, uint32_t v)
{
    __asm__ __volatile__("str %w0, [%1]" : : "r"(v), "r"(base + off) : "memory");
}

#define SYSREG_WRITE(reg, v) __asm__ __volatile__("msr " reg ", %0" : : "r"((uint64_t)(v)))
#define SYSREG_READ(reg)                                                               \
    ({                                                                                 \
        uint64_t __v;                                                                  \
        __asm__ __volatile__("mrs %0, " reg : "=r"(__v));                              \
        __v;                                                                           \
    })

/* ICC_* registers by encoding, so no assembler GICv3 support is needed. */
#define ICC_PMR_EL1 "s3_0_c4_c6_0"
#define ICC_IAR1_EL1 "s3_0_c12_c12_0"
#define ICC_EOIR1_EL1 "s3_0_c12_c12_1"
#define ICC_BPR1_EL1 "s3_0_c12_c12_3"
#define ICC_CTLR_EL1 "s3_0_c12_c12_4"
#define ICC_SRE_EL1 "s3_0_c12_c12_5"
#define ICC_IGRPEN1_EL1 "s3_0_c12_c12_7"

int arm64_dt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
    int parent = fdt_parent_offset(fdt, node), len;
    int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || (index + 1) * (ac + sc) * 4 > len)
        return -1;
    reg += index * (ac + sc);
    *base = fdt32_to_cpu(reg[0]);
    if (ac == 2)
        *base = (*base << 32) | fdt32_to_cpu(reg[1]);
    *size = fdt32_to_cpu(reg[ac]);
    if (sc == 2)
        *size = (*size << 32) | fdt32_to_cpu(reg[ac + 1]);
    return 0;
}

static void init_v3(void)
{
    uint64_t sre = SYSREG_READ(ICC_SRE_EL1);
    if (!(sre & 1)) {
        SYSREG_WRITE(ICC_SRE_EL1, sre | 1);
        __asm__ __volatile__("isb");
        if (!(SYSREG_READ(ICC_SRE_EL1) & 1))
            panic("GICv3 without the system register interface is not supported");
    }
    /* Distributor: affinity routing, group 1 on. */
    mmio_write(gicd, GICD_CTLR, (1u << 4) | (1u << 1));
    /* Wake our redistributor up. */
    mmio_write(gicr, GICR_WAKER, mmio_read(gicr, GICR_WAKER) & ~(1u << 1));
    for (int i = 0; i < 1000000 && (mmio_read(gicr, GICR_WAKER) & (1u << 2)); i++)
        ;
    SYSREG_WRITE(ICC_PMR_EL1, 0xff);
    SYSREG_WRITE(ICC_BPR1_EL1, 0);
    SYSREG_WRITE(ICC_CTLR_EL1, 0);
    SYSREG_WRITE(ICC_IGRPEN1_EL1, 1);
    __asm__ __volatile__("isb");
}

static void init_v2(void)
{
    mmio_write(gicd, GICD_CTLR, 1);
    mmio_write(gicc, GICC_PMR, 0xff);
    mmio_write(gicc, GICC_CTLR, 1);
}

int arm64_gic_init(const void *fdt)
{
    uint64_t b0, s0, b1, s1;
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
    version = 3;
    if (node < 0) {
        version = 2;
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
        if (node < 0)
            node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-400");
    }
    if (node < 0 || arm64_dt_reg(fdt, node, 0, &b0, &s0) || arm64_dt_reg(fdt, node, 1, &b1, &s1))
        return -1;
    gicd = arm64_map_device(b0, s0);
    if (version == 3) {
        gicr = arm64_map_device(b1, 2 * GICR_SGI_BASE); /* vCPU 0's two frames */
        init_v3();
    } else {
        gicc = arm64_map_device(b1, s1);
        init_v2();
    }
    return 0;
}

const char *arm64_gic_name(void)
{
    return version == 3 ? "GICv3" : "GICv2";
}

void arm64_gic_enable_ppi(unsigned intid)
{
    unsigned shift = (intid % 4) * 8;
    if (version == 3) {
        mmio_write(gicr, GICR_IGROUPR0, mmio_read(gicr, GICR_IGROUPR0) | (1u << intid));
        uint32_t prio = mmio_read(gicr, GICR_IPRIORITYR + intid / 4 * 4);
        prio = (prio & ~(0xffu << shift)) | ((uint32_t)IRQ_PRIORITY << shift);
        mmio_write(gicr, GICR_IPRIORITYR + intid / 4 * 4, prio);
        mmio_write(gicr, GICR_ISENABLER0, 1u << intid);
    } else {
        uint32_t prio = mmio_read(gicd, GICD_IPRIORITYR + intid / 4 * 4);
        prio = (prio & ~(0xffu << shift)) | ((uint32_t)IRQ_PRIORITY << shift);
        mmio_write(gicd, GICD_IPRIORITYR + intid / 4 * 4, prio);
        mmio_write(gicd, GICD_ISENABLER, 1u << intid);
    }
}

unsigned arm64_gic_ack(void)
{
    if (version == 3) {
        unsigned intid = (unsigned)SYSREG_READ(ICC_IAR1_EL1) & 0xffffff;
        __asm__ __volatile__("dsb sy" ::: "memory");
        return intid;
    }
    return mmio_read(gicc, GICC_IAR) & 0x3ff;
}

void arm64_gic_eoi(unsigned intid)
{
    if (version == 3) {
        SYSREG_WRITE(ICC_EOIR1_EL1, intid);
        __asm__ __volatile__("isb");
    } else {
        mmio_write(gicc, GICC_EOIR, intid);
    }
}
