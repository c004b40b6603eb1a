// irq: GICv2 interrupts on QEMU's virt board, compared with QEMU's.
//
// EL1, MMU off. Installs VBAR_EL1 (IRQ vector for the current EL with SP_ELx; every
// other vector is fatal: prints ESR_EL1/ELR_EL1 and exits with status 1) and:
//   1. GIC init: GICD_CTLR.EnableGrp0, GICC_CTLR.EnableGrp0, GICC_PMR 0xff, GICC_BPR 0;
//      prints GICD_TYPER.ITLinesNumber (as a count of INTIDs) and CPUNumber + 1.
//      GICC_IAR with nothing pending reads 1023 (spurious).
//   2. Virtual timer: PPI INTID 27 enabled in GICD_ISENABLER0, CNTV_TVAL_EL0 =
//      CNTFRQ_EL0 / 100000, CNTV_CTL_EL0.ENABLE; WFI until 5 ticks. The handler checks
//      GICC_IAR = 27 and CNTV_CTL_EL0.ISTATUS = 1, re-arms CNTV_TVAL_EL0 (tick 5 turns
//      the timer off instead) and writes GICC_EOIR.
//   3. SGI 3 to self (GICD_SGIR TargetListFilter 0b10); the handler prints the source
//      CPU from GICC_IAR[12:10] and GICC_RPR (the running priority).
//   4. Priority: with PSTATE.I set, SGI 1 (GICD_IPRIORITYR 0xa0) and SGI 2 (0x40) made
//      pending; GICC_HPPIR reads 2; unmasked, SGI 2 is acknowledged first. GICC_RPR idle
//      reads 0xff.
//   5. Preemption: SGI 5 (priority 0xc0) handler sends SGI 6 (0x20) and unmasks: SGI 6
//      is taken inside it (nested IRQ; ELR_EL1/SPSR_EL1 kept on the stack).
//   6. GICC_PMR masking: PMR 0x80, SGI 4 (priority 0x80, not higher than the mask) is
//      sent with IRQs unmasked and not taken; PMR 0xff, then it is.
//   7. PL011 RX interrupt: UARTIMSC RXIM|RTIM, SPI INTID 33 enabled (GICD_ISENABLER1),
//      GICD_ITARGETSR8 byte 1 = CPU 0; the handler drains the RX FIFO (FR.RXFE, DR) and
//      echoes up to the first '.'; the main loop WFIs until it has seen it. The input is
//      expected/irq.in. (The number of RX interrupts depends on QEMU's timing: not shown.)
// The wait loops mask IRQs, test their condition, then WFI (which wakes on a pending
// IRQ even when masked) and unmask: no lost wake-up. Ends with semihosting
// SYS_EXIT_EXTENDED, status 0.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    adr x0, stack_top
    mov sp, x0
    adr x0, vectors
    msr vbar_el1, x0
    isb
    movz x27, #0x0800, lsl #16   // x27: GICD
    movz x26, #0x0801, lsl #16   // x26: GICC
    movz x25, #0x0900, lsl #16   // x25: PL011

    // 1. GIC init.
    ldr w19, [x27, #0x004]       // GICD_TYPER
    adr x0, s_gic
    bl puts
    and w0, w19, #0x1f           // ITLinesNumber: 32 * (N + 1) INTIDs
    add w0, w0, #1
    lsl w0, w0, #5
    bl putdec
    adr x0, s_irqs
    bl puts
    ubfx w0, w19, #5, #3         // CPUNumber: N + 1 CPU interfaces
    add w0, w0, #1
    bl putdec
    adr x0, s_cpu
    bl puts

    // Priorities (one byte per INTID, GICD_IPRIORITYR<n> covers INTIDs 4n..4n+3).
    movz w0, #0xa080             // SGI 0 0x80, SGI 1 0xa0, SGI 2 0x40, SGI 3 0x80
    movk w0, #0x8040, lsl #16
    str w0, [x27, #0x400]
    movz w0, #0xc080             // SGI 4 0x80, SGI 5 0xc0, SGI 6 0x20, SGI 7 0x80
    movk w0, #0x8020, lsl #16
    str w0, [x27, #0x404]
    movz w0, #0x8080             // INTIDs 24..27 (27: CNTV) 0x80
    movk w0, #0x8080, lsl #16
    str w0, [x27, #0x418]
    str w0, [x27, #0x420]        // INTIDs 32..35 (33: UART0) 0x80
    movz w0, #0x0100             // GICD_ITARGETSR8: INTID 33 -> CPU interface 0
    str w0, [x27, #0x820]
    mov w0, #1
    str w0, [x27, #0x000]        // GICD_CTLR.EnableGrp0
    mov w0, #0xff
    str w0, [x26, #0x004]        // GICC_PMR: all priorities pass
    str wzr, [x26, #0x008]       // GICC_BPR 0 (raised to its minimum if larger)
    mov w0, #1
    str w0, [x26, #0x000]        // GICC_CTLR.EnableGrp0
    ldr w19, [x26, #0x00c]       // GICC_IAR, nothing pending: 1023
    adr x0, s_idle
    bl puts
    and w0, w19, #0x3ff
    bl putdec
    adr x0, s_newline
    bl puts

    // 2. Virtual timer, INTID 27.
    adr x0, s_timer
    bl puts
    movz w0, #0x0800, lsl #16    // GICD_ISENABLER0 bit 27
    str w0, [x27, #0x100]
    mrs x0, cntfrq_el0
    movz x1, #0x86a0             // 100000
    movk x1, #0x1, lsl #16
    udiv x0, x0, x1
    adr x1, period
    str x0, [x1]
    msr cntv_tval_el0, x0
    mov x0, #1                   // CNTV_CTL_EL0.ENABLE, IMASK clear
    msr cntv_ctl_el0, x0
    isb
wait_ticks:
    msr daifset, #2
    ldr x0, ticks
    cmp x0, #5
    b.hs ticks_done
    wfi
    msr daifclr, #2
    isb
    b wait_ticks
ticks_done:
    movz w0, #0x0800, lsl #16    // GICD_ICENABLER0 bit 27
    str w0, [x27, #0x180]

    // 3. SGI 3 to self. (IRQs are masked here; unmasked after the write.)
    adr x0, s_sgi3
    bl puts
    movz w0, #0x0003
    movk w0, #0x0200, lsl #16    // GICD_SGIR: TargetListFilter 0b10 (self), SGIINTID 3
    str w0, [x27, #0xf00]
    mov x0, #0x08
    bl wait_sgi

    // 4. Two pending SGIs of different priority, IRQs masked.
    adr x0, s_prio
    bl puts
    movz w0, #0x0001
    movk w0, #0x0200, lsl #16    // SGI 1, priority 0xa0
    str w0, [x27, #0xf00]
    movz w0, #0x0002
    movk w0, #0x0200, lsl #16    // SGI 2, priority 0x40
    str w0, [x27, #0xf00]
    dsb sy
    adr x0, s_hppir
    bl puts
    ldr w0, [x26, #0x018]        // GICC_HPPIR: the higher-priority one
    and w0, w0, #0x3ff
    bl putdec
    adr x0, s_newline
    bl puts
    mov x0, #0x06
    bl wait_sgi
    adr x0, s_rpr
    bl puts
    ldr w0, [x26, #0x014]        // GICC_RPR, nothing active: idle priority
    mov x1, #2
    bl puthex
    adr x0, s_newline
    bl puts

    // 5. Preemption: SGI 5 (0xc0) is interrupted by SGI 6 (0x20), sent from its handler.
    adr x0, s_preempt
    bl puts
    movz w0, #0x0005
    movk w0, #0x0200, lsl #16
    str w0, [x27, #0xf00]
    mov x0, #0x60
    bl wait_sgi

    // 6. GICC_PMR masking.
    mov w0, #0x80
    str w0, [x26, #0x004]        // GICC_PMR 0x80: only priorities 0x00..0x7f pass
    movz w0, #0x0004
    movk w0, #0x0200, lsl #16    // SGI 4, priority 0x80
    str w0, [x27, #0xf00]
    dsb sy
    msr daifclr, #2
    isb
    nop
    nop
    nop
    nop
    msr daifset, #2
    ldr x19, sgi_seen
    adr x0, s_pmr_held
    tst x19, #0x10
    b.eq pmr_print
    adr x0, s_pmr_taken
pmr_print:
    bl puts
    mov w0, #0xff
    str w0, [x26, #0x004]        // GICC_PMR 0xff: SGI 4 passes now
    dsb sy
    mov x0, #0x10
    bl wait_sgi

    // 7. PL011 receive interrupt, INTID 33.
    adr x0, s_uart
    bl puts
    mov w0, #0x50                // UARTIMSC: RTIM | RXIM
    str w0, [x25, #0x038]
    mov w0, #0x2                 // GICD_ISENABLER1 bit 1: INTID 33
    str w0, [x27, #0x104]
wait_dot:
    msr daifset, #2
    ldr x0, rx_done
    cbnz x0, dot_seen
    wfi
    msr daifclr, #2
    isb
    b wait_dot
dot_seen:
    str wzr, [x25, #0x038]       // UARTIMSC: all off
    mov w0, #0x2
    str w0, [x27, #0x184]        // GICD_ICENABLER1: INTID 33 off
    adr x0, s_newline
    bl puts

    adr x0, s_done
    bl puts
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

// wait_sgi(x0 = mask of SGIs): with IRQs unmasked, WFI until each is in sgi_seen.
// Returns with IRQs masked. Clobbers x0, x1.
wait_sgi:
    msr daifset, #2
    ldr x1, sgi_seen
    bics xzr, x0, x1
    b.eq wait_sgi_done
    wfi
    msr daifclr, #2
    isb
    b wait_sgi
wait_sgi_done:
    ret

// IRQ, current EL with SP_ELx. Saves what it uses, and ELR_EL1/SPSR_EL1 (SGI 5 unmasks
// IRQs inside the handler, so a nested IRQ overwrites them).
irq:
    sub sp, sp, #96
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x19, [sp, #48]
    stp x20, x30, [sp, #64]
    mrs x0, elr_el1
    mrs x1, spsr_el1
    stp x0, x1, [sp, #80]
    ldr w20, [x26, #0x00c]       // GICC_IAR: acknowledge
    and w19, w20, #0x3ff         // INTID
    mov w0, #1023
    cmp w19, w0
    b.eq irq_return              // spurious: nothing to acknowledge or end
    cmp w19, #27
    b.eq irq_timer
    cmp w19, #33
    b.eq irq_uart
    cmp w19, #16
    b.lo irq_sgi
    adr x0, s_bad_intid
    bl puts
    mov x0, x19
    bl putdec
    adr x0, s_newline
    bl puts
    b exit_fail

irq_timer:
    mrs x19, cntv_ctl_el0
    ldr x0, ticks
    add x0, x0, #1
    adr x1, ticks
    str x0, [x1]
    cmp x0, #1
    b.ne timer_rearm
    adr x0, s_istatus
    bl puts
    ubfx x0, x19, #2, #1         // CNTV_CTL_EL0.ISTATUS: the condition was met
    bl putdec
    adr x0, s_newline
    bl puts
    ldr x0, ticks
timer_rearm:
    cmp x0, #5
    b.hs timer_off
    ldr x1, period
    msr cntv_tval_el0, x1        // next tick; the output goes low until then
    b timer_print
timer_off:
    msr cntv_ctl_el0, xzr
timer_print:
    isb
    adr x0, s_tick
    bl puts
    ldr x0, ticks
    bl putdec
    adr x0, s_newline
    bl puts
    b irq_eoi

irq_sgi:
    adr x0, s_sgi
    bl puts
    mov x0, x19
    bl putdec
    adr x0, s_from
    bl puts
    ubfx w0, w20, #10, #3        // GICC_IAR.CPUID: the requesting CPU
    bl putdec
    adr x0, s_rpr_in
    bl puts
    ldr w0, [x26, #0x014]        // GICC_RPR: this SGI's priority
    mov x1, #2
    bl puthex
    adr x0, s_newline
    bl puts
    cmp w19, #5
    b.ne sgi_seen_set
    // SGI 5: send SGI 6 (higher priority) and let it preempt this handler.
    movz w0, #0x0006
    movk w0, #0x0200, lsl #16
    str w0, [x27, #0xf00]
    dsb sy
    msr daifclr, #2
    isb
    mov x0, #0x40
    bl wait_sgi                  // masks IRQs again
    adr x0, s_sgi5_end
    bl puts
sgi_seen_set:
    mov x0, #1
    lsl x0, x0, x19
    ldr x1, sgi_seen
    orr x1, x1, x0
    adr x0, sgi_seen
    str x1, [x0]
    b irq_eoi

irq_uart:
    ldr w0, [x25, #0x018]        // UARTFR
    tbnz w0, #4, uart_empty      // RXFE
    ldr w0, [x25]                // UARTDR
    and w0, w0, #0xff
    ldr x1, rx_done
    cbnz x1, irq_uart            // after the '.': drained, not echoed
    cmp w0, #0x2e
    b.ne uart_echo
    mov x1, #1
    adr x2, rx_done
    str x1, [x2]
uart_echo:
    ldr w1, [x25, #0x018]
    tbnz w1, #5, uart_echo       // TXFF
    str w0, [x25]
    b irq_uart
uart_empty:
    mov w0, #0x50
    str w0, [x25, #0x044]        // UARTICR: clear RX and RT

irq_eoi:
    str w20, [x26, #0x010]       // GICC_EOIR: priority drop and deactivate
irq_return:
    ldp x0, x1, [sp, #80]
    msr elr_el1, x0
    msr spsr_el1, x1
    ldp x0, x1, [sp]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x19, [sp, #48]
    ldp x20, x30, [sp, #64]
    add sp, sp, #96
    eret

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

    .include "lib/puts.inc"

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

s_gic:       .asciz "gic: "
s_irqs:      .asciz " irqs, "
s_cpu:       .asciz " cpu\n"
s_idle:      .asciz "iar with nothing pending: "
s_timer:     .asciz "virtual timer, INTID 27:\n"
s_istatus:   .asciz "CNTV_CTL_EL0.ISTATUS in the handler: "
s_tick:      .asciz "tick "
s_sgi3:      .asciz "SGI 3 to self:\n"
s_sgi:       .asciz "sgi "
s_from:      .asciz " from cpu "
s_rpr_in:    .asciz ", rpr 0x"
s_prio:      .asciz "SGI 1 (priority 0xa0) and SGI 2 (0x40) pending, IRQs masked:\n"
s_hppir:     .asciz "hppir: "
s_rpr:       .asciz "rpr idle: 0x"
s_preempt:   .asciz "SGI 5 (0xc0), its handler sends SGI 6 (0x20) and unmasks:\n"
s_sgi5_end:  .asciz "sgi 5 handler resumes\n"
s_pmr_held:  .asciz "pmr 0x80: sgi 4 (priority 0x80) pending, not taken\n"
s_pmr_taken: .asciz "pmr 0x80: sgi 4 (priority 0x80) TAKEN\n"
s_uart:      .asciz "uart rx irq: "
s_done:      .asciz "done\n"
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
sgi_seen: .quad 0                // bit n: SGI n taken
rx_done:  .quad 0                // '.' received

    .balign 16
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
    b irq                        // IRQ
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal
    .balign 0x80
    b fatal                      // lower EL, AArch64
    .balign 0x80
    b fatal
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
