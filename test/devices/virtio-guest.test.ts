// End to end through the CLI: a bare-metal guest (keystone assembly, below) drives the DMA engine
// and a virtio-blk device by hand, with its virtqueue in its own RAM and each completion signalled
// by the device's SPI through the GIC, against a temporary disk file: a read, a write (refused on
// a read-only drive), a request beyond the capacity. The same guest behind the SMMU (--iommu
// smmuv3, left disabled by the guest: GBPA bypass) behaves the same. Its virtio part alone is
// compared with what QEMU printed for it and the disk bytes QEMU left.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { main } from '../../src/cli.js';

const DMA_PROLOGUE = `
// The DMA engine (x27) copies a message to print and the data the guest will write to sector 2.
    .global _start
_start:
    movz x28, #0x0900, lsl #16
    movz x27, #0x090f, lsl #16
    // DMA engine: copy dmamsg (48 bytes) to 0x4010_0000 in 16-byte bursts; poll STATUS.
    adr x0, dmamsg
    movz x1, #0x4010, lsl #16
    mov w2, #48
    bl dma_copy
    movz x6, #0x4010, lsl #16
    bl puts
    // And wmsg to 0x4012_3000 (the data the guest will write to sector 2), this time waiting for
    // the engine's SPI (INTID 44, level): GIC set up, CTRL.IRQ_EN, WFI, GICC_IAR = 44, STATUS
    // DONE cleared (the line drops), GICC_EOIR; then nothing is pending (IAR 1023).
    movz x25, #0x0801, lsl #16
    movz x19, #0x0800, lsl #16
    mov w1, #0x80
    strb w1, [x19, #0x42c]
    mov w1, #1
    strb w1, [x19, #0x82c]
    mov w1, #0x1000
    str w1, [x19, #0x104]
    mov w1, #1
    str w1, [x19]
    mov w1, #0xff
    str w1, [x25, #4]
    mov w1, #1
    str w1, [x25]
    adr x0, wmsg
    movz x1, #0x4012, lsl #16
    add x1, x1, #0x3000
    mov w2, #32
    str w0, [x27, #0x08]
    str wzr, [x27, #0x0c]
    str w1, [x27, #0x10]
    str wzr, [x27, #0x14]
    str w2, [x27, #0x18]
    mov w3, #0x403
    str w3, [x27, #0x1c]
dma_irq_wait:
    wfi
    ldr w5, [x25, #0x0c]
    and w8, w5, #0x3ff
    cmp w8, #1023
    b.eq dma_irq_wait
    cmp w8, #44
    b.ne fail
    ldr w3, [x27, #0x20]
    cmp w3, #2
    b.ne fail
    str w3, [x27, #0x20]
    str w5, [x25, #0x10]
    ldr w5, [x25, #0x0c]
    and w8, w5, #0x3ff
    cmp w8, #1023
    b.ne fail
    b virtio_main

// dma_copy(x0 = src, x1 = dst, w2 = len): program the engine, poll STATUS, clear DONE.
dma_copy:
    str w0, [x27, #0x08]
    lsr x3, x0, #32
    str w3, [x27, #0x0c]
    str w1, [x27, #0x10]
    lsr x3, x1, #32
    str w3, [x27, #0x14]
    str w2, [x27, #0x18]
    mov w3, #0x401
    str w3, [x27, #0x1c]
dma_wait:
    ldr w3, [x27, #0x20]
    tst w3, #6
    b.eq dma_wait
    tbnz w3, #2, fail
    mov w3, #2
    str w3, [x27, #0x20]
    ret

    .align 4
dmamsg:
    .asciz "dma: 48 bytes copied by the engine in bursts\\n"
    .align 4
`;

const QEMU_PROLOGUE = `
// On QEMU (no DMA engine) the CPU copies the data the guest will write to sector 2.
    .global _start
_start:
    movz x28, #0x0900, lsl #16
    adr x0, wmsg
    movz x1, #0x4012, lsl #16
    add x1, x1, #0x3000
    mov w2, #32
cpy:
    ldrb w3, [x0], #1
    strb w3, [x1], #1
    subs w2, w2, #1
    b.ne cpy
    b virtio_main
`;

