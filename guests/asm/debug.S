// debug: self-hosted debug (ARM ARM D2), compared with QEMU. What kvm-unit-tests' arm/debug.c
// checks (its bp, wp and ss tests), in our own code, plus linked and context breakpoints and a
// stepped SVC:
//   - ID_AA64DFR0_EL1's BRPs/WRPs/CTX_CMPs fields and OSLSR_EL1 at reset (the OS lock is set);
//   - bp: every breakpoint on consecutive `msr daifclr, #8`; the handler returns with SPSR.D set,
//     the instruction clears D, the next breakpoint fires (EC 0x31, ELR = the address);
//   - wp: a byte-store watchpoint on each of data[0..3] (FAR = the byte's address, EC 0x35 WnR=1)
//     and the stored bytes after the handler returned with D set;
//   - ss: MDSCR_EL1.SS with D set, then `msr daifclr, #8`: a step exception before each
//     instruction (EC 0x33, ISV = 0 then 1; the handler sets SPSR.SS) up to an SVC #1 whose
//     handler turns stepping off. (Not ended by `msr daifset, #8`: QEMU 7.2 takes a step
//     exception after it although PSTATE.D now masks it; AArch64.CheckSoftwareStep does not.)
//   - a stepped SVC: SPSR.SS = 0 in the SVC handler, the next step exception after its return;
//   - an address breakpoint linked to a CONTEXTIDR_EL1 breakpoint (fires with the matching
//     CONTEXTIDR_EL1, not with another).
// The handler prints ESR_EL1, ELR_EL1 (and FAR_EL1 for watchpoints, SPSR_EL1 for SVC).
// Ends with semihosting SYS_EXIT_EXTENDED, status 0. Same syntax rules as hello.S.
    .global _start
_start:
    adr x0, stack_top
    mov sp, x0
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov x28, #0                  // exceptions taken (the handler gives up after 64)

    adr x0, s_dfr0
    bl puts
    mrs x0, id_aa64dfr0_el1
    movz x1, #0xf000
    movk x1, #0xf0f0, lsl #16
    and x0, x0, x1               // CTX_CMPs, WRPs, BRPs
    bl puthex64
    adr x0, s_oslsr
    bl puts
    mrs x0, oslsr_el1
    bl puthex64

    // Unlock (OS lock, OS double lock), clear everything, mask D.
    msr daifset, #8
    msr osdlr_el1, xzr
    msr oslar_el1, xzr
    isb
    msr mdscr_el1, xzr
    msr dbgbcr0_el1, xzr
    msr dbgbcr1_el1, xzr
    msr dbgbcr2_el1, xzr
    msr dbgbcr3_el1, xzr
    msr dbgbcr4_el1, xzr
    msr dbgbcr5_el1, xzr
    msr dbgwcr0_el1, xzr
    msr dbgwcr1_el1, xzr
    msr dbgwcr2_el1, xzr
    msr dbgwcr3_el1, xzr
    isb

    // ---- bp: six address breakpoints, EL1, BAS = 0xff (RES1 bits), E
    adr x0, s_bp
    bl puts
    movz x1, #0x1fe3
    adr x2, bp0
    msr dbgbvr0_el1, x2
    msr dbgbcr0_el1, x1
    add x2, x2, #4
    msr dbgbvr1_el1, x2
    msr dbgbcr1_el1, x1
    add x2, x2, #4
    msr dbgbvr2_el1, x2
    msr dbgbcr2_el1, x1
    add x2, x2, #4
    msr dbgbvr3_el1, x2
    msr dbgbcr3_el1, x1
    add x2, x2, #4
    msr dbgbvr4_el1, x2
    msr dbgbcr4_el1, x1
    add x2, x2, #4
    msr dbgbvr5_el1, x2
    msr dbgbcr5_el1, x1
    isb
    msr daifclr, #8
    movz x0, #0xa000             // MDSCR_EL1.MDE | KDE
    msr mdscr_el1, x0
    isb
