// echo: PL011 input. Reads lines from the UART (polling FR.RXFE), prints each back
// upper-cased with its length, and stops at an empty line or EOT (Ctrl-D). Exits
// through semihosting SYS_EXIT_EXTENDED with the number of lines as the status.
// `make expected` feeds it expected/echo.in (the test passes the same as uartInput).
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011 base
    mov x27, #0                  // x27: lines
    adr x0, s_prompt
    bl puts
next_line:
    adr x19, line                // x19: line buffer
    mov x20, #0                  // x20: length
read_char:
    ldr w3, [x28, #0x18]         // UARTFR
    tbnz w3, #4, read_char       // FR.RXFE: receive FIFO empty, wait
    ldr w0, [x28]                // UARTDR: data in [7:0], error flags in [11:8]
    and w0, w0, #0xff
    cmp w0, #4                   // EOT
    b.eq finish
    cmp w0, #13                  // CR ends a line too
    b.eq end_line
    cmp w0, #10
    b.eq end_line
    cmp x20, #120                // keep what fits
    b.hs read_char
    sub w1, w0, #0x61            // 'a'..'z' -> 'A'..'Z'
    cmp w1, #25
    b.hi store
    sub w0, w0, #0x20
store:
    strb w0, [x19, x20]
    add x20, x20, #1
    b read_char
end_line:
    cbz x20, finish
    add x27, x27, #1
    strb wzr, [x19, x20]
    adr x0, s_quote
    bl puts
    mov x0, x19
    bl puts
    adr x0, s_len
    bl puts
    mov x0, x20
    bl putdec
    adr x0, s_close
    bl puts
    b next_line

finish:
    adr x0, s_bye
    bl puts
    mov x0, x27
    bl putdec
    adr x0, s_lines
    bl puts
    adr x1, exit_block
    str x27, [x1, #8]
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

// puts(x0 = string). Clobbers x0-x3.
puts:
    ldrb w1, [x0], #1
    cbz w1, puts_done
puts_wait:
    ldr w3, [x28, #0x18]         // UARTFR
    tbnz w3, #5, puts_wait       // TXFF
    str w1, [x28]                // UARTDR
    b puts
puts_done:
    ret

    .include "lib/putdec.inc"

s_prompt: .asciz "echo: type lines; an empty line ends\n"
s_quote:  .asciz "> "
s_len:    .asciz " ("
s_close:  .asciz " chars)\n"
s_bye:    .asciz "bye after "
s_lines:  .asciz " lines\n"
digits:   .skip 24
digits_end:
    .byte 0
    .balign 8
exit_block:
    .quad 0x20026                // ADP_Stopped_ApplicationExit
    .quad 0                      // status: the number of lines
line:
    .skip 128
