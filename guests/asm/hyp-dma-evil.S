// hyp-dma-evil: a malicious VM with the DMA engine assigned to it. It aims the engine at memory
// that is not its own, using the physical addresses the documented layout gives away (src/hyp/
// README.md "Memory"; the scenario runs guests/asm/hyp-dma-victim.S as VM 0 with 32 MiB and this
// guest as VM 1 with 8 MiB and "assignDma": { "vm": 1 }):
//   hypervisor memory   PA 0x4000_0000-0x40ff_ffff; the SMMU's stream table at PA 0x40f0_0000
//   VM 0's RAM          PA 0x4100_0000 (its secret at IPA 0x4000_0100 = PA 0x4100_0100)
//   this VM's RAM       PA 0x4300_0000 (its buffer at IPA 0x4001_0000 = PA 0x4301_0000)
// Attacks, 64 bytes each: A reads the stream table into its buffer, B reads VM 0's secret into
// its buffer (both name the buffer by its PA, as they would have to without an SMMU), C writes
// its own string (IPA 0x4000_0800) over VM 0's secret. After each it prints the engine's STATUS,
// ERROR and ERR_ADDR and its buffer as text ('#' = untouched guard, '.' = non-printable).
//  - SMMU translating its StreamID by this VM's stage 2: every attack aborts (ERROR 1 read, 2
//    write; the hypervisor logs the SMMU's event records); nothing leaks, nothing changes.
//  - SMMU in bypass (--hyp-smmu bypass): A and B copy the stream table and VM 0's secret into
//    the buffer, C overwrites VM 0's secret with what is at PA 0x4000_0800 (hypervisor memory).
// Hypervisor-specific: no QEMU recording. Same syntax rules as hello.S.
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011
    movz x27, #0x0a10, lsl #16   // x27: the DMA engine (IPA)
    movz x25, #0x4001, lsl #16   // x25: own buffer (IPA)
    adr x19, attacks             // x19: {name, src, dst} triples, name 0 ends
next_attack:
    ldr x6, [x19], #8
    cbz x6, done
    bl puts
    ldr x20, [x19], #8           // source
    ldr x21, [x19], #8           // destination
    mov x1, #0                   // the guard: 64 '#' in the buffer
    mov w2, #0x23
guard:
    strb w2, [x25, x1]
    add x1, x1, #1
    cmp x1, #64
    b.ne guard
    dsb sy
    str w20, [x27, #0x08]        // SRC_LO
    lsr x1, x20, #32
    str w1, [x27, #0x0c]         // SRC_HI
    str w21, [x27, #0x10]        // DST_LO
    lsr x1, x21, #32
    str w1, [x27, #0x14]         // DST_HI
    mov w1, #64
    str w1, [x27, #0x18]         // LEN
    mov w1, #0x601               // CTRL: 64-byte bursts, START
    str w1, [x27, #0x1c]
    movz x2, #0x1, lsl #16
poll:
    ldr w22, [x27, #0x20]        // STATUS
    tst w22, #6
    b.ne polled
    subs x2, x2, #1
    b.ne poll
polled:
    adr x6, s_status
    bl puts
    mov x0, x22
    bl print_hex
    adr x6, s_error
    bl puts
    ldr w0, [x27, #0x24]         // ERROR
    bl print_hex
    adr x6, s_addr
    bl puts
    ldr w0, [x27, #0x28]         // ERR_ADDR_LO
    bl print_hex
    mov w0, #6
    str w0, [x27, #0x20]         // clear DONE and ERROR
    adr x6, s_buf
    bl puts
    mov x1, #0
show:
    ldrb w0, [x25, x1]
    cmp w0, #0x20
    b.lo dot
    cmp w0, #0x7e
    b.ls put
dot:
    mov w0, #0x2e
put:
    str w0, [x28]
    add x1, x1, #1
    cmp x1, #64
    b.ne show
    mov w0, #10
    str w0, [x28]
    b next_attack
done:
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

    .include "lib/puts-x6.inc"

    .include "lib/print-hex.inc"

    .balign 8
attacks:
    .quad s_a, 0x40f00000, 0x43010000
    .quad s_b, 0x41000100, 0x43010000
    .quad s_c, 0x40000800, 0x41000100
    .quad 0

s_a:
    .asciz "evil: A read hypervisor memory (stream table, PA 0x40f00000)\n"
s_b:
    .asciz "evil: B read VM 0's secret (PA 0x41000100)\n"
s_c:
    .asciz "evil: C write over VM 0's secret (PA 0x41000100)\n"
s_status:
    .asciz "evil:   STATUS "
s_error:
    .asciz " ERROR "
s_addr:
    .asciz " ERR_ADDR "
s_buf:
    .asciz "\nevil:   buffer "

    .balign 2048
pwned:                           // IPA 0x4000_0800: what attack C writes
    .ascii "PWNED by VM 1's DMA engine! PWNED by VM 1's DMA engine! PWNED."
    .byte 0