bp0:
    msr daifclr, #8
    msr daifclr, #8
    msr daifclr, #8
    msr daifclr, #8
    msr daifclr, #8
    msr daifclr, #8
    msr daifclr, #8
    msr daifclr, #8
    msr daifset, #8
    msr mdscr_el1, xzr
    msr dbgbcr0_el1, xzr
    msr dbgbcr1_el1, xzr
    msr dbgbcr2_el1, xzr
    msr dbgbcr3_el1, xzr
    msr dbgbcr4_el1, xzr
    msr dbgbcr5_el1, xzr
    isb

    // ---- wp: four byte watchpoints, load/store, EL1
    adr x0, s_wp
    bl puts
    movz x1, #0x1ffb             // BAS = 0xff, LSC = 0b11, PAC = EL1, E
    adr x2, wdata
    msr dbgwvr0_el1, x2
    msr dbgwcr0_el1, x1
    add x3, x2, #1
    msr dbgwvr1_el1, x3
    msr dbgwcr1_el1, x1
    add x3, x2, #2
    msr dbgwvr2_el1, x3
    msr dbgwcr2_el1, x1
    add x3, x2, #3
    msr dbgwvr3_el1, x3
    msr dbgwcr3_el1, x1
    isb
    msr daifclr, #8
    movz x0, #0xa000
    msr mdscr_el1, x0
    isb
    mov w4, #0x41
    strb w4, [x2]
    msr daifclr, #8
    mov w4, #0x42
    strb w4, [x2, #1]
    msr daifclr, #8
    mov w4, #0x43
    strb w4, [x2, #2]
    msr daifclr, #8
    mov w4, #0x44
    strb w4, [x2, #3]
    msr daifset, #8
    msr mdscr_el1, xzr
    msr dbgwcr0_el1, xzr
    msr dbgwcr1_el1, xzr
    msr dbgwcr2_el1, xzr
    msr dbgwcr3_el1, xzr
    isb
    adr x0, s_wdata
    bl puts
    adr x2, wdata
    ldr w0, [x2]
    mov x1, #8
    bl puthex
    adr x0, s_newline
    bl puts

    // ---- ss: step with KDE | SS, D masked; daifclr makes step active-pending
    adr x0, s_ss
    bl puts
    movz x0, #0x2001             // KDE | SS
    msr mdscr_el1, x0
    isb
    msr daifclr, #8
ss_start:
    mrs x0, esr_el1
    add x0, x0, #1
    svc #0x1                     // stepped; its handler turns stepping off (MDSCR_EL1 = 0)
    msr daifset, #8
    isb

    // ---- a stepped SVC
    adr x0, s_svc
    bl puts
    movz x0, #0x2001
    msr mdscr_el1, x0
    isb
    msr daifclr, #8
    nop
    svc #0x7
    nop
    svc #0x1
    msr daifset, #8
    isb

    // (No unlinked CONTEXTIDR_EL1 breakpoint here: QEMU 7.2 does not implement the unlinked
    // context types; test/cpu/debug-bp.test.ts checks them.)
    movz x0, #0x1234
    msr contextidr_el1, x0
    movz x0, #0xa000
    msr mdscr_el1, x0
    isb

    // ---- an address breakpoint (0) linked (LBN = 5) to a linked CONTEXTIDR_EL1 breakpoint (5)
    adr x0, s_linked
    bl puts
    movz x0, #0x1234
    msr dbgbvr5_el1, x0
    movz x1, #0x01e3
    movk x1, #0x0030, lsl #16    // BT = 0b0011 (linked context ID)
    msr dbgbcr5_el1, x1
    adr x2, linked_sub
    msr dbgbvr0_el1, x2
    movz x1, #0x01e3
    movk x1, #0x0015, lsl #16    // BT = 0b0001 (linked address), LBN = 5
    msr dbgbcr0_el1, x1
    isb
    msr daifclr, #8
    bl linked_sub                // CONTEXTIDR_EL1 = 0x1234: fires at linked_sub
    movz x0, #0x4321             // a CONTEXTIDR_EL1 that does not match: no exception
    msr contextidr_el1, x0
    isb
    msr daifclr, #8
    bl linked_sub
    msr daifset, #8
    msr mdscr_el1, xzr
    msr dbgbcr0_el1, xzr
    msr dbgbcr5_el1, xzr
    isb

    adr x0, s_done
    bl puts
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    b hang

linked_sub:
    nop
    ret

// The synchronous handler: print the syndrome, then return (debug exceptions: with SPSR.D set
// for breakpoints and watchpoints, SPSR.SS for software step; UNDEFINED: skipped).
sync:
    sub sp, sp, #64
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x6, [sp, #32]
    stp x5, x30, [sp, #48]
    add x28, x28, #1
    cmp x28, #64
    b.hs fatal
    adr x0, s_esr
    bl puts
    mrs x0, esr_el1
    mov x1, #8
    bl puthex
    adr x0, s_elr
    bl puts
    mrs x0, elr_el1
    mov x1, #16
    bl puthex
    mrs x5, esr_el1
    lsr x5, x5, #26
    cmp x5, #0x35
    b.ne not_wp
    adr x0, s_far
    bl puts
    mrs x0, far_el1
    mov x1, #16
    bl puthex
not_wp:
    cmp x5, #0x15
    b.ne not_svc
    adr x0, s_spsr
    bl puts
    mrs x0, spsr_el1
    mov x1, #8
    bl puthex
    mrs x0, esr_el1
    and x0, x0, #0xffff
    cmp x0, #1
    b.ne not_svc
    msr mdscr_el1, xzr           // SVC #1: stepping off
not_svc:
    adr x0, s_newline
    bl puts
    mrs x0, spsr_el1
    cmp x5, #0x33
    b.ne not_ss
    orr x0, x0, #0x200000        // SPSR.SS: step the next instruction
not_ss:
    cmp x5, #0x31
    b.eq set_d
    cmp x5, #0x35
    b.ne spsr_done
set_d:
    orr x0, x0, #0x200           // SPSR.D
spsr_done:
    msr spsr_el1, x0
    cbnz x5, resume
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
resume:
    ldp x0, x1, [sp]
    ldp x2, x3, [sp, #16]
    ldp x4, x6, [sp, #32]
    ldp x5, x30, [sp, #48]
    add sp, sp, #64
    eret

fatal:
    adr x0, s_fatal
    bl puts
    adr x1, exit_fail
    mov x0, #0x20
    hlt #0xf000
    b hang

    .include "lib/puts.inc"

    .include "lib/puthex.inc"

s_dfr0:     .asciz "ID_AA64DFR0_EL1 & 0xf0f0f000 = 0x"
s_oslsr:    .asciz "OSLSR_EL1 at reset = 0x"
s_bp:       .asciz "bp: breakpoints 0-5 on bp0 + 4n\n"
s_wp:       .asciz "wp: watchpoints 0-3 on data[0..3]\n"
s_wdata:    .asciz "data[0..3] = 0x"
s_ss:       .asciz "ss: software step from ss_start\n"
s_svc:      .asciz "ss: stepping NOP, SVC\n"
s_linked:   .asciz "linked address + context breakpoints\n"
s_done:     .asciz "done\n"
s_fatal:    .asciz "too many exceptions\n"
s_esr:      .asciz "  ESR_EL1=0x"
s_elr:      .asciz " ELR_EL1=0x"
s_far:      .asciz " FAR_EL1=0x"
s_spsr:     .asciz " SPSR_EL1=0x"
s_newline:  .asciz "\n"

    .balign 8
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0
exit_fail:
    .quad 0x20026
    .quad 1
wdata:
    .quad 0

    .balign 16
    .skip 2048
stack_top:

    .balign 0x800
vectors:
    b fatal                      // current EL with SP_EL0
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b sync                       // current EL with SP_ELx: synchronous
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