const VIRTIO_BODY = `
// The virtio part, shared with QEMU: find the slot with DeviceID 2 (we fill slots from 0, QEMU
// from the top); its SPI is 16 + slot (INTID in w10). Registers: x28 PL011, x26 the transport,
// x25 GICC, x20/x21/x22 desc/avail/used.
virtio_main:
    movz x26, #0x0a00, lsl #16
    mov w9, #32
scan:
    ldr w1, [x26, #8]
    cmp w1, #2
    b.eq found
    add x26, x26, #0x200
    subs w9, w9, #1
    b.ne scan
    b fail
found:
    movz x1, #0x0a00, lsl #16
    sub x1, x26, x1
    lsr x1, x1, #9
    add w10, w1, #48
    // GICv2: the slot's SPI enabled, edge-triggered, priority 0x80, to CPU 0; interfaces on.
    // PSTATE.I stays set: WFI wakes on the pending interrupt and GICC_IAR acknowledges it.
    movz x25, #0x0801, lsl #16
    movz x19, #0x0800, lsl #16
    mov w1, #0x80
    add x2, x19, #0x400
    strb w1, [x2, x10]
    mov w1, #1
    add x2, x19, #0x800
    strb w1, [x2, x10]
    lsr w3, w10, #4
    add x2, x19, #0xc00
    ldr w1, [x2, x3, lsl #2]
    and w4, w10, #15
    lsl w4, w4, #1
    add w4, w4, #1
    mov w5, #1
    lsl w5, w5, w4
    orr w1, w1, w5
    str w1, [x2, x3, lsl #2]
    lsr w3, w10, #5
    and w4, w10, #31
    mov w5, #1
    lsl w5, w5, w4
    add x2, x19, #0x100
    str w5, [x2, x3, lsl #2]
    mov w1, #1
    str w1, [x19]
    mov w1, #0xff
    str w1, [x25, #4]
    mov w1, #1
    str w1, [x25]
    // virtio-mmio: MagicValue, Version 2, DeviceID 2 (block).
    ldr w1, [x26]
    movz w2, #0x6976
    movk w2, #0x7472, lsl #16
    cmp w1, w2
    b.ne fail
    ldr w1, [x26, #4]
    cmp w1, #2
    b.ne fail
    ldr w1, [x26, #8]
    cmp w1, #2
    b.ne fail
    // 3.1.1: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 | ACCESS_PLATFORM), FEATURES_OK.
    str wzr, [x26, #0x70]
    mov w1, #1
    str w1, [x26, #0x70]
    mov w1, #3
    str w1, [x26, #0x70]
    mov w1, #1
    str w1, [x26, #0x24]
    mov w1, #3
    str w1, [x26, #0x20]
    str wzr, [x26, #0x24]
    str wzr, [x26, #0x20]
    mov w1, #11
    str w1, [x26, #0x70]
    ldr w1, [x26, #0x70]
    tbz w1, #3, fail
    // Queue 0: 8 entries; desc 0x4011_0000, avail 0x4011_1000, used 0x4011_2000.
    str wzr, [x26, #0x30]
    ldr w1, [x26, #0x34]
    cbz w1, fail
    mov w1, #8
    str w1, [x26, #0x38]
    movz x20, #0x4011, lsl #16
    add x21, x20, #0x1000
    add x22, x20, #0x2000
    str w20, [x26, #0x80]
    str wzr, [x26, #0x84]
    str w21, [x26, #0x90]
    str wzr, [x26, #0x94]
    str w22, [x26, #0xa0]
    str wzr, [x26, #0xa4]
    mov w1, #1
    str w1, [x26, #0x44]
    mov w1, #15
    str w1, [x26, #0x70]
    // Read sector 1 into 0x4012_1000 and print it.
    mov x0, #0
    mov x1, #1
    movz x2, #0x4012, lsl #16
    add x2, x2, #0x1000
    mov x3, #2
    bl blk_req
    cbnz w0, fail
    movz x6, #0x4012, lsl #16
    add x6, x6, #0x1000
    bl puts
    // Write sector 2 from 0x4012_3000.
    mov x0, #1
    mov x1, #2
    movz x2, #0x4012, lsl #16
    add x2, x2, #0x3000
    mov x3, #0
    bl blk_req
    adr x6, s_wok
    cbz w0, write_said
    adr x6, s_wioerr
    cmp w0, #1
    b.ne fail
write_said:
    bl puts
    // Read beyond the capacity: VIRTIO_BLK_S_IOERR.
    mov x0, #0
    mov x1, #9999
    movz x2, #0x4012, lsl #16
    add x2, x2, #0x1000
    mov x3, #2
    bl blk_req
    cmp w0, #1
    b.ne fail
    adr x6, s_done
    bl puts
    b power_off

// blk_req(x0 = type, x1 = sector, x2 = data, x3 = 2 if the device writes the data):
// descriptors 0-2 = header, data (512 bytes), status; publish head 0; notify; wait for the
// used-buffer interrupt (WFI, GICC_IAR = 48, InterruptStatus bit 0, InterruptACK, GICC_EOIR);
// return the status byte in w0.
blk_req:
    movz x23, #0x4012, lsl #16
    str w0, [x23]
    str wzr, [x23, #4]
    str x1, [x23, #8]
    add x24, x23, #0x2000
    mov w5, #0xff
    strb w5, [x24]
    str x23, [x20]
    mov w5, #16
    str w5, [x20, #8]
    mov w5, #1
    strh w5, [x20, #12]
    strh w5, [x20, #14]
    str x2, [x20, #16]
    mov w5, #512
    str w5, [x20, #24]
    orr w5, w3, #1
    strh w5, [x20, #28]
    mov w5, #2
    strh w5, [x20, #30]
    str x24, [x20, #32]
    mov w5, #1
    str w5, [x20, #40]
    mov w5, #2
    strh w5, [x20, #44]
    strh wzr, [x20, #46]
    ldrh w5, [x21, #2]
    and w6, w5, #7
    add x7, x21, #4
    strh wzr, [x7, w6, uxtw #1]
    add w5, w5, #1
    dmb ishst
    strh w5, [x21, #2]
    dmb ish
    str wzr, [x26, #0x50]
irq_wait:
    wfi
    ldr w5, [x25, #0x0c]
    and w8, w5, #0x3ff
    cmp w8, #1023
    b.eq irq_wait
    cmp w8, w10
    b.ne fail
    ldr w6, [x26, #0x60]
    str w6, [x26, #0x64]
    str w5, [x25, #0x10]
    tbz w6, #0, fail
    ldr w6, [x26, #0x60]
    cbnz w6, fail
    ldrb w0, [x24]
    ret

puts:
    ldrb w0, [x6], #1
    cbz w0, puts_done
    str w0, [x28]
    b puts
puts_done:
    ret

fail:
    adr x6, s_fail
    bl puts
power_off:
    movz x0, #0x0008
    movk x0, #0x8400, lsl #16
    hvc #0
hang:
    wfi
    b hang

    .align 4
wmsg:
    .asciz "written by the guest via DMA\\n"
s_wok:
    .asciz "write: ok\\n"
s_wioerr:
    .asciz "write: IOERR\\n"
s_done:
    .asciz "out of range: IOERR\\ndone\\n"
s_fail:
    .asciz "FAIL\\n"
`;

