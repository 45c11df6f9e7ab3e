/* x86_64 PVH boot. Xen enters at pvh_start32 in 32-bit protected mode with
 * paging off and %ebx = physical address of struct hvm_start_info. We build
 * identity page tables (virtual == guest physical, 2 MiB pages over the low
 * 4 GiB), switch to long mode and call x86_pvh_start(). */
#include <xen/elfnote.h>

#include "../asm.h"

XEN_NOTE(XEN_ELFNOTE_GUEST_OS, .asciz "stubos")
XEN_NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
XEN_NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
XEN_NOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long pvh_start32)

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define MSR_FS_BASE 0xc0000100
#define PTE_PRESENT_RW 0x3
#define PDE_LARGE 0x83          /* present, writable, 2 MiB page */

    .section .text.entry, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cld
    rdtsc
    movl %eax, boot_entry_cycles
    movl %edx, boot_entry_cycles + 4
    movl %ebx, pvh_start_info_paddr
    movl $boot_stack_top, %esp

    /* pml4[0] -> pdpt; pdpt[0..3] -> pd0..pd3; pdN[i] maps N GiB + i*2 MiB */
    movl $pvh_pdpt + PTE_PRESENT_RW, pvh_pml4
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $12, %eax
    addl $pvh_pd + PTE_PRESENT_RW, %eax
    movl %eax, pvh_pdpt(, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jne 1b
    xorl %ecx, %ecx             /* 2048 entries of 2 MiB = 4 GiB */
2:  movl %ecx, %eax
    shll $21, %eax
    orl $PDE_LARGE, %eax
    movl %eax, pvh_pd(, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax              /* bits 32+ of the address */
    movl %eax, pvh_pd + 4(, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    movl %cr4, %eax
    orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl %eax, %cr4
    movl $pvh_pml4, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $(EFER_LME | EFER_NXE), %eax
    wrmsr
    movl %cr0, %eax
    andl $~0xc, %eax            /* EM and TS off: the FPU is ours */
    orl $(CR0_PE | CR0_MP | CR0_WP | CR0_PG), %eax
    movl %eax, %cr0
    lgdt pvh_gdt_desc
    ljmp $0x08, $pvh_start64

    .code64
pvh_start64:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    /* %fs:0x70 is the stack limit the split-stack prologues check */
    movl $MSR_FS_BASE, %ecx
    leaq x86_cpu_area(%rip), %rax
    movq %rax, %rdx
    shrq $32, %rdx
    wrmsr
    movl pvh_start_info_paddr(%rip), %edi
    call x86_pvh_start
    ud2

    .section .data
    .balign 16
    .globl pvh_gdt
pvh_gdt:
    .quad 0                     /* null */
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
    .quad 0, 0                  /* 0x18: TSS, filled in by x86_pvh_start */
pvh_gdt_end:
pvh_gdt_desc:
    .word pvh_gdt_end - pvh_gdt - 1
    .long pvh_gdt

    .section .data
    .balign 8
pvh_start_info_paddr:
    .long 0

    /* The hypercall page: filled by Xen when we tell it the address (MSR). */
    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc

    .section .bss.boot_stack, "aw", @nobits
    .balign 4096
    .globl boot_stack, boot_stack_top, pvh_pml4, pvh_pdpt, pvh_pd
pvh_pml4:
    .skip 4096
pvh_pdpt:
    .skip 4096
pvh_pd:
    .skip 4 * 4096
boot_stack:
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
