// hyp-echo: the hypervisor's seed scenario, also a plain bare-metal guest (runs on QEMU -M virt).
// At EL1 it turns its stage-1 MMU on (UART as Device memory, RAM as Normal), reads the PL011's
// identification registers with one LDP (a pair: under a hypervisor this traps with no syndrome,
// ISV=0, and is emulated by decoding the instruction), then echoes what arrives in the UART's
// receive FIFO (polling FR.RXFE) until EOT or an empty line, and reports how many bytes it read.
// Under `a64hv run --hyp` every UART access is a stage-2 data abort emulated by the hypervisor.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011 UART0
    // Stage 1: one level-1 table (39-bit VA) at 0x40100000: [0] 0-1G Device, [1] 1G-2G Normal.
    movz x1, #0x4010, lsl #16
    movz x2, #0x0401
    str x2, [x1]
    movz x2, #0x0705
    movk x2, #0x4000, lsl #16
    str x2, [x1, #8]
    movz x2, #0xff00             // MAIR: attr0 Device-nGnRnE, attr1 Normal WB
    msr mair_el1, x2
    movz x2, #0x3519             // T0SZ=25, WB walks, inner shareable, EPD1, IPS=40 bits
    movk x2, #0x0080, lsl #16
    movk x2, #0x0002, lsl #32
    msr tcr_el1, x2
    msr ttbr0_el1, x1
    isb
    mrs x2, sctlr_el1
    orr x2, x2, #1               // M
    orr x2, x2, #4               // C
    orr x2, x2, #0x1000          // I
    msr sctlr_el1, x2
    isb
    add x1, x28, #0xfe0
    ldp w1, w2, [x1]             // UARTPeriphID0, UARTPeriphID1: 0x11, 0x10 (part 0x011)
    adr x6, s_id_bad
    cmp w1, #0x11
    b.ne id_done
    cmp w2, #0x10
    b.ne id_done
    adr x6, s_id_ok
id_done:
    bl puts
    adr x6, s_prompt
    bl puts
    mov x22, #0                  // x22: bytes read
    mov x21, #1                  // x21: at the start of a line
read_char:
    ldr w3, [x28, #0x18]         // UARTFR
    tbnz w3, #4, read_char       // FR.RXFE: receive FIFO empty, wait
    ldr w0, [x28]                // UARTDR: data in [7:0], error flags in [11:8]
    and w0, w0, #0xff
    add x22, x22, #1
    cmp w0, #4                   // EOT
    b.eq finish
    cmp w0, #13
    b.ne not_cr
    mov w0, #10
not_cr:
    cmp w0, #10
    b.ne echo
    cbnz x21, finish             // an empty line ends the session
    mov x21, #1
    str w0, [x28]
    b read_char
echo:
    mov x21, #0
    str w0, [x28]                // UARTDR
    b read_char
finish:
    adr x6, s_bye
    bl puts
    mov x0, x22
    bl print_dec
    adr x6, s_bytes
    bl puts
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    wfi
    b hang

    .include "lib/puts-x6.inc"

print_dec:                       // x0: value; prints it in decimal; clobbers x0, x6-x10
    adr x7, numbuf_end
    mov x8, #10
pd_next:
    udiv x9, x0, x8
    msub x10, x9, x8, x0
    add w10, w10, #0x30
    strb w10, [x7, #-1]!
    mov x0, x9
    cbnz x0, pd_next
    mov x6, x7
    b puts

s_id_ok:
    .asciz "hyp-echo: PL011 id 0x011 (read with LDP)\n"
s_id_bad:
    .asciz "hyp-echo: unexpected PL011 id\n"
s_prompt:
    .asciz "type lines; an empty line ends\n"
s_bye:
    .asciz "bye after "
s_bytes:
    .asciz " bytes\n"
numbuf:
    .asciz "0000000000000000000000"
numbuf_end:
    .byte 0
