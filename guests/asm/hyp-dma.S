// hyp-dma: a VM's driver for the DMA engine the hypervisor assigned to it (a64hv run --hyp with
// "assignDma": { "vm": 0, "ipa": "0x0a100000" }; the engine's register page is mapped by stage 2,
// so programming it costs no exit). The guest knows only IPAs: it asks the engine to copy 256
// bytes from src_buf (in its image, IPA 0x4000_1000) to IPA 0x4020_0000, polls STATUS (the
// engine's interrupt is not needed for that), and checks the copy with the CPU. Then it copies
// again to IPA 0x4020_1000 with CTRL.IRQ_EN and waits in WFI for the engine's interrupt (INTID 44),
// which the hypervisor forwards through the virtual GIC: the handler acknowledges it at GICC_IAR
// (the GICV frame, no exit), clears STATUS, completes it at GICC_EOIR.
//  - With the SMMU translating the engine's StreamID through this VM's stage 2 (the default), the
//    bytes land where the guest expects: "copy ok".
//  - With the SMMU in bypass (--hyp-smmu bypass), the engine takes the IPAs as physical
//    addresses: it reads the hypervisor's memory at PA 0x4000_1000 (this VM's stage-2 tables) and
//    writes PA 0x4020_0000 (hypervisor memory too); the guest's own page is untouched: "copy WRONG".
// Register map of the engine: src/devices/dma-engine.ts (SRC/DST lo/hi, LEN, CTRL, STATUS, ERROR).
// Hypervisor-specific (QEMU's virt has no such engine): no QEMU recording.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011
    movz x27, #0x0a10, lsl #16   // x27: the DMA engine (IPA)
    adr x6, s_hello
    bl puts
    ldr w0, [x27]                // DMA_ID
    bl print_hex
    mov w0, #10
    str w0, [x28]
    adr x20, src_buf             // x20: source (IPA 0x4000_1000)
    movz x21, #0x4020, lsl #16   // x21: destination (IPA 0x4020_0000)
    mov x1, #0                   // clear the destination with the CPU first
clear:
    str xzr, [x21, x1]
    add x1, x1, #8
    cmp x1, #256
    b.ne clear
    dsb sy
    str w20, [x27, #0x08]        // SRC_LO
    lsr x1, x20, #32
    str w1, [x27, #0x0c]         // SRC_HI
    str w21, [x27, #0x10]        // DST_LO
    lsr x1, x21, #32
    str w1, [x27, #0x14]         // DST_HI
    mov w1, #256
    str w1, [x27, #0x18]         // LEN
    mov w1, #0x601               // CTRL: BURST = 6 (64-byte bursts), START
    str w1, [x27, #0x1c]
    movz x2, #0x1, lsl #16       // poll STATUS, at most 65536 times
poll:
    ldr w22, [x27, #0x20]        // STATUS: BUSY 0, DONE 1, ERROR 2
    tst w22, #6
    b.ne polled
    subs x2, x2, #1
    b.ne poll
polled:
    adr x6, s_poll
    bl puts
    mov x0, x22
    bl print_hex
    adr x6, s_error
    bl puts
    ldr w0, [x27, #0x24]         // ERROR
    bl print_hex
    mov w0, #10
    str w0, [x28]
    mov w0, #6
    str w0, [x27, #0x20]         // STATUS: write 1 to clear DONE and ERROR
    mov x1, #0                   // compare destination and source
cmp_next:
    ldrb w2, [x20, x1]
    ldrb w3, [x21, x1]
    cmp w2, w3
    b.ne wrong
    add x1, x1, #1
    cmp x1, #256
    b.ne cmp_next
    adr x6, s_ok
    bl puts
    b by_irq
wrong:
    adr x6, s_wrong
    bl puts
    mov x0, x1
    bl print_hex
    mov w0, #10
    str w0, [x28]
by_irq:
    adr x1, vectors
    msr vbar_el1, x1
    isb
    movz x26, #0x0800, lsl #16   // x26: GICD (trapped, the virtual distributor)
    movz x25, #0x0801, lsl #16   // x25: GICC (the GICV frame)
    mov w1, #1
    str w1, [x26]                // GICD_CTLR.EnableGrp0
    mov w1, #0x1000
    str w1, [x26, #0x104]        // GICD_ISENABLER1: INTID 44
    mov w1, #0xff
    str w1, [x25, #0x4]          // GICC_PMR
    mov w1, #1
    str w1, [x25]                // GICC_CTLR.EnableGrp0
    mov x23, #0                  // set by the handler: the INTID it acknowledged
    movz x21, #0x4020, lsl #16
    add x21, x21, #0x1000        // x21: destination IPA 0x4020_1000
    str w20, [x27, #0x08]        // SRC_LO (x20: src_buf)
    str wzr, [x27, #0x0c]
    str w21, [x27, #0x10]        // DST_LO
    str wzr, [x27, #0x14]
    mov w1, #256
    str w1, [x27, #0x18]         // LEN
    mov w1, #0x603               // CTRL: 64-byte bursts, IRQ_EN, START
    str w1, [x27, #0x1c]
    msr daifclr, #2              // take IRQs
    movz x2, #0x100              // at most 256 WFIs
wait_irq:
    cbnz x23, irq_done
    wfi
    subs x2, x2, #1
    b.ne wait_irq
irq_done:
    msr daifset, #2
    adr x6, s_irq
    bl puts
    mov x0, x23
    bl print_hex
    adr x6, s_status
    bl puts
    mov x0, x22
    bl print_hex
    mov w0, #10
    str w0, [x28]
    mov x1, #0
cmp2:
    ldrb w2, [x20, x1]
    ldrb w3, [x21, x1]
    cmp w2, w3
    b.ne wrong2
    add x1, x1, #1
    cmp x1, #256
    b.ne cmp2
    adr x6, s_ok
    bl puts
    b off
wrong2:
    adr x6, s_wrong
    bl puts
    mov x0, x1
    bl print_hex
    mov w0, #10
    str w0, [x28]
off:
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

    .include "lib/puts-x6.inc"

    .include "lib/print-hex.inc"

s_hello:
    .asciz "dma: engine at IPA 0x0a100000, DMA_ID "
s_status:
    .asciz ", STATUS "
s_poll:
    .asciz "dma: copied 256 bytes IPA 0x40001000 -> 0x40200000 by polling, STATUS "
s_error:
    .asciz " ERROR "
s_ok:
    .asciz "dma: copy ok, the data is where this VM put it\n"
s_wrong:
    .asciz "dma: copy WRONG, first differing byte at offset "
s_irq:
    .asciz "dma: copied 256 bytes IPA 0x40001000 -> 0x40201000 with IRQ_EN: interrupt INTID "

    .balign 0x800
vectors:                         // VBAR_EL1: only IRQ from the current EL with SP_EL1 (+0x280)
    .space 0x280
    ldr w23, [x25, #0xc]         // GICC_IAR (GICV: no exit)
    ldr w22, [x27, #0x20]        // the engine's STATUS
    mov w1, #6
    str w1, [x27, #0x20]         // clear DONE/ERROR: the engine's line goes low
    str w23, [x25, #0x10]        // GICC_EOIR
    and x23, x23, #0x3ff
    eret

    .balign 4096
src_buf:                         // IPA 0x4000_1000: 256 bytes the engine copies
    .ascii "The quick brown fox jumps over the lazy dog, copied by DMA "
    .ascii "through the SMMU with this VM's stage-2 tables. 0123456789"
    .ascii "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?+-*/"
    .ascii "The end of the buffer is near. 0123456789abcdefghijklmnopq"
    .ascii "rstuvwxyz0123456789ABCD"
