// exceptions: synchronous exception syndromes, compared with QEMU's.
//
// EL1 sets SCTLR_EL1 to a known value (SA, SA0 on; UMA, DZE, UCT, nTWI off) and a
// vector table, then provokes exceptions one after another. The handler prints
// ESR_EL1, ELR_EL1 (and FAR_EL1 where it is defined), then resumes after the
// faulting instruction (or at x30 for a PC alignment fault).
//   at EL1:  UDF, BRK, SVC, HVC (PSCI_VERSION, answered by firmware), PC alignment,
//            FP/SIMD trapped by CPACR_EL1.FPEN, illegal exception return (ERET to EL2)
// (No SP alignment fault: QEMU 7.2 does not implement SCTLR_EL1.SA checking.)
//   at EL0:  MRS of an EL1 register (UNDEFINED), MRS CTR_EL0 (UCT = 0), DC ZVA
//            (DZE = 0), WFI (nTWI = 0), then SVC back to EL1.
// (No MSR DAIFSet at EL0 with UMA = 0: QEMU 7.2 reports it with Op1 and Op2 swapped in
// the ISS, 0x0793e4 instead of 0x0cd3e4, so it cannot be the reference for it.)
// Ends with semihosting SYS_EXIT_EXTENDED, status 0.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    adr x0, stack_top
    mov sp, x0
    adr x0, el0_stack_top
    msr sp_el0, x0
    adr x0, vectors
    msr vbar_el1, x0
    // SCTLR_EL1: RES1 bits (29, 28, 23, 22, 20, 11) | SA0 | SA; MMU off.
    movz x0, #0x0818
    movk x0, #0x30d0, lsl #16
    msr sctlr_el1, x0
    movz x0, #0x0030, lsl #16    // CPACR_EL1.FPEN = 0b11: FP/SIMD allowed
    msr cpacr_el1, x0
    isb

    adr x0, s_udf
    bl puts
    .long 0x00000000             // UDF #0
    adr x0, s_brk
    bl puts
    brk #0x1234
    adr x0, s_svc
    bl puts
    svc #0x42
    adr x0, s_hvc
    bl puts
    movz x0, #0x8400, lsl #16    // PSCI_VERSION
    hvc #0
    bl puthex64                  // the firmware's answer, not an exception

    adr x0, s_pc
    bl puts
    adr x1, pc_target
    add x1, x1, #2
    blr x1                       // PC alignment fault; the handler returns to x30

    adr x0, s_fp
    bl puts
    msr cpacr_el1, xzr           // FPEN = 0: FP/SIMD trapped at EL1 and EL0
    isb
    fmov d0, x1                  // EC 0x07
    movz x0, #0x0030, lsl #16
    msr cpacr_el1, x0
    isb

    adr x0, s_illegal
    bl puts
    movz x0, #0x03c9             // SPSR: EL2h with DAIF masked: higher than EL1, illegal
    msr spsr_el1, x0
    adr x0, after_illegal
    msr elr_el1, x0
    eret                         // PSTATE.IL set, PC = ELR, still EL1
after_illegal:
    nop                          // EC 0x0e here; the handler clears SPSR_EL1.IL and skips

    // Enter EL0 (EL0t, DAIF clear) for the EL0 traps.
    adr x0, s_el0
    bl puts
    msr spsr_el1, xzr
    adr x0, el0_code
    msr elr_el1, x0
    eret
back_at_el1:
    adr x0, s_done
    bl puts
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

pc_target:
    ret
    ret

el0_code:
    mrs x0, sctlr_el1            // EL1 register at EL0: UNDEFINED
    mrs x0, ctr_el0              // UCT = 0: trapped, EC 0x18
    mov x0, sp
    dc zva, x0                   // DZE = 0: trapped, EC 0x18
    wfi                          // nTWI = 0: trapped, EC 0x01
    svc #0xff                    // back to EL1

// Synchronous exceptions, all vectors: print, resume.
sync:
    stp x0, x1, [sp, #-80]!
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    str x30, [sp, #64]
    mrs x5, esr_el1
    adr x0, s_esr
    bl puts
    mov x0, x5
    mov x1, #8
    bl puthex
    adr x0, s_elr
    bl puts
    mrs x0, elr_el1
    mov x1, #8
    bl puthex
    lsr x7, x5, #26              // EC
    cmp x7, #0x22                // PC alignment: FAR holds the PC
    b.eq print_far
    cmp x7, #0x26                // SP alignment: FAR is UNKNOWN, not printed
    b.ne no_far
print_far:
    adr x0, s_far
    bl puts
    mrs x0, far_el1
    mov x1, #8
    bl puthex
no_far:
    adr x0, s_newline
    bl puts

    cmp x7, #0x15                // SVC #0xff from EL0: continue at EL1
    b.ne not_back
    and x0, x5, #0xffff
    cmp x0, #0xff
    b.ne not_back
    movz x0, #0x03c5             // EL1h, DAIF masked
    msr spsr_el1, x0
    adr x0, back_at_el1
    msr elr_el1, x0
    b resume
not_back:
    cmp x7, #0x22
    b.ne not_pc
    ldr x0, [sp, #64]            // the interrupted x30
    msr elr_el1, x0
    b resume
not_pc:
    cmp x7, #0x0e                // illegal execution state: clear SPSR_EL1.IL
    b.ne skip
    mrs x0, spsr_el1
    and x0, x0, #0xffffffffffefffff
    msr spsr_el1, x0
skip:
    // SVC/HVC report the preferred return address already past the instruction.
    cmp x7, #0x15
    b.eq resume
    cmp x7, #0x16
    b.eq resume
    mrs x0, elr_el1
    add x0, x0, #4
    msr elr_el1, x0
resume:
    ldr x30, [sp, #64]
    ldp x6, x7, [sp, #48]
    ldp x4, x5, [sp, #32]
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #80
    eret

// Asynchronous exceptions are not expected: exit with status 1.
fatal:
    adr x0, s_fatal
    bl puts
    adr x1, exit_fail
    mov x0, #0x20
    hlt #0xf000
    b hang

    .include "lib/puts.inc"

    .include "lib/puthex.inc"

s_udf:      .asciz "UDF #0:\n"
s_brk:      .asciz "BRK #0x1234:\n"
s_svc:      .asciz "SVC #0x42 at EL1:\n"
s_hvc:      .asciz "HVC #0 PSCI_VERSION returns 0x"
s_pc:       .asciz "branch to a misaligned address:\n"
s_fp:       .asciz "FMOV with CPACR_EL1.FPEN = 0:\n"
s_illegal:  .asciz "ERET to EL2 from EL1 (illegal return):\n"
s_el0:      .asciz "at EL0: MRS SCTLR_EL1, MRS CTR_EL0, DC ZVA, WFI, SVC:\n"
s_done:     .asciz "back at EL1, done\n"
s_fatal:    .asciz "unexpected asynchronous exception\n"
s_esr:      .asciz "  ESR_EL1=0x"
s_elr:      .asciz " ELR_EL1=0x"
s_far:      .asciz " FAR_EL1=0x"
s_newline:  .asciz "\n"

    .balign 8
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0
exit_fail:
    .quad 0x20026
    .quad 1

    .balign 16
    .skip 1024
el0_stack_top:
    .skip 2048
stack_top:

    .balign 0x800
vectors:
    b sync                       // current EL with SP_EL0: synchronous
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
    b sync                       // lower EL, AArch64: synchronous
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
