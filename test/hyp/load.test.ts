// Loading guests into a VM (src/hyp/load.ts): an arm64 Linux Image is recognised by content (raw
// or gzip) and placed as booting.rst says in the VM's IPA space (kernel at RAM + 2 MiB +
// text_offset, initrd above its image_size, the VM's DTB on the next 2 MiB boundary), with x0 = the
// DTB's IPA and x1..x3 = 0 — also after a PSCI SYSTEM_RESET. A synthetic "kernel" (a real Image
// header, then code that checks the registers) stands in for Linux.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { assembleSource } from '../../src/loader/asm.js';
import { parseImage, planLayout, DTB_MAX } from '../../src/loader/linux.js';
import { readFdt, fdtFind, propCells, propStrings } from '../../src/loader/fdt.js';
import { Hypervisor } from '../../src/hyp/hypervisor.js';
import { bootIntoVm, loadIntoVm } from '../../src/hyp/load.js';
import { main } from '../../src/cli.js';

// Image header: text_offset 0x10000 (so placement is visible), image_size 128K, flags LE/4K/anywhere.
// The code checks x0 -> DTB magic and x1..x3 = 0, prints through the (trapped) PL011, and resets
// once: a word at RAM + 48 MiB (loaded by nobody, so it survives the reset) counts the boots.
const KERNEL = `
_start:
  b code
  .long 0
  .quad 0x10000
  .quad 0x20000
  .quad 0xa
  .quad 0, 0, 0
  .long 0x644d5241
  .long 0
code:
  ldr w4, [x0]
  rev w4, w4
  movz w5, #0xd00d, lsl #16
  movk w5, #0xfeed
  cmp w4, w5
  b.ne bad
  orr x6, x1, x2
  orr x6, x6, x3
  cbnz x6, bad
  adr x7, ok
  b print
bad:
  adr x7, nok
print:
  mov x8, #0x09000000
next:
  ldrb w9, [x7], #1
  cbz w9, done
  strb w9, [x8]
  b next
done:
  movz x10, #0x4300, lsl #16
  ldr w11, [x10]
  add w11, w11, #1
  str w11, [x10]
  movz x0, #0x8400, lsl #16
  cmp w11, #2
  mov x1, #8
  mov x2, #9
  csel x1, x1, x2, eq
  orr x0, x0, x1
  hvc #0
ok:
  .asciz "DTB ok\\n"
nok:
  .asciz "DTB bad\\n"
`;