const GUEST = DMA_PROLOGUE + VIRTIO_BODY;
/**
 * The virtio part alone: what qemu-system-aarch64 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18) printed for
 * it, assembled by GNU as/ld at 0x40000000 and run with -M virt -cpu cortex-a57 -nographic
 * -global virtio-mmio.force-legacy=false -kernel guest.elf -drive if=none,file=DISK,format=raw,id=d0
 * [,readonly=on] -device virtio-blk-device,drive=d0, and the SHA-256 of the disk file afterwards.
 * (QEMU's used len for the failed read is 513, ours 0: the guest does not look at it.)
 */
const QEMU_GUEST = QEMU_PROLOGUE + VIRTIO_BODY;
const QEMU_RECORDED = {
  rw: { out: 'sector 1 of the host file\nwrite: ok\nout of range: IOERR\ndone\n', disk: 'a8c79d53c9a9a4191bafb7022eeabaf72689975d44f42081fae7b0a4f466d7e2' },
  ro: { out: 'sector 1 of the host file\nwrite: IOERR\nout of range: IOERR\ndone\n', disk: 'abaa57c41a71629d257f02f12a0e154f1d7b1f687d433da6034e510f1a52b5a2' },
};

let dir: string;
let src: string;
let qsrc: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-vguest-'));
  src = join(dir, 'guest.S');
  writeFileSync(src, GUEST);
  qsrc = join(dir, 'qemu-guest.S');
  writeFileSync(qsrc, QEMU_GUEST);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function disk(name: string): string {
  const p = join(dir, name);
  const img = new Uint8Array(8 * 512);
  img.set(new TextEncoder().encode('sector 1 of the host file\n\0'), 512);
  writeFileSync(p, img);
  return p;
}

