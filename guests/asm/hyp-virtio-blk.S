// hyp-virtio-blk: a VM's bare-metal driver for the virtio-blk device the hypervisor assigned to it
// ("assignVirtio": { "vm": 0, "slot": 0 } and a drive): the virtio-mmio transport at 0x0a00_0000 is
// mapped by stage 2 (no exits), the device's DMA goes through the SMMU by the VM's stage 2. The
// driver follows Virtual I/O Device 1.1, 3.1.1 and 4.2.3: reset, ACKNOWLEDGE, DRIVER, features
// VIRTIO_F_VERSION_1 and VIRTIO_F_ACCESS_PLATFORM, FEATURES_OK, virtqueue 0 with 8 entries (split
// layout: descriptors at IPA 0x4010_0000, available ring +0x100, used ring +0x1000), DRIVER_OK.
// Requests (5.2.6): a 16-byte header (VIRTIO_BLK_T_IN, sector 0), a 512-byte device-writable
// buffer, a status byte; QueueNotify; the used ring polled (the device completes at once).
//   1. read sector 0 into its own buffer (IPA 0x4010_3000) and print the start of it;
//   2. read sector 0 "into" PA 0x40f0_0800 (the hypervisor's stream table, STE 32): with the SMMU
//      the write aborts (status VIRTIO_BLK_S_IOERR = 1, an event for StreamID 0); in bypass the
//      sector lands in the hypervisor's memory (status 0).
// Hypervisor-specific: no QEMU recording. Same syntax rules as hello.S.
    .global _start
_start:
    movz x28, #0x0900, lsl #16   // x28: PL011
    movz x27, #0x0a00, lsl #16   // x27: virtio-mmio slot 0
    movz x20, #0x4010, lsl #16   // x20: virtqueue memory (IPA)
    adr x6, s_id
    bl puts
    ldr w0, [x27]                // MagicValue
    bl print_hex
    mov w0, #0x20
    str w0, [x28]
    ldr w0, [x27, #0x004]        // Version
    bl print_hex
    mov w0, #0x20
    str w0, [x28]
    ldr w0, [x27, #0x008]        // DeviceID (2: block)
    bl print_hex
    mov w0, #10
    str w0, [x28]

    str wzr, [x27, #0x070]       // Status = 0: reset
    mov w1, #1
    str w1, [x27, #0x070]        // ACKNOWLEDGE
    mov w1, #3
    str w1, [x27, #0x070]        // DRIVER
    mov w1, #1
    str w1, [x27, #0x024]        // DriverFeaturesSel = 1 (bits 32-63)
    mov w1, #3
    str w1, [x27, #0x020]        // VERSION_1 (32) | ACCESS_PLATFORM (33)
    str wzr, [x27, #0x024]
    str wzr, [x27, #0x020]       // bits 0-31: none
    mov w1, #11
    str w1, [x27, #0x070]        // FEATURES_OK
    ldr w1, [x27, #0x070]
    tbz w1, #3, failed           // the device did not accept the features
    str wzr, [x27, #0x030]       // QueueSel = 0
    mov w1, #8
    str w1, [x27, #0x038]        // QueueNum
    str w20, [x27, #0x080]       // QueueDescLow
    str wzr, [x27, #0x084]
    add x1, x20, #0x100
    str w1, [x27, #0x090]        // QueueDriverLow (available ring)
    str wzr, [x27, #0x094]
    add x1, x20, #0x1000
    str w1, [x27, #0x0a0]        // QueueDeviceLow (used ring)
    str wzr, [x27, #0x0a4]
    mov w1, #1
    str w1, [x27, #0x044]        // QueueReady
    mov w1, #15
    str w1, [x27, #0x070]        // DRIVER_OK
    mov x23, #0                  // x23: next available index

    add x21, x20, #0x3000        // 1. into its own buffer
    bl blk_read
    adr x6, s_read
    bl puts
    mov x0, x22
    bl print_hex
    adr x6, s_data
    bl puts
    mov x1, #0
show:
    ldrb w0, [x21, x1]
    cmp w0, #0x20
    b.lo dot
    cmp w0, #0x7e
    b.ls put
dot:
    mov w0, #0x2e
put:
    str w0, [x28]
    add x1, x1, #1
    cmp x1, #48
    b.ne show
    mov w0, #10
    str w0, [x28]

    movz x21, #0x40f0, lsl #16   // 2. into the hypervisor's stream table
    add x21, x21, #0x800
    bl blk_read
    adr x6, s_evil
    bl puts
    mov x0, x22
    bl print_hex
    mov w0, #10
    str w0, [x28]
    b off
failed:
    adr x6, s_failed
    bl puts
off:
    movz x0, #0x0008             // PSCI SYSTEM_OFF
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    b hang

blk_read:                        // sector 0 into [x21, +512); x22 = the status byte; clobbers x0-x5
    add x3, x20, #0x2000         // header: type 0 (VIRTIO_BLK_T_IN), reserved, sector 0
    str xzr, [x3]
    str xzr, [x3, #8]
    mov w4, #0xff
    strb w4, [x3, #0x10]         // the status byte, overwritten by the device
    str x3, [x20]                // desc 0: header, 16 bytes, NEXT, next 1
    mov w4, #16
    str w4, [x20, #8]
    mov w4, #1
    strh w4, [x20, #12]
    strh w4, [x20, #14]
    str x21, [x20, #16]          // desc 1: data, 512 bytes, NEXT | WRITE, next 2
    mov w4, #512
    str w4, [x20, #24]
    mov w4, #3
    strh w4, [x20, #28]
    mov w4, #2
    strh w4, [x20, #30]
    add x4, x3, #0x10
    str x4, [x20, #32]           // desc 2: status, 1 byte, WRITE
    mov w4, #1
    str w4, [x20, #40]
    mov w4, #2
    strh w4, [x20, #44]
    strh wzr, [x20, #46]
    and x4, x23, #7              // avail.ring[idx % 8] = 0 (the chain's head)
    add x5, x20, #0x104
    strh wzr, [x5, x4, lsl #1]
    add x23, x23, #1
    dsb sy
    strh w23, [x20, #0x102]      // avail.idx
    dsb sy
    str wzr, [x27, #0x050]       // QueueNotify: queue 0
    add x5, x20, #0x1000
    movz x4, #0x1, lsl #16       // poll used.idx, at most 65536 times
poll:
    ldrh w1, [x5, #2]
    cmp w1, w23
    b.eq done_req
    subs x4, x4, #1
    b.ne poll
done_req:
    ldr w1, [x27, #0x060]        // InterruptStatus
    str w1, [x27, #0x064]        // InterruptACK
    ldrb w22, [x3, #0x10]
    ret

    .include "lib/puts-x6.inc"

    .include "lib/print-hex.inc"

s_id:
    .asciz "virtio-blk: MagicValue Version DeviceID "
s_read:
    .asciz "virtio-blk: read sector 0 into IPA 0x40103000: status "
s_data:
    .asciz ", data "
s_evil:
    .asciz "virtio-blk: read sector 0 into PA 0x40f00800 (the hypervisor's stream table): status "
s_failed:
    .asciz "virtio-blk: FEATURES_OK refused\n"
