// hyp-dma-s1: a VM that puts its own stage-1 translation in front of the DMA engine the
// hypervisor gave it ("assignDma": { "vm": 0 }): it builds a context descriptor (IHI 0070 5.4) and
// a stage-1 table in its RAM, and asks the hypervisor with the A64HV_DMA_CD hypercall (X1 = the
// CD's IPA) to make the engine's STE nested (stage 1 by this CD, then the VM's stage 2). DMA
// addresses are then I/O virtual addresses of the guest's own making:
//   IOVA 0x0000_0000-0x3fff_ffff -> IPA 0x4000_0000 (a 1 GiB block: the VM's RAM)
//   IOVA 0x8000_0000-0xbfff_ffff -> IPA 0xc000_0000 (not the VM's: stage 2 still says no)
// It copies IOVA 0x1000 -> 0x30_0000 (IPA 0x4000_1000 -> 0x4030_0000) and checks it, then reads
// IOVA 0x4000_0000 (no stage-1 mapping: a stage-1 fault) and IOVA 0x8000_0000 (a stage-2 fault
// on the IPA its stage 1 produced), then goes back to stage 2 only (X1 = 0) and copies by IPA.
// Hypervisor-specific: no QEMU recording. Same syntax rules as hello.S.
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011
    movz x27, #0x0a10, lsl #16   // x27: the DMA engine (IPA)
    adr x6, s_cd
    bl puts
    movz x0, #0x0005             // A64HV_DMA_CD (SMC64 0xC6000005)
    movk x0, #0xc600, lsl #16
    adr x1, cd                   // IPA 0x4000_2000
    hvc #0
    bl print_hex
    mov w0, #10
    str w0, [x28]

    mov x20, #0x1000             // copy IOVA 0x1000 -> 0x30_0000
    movz x21, #0x30, lsl #16
    adr x6, s_copy
    bl dma
    adr x19, src_buf
    movz x21, #0x4030, lsl #16   // its IPA
    bl compare

    movz x20, #0x4000, lsl #16   // IOVA 0x4000_0000: no stage-1 mapping
    movz x21, #0x30, lsl #16
    adr x6, s_s1fault
    bl dma
    movz x20, #0x8000, lsl #16   // IOVA 0x8000_0000 -> IPA 0xc000_0000: stage 2 refuses
    movz x21, #0x30, lsl #16
    adr x6, s_s2fault
    bl dma

    adr x6, s_back
    bl puts
    movz x0, #0x0005             // A64HV_DMA_CD with X1 = 0: stage 2 only again
    movk x0, #0xc600, lsl #16
    mov x1, #0
    hvc #0
    bl print_hex
    mov w0, #10
    str w0, [x28]
    adr x20, src_buf             // copy by IPA: 0x4000_1000 -> 0x4031_0000
    movz x21, #0x4031, lsl #16
    adr x6, s_copy
    bl dma
    adr x19, src_buf
    movz x21, #0x4031, lsl #16
    bl compare

    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

dma:                             // x6: title; copy 256 bytes x20 -> x21, poll, print; clobbers x0-x7, x22
    mov x7, x30
    bl puts
    mov x0, x20
    bl print_hex
    adr x6, s_arrow
    bl puts
    mov x0, x21
    bl print_hex
    str w20, [x27, #0x08]        // SRC_LO
    lsr x1, x20, #32
    str w1, [x27, #0x0c]         // SRC_HI
    str w21, [x27, #0x10]        // DST_LO
    lsr x1, x21, #32
    str w1, [x27, #0x14]         // DST_HI
    mov w1, #256
    str w1, [x27, #0x18]         // LEN
    mov w1, #0x601               // CTRL: 64-byte bursts, START
    str w1, [x27, #0x1c]
    ldr w22, [x27, #0x20]        // STATUS (the engine is done when the store returns)
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
    mov w0, #10
    str w0, [x28]
    mov w0, #6
    str w0, [x27, #0x20]         // clear DONE and ERROR
    mov x30, x7
    ret

compare:                         // 256 bytes at x19 and x21 (IPAs); prints ok or the offset
    mov x7, x30
    mov x1, #0
cmp_next:
    ldrb w2, [x19, x1]
    ldrb w3, [x21, x1]
    cmp w2, w3
    b.ne cmp_bad
    add x1, x1, #1
    cmp x1, #256
    b.ne cmp_next
    adr x6, s_ok
    bl puts
    mov x30, x7
    ret
cmp_bad:
    adr x6, s_wrong
    bl puts
    mov x0, x1
    bl print_hex
    mov w0, #10
    str w0, [x28]
    mov x30, x7
    ret

    .include "lib/puts-x6.inc"

    .include "lib/print-hex.inc"

s_cd:
    .asciz "dma-s1: A64HV_DMA_CD, CD at IPA 0x40002000 (its own stage 1, nested in stage 2) -> "
s_copy:
    .asciz "dma-s1: copy "
s_s1fault:
    .asciz "dma-s1: read IOVA (no stage-1 mapping) "
s_s2fault:
    .asciz "dma-s1: read IOVA (stage 1 -> IPA 0xc0000000, not this VM's) "
s_back:
    .asciz "dma-s1: A64HV_DMA_CD 0: stage 2 only again -> "
s_arrow:
    .asciz " -> "
s_status:
    .asciz ": STATUS "
s_error:
    .asciz " ERROR "
s_addr:
    .asciz " ERR_ADDR "
s_ok:
    .asciz "dma-s1: copy ok\n"
s_wrong:
    .asciz "dma-s1: copy WRONG at offset "

    .balign 4096
src_buf:                         // IPA 0x4000_1000, IOVA 0x1000
    .ascii "Copied through the guest's own stage 1 (its CD and tables), then the hypervisor's "
    .ascii "stage 2: an IOVA of the guest's making becomes an IPA, and only then a PA. 0123456"
    .ascii "789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?+-*/0123456789abcdefghij"
    .ascii "klmnopq"

    .balign 4096
cd:                              // IPA 0x4000_2000: the context descriptor (5.4)
    .word 0xc0003519             // T0SZ 25 (39-bit IOVA), TG0 4K, IR0/OR0 WB, SH0 ISH, EPD1, V
    .word 0x00012202             // IPS 40 bits, AA64, R (record faults), ASID 1
    .quad tables                 // TTB0: the stage-1 table's IPA
    .quad 0                      // TTB1 (EPD1 = 1)
    .quad 0xff                   // MAIR: Attr0 Normal Write-Back
    .quad 0, 0, 0, 0

    .balign 4096
tables:                          // IPA 0x4000_3000: stage-1 level 1, 1 GiB blocks
    .quad 0x40000741             // [0] IOVA 0 -> IPA 0x4000_0000: block, AttrIndx 0, AP 0b01 (EL0 RW), ISH, AF
    .quad 0                      // [1] IOVA 0x4000_0000: invalid
    .quad 0xc0000741             // [2] IOVA 0x8000_0000 -> IPA 0xc000_0000
    .space 4072
