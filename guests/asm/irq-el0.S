// irq-el0: the virtual timer interrupt taken while running at EL0, compared with QEMU's.
//
// EL1 sets SCTLR_EL1 (RES1 bits, nTWI and nTWE so WFI/WFE at EL0 are not trapped; MMU
// off), VBAR_EL1 (IRQ from a lower EL, AArch64, at offset 0x480 and SVC from EL0 at
// 0x400; every other vector is fatal: prints ESR_EL1/ELR_EL1 and exits with status 1),
// the GIC (GICD_CTLR, GICC_CTLR, GICC_PMR 0xff, GICD_IPRIORITYR6 byte 3 and
// GICD_ISENABLER0 bit 27 for the CNTV PPI, INTID 27) and the timer (CNTV_TVAL_EL0 =
// CNTFRQ_EL0 / 100000, CNTV_CTL_EL0.ENABLE), then ERETs to EL0 with SPSR_EL1 = EL0t,
// DAIF clear. EL0 WFIs until the handler has counted 5 ticks, then SVC #1.
// The IRQ handler (at EL1) prints, on the first tick, SPSR_EL1.M (0: EL0t) and
// whether ELR_EL1 is inside the EL0 code; it acknowledges (GICC_IAR = 27), re-arms
// CNTV_TVAL_EL0 every time (so EL0's WFI always wakes up: EL0 cannot mask IRQs, and
// the last tick could land between its check and its WFI), prints ticks 1-5 only,
// writes GICC_EOIR and ERETs back to EL0. The SVC handler turns the timer off and
// exits with semihosting SYS_EXIT_EXTENDED, status 0.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    adr x0, stack_top
    mov sp, x0
    adr x0, el0_stack_top
    msr sp_el0, x0
    adr x0, vectors
    msr vbar_el1, x0
    // SCTLR_EL1: RES1 bits (29, 28, 23, 22, 20, 11) | nTWE (18) | nTWI (16); MMU off.
    movz x0, #0x0800
    movk x0, #0x30d5, lsl #16
    msr sctlr_el1, x0
    isb
    movz x27, #0x0800, lsl #16   // x27: GICD
    movz x26, #0x0801, lsl #16   // x26: GICC

    movz w0, #0x8000, lsl #16    // GICD_IPRIORITYR6: INTID 27 priority 0x80
    str w0, [x27, #0x418]
    movz w0, #0x0800, lsl #16    // GICD_ISENABLER0 bit 27
    str w0, [x27, #0x100]
    mov w0, #1
    str w0, [x27, #0x000]        // GICD_CTLR.EnableGrp0
    mov w0, #0xff
    str w0, [x26, #0x004]        // GICC_PMR
    mov w0, #1
    str w0, [x26, #0x000]        // GICC_CTLR.EnableGrp0

    mrs x0, cntfrq_el0
    movz x1, #0x86a0             // 100000
    movk x1, #0x1, lsl #16
    udiv x0, x0, x1
    adr x1, period
    str x0, [x1]
    msr cntv_tval_el0, x0
    mov x0, #1                   // CNTV_CTL_EL0.ENABLE
    msr cntv_ctl_el0, x0

    adr x0, s_start
    bl puts
    msr spsr_el1, xzr            // EL0t, DAIF clear: IRQs taken at EL0
    adr x0, el0_code
    msr elr_el1, x0
    eret

el0_code:
    ldr x0, ticks
    cmp x0, #5
    b.hs el0_done
    wfi                          // nTWI = 1: not trapped; wakes on the timer IRQ
    b el0_code
el0_done:
    adr x0, s_el0
    bl puts
    svc #1
el0_code_end:
    b el0_code_end

// IRQ from EL0 (vector offset 0x480).
irq_el0:
    sub sp, sp, #80
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x30, [sp, #48]
    stp x19, x20, [sp, #64]
    ldr w20, [x26, #0x00c]       // GICC_IAR
    and w0, w20, #0x3ff
    cmp w0, #27
    b.eq irq_timer
    mov w1, #1023
    cmp w0, w1
    b.eq irq_return              // spurious
    mov x19, x0
    adr x0, s_bad_intid
    bl puts
    mov x0, x19
    bl putdec
    adr x0, s_newline
    bl puts
    b exit_fail
irq_timer:
    ldr x1, period
    msr cntv_tval_el0, x1        // re-arm: the output goes low until the next tick
    isb
    ldr x19, ticks
    add x19, x19, #1
    adr x1, ticks
    str x19, [x1]
    cmp x19, #1
    b.ne irq_tick
    adr x0, s_spsr
    bl puts
    mrs x0, spsr_el1
    and x0, x0, #0xf             // M[3:0]: 0 = EL0t
    bl putdec
    adr x0, s_elr_in
    bl puts
    mrs x0, elr_el1
    adr x1, el0_code
    adr x2, el0_code_end
    adr x3, s_yes
    cmp x0, x1
    b.lo elr_outside
    cmp x0, x2
    b.ls elr_print
elr_outside:
    adr x3, s_no
elr_print:
    mov x0, x3
    bl puts
irq_tick:
    cmp x19, #5
    b.hi irq_eoi                 // ticks after the 5th: not printed
    adr x0, s_tick
    bl puts
    mov x0, x19
    bl putdec
    adr x0, s_newline
    bl puts
irq_eoi:
    str w20, [x26, #0x010]       // GICC_EOIR
irq_return:
    ldp x0, x1, [sp]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x30, [sp, #48]
    ldp x19, x20, [sp, #64]
    add sp, sp, #80
    eret

// Synchronous exception from EL0: SVC #1 ends the test, anything else is fatal.
sync_el0:
    mrs x0, esr_el1
    movz x1, #0x5600, lsl #16    // EC 0x15 (SVC from AArch64), IL, imm16 = 1
    add x1, x1, #1
    cmp x0, x1
    b.ne fatal
    msr cntv_ctl_el0, xzr        // timer off
    adr x0, s_svc
    bl puts
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

// Any other exception: print ESR_EL1 and ELR_EL1, exit with status 1.
fatal:
    adr x0, s_fatal
    bl puts
    mrs x0, esr_el1
    mov x1, #8
    bl puthex
    adr x0, s_elr
    bl puts
    mrs x0, elr_el1
    mov x1, #16
    bl puthex
    adr x0, s_newline
    bl puts
exit_fail:
    adr x1, exit_fail_block
    mov x0, #0x20
    hlt #0xf000
    b hang

// puts(x0 = string) on the PL011 (also used at EL0: the MMU is off). Clobbers x0-x3.
puts:
    movz x2, #0x0900, lsl #16
puts_next:
    ldrb w1, [x0], #1
    cbz w1, puts_done
puts_wait:
    ldr w3, [x2, #0x18]          // UARTFR
    tbnz w3, #5, puts_wait       // TXFF
    str w1, [x2]                 // UARTDR
    b puts_next
puts_done:
    ret

    .include "lib/putdec.inc"

// puthex(x0, x1 = digits): no newline. Clobbers x0-x3, x6.
puthex:
    movz x2, #0x0900, lsl #16
    lsl x1, x1, #2
puthex_next:
    sub x1, x1, #4
    lsr x3, x0, x1
    and x3, x3, #0xf
    cmp x3, #10
    add x6, x3, #0x30            // '0'..'9'
    add x3, x3, #0x57            // 'a'..'f'
    csel x3, x6, x3, lo
puthex_wait:
    ldr w6, [x2, #0x18]
    tbnz w6, #5, puthex_wait
    str w3, [x2]
    cbnz x1, puthex_next
    ret

s_start:     .asciz "virtual timer INTID 27 at EL0:\n"
s_spsr:      .asciz "irq from EL0: SPSR_EL1.M = "
s_elr_in:    .asciz ", ELR_EL1 in the EL0 code: "
s_yes:       .asciz "yes\n"
s_no:        .asciz "no\n"
s_tick:      .asciz "tick "
s_el0:       .asciz "el0: 5 ticks seen\n"
s_svc:       .asciz "svc from EL0, timer off, done\n"
s_bad_intid: .asciz "unexpected INTID "
s_fatal:     .asciz "unexpected exception: ESR_EL1=0x"
s_elr:       .asciz " ELR_EL1=0x"
s_newline:   .asciz "\n"
digits:      .skip 24
digits_end:
    .byte 0

    .balign 8
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0
exit_fail_block:
    .quad 0x20026
    .quad 1
period:   .quad 0                // CNTV_TVAL_EL0 reload: CNTFRQ_EL0 / 100000
ticks:    .quad 0                // timer interrupts taken

    .balign 16
    .skip 1024
el0_stack_top:
    .skip 2048
stack_top:

    .balign 0x800
vectors:
    b fatal                      // current EL with SP_EL0: synchronous
    .balign 0x80
    b fatal                      // IRQ
    .balign 0x80
    b fatal                      // FIQ
    .balign 0x80
    b fatal                      // SError
    .balign 0x80
    b fatal                      // current EL with SP_ELx: synchronous
    .balign 0x80
    b fatal                      // IRQ (not expected: EL1 runs with IRQs masked)
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b sync_el0                   // lower EL, AArch64: synchronous (0x400)
    .balign 0x80
    b irq_el0                    // IRQ (0x480)
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal                      // lower EL, AArch32
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
