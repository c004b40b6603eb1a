// el0-svc: exception levels and system calls.
//
// EL1 installs a vector table (VBAR_EL1), then drops to EL0 with ERET. EL0 code
// makes SVC calls (a tiny syscall ABI: x8 = number, x0 = argument, result in x0);
// the EL1 handler checks ESR_EL1.EC == 0x15 (SVC from AArch64), prints what it
// saw and ERETs back. EL0 ends with an "exit" SVC; EL1 then leaves through
// semihosting SYS_EXIT_EXTENDED with the status EL0 asked for.
//
// Syscalls (numbers borrowed from Linux):
//   64  write: x0 = NUL-terminated string, returns its length
//   93  exit:  x0 = status
//   anything else returns -1
//
// Same syntax rules as hello.S (GNU as and keystone both accept it).
    .global _start
_start:
    adr x0, el1_stack_top
    mov sp, x0                   // SP_EL1 (we start in EL1h)
    adr x0, el0_stack_top
    msr sp_el0, x0
    adr x0, vectors
    msr vbar_el1, x0
    isb

    adr x0, s_banner
    bl puts
    mrs x0, CurrentEL
    lsr x0, x0, #2
    mov x1, #1
    bl puthex                    // current EL, one digit
    adr x0, s_newline
    bl puts

    // Enter EL0: SPSR_EL1.M = EL0t, DAIF clear, flags clear.
    msr spsr_el1, xzr
    adr x0, el0_main
    msr elr_el1, x0
    eret

// ---------------------------------------------------------------- EL0 code
el0_main:
    movz x19, #0x123             // callee-visible registers must survive SVC
    movz x7, #0x777
    adr x0, s_el0_hello
    mov x8, #64
    svc #0
    cmp x0, #27                  // write returns the length of s_el0_hello
    b.ne el0_fail

    // Sum 1..64 at EL0 and report it (sets flags before the SVC: SPSR shows them).
    mov x20, #0
    mov x21, #64
sum_loop:
    add x20, x20, x21
    subs x21, x21, #1
    b.ne sum_loop
    cmp x20, #2080
    b.ne el0_fail
    adr x0, s_el0_sum
    mov x8, #64
    svc #1

    // An unknown syscall number returns -1.
    mov x0, #0
    mov x8, #999
    svc #2
    cmn x0, #1
    b.ne el0_fail

    cmp x19, #0x123
    b.ne el0_fail
    cmp x7, #0x777
    b.ne el0_fail

    mov x0, #42                  // exit status
    mov x8, #93
    svc #3
el0_fail:
    mov x0, #3
    mov x8, #93
    svc #0xff

