// A guest that sleeps in WFI until the UART's receive interrupt (GIC SPI 33) wakes it, echoes two
// bytes from its IRQ handler and exits 42 (semihosting). Shared by the interactive-console tests
// (cli, console, progress). With `timer`, the virtual timer is also enabled 1 s (modelled) ahead,
// its PPI not enabled in the GIC: a deadline that an interactive run passes in real time.
const ARM_TIMER = `
       movz x6, #0x03b9, lsl #16
       movk x6, #0xaca0
       msr cntv_tval_el0, x6
       mov x6, #1
       msr cntv_ctl_el0, x6`;

export function irqEchoGuest(opts: { timer?: boolean } = {}): string {
  return `
       adr x1, vectors
       msr vbar_el1, x1
       isb
       movz x9, #0x0800, lsl #16
       movz x10, #0x0801, lsl #16
       movz x2, #0x0900, lsl #16
       mov w1, #1
       str w1, [x9]
       str w1, [x10]
       mov w1, #0xff
       str w1, [x10, #4]
       mov w1, #2
       str w1, [x9, #0x104]
       mov w1, #0x50
       str w1, [x2, #0x38]${opts.timer ? ARM_TIMER : ''}
       mov x4, #2
       msr daifclr, #2
     wait: cbz x4, done
       wfi
       b wait
     done:
       mov x0, #0x18
       adr x1, blk
       hlt #0xf000
       .balign 8
     blk: .quad 0x20026, 42
       .balign 0x800
     vectors: .space 0x280
       ldr w5, [x10, #0xc]
     drain: ldr w3, [x2, #0x18]
       tbnz w3, #4, drained
       ldrb w0, [x2]
       strb w0, [x2]
       sub x4, x4, #1
       b drain
     drained: str w5, [x10, #0x10]
       eret`;
}
