// hello: print a greeting on the PL011 UART, then power off through PSCI.
//
// Runs at whatever EL the loader enters (EL1 on QEMU -kernel) with the MMU off.
// Keep to syntax both GNU as and keystone accept: no macros, includes, .inst or
// numeric local labels, and no section directives (keystone rejects .text/.data/.bss).
    .global _start
_start:
    adr x1, msg                  // x1: next byte of the message
    movz x2, #0x0900, lsl #16    // x2: PL011 UART0 base on the virt board
next_char:
    ldrb w0, [x1], #1
    cbz w0, power_off
wait_tx:
    ldr w3, [x2, #0x18]          // UARTFR
    tbnz w3, #5, wait_tx         // FR.TXFF: transmit FIFO full, wait
    str w0, [x2]                 // UARTDR
    b next_char

power_off:
    // PSCI SYSTEM_OFF (function id 0x84000008). On -M virt without EL2/EL3
    // the PSCI conduit is HVC, handled by the board's firmware.
    movz x0, #0x0008
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    wfi                          // SYSTEM_OFF does not return
    b hang

msg:
    .asciz "Hello from a64hv! AArch64 guest running at EL1 with the MMU off.\n"
