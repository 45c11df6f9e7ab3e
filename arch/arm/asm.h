/* Constants shared by the arm64 assembly and C files. */
#ifndef ARCH_ARM_ASM_H
#define ARCH_ARM_ASM_H

/* MAIR_EL1 attribute slots (AttrIndx in page-table entries). */
#define MT_NORMAL 0       /* Normal, inner/outer write-back, read/write-allocate */
#define MT_DEVICE_nGnRE 1 /* device registers */
#define MAIR_VALUE ((0xff << (8 * MT_NORMAL)) | (0x04 << (8 * MT_DEVICE_nGnRE)))

/* SCTLR_EL1 bits we set when turning the MMU on: M (MMU), C (data cache),
 * SA (SP alignment check), I (instruction cache), WXN (writable implies
 * execute-never), and the bits that are RES1 on ARMv8.0 (11, 20, 22, 23, 28,
 * 29). A (alignment check) stays off. */
#define SCTLR_SET                                                                      \
    ((1 << 0) | (1 << 2) | (1 << 3) | (1 << 12) | (1 << 19) | (1 << 11) | (1 << 20) |  \
     (1 << 22) | (1 << 23) | (1 << 28) | (1 << 29))
#define SCTLR_CLEAR (1 << 1)

/* Exception frame built by entry.S (struct arm64_regs in arm64.h):
 * x0-x30, sp, pc, pstate, esr, far, and a frame record {fp, pc} that links
 * backtraces through the exception. */
#define FRAME_SIZE (38 * 8)
#define FRAME_SP (31 * 8)
#define FRAME_PC (32 * 8)
#define FRAME_PSTATE (33 * 8)
#define FRAME_ESR (34 * 8)
#define FRAME_FAR (35 * 8)
#define FRAME_RECORD (36 * 8)

/* Kinds of exception entry, as passed to arm64_handle_exception. */
#define KIND_SYNC 0
#define KIND_IRQ 1
#define KIND_FIQ 2
#define KIND_SERROR 3
#define KIND_LOWER_EL 4

#ifdef __ASSEMBLY__
/* PC-relative address of sym within +-4 GiB (adr alone reaches +-1 MiB). */
.macro adr_l reg, sym
    adrp \reg, \sym
    add \reg, \reg, :lo12:\sym
.endm
#endif

#endif