// ---------------------------------------------------------------- EL1 handlers
// Synchronous exception from a lower EL (AArch64): the syscall entry.
el0_sync:
    stp x29, x30, [sp, #-16]!
    stp x1, x2, [sp, #-16]!
    stp x3, x4, [sp, #-16]!
    stp x5, x6, [sp, #-16]!
    stp x7, x9, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    mov x19, x0                  // syscall argument
    mrs x20, esr_el1
    lsr x1, x20, #26
    cmp x1, #0x15                // EC: SVC instruction execution in AArch64 state
    b.ne unexpected

    adr x0, s_svc
    bl puts
    and x0, x20, #0xffff         // ISS: the SVC's imm16
    mov x1, #4
    bl puthex
    adr x0, s_esr
    bl puts
    mov x0, x20
    mov x1, #8
    bl puthex
    adr x0, s_elr
    bl puts
    mrs x0, elr_el1              // the instruction after the SVC
    mov x1, #8
    bl puthex
    adr x0, s_spsr
    bl puts
    mrs x0, spsr_el1
    mov x1, #8
    bl puthex
    adr x0, s_x8
    bl puts
    mov x0, x8
    mov x1, #4
    bl puthex
    adr x0, s_newline
    bl puts

    cmp x8, #64
    b.eq sys_write
    cmp x8, #93
    b.eq sys_exit
    movn x0, #0                  // -1: no such syscall
    b svc_return
sys_write:
    adr x0, s_el0_says
    bl puts
    mov x0, x19
    bl puts                      // returns the length in x0
    b svc_return
sys_exit:
    adr x0, s_exit
    bl puts
    mov x0, x19
    mov x1, #2
    bl puthex
    adr x0, s_newline
    bl puts
    // Semihosting SYS_EXIT_EXTENDED (0x20): x1 -> {ADP_Stopped_ApplicationExit, status}.
    adr x1, exit_block
    movz x2, #0x0026
    movk x2, #0x2, lsl #16
    stp x2, x19, [x1]
    mov x0, #0x20
    hlt #0xf000
    b hang
svc_return:
    ldp x19, x20, [sp], #16
    ldp x7, x9, [sp], #16
    ldp x5, x6, [sp], #16
    ldp x3, x4, [sp], #16
    ldp x1, x2, [sp], #16
    ldp x29, x30, [sp], #16
    eret

// Any other exception: report ESR/ELR and exit with status 1.
unexpected:
    adr x0, s_unexpected
    bl puts
    mrs x0, esr_el1
    mov x1, #8
    bl puthex
    adr x0, s_elr
    bl puts
    mrs x0, elr_el1
    mov x1, #8
    bl puthex
    adr x0, s_newline
    bl puts
    adr x1, exit_block
    movz x2, #0x0026
    movk x2, #0x2, lsl #16
    mov x3, #1
    stp x2, x3, [x1]
    mov x0, #0x20
    hlt #0xf000
hang:
    wfi
    b hang

// puts(x0 = string): write to the PL011, return the length. Clobbers x1-x4.
puts:
    mov x1, x0
    movz x2, #0x0900, lsl #16
puts_next:
    ldrb w3, [x1], #1
    cbz w3, puts_done
puts_wait:
    ldr w4, [x2, #0x18]          // UARTFR
    tbnz w4, #5, puts_wait       // TXFF
    str w3, [x2]                 // UARTDR
    b puts_next
puts_done:
    sub x0, x1, x0
    sub x0, x0, #1
    ret

// puthex(x0 = value, x1 = number of hex digits): print the low digits. Clobbers x0-x4.
puthex:
    movz x2, #0x0900, lsl #16
    lsl x1, x1, #2               // bit position of the top digit + 4
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

s_banner:     .asciz "el0-svc: vectors installed, running at EL"
s_newline:    .asciz "\n"
s_el0_hello:  .asciz "hello from EL0 via SVC #0!\n"
s_el0_sum:    .asciz "sum 1..64 = 2080 computed at EL0\n"
s_el0_says:   .asciz "  EL0 says: "
s_svc:        .asciz "[EL1] SVC #0x"
s_esr:        .asciz " ESR_EL1=0x"
s_elr:        .asciz " ELR_EL1=0x"
s_spsr:       .asciz " SPSR_EL1=0x"
s_x8:         .asciz " x8=0x"
s_exit:       .asciz "  exit status 0x"
s_unexpected: .asciz "unexpected exception: ESR_EL1=0x"

    .balign 16
exit_block:
    .skip 16
el0_stack:
    .skip 1024
el0_stack_top:
    .skip 1024
el1_stack_top:

// Vector table: 16 entries of 0x80 bytes, 2 KiB aligned.
    .balign 0x800
vectors:
    b unexpected                 // current EL with SP_EL0: synchronous
    .balign 0x80
    b unexpected                 //   IRQ
    .balign 0x80
    b unexpected                 //   FIQ
    .balign 0x80
    b unexpected                 //   SError
    .balign 0x80
    b unexpected                 // current EL with SP_ELx: synchronous
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected
    .balign 0x80
    b el0_sync                   // lower EL, AArch64: synchronous (0x400)
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected                 // lower EL, AArch32
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected
    .balign 0x80
    b unexpected
