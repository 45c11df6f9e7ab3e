/* PVH-private declarations (arch/x86/pvh/). */
#ifndef ARCH_X86_PVH_H
#define ARCH_X86_PVH_H

#include <minios/types.h>

#define PVH_EVENT_VECTOR 0xf3
#define PVH_MAPPED_BYTES (4ULL << 30) /* head.S identity-maps the low 4 GiB */
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

void pvh_trap_0(void), pvh_trap_1(void), pvh_trap_2(void), pvh_trap_3(void);
void pvh_trap_4(void), pvh_trap_5(void), pvh_trap_6(void), pvh_trap_7(void);
void pvh_trap_8(void), pvh_trap_9(void), pvh_trap_10(void), pvh_trap_11(void);
void pvh_trap_12(void), pvh_trap_13(void), pvh_trap_14(void), pvh_trap_15(void);
void pvh_trap_16(void), pvh_trap_17(void), pvh_trap_18(void), pvh_trap_19(void);
void pvh_trap_spurious(void), pvh_event_entry(void);

void pvh_unmap_null_page(void);

#endif
