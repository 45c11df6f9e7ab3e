/* arm64 boot: the Linux "Image" header Xen's domain builder looks for, and
 * the path from Xen's entry (EL1, MMU and caches off, x0 = guest DTB) to C
 * with the MMU on.
 *
 * Until the MMU is on every address is a guest physical address (IPA) and
 * the code runs wherever Xen put it (RAM base + text_offset). Only
 * PC-relative addressing (adr/adrp) is used, so the C code called here
 * (arm64_mmu_early) reaches its data at the physical address. Once the
 * tables are live we branch to our link address (RAM is mapped at VA 0,
 * arch/arm/mmu.c) and drop the temporary identity map. */
#include "asm.h"

    .section .text.head, "ax"
    .globl _start
_start:
    /* Image header (Linux Documentation/arch/arm64/booting.rst), 64 bytes. */
    b       primary_entry           /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset: load at the start of RAM */
    .quad   _image_size             /* image_size, bss and all (arm64.lds) */
    .quad   0x2                     /* flags: little-endian, 4 KiB pages */
    .quad   0, 0, 0                 /* reserved */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* no PE header */

    .section .text.entry, "ax"
primary_entry:
    mrs     x20, cntvct_el0         /* entry time, before anything else */
    mov     x19, x0                 /* the DTB's IPA */
    msr     daifset, #0xf           /* nothing may interrupt the set-up */

    /* Exceptions before the MMU is on land here too (physical address). */
    adr_l   x1, arm64_vectors
    msr     vbar_el1, x1
    /* Physical address of VA 0: where we were loaded, minus text_offset 0. */
    adr_l   x21, _start_image

    /* Zero bss with plain stores (the MMU is off: memory is Device type,
     * so no "dc zva" and only aligned accesses). */
    adr_l   x1, __bss_start
    adr_l   x2, __bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:  adr_l   x1, boot_entry_cycles    /* in bss: store it once bss is clear */
    str     x20, [x1]
    adr_l   x1, exception_stack_top
    mov     sp, x1
    mov     x0, x21
    mov     x1, x19
    bl      arm64_mmu_early         /* builds the page tables, returns TTBR0 */
    mov     x22, x0

    /* Data written with the MMU off went straight to memory; drop any stale
     * cache lines Xen's loading left over the image, bss and the tables, so
     * the first cacheable reads see memory. */
    adr_l   x0, _start_image
    adr_l   x1, arm64_boot_alloc_end
    ldr     x1, [x1]
    bl      arm64_dcache_inval_range
    ic      iallu
    dsb     sy
    isb

    ldr     x0, =MAIR_VALUE
    msr     mair_el1, x0
    adr_l   x0, arm64_tcr_value
    ldr     x0, [x0]
    msr     tcr_el1, x0
    msr     ttbr0_el1, x22
    msr     ttbr1_el1, xzr
    /* FP/SIMD on for applications (the kernel itself never uses it). */
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mrs     x0, sctlr_el1
    ldr     x1, =SCTLR_SET
    orr     x0, x0, x1
    ldr     x1, =SCTLR_CLEAR
    bic     x0, x0, x1
    msr     sctlr_el1, x0
    isb
    /* Still running at the physical address, through the identity map. */
    ldr     x0, =virtual_entry
    br      x0

virtual_entry:
    adr_l   x0, arm64_vectors
    msr     vbar_el1, x0
    adr_l   x0, exception_stack_top
    mov     sp, x0                  /* SP_EL1: exceptions and interrupts */
    msr     spsel, #0
    adr_l   x0, boot_stack_top
    mov     sp, x0                  /* SP_EL0: the boot thread */
    mov     x29, xzr                /* ends frame-pointer backtraces */
    mov     x30, xzr
    isb
    mov     x0, x21
    mov     x1, x19
    bl      arm64_start             /* never returns */
3:  wfi
    b       3b
    .ltorg

/* Invalidate data cache lines covering [x0, x1) to the point of coherency. */
    .globl arm64_dcache_inval_range
arm64_dcache_inval_range:
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4         /* DminLine: log2 of words per line */
    mov     x2, #4
    lsl     x2, x2, x3              /* line size in bytes */
    sub     x3, x2, #1
    bic     x0, x0, x3
4:  cmp     x0, x1
    b.hs    5f
    dc      ivac, x0
    add     x0, x0, x2
    b       4b
5:  dsb     sy
    ret

    .section .bss.page_aligned, "aw", @nobits
    .balign 4096
    .globl boot_stack, boot_stack_top, exception_stack, exception_stack_top
boot_stack:
    .skip   16384
boot_stack_top:
exception_stack:
    .skip   16384
exception_stack_top:

    .section .note.GNU-stack, "", @progbits
