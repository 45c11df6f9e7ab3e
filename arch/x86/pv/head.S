/* x86_64 PV boot: the Xen ELF notes that tell the domain builder how to load
 * us, the entry point, the hypercall page and the boot stack.
 *
 * We are linked at virtual address 0 and Xen maps pseudo-physical memory 1:1
 * from there (VIRT_BASE = PADDR_OFFSET = 0), so a pointer's value is also its
 * pseudo-physical address. Page 0 holds only _start; it is unmapped once we
 * are up so that NULL dereferences fault. */
#include <xen/elfnote.h>
#include <xen/xen.h>

#include "../asm.h"

XEN_NOTE(XEN_ELFNOTE_GUEST_OS, .asciz "stubos")
XEN_NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
XEN_NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
XEN_NOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
XEN_NOTE(XEN_ELFNOTE_VIRT_BASE, .quad 0)
XEN_NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
XEN_NOTE(XEN_ELFNOTE_ENTRY, .quad _start)
XEN_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
XEN_NOTE(XEN_ELFNOTE_FEATURES, .asciz "!writable_page_tables")
XEN_NOTE(XEN_ELFNOTE_SUSPEND_CANCEL, .long 1)

    .section .text.entry, "ax"
    .globl _start
_start:
    /* Xen enters with %rsi = start_info and a small boot stack. Note the
     * TSC first so the kernel can report entry-to-main time. */
    cld
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, boot_entry_cycles(%rip)
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp              /* terminates frame-pointer backtraces */
    /* Compiled code checks %rsp against %fs:0x70 on function entry
     * (-fsplit-stack, see x86_stack_overflow): point %fs at our CPU area
     * before the first C function runs. */
    mov %rsi, %rbx
    mov $SEGBASE_FS, %edi
    lea x86_cpu_area(%rip), %rsi
    call hypercall_page + __HYPERVISOR_set_segment_base * 32
    mov %rbx, %rdi
    call x86_pv_start
    ud2

    /* Filled by Xen with 32-byte hypercall stubs. */
    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc

    .section .bss.boot_stack, "aw", @nobits
    .balign 4096
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
