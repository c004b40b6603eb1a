// hyp-dma-victim: VM 0 of the DMA isolation scenario (see hyp-dma-evil.S). It keeps a secret at
// IPA 0x4000_0100 (in its image), gives the CPU to the other VM (A64HV_YIELD) a few times while
// that VM attacks it with its DMA engine, then checks that its secret is unchanged and prints it.
// Hypervisor-specific (the hypercall): no QEMU recording. Same syntax rules as hello.S.
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011
    b main

    .balign 256
secret:                          // IPA 0x4000_0100 (PA 0x4100_0100 when VM 0 has the first window)
    .ascii "VM0 SECRET: the launch code is 0451; nobody else may read this."
    .byte 0
    .balign 64
copy:                            // the same 64 bytes, to check against
    .ascii "VM0 SECRET: the launch code is 0451; nobody else may read this."
    .byte 0

main:
    adr x6, s_hello
    bl puts
    mov x19, #8
wait:
    movz x0, #0x0003             // A64HV_YIELD (SMC64 0xC6000003): let the other VM run
    movk x0, #0xc600, lsl #16
    hvc #0
    subs x19, x19, #1
    b.ne wait
    adr x20, secret
    adr x21, copy
    mov x1, #0
check:
    ldrb w2, [x20, x1]
    ldrb w3, [x21, x1]
    cmp w2, w3
    b.ne changed
    add x1, x1, #1
    cmp x1, #64
    b.ne check
    adr x6, s_intact
    bl puts
    b off
changed:
    adr x6, s_changed
    bl puts
off:
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

    .include "lib/puts-x6.inc"

s_hello:
    .asciz "victim: my secret is at IPA 0x40000100\n"
s_intact:
    .asciz "victim: my secret is intact\n"
s_changed:
    .asciz "victim: my secret was CHANGED behind my back\n"
