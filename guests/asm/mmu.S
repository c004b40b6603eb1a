// mmu: stage 1 translation at EL1, end to end.
//
// Builds 4 KiB-granule page tables (TCR_EL1.T0SZ = 32: a 4 GiB VA space, walks start
// at level 1), identity-maps the UART (Device-nGnRnE) and the first 2 MiB of RAM
// (Normal write-back) and turns the MMU on. Then, with VA 0x4020_0000.. mapped by a
// level 3 table:
//   - an unaligned load from Normal memory succeeds (it would fault on Device memory);
//   - a store through an alias page is seen at the page's identity address;
//   - faults: write to a read-only page (permission, level 3), an invalid level 3
//     entry (translation, level 3), AF = 0 (access flag, level 3), an invalid level 2
//     entry, an invalid level 1 entry, and a branch into a PXN page (instruction abort);
//     the EL1 handler prints EC, WnR, the fault status code and FAR, then resumes;
//   - remapping the alias page after TLBI VAE1 makes the new page visible.
// Only architecturally fixed syndrome fields are printed (ISV is IMPLEMENTATION
// DEFINED-ish for stage 1 and differs between implementations).
// Ends with semihosting SYS_EXIT_EXTENDED, status 0.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    adr x0, stack_top
    mov sp, x0
    adr x0, vectors
    msr vbar_el1, x0
    isb

    // Level 1: [0] 1 GiB Device-nGnRnE block at 0 (UART), [1] -> level 2, [2],[3] invalid.
    adr x20, l1_table
    adr x21, l2_table
    adr x22, l3_table
    movz x0, #0x0401             // block | AF | AttrIndx 0
    str x0, [x20]
    orr x0, x21, #3              // table
    str x0, [x20, #8]
    // Level 2: [0] 2 MiB Normal block at 0x4000_0000 (this image), [1] -> level 3, [2] invalid.
    movz x0, #0x0705             // block | AttrIndx 1 | SH inner | AF
    movk x0, #0x4000, lsl #16
    str x0, [x21]
    orr x0, x22, #3
    str x0, [x21, #8]
    // Level 3, VA 0x4020_0000 + n * 4 KiB:
    adr x23, page_a
    adr x24, page_b
    add x0, x23, #0x707          // [0] page_a, read/write
    str x0, [x22]
    add x0, x23, #0x787          // [1] page_a, read-only (AP[2] = 1)
    str x0, [x22, #8]
    //                              [2] invalid
    add x0, x23, #0x307          // [3] page_a, AF = 0
    str x0, [x22, #24]
    adr x0, code_page
    add x0, x0, #0x707           // [4] code_page, PXN
    movk x0, #0x0020, lsl #48
    str x0, [x22, #32]

    movz x0, #0xff00             // MAIR_EL1: Attr0 = Device-nGnRnE, Attr1 = Normal WB
    msr mair_el1, x0
    // TCR_EL1: T0SZ = 32, IRGN0 = ORGN0 = WB, SH0 = inner, TG0 = 4 KiB, EPD1 = 1, IPS = 4 GiB.
    movz x0, #0x3520
    movk x0, #0x0080, lsl #16
    msr tcr_el1, x0
    msr ttbr0_el1, x20
    dsb ish
    tlbi vmalle1
    dsb ish
    isb
    mrs x0, sctlr_el1
    movz x1, #0x1005             // M | C | I
    orr x0, x0, x1
    msr sctlr_el1, x0
    isb
    adr x0, s_on
    bl puts

    // Unaligned load from Normal memory.
    adr x0, s_unaligned
    bl puts
    ldr x0, [x23, #1]
    bl puthex64

    // Store through the alias VA, load at the identity address.
    movz x25, #0x4020, lsl #16   // VA of level 3 entry [0]
    movz x0, #0xbeef
    movk x0, #0xdead, lsl #16
    str x0, [x25, #16]
    adr x0, s_alias
    bl puts
    ldr x0, [x23, #16]
    bl puthex64

    adr x0, s_ro
    bl puts
    str x0, [x25, #0x1000]       // read-only page: permission fault, level 3
    adr x0, s_l3
    bl puts
    ldr x0, [x25, #0x2000]       // invalid level 3 entry: translation fault, level 3
    adr x0, s_af
    bl puts
    movz x1, #0x4020, lsl #16
    movk x1, #0x3008
    ldr x0, [x1]                 // AF = 0: access flag fault, level 3
    adr x0, s_l2
    bl puts
    movz x1, #0x4040, lsl #16
    ldrb w0, [x1, #5]            // invalid level 2 entry: translation fault, level 2
    adr x0, s_l1
    bl puts
    movz x1, #0x8000, lsl #16
    str w0, [x1]                 // invalid level 1 entry: translation fault, level 1
    adr x0, s_pxn
    bl puts
    movz x1, #0x4020, lsl #16
    movk x1, #0x4000
    blr x1                       // PXN page: instruction abort (handler returns to x30)

    // Point entry [0] at page_b; after TLBI VAE1 the alias shows page_b.
    add x0, x24, #0x707
    str x0, [x22]
    dsb ishst
    lsr x0, x25, #12
    tlbi vae1, x0
    dsb ish
    isb
    adr x0, s_remap
    bl puts
    ldr x0, [x25]
    bl puthex64

    adr x0, s_done
    bl puts
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

// Synchronous exception at EL1: print the fault, resume after it.
el1_sync:
    stp x0, x1, [sp, #-64]!
    stp x2, x3, [sp, #16]
    stp x4, x30, [sp, #32]
    stp x5, x6, [sp, #48]
    mrs x5, esr_el1
    adr x0, s_ec
    bl puts
    lsr x0, x5, #26              // EC
    mov x1, #2
    bl puthex
    adr x0, s_wnr
    bl puts
    ubfx x0, x5, #6, #1          // WnR
    mov x1, #1
    bl puthex
    adr x0, s_fsc
    bl puts
    and x0, x5, #0x3f            // DFSC / IFSC
    mov x1, #2
    bl puthex
    adr x0, s_far
    bl puts
    mrs x0, far_el1
    bl puthex64
    lsr x0, x5, #26
    cmp x0, #0x25                // Data Abort, same EL: skip the instruction
    b.ne not_data
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
    b resume
not_data:
    cmp x0, #0x21                // Instruction Abort, same EL: return to the caller
    b.ne fatal
    ldr x0, [sp, #40]            // the interrupted x30
    msr elr_el1, x0
resume:
    ldp x5, x6, [sp, #48]
    ldp x4, x30, [sp, #32]
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #64
    eret
fatal:
    adr x1, exit_fail
    mov x0, #0x20
    hlt #0xf000
    b hang

    .include "lib/puts.inc"

    .include "lib/puthex.inc"

s_on:        .asciz "mmu: stage 1 on (4 KiB granule, 4 GiB VA)\n"
s_unaligned: .asciz "unaligned load from Normal memory: 0x"
s_alias:     .asciz "store via alias, load via identity map: 0x"
s_ro:        .asciz "store to a read-only page:\n"
s_l3:        .asciz "load from an invalid level 3 entry:\n"
s_af:        .asciz "load from a page with AF = 0:\n"
s_l2:        .asciz "load from an invalid level 2 entry:\n"
s_l1:        .asciz "store to an invalid level 1 entry:\n"
s_pxn:       .asciz "branch to a PXN page:\n"
s_remap:     .asciz "alias remapped to page_b after TLBI VAE1: 0x"
s_done:      .asciz "done\n"
s_ec:        .asciz "  fault: EC=0x"
s_wnr:       .asciz " WnR="
s_fsc:       .asciz " FSC=0x"
s_far:       .asciz " FAR=0x"
s_newline:   .asciz "\n"

    .balign 8
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0
exit_fail:
    .quad 0x20026
    .quad 1

    .balign 16
    .skip 2048
stack_top:

// Vector table: every entry is the same-EL handler (only SP_ELx sync is expected).
    .balign 0x800
vectors:
    b el1_sync
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b el1_sync                   // current EL with SP_ELx: synchronous (0x200)
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal

    .balign 4096
l1_table:
    .skip 4096
l2_table:
    .skip 4096
l3_table:
    .skip 4096
page_a:
    .quad 0x0706050403020100
    .quad 0x0f0e0d0c0b0a0908
    .skip 4080
page_b:
    .quad 0xb0b0b0b0b0b0b0b0
    .skip 4088
code_page:
    ret                          // never runs: the alias of this page is PXN
    .skip 4092