async function run(args: string[], guest = src): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['run', guest, ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('a bare-metal guest drives the DMA engine and virtio-blk', () => {
  it('reads, writes the host file, and gets IOERR beyond the capacity', async () => {
    const d = disk('rw.img');
    const stats = join(dir, 'stats.json');
    const r = await run(['--drive', d, '-q', '--stats-json', stats]);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      'dma: 48 bytes copied by the engine in bursts\n' + 'sector 1 of the host file\n' + 'write: ok\n' + 'out of range: IOERR\ndone\n',
    );
    expect(r.code).toBe(0);
    const after = readFileSync(d);
    expect(after.subarray(1024, 1024 + 29).toString()).toBe('written by the guest via DMA\n');
    expect(after.subarray(1024 + 32, 1536).every((b) => b === 0)).toBe(true); // the DMA copied 32 bytes
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s.dma['dma-engine']).toMatchObject({ streamId: 32, port: { bytesRead: 80, bytesWritten: 80, aborts: 0 }, engine: { transfers: 2, bursts: 5 } }); // 16-byte aligned sources: 48/16 + 32/16
    const blk = s.dma[`virtio-blk ${d}`];
    // Requests: 2 reads (one beyond the capacity: an error), 1 write; 512 file bytes each way.
    expect(blk.device).toMatchObject({ reads: 2, writes: 1, bytesRead: 512, bytesWritten: 512, errors: 1 });
    expect(blk.transport).toMatchObject({ notifies: 3, usedBuffers: 3, errors: 0 });
    // DMA: it read 3 headers + 512 data bytes + ring/descriptor fields, and wrote 512 data bytes + 3 status bytes + used ring updates.
    expect(blk.port.bytesWritten).toBe(512 + 3 + 3 * (8 + 2));
    expect(blk.port.aborts).toBe(0);
  });

  it('a read-only drive refuses the write with IOERR and the file stays as it was', async () => {
    const d = disk('ro.img');
    const before = readFileSync(d);
    const r = await run(['--drive', `${d},readonly`, '-q']);
    expect(r.out).toContain('write: IOERR\n');
    expect(r.out).toContain('done\n');
    expect(readFileSync(d).equals(before)).toBe(true);
  });

  it('behind --iommu smmuv3 (not enabled by the guest: GBPA bypass) the same; the figures show DMA and SMMU rows', async () => {
    const d = disk('smmu.img');
    const r = await run(['--drive', d, '--iommu', 'smmuv3']);
    expect(r.out).toContain('write: ok\n');
    expect(r.out).toContain('done\n');
    expect(r.err).toMatch(/DMA dma-engine\s*│\s*80 B read, 80 B written, 0 aborted/);
    // Every page of every transaction was translated, and passed through (SMMUEN = 0, GBPA bypass).
    const t = /SMMU\s*│\s*([\d,]+) translations \(([\d,]+) bypassed, 0 aborted\)/.exec(r.err);
    expect(t).not.toBeNull();
    expect(Number(t![1].replace(/,/g, ''))).toBeGreaterThan(50);
    expect(t![1]).toBe(t![2]);
  });

  for (const mode of ['rw', 'ro'] as const) {
    it(`the virtio part alone prints what QEMU printed and leaves the same disk bytes (${mode === 'rw' ? 'read-write' : 'read-only'})`, async () => {
      const d = disk(`q-${mode}.img`);
      const r = await run(['--drive', mode === 'ro' ? `${d},readonly` : d, '-q'], qsrc);
      expect(r.out).toBe(QEMU_RECORDED[mode].out);
      expect(createHash('sha256').update(readFileSync(d)).digest('hex')).toBe(QEMU_RECORDED[mode].disk);
    });
  }

  it('one-line errors: a missing drive file, a bad option, an unknown IOMMU or virtio device', async () => {
    const miss = await run(['--drive', join(dir, 'nope.img')]);
    expect(miss.code).toBe(2);
    expect(miss.err).toMatch(/^a64hv: error: --drive .*nope\.img: no such file\n$/);
    const bad = await run(['--drive', `${disk('x.img')},cache=none`]);
    expect(bad.err).toMatch(/^a64hv: error: --drive .*unknown option 'cache=none'/);
    const io = await run(['--iommu', 'vtd']);
    expect(io.err).toBe("a64hv: error: --iommu vtd: unknown IOMMU (known: smmuv3)\n");
    const h = await run(['--drive', disk('h.img'), '--hyp']);
    expect(h.err).toBe('a64hv: error: --drive, --virtio and --iommu apply to a plain run (not with --hyp, --break or --gdb)\n');
    const v = await run(['--virtio', 'net']);
    expect(v.err).toBe("a64hv: error: --virtio net: unknown device 'net' (known: rng, console)\n");
  });
});
