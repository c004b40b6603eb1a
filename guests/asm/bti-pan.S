// bti-pan: FEAT_BTI and FEAT_PAN at EL1 with the MMU on, compared with QEMU -cpu max (a64hv
// --cpu max). Page tables as mmu.S (4 KiB granule, T0SZ = 32); VA 0x4020_0000 + n * 4 KiB by a
// level 3 table:
//   [0] user_page: data, AP = 01 (EL1 and EL0 read/write), UXN, PXN
//   [1] gp_page: code, EL1 executable, GP = 1 (guarded)
//   [2] gp_page again, GP = 0 (the same code, not guarded)
// BTI: every kind of landing pad in gp_page (BTI c, BTI j, BTI jc, PACIASP, a plain NOP) is
// reached with each PSTATE.BTYPE: BLR (10), BR from a non-guarded page (01), BR Xn from a guarded
// page (11, through a trampoline in gp_page), BR X16 from a guarded page (01), RET (00), and the
// same targets through the non-guarded alias. A Branch Target exception prints EC 0x0d, its ISS
// (BTYPE) and ELR. SCTLR_EL1.BT0/BT1 = 0 (PACIASP is a landing pad for BTYPE 11 too).
// PAN: ID_AA64MMFR1_EL1.PAN, EL1 loads/stores to user_page with PSTATE.PAN 0 and 1 (permission
// fault, level 3), LDTR/STTR exempt, PSTATE.PAN on exception entry with SCTLR_EL1.SPAN 0 and 1
// (the handler prints PAN as it finds it).
// Ends with semihosting SYS_EXIT_EXTENDED, status 0 (2 at once without FEAT_BTI and FEAT_PAN). Same syntax rules as hello.S (the PAN and
// hint-space instructions are spelled as .word or hint #n for keystone).
    .global _start
