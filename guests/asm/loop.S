// loop: an integer loop for benchmarking the interpreter.
//
// ITERATIONS rounds of ADD/EOR/LSL/SUB/CMP/B.NE mixing three registers, then the
// checksum (x1 ^ x2 ^ x3) is printed in hex on the PL011 so a wrong result is
// visible, and the guest exits through semihosting SYS_EXIT_EXTENDED with status 0.
// 9 instructions per iteration. loop-short.S is generated from this file by
// `make` with a smaller count (for tests); edit this one.
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    ldr x0, iterations
    movz x1, #0x1234
    movz x2, #0x5678
    movz x3, #0x9abc
loop:
    add x1, x1, x0               // x1 += i
    eor x2, x2, x1, lsl #3
    lsl x4, x2, #7
    sub x3, x3, x4
    eor x3, x3, x1, lsr #11
    add w5, w5, w3               // a 32-bit op too
    sub x0, x0, #1
    cmp x0, #0
    b.ne loop

    eor x6, x1, x2
    eor x6, x6, x3
    eor x6, x6, x5

    adr x0, s_checksum
    bl puts
    mov x0, x6
    bl puthex64
    adr x0, s_newline
    bl puts

    // Semihosting SYS_EXIT_EXTENDED (0x20): x1 -> {ADP_Stopped_ApplicationExit, 0}.
    adr x1, exit_block
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

    .include "lib/puts.inc"

// puthex64(x0 = value): 16 hex digits. Clobbers x0-x4.
puthex64:
    movz x2, #0x0900, lsl #16
    mov x1, #64
puthex_next:
    sub x1, x1, #4
    lsr x3, x0, x1
    and x3, x3, #0xf
    cmp x3, #10
    add x4, x3, #0x30            // '0'..'9'
    add x3, x3, #0x57            // 'a'..'f'
    csel x3, x4, x3, lo
puthex_wait:
    ldr w4, [x2, #0x18]
    tbnz w4, #5, puthex_wait
    str w3, [x2]
    cbnz x1, puthex_next
    ret

s_checksum: .asciz "loop checksum: 0x"
s_newline:  .asciz "\n"
    .balign 8
iterations:
    .quad 100000000
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0                      // exit status