const MiB = 1024 * 1024;
let dir: string;
let kernel: Uint8Array;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-hyp-load-'));
  kernel = (await assembleSource(KERNEL, 'kernel.S', 0x4021_0000n)).code;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Linux Image in a VM', () => {
  it('gzip Image: placed per booting.rst in the VM\'s RAM, x0 = the VM\'s DTB (also after SYSTEM_RESET), x1..x3 = 0', async () => {
    const path = join(dir, 'vmlinuz');
    writeFileSync(path, gzipSync(kernel));
    const initrd = new Uint8Array(5000).fill(0xa5);
    let out = '';
    const hv = new Hypervisor({ vms: [{ ramSize: 64 * MiB }], onOutput: (_vm, t) => (out += t) });
    const vm = hv.vms[0];
    const b = await bootIntoVm(hv, vm, path, { initrd, append: 'console=ttyAMA0 quiet' });
    const lay = planLayout(parseImage(kernel, 'k'), 5000, DTB_MAX, { ramBase: 0x4000_0000, ramSize: 64 * MiB }, 'k');
    expect(b.kind).toBe('linux');
    expect(b.entry).toBe(0x4021_0000); // RAM + 2 MiB + text_offset
    expect(lay.kernel).toBe(0x4021_0000);
    expect(b.x0).toBe(lay.dtb);
    // In the VM's RAM (not at the same physical address): kernel, initrd and DTB.
    const bus = hv.machine.bus;
    expect(bus.read(vm.ramPaOf(b.entry), 4)).toBe(new DataView(kernel.buffer, kernel.byteOffset).getUint32(0, true));
    expect(vm.ramPaOf(b.entry)).not.toBe(b.entry);
    expect(bus.read(vm.ramPaOf(lay.initrdStart), 1)).toBe(0xa5);
    const dtb = new Uint8Array(64 * 1024);
    for (let i = 0; i < dtb.length; i++) dtb[i] = bus.read(vm.ramPaOf(lay.dtb) + i, 1);
    const root = readFdt(dtb).root;
    const chosen = fdtFind(root, '/chosen')!;
    expect(propStrings(chosen, 'bootargs')).toEqual(['console=ttyAMA0 quiet']);
    expect(propCells(chosen, 'linux,initrd-start')).toEqual([0, lay.initrdStart]);
    expect(propCells(chosen, 'linux,initrd-end')).toEqual([0, lay.initrdStart + 5000]);
    expect(propCells(fdtFind(root, '/memory@40000000')!, 'reg')).toEqual([0, 0x4000_0000, 0, 64 * MiB]);
    hv.run(1_000_000);
    expect(out).toBe('DTB ok\nDTB ok\n');
    expect(vm.resets).toBe(1);
    expect(vm.stop?.message).toBe('PSCI SYSTEM_OFF');
  });

  it('a kernel that does not fit the VM\'s RAM is a one-line error; loadIntoVm (no boot registers) refuses an Image', async () => {
    const path = join(dir, 'Image');
    writeFileSync(path, kernel);
    const hv = new Hypervisor({ vms: [{ ramSize: 2 * MiB }] });
    await expect(bootIntoVm(hv, hv.vms[0], path)).rejects.toThrow(/Image: kernel .* need RAM up to 0x40600000; RAM ends at 0x40200000 \(use a larger --ram\)/);
    const hv2 = new Hypervisor({ vms: [{ ramSize: 16 * MiB }] });
    await expect(loadIntoVm(hv2.vms[0], path)).rejects.toThrow(/a Linux Image boots with x0 = its device tree/);
  });

  it('a raw kernel boots in a VM as QEMU virt boots one: at RAM + 0x80000, x0 = the VM\'s device tree with /chosen (kernel-layout.ts)', async () => {
    const path = join(dir, 'raw.bin');
    const code = (await assembleSource('hlt #1\n', 'raw.S', 0x4008_0000n)).code;
    writeFileSync(path, code);
    const initrd = new Uint8Array(3000).fill(0x5a);
    const hv = new Hypervisor({ vms: [{ ramSize: 16 * MiB }] });
    const vm = hv.vms[0];
    const b = await bootIntoVm(hv, vm, path, { initrd, append: 'kut args' });
    expect([b.kind, b.entry]).toEqual(['raw', 0x4008_0000]);
    // 16 MiB of RAM: the initrd at RAM + min(RAM/2, 128 MiB) = 0x40800000, the tree on the next
    // 2 MiB boundary after it.
    expect(b.x0).toBe(0x40a0_0000);
    const bus = hv.machine.bus;
    expect(bus.read(vm.ramPaOf(0x4080_0000), 1)).toBe(0x5a);
    const dtb = new Uint8Array(64 * 1024);
    for (let i = 0; i < dtb.length; i++) dtb[i] = bus.read(vm.ramPaOf(b.x0!) + i, 1);
    const chosen = fdtFind(readFdt(dtb).root, '/chosen')!;
    expect(propStrings(chosen, 'bootargs')).toEqual(['kut args']);
    expect(propCells(chosen, 'linux,initrd-start')).toEqual([0, 0x4080_0000]);
    expect(propCells(chosen, 'linux,initrd-end')).toEqual([0, 0x4080_0000 + 3000]);
    // Assembly takes neither: a one-line error.
    const s = join(dir, 'g.S');
    writeFileSync(s, 'hlt #1\n');
    await expect(bootIntoVm(hv, hv.vms[0], s, { append: 'x' })).rejects.toThrow(/g\.S: --initrd and --append apply to a Linux Image or a raw kernel \(not to assembly\)/);
  });

  it('run IMAGE --hyp --initrd --append: the Image boots as a VM; --initrd/--append with no Linux guest among several is a one-line error', async () => {
    const cli = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await main(argv, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
      return { code, out, err };
    };
    const img = join(dir, 'Image2');
    writeFileSync(img, kernel);
    const rd = join(dir, 'initrd');
    writeFileSync(rd, new Uint8Array(100));
    let r = await cli('run', img, '--hyp', '-q', '--ram', '64M', '--initrd', rd, '--append', 'console=ttyAMA0');
    expect(r.out).toBe('DTB ok\nDTB ok\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const raw = join(dir, 'g.S');
    writeFileSync(raw, 'hlt #1\n');
    r = await cli('run', raw, raw, '--hyp', '-q', '--append', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toBe('a64hv: error: --initrd and --append apply to a Linux Image or a raw kernel only, and no guest is one\n');
    r = await cli('run', raw, '--hyp', '-q', '--initrd', rd);
    expect(r.code).toBe(2);
    expect(r.err).toBe('a64hv: error: g.S: --initrd and --append apply to a Linux Image or a raw kernel (not to assembly)\n');
  });

  it('--hyp-config gives each Linux VM its own append and initrd (a path relative to the file)', async () => {
    // A kernel that prints the /chosen bootargs it finds in its DTB: it scans for "BA=" and
    // prints to the NUL, then powers off.
    const src = `
_start:
  b code
  .long 0
  .quad 0
  .quad 0x10000
  .quad 0xa
  .quad 0, 0, 0
  .long 0x644d5241
  .long 0
code:
  mov x7, x0
  add x12, x0, #0x4000
scan:
  cmp x7, x12
  b.hs off
  ldrb w9, [x7]
  cmp w9, #0x42
  b.ne adv
  ldrb w9, [x7, #1]
  cmp w9, #0x41
  b.ne adv
  ldrb w9, [x7, #2]
  cmp w9, #0x3d
  b.eq print
adv:
  add x7, x7, #1
  b scan
print:
  mov x8, #0x09000000
next:
  ldrb w9, [x7], #1
  cbz w9, nl
  strb w9, [x8]
  b next
nl:
  mov w9, #10
  strb w9, [x8]
off:
  movz x0, #0x8400, lsl #16
  add x0, x0, #8
  hvc #0
`;
    const img = join(dir, 'Image-ba');
    writeFileSync(img, (await assembleSource(src, 'ba.S', 0x4020_0000n)).code);
    const sub = join(dir, 'cfg');
    rmSync(sub, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    writeFileSync(join(sub, 'rd1'), new Uint8Array(64));
    writeFileSync(join(sub, 'vms.json'), JSON.stringify({ vms: [{ append: 'BA=first' }, { append: 'BA=second', initrd: 'rd1' }] }));
    let out = '';
    let err = '';
    const code = await main(['run', img, img, '--hyp', '-q', '--hyp-config', join(sub, 'vms.json'), '--append', 'BA=cmdline'], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.split('\n').filter((l) => l !== '').sort()).toEqual(['[vm0] BA=first', '[vm1] BA=second']);
    // A VM's own initrd for a guest that is not an Image: refused, like --initrd.
    writeFileSync(join(sub, 'bad.json'), JSON.stringify({ vms: [{}, { initrd: 'rd1' }] }));
    const raw = join(dir, 'g2.S');
    writeFileSync(raw, 'hlt #1\n');
    err = '';
    const c2 = await main(['run', img, raw, '--hyp', '-q', '--hyp-config', join(sub, 'bad.json')], { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } });
    expect(c2).toBe(2);
    expect(err).toMatch(/g2\.S: --initrd and --append apply to a Linux Image or a raw kernel \(not to assembly\)/);
  });
});