_start:
    adr x0, stack_top
    mov sp, x0
    adr x0, vectors
    msr vbar_el1, x0
    isb
    // Without FEAT_BTI and FEAT_PAN (e.g. QEMU cortex-a57, a64hv --cpu a57) say so and exit 2.
    mrs x0, id_aa64pfr1_el1
    ands x0, x0, #0xf
    b.eq no_features
    mrs x0, id_aa64mmfr1_el1
    ands x0, x0, #0xf00000
    b.eq no_features

    adr x20, l1_table
    adr x21, l2_table
    adr x22, l3_table
    movz x0, #0x0401             // L1[0]: 1 GiB Device-nGnRnE block at 0 (UART)
    str x0, [x20]
    orr x0, x21, #3              // L1[1] -> L2
    str x0, [x20, #8]
    movz x0, #0x0705             // L2[0]: 2 MiB Normal block at 0x4000_0000, EL1 RW, executable
    movk x0, #0x4000, lsl #16
    str x0, [x21]
    orr x0, x22, #3              // L2[1] -> L3
    str x0, [x21, #8]
    adr x23, user_page
    add x0, x23, #0x747          // [0] user_page: AF | SH | AP = 01 | AttrIndx 1 | page
    movk x0, #0x0060, lsl #48    // UXN | PXN
    str x0, [x22]
    adr x24, gp_page
    add x0, x24, #0x707          // [1] gp_page: EL1 only, PXN = 0
    movk x0, #0x0044, lsl #48    // UXN (54) | GP (50)
    str x0, [x22, #8]
    add x0, x24, #0x707          // [2] gp_page not guarded
    movk x0, #0x0040, lsl #48    // UXN
    str x0, [x22, #16]

    movz x0, #0xff00             // MAIR_EL1: Attr0 = Device-nGnRnE, Attr1 = Normal WB
    msr mair_el1, x0
    movz x0, #0x3520             // TCR_EL1 as mmu.S
    movk x0, #0x0080, lsl #16
    msr tcr_el1, x0
    msr ttbr0_el1, x20
    dsb ish
    tlbi vmalle1
    dsb ish
    isb
    // SCTLR_EL1: RES1 bits, M | C | I, SPAN = 1 (PAN kept on exception entry), BT0 = BT1 = 0.
    movz x0, #0x1805
    movk x0, #0x30d0, lsl #16
    msr sctlr_el1, x0
    isb
    adr x0, s_on
    bl puts

    // ---- BTI
    adr x0, s_pfr1
    bl puts
    mrs x0, id_aa64pfr1_el1
    and x0, x0, #0xf
    bl puthex64
    movz x25, #0x4020, lsl #16
    movk x25, #0x1000            // x25 = VA of gp_page (guarded)
    movz x26, #0x4020, lsl #16
    movk x26, #0x2000            // x26 = VA of its non-guarded alias
    mov x27, #0                  // target offset: 0 BTI c, 0x40 BTI j, 0x80 BTI jc, 0xc0 PACIASP, 0x100 NOP
bti_loop:
    adr x0, s_target
    bl puts
    mov x0, x27
    mov x1, #3
    bl puthex
    adr x0, s_newline
    bl puts
    adr x0, s_blr
    bl puts                      // (clobbers x0-x3: targets are computed after it)
    add x1, x25, x27             // guarded target
    blr x1
    adr x0, s_ok
    bl puts
    adr x0, s_br
    bl puts
    add x1, x25, x27
    adr x30, bti_br_back
    br x1
bti_br_back:
    adr x0, s_ok
    bl puts
    adr x0, s_br11
    bl puts
    add x1, x25, x27
    add x2, x25, #0x200          // trampoline: BTI c; BR x1 (from a guarded page: BTYPE 11)
    blr x2
    adr x0, s_ok
    bl puts
    adr x0, s_br16
    bl puts
    add x16, x25, x27
    add x2, x25, #0x240          // trampoline: BTI c; BR x16 (BTYPE 01)
    blr x2
    adr x0, s_ok
    bl puts
    adr x0, s_blr_ng
    bl puts
    add x1, x26, x27             // the same code, not guarded
    blr x1
    adr x0, s_ok
    bl puts
    add x27, x27, #0x40
    cmp x27, #0x140
    b.ne bti_loop
    // RET (BTYPE 00) into guarded code that is not a landing pad.
    adr x0, s_ret
    bl puts
    add x30, x25, #0x280         // NOP; BR x1 back to ret_back
    adr x1, ret_back
    ret
ret_back:
    adr x0, s_ok
    bl puts

    // ---- PAN
    adr x0, s_mmfr1
    bl puts
    mrs x0, id_aa64mmfr1_el1
    ubfx x0, x0, #20, #4
    cmp x0, #0
    cset x0, ne                  // implemented (QEMU has PAN2 = 2, a64hv 1: only FEAT_PAN is used here)
    bl puthex64
    movz x25, #0x4020, lsl #16   // x25 = VA of user_page
    movz x0, #0x5678
    movk x0, #0x1234, lsl #16
    str x0, [x23]
    .word 0xd500409f             // msr pan, #0
    adr x0, s_pan0
    bl puts
    ldr x0, [x25]
    bl puthex64
    .word 0xd500419f             // msr pan, #1
    adr x0, s_pan1
    bl puts
    .word 0xd5384260             // mrs x0, pan
    bl puthex64
    adr x0, s_ld1
    bl puts
    ldr x0, [x25]                // permission fault (handler skips it)
    adr x0, s_st1
    bl puts
    str x0, [x25, #8]            // permission fault, WnR = 1
    adr x0, s_ldtr
    bl puts
    ldtr x0, [x25]               // unprivileged: allowed
    bl puthex64
    adr x0, s_sttr
    bl puts
    movz x1, #0xabcd
    sttr x1, [x25, #16]
    ldtr x0, [x25, #16]
    bl puthex64
    // Exception entry: SPAN = 1 keeps PAN (1), SPAN = 0 sets it (from 0).
    adr x0, s_svc_span1
    bl puts
    svc #1
    .word 0xd500409f             // msr pan, #0
    adr x0, s_svc_span1
    bl puts
    svc #2
    mrs x0, sctlr_el1
    and x0, x0, #0xffffffffff7fffff  // SPAN = 0
    msr sctlr_el1, x0
    isb
    adr x0, s_svc_span0
    bl puts
    svc #3
    adr x0, s_after
    bl puts
    .word 0xd5384260             // mrs x0, pan: ERET restored SPSR.PAN = 0
    bl puthex64

    adr x0, s_done
    bl puts
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang
no_features:
    adr x0, s_nofeat
    bl puts
    adr x1, exit_nofeat
    mov x0, #0x20
    hlt #0xf000
    b hang

// Synchronous exception at EL1: print EC, ISS[24:0] and the PAN bit found, then resume.
el1_sync:
    stp x0, x1, [sp, #-64]!
    stp x2, x3, [sp, #16]
    stp x4, x30, [sp, #32]
    stp x5, x6, [sp, #48]
    .word 0xd5384264             // mrs x4, pan (as the exception entry left it; puthex keeps x4)
    mrs x5, esr_el1
    adr x0, s_ec
    bl puts
    lsr x0, x5, #26
    mov x1, #2
    bl puthex
    adr x0, s_iss
    bl puts
    and x0, x5, #0x1ffffff
    mov x1, #7
    bl puthex
    adr x0, s_pan
    bl puts
    ubfx x0, x4, #22, #1
    mov x1, #1
    bl puthex
    lsr x0, x5, #26
    cmp x0, #0x25                // Data Abort: FAR, skip the instruction
    b.ne not_data
    adr x0, s_far
    bl puts
    mrs x0, far_el1
    bl puthex64
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
    b resume
not_data:
    cmp x0, #0x0d                // Branch Target: ELR offset in the page, return to x30
    b.ne not_bti
    adr x0, s_elr
    bl puts
    mrs x0, elr_el1
    and x0, x0, #0xffff
    mov x1, #4
    bl puthex
    adr x0, s_newline
    bl puts
    ldr x0, [sp, #40]            // the interrupted x30
    msr elr_el1, x0
    mrs x0, spsr_el1
    and x0, x0, #0xfffffffffffff3ff  // BTYPE = 0
    msr spsr_el1, x0
    b resume
not_bti:
    cmp x0, #0x15                // SVC: return after it
    b.ne fatal
    adr x0, s_newline
    bl puts
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

s_on:        .asciz "bti-pan: stage 1 on\n"
s_nofeat:    .asciz "bti-pan: needs FEAT_BTI and FEAT_PAN (-cpu max)\n"
s_pfr1:      .asciz "ID_AA64PFR1_EL1.BT: "
s_target:    .asciz "target +0x"
s_blr:       .asciz "  BLR (BTYPE 10): "
s_br:        .asciz "  BR from a non-guarded page (01): "
s_br11:      .asciz "  BR x1 from a guarded page (11): "
s_br16:      .asciz "  BR x16 from a guarded page (01): "
s_blr_ng:    .asciz "  BLR to the non-guarded alias: "
s_ret:       .asciz "RET (00) to a guarded NOP: "
s_ok:        .asciz "returned\n"
s_mmfr1:     .asciz "ID_AA64MMFR1_EL1.PAN != 0: "
s_pan0:      .asciz "PAN=0 load from a user page: "
s_pan1:      .asciz "after MSR PAN, #1, PAN reads "
s_ld1:       .asciz "PAN=1 load from a user page: "
s_st1:       .asciz "PAN=1 store to a user page: "
s_ldtr:      .asciz "PAN=1 LDTR: "
s_sttr:      .asciz "PAN=1 STTR then LDTR: "
s_svc_span1: .asciz "SVC with SPAN=1: "
s_svc_span0: .asciz "SVC with SPAN=0 from PAN=0: "
s_after:     .asciz "PAN after the ERET: "
s_done:      .asciz "done\n"
s_ec:        .asciz "EC=0x"
s_iss:       .asciz " ISS=0x"
s_pan:       .asciz " PAN="
s_far:       .asciz " FAR=0x"
s_elr:       .asciz " ELR=+0x"
s_newline:   .asciz "\n"

    .balign 8
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0
exit_fail:
    .quad 0x20026
    .quad 1
exit_nofeat:
    .quad 0x20026
    .quad 2

    .balign 16
    .skip 2048
stack_top:

// Vector table: synchronous exceptions from the current EL with SP_EL0 (+0x000) or SP_EL1
// (+0x200) go to the handler; anything else stops with status 1.
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
    b el1_sync
    .balign 0x80
    b fatal

// The code page mapped guarded at 0x4020_1000 and not guarded at 0x4020_2000.
    .balign 4096
gp_page:
    hint #34                     // +0x000 BTI c
    ret
    .balign 64
    hint #36                     // +0x040 BTI j
    ret
    .balign 64
    hint #38                     // +0x080 BTI jc
    ret
    .balign 64
    hint #25                     // +0x0c0 PACIASP (no key enabled: no change to x30)
    ret
    .balign 64
    nop                          // +0x100 not a landing pad
    ret
    .balign 64
    .balign 512
    hint #34                     // +0x200 trampoline: BTI c; BR x1
    br x1
    .balign 64
    hint #34                     // +0x240 trampoline: BTI c; BR x16
    br x16
    .balign 64
    nop                          // +0x280 reached by RET
    br x1                        // (absolute: this page runs at another VA than it was linked)
    .balign 4096
user_page:
    .skip 4096
    .balign 4096
l1_table:
    .skip 4096
l2_table:
    .skip 4096
l3_table:
    .skip 4096
