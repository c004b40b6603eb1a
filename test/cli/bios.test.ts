// `a64hv run --bios FILE` (src/loader/bios.ts): firmware started the way qemu -M virt -bios does.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { assembleSource } from '../../src/loader/asm.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-bios-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --bios', () => {
  it('starts a raw image at RAM + 2 MiB with the DTB (magic 0xd00dfeed) at RAM base and the image in flash at 0', async () => {
    // Position-independent firmware: print "D" if the DTB magic is at 0x40000000, "F" if the flash
    // at 0 holds this code's first word, "P" if it runs at 0x40200000; then PSCI SYSTEM_OFF.
    const src = `
_start:
  movz x1, #0x4000, lsl #16
  ldr w2, [x1]
  rev w2, w2
  movz w3, #0xd00d, lsl #16
  movk w3, #0xfeed
  movz x9, #0x0900, lsl #16
  cmp w2, w3
  b.ne no_dtb
  mov w4, #0x44
  strb w4, [x9]
no_dtb:
  mov x7, #0
  ldr w2, [x7]
  adr x5, _start
  ldr w3, [x5]
  cmp w2, w3
  b.ne no_flash
  mov w4, #0x46
  strb w4, [x9]
no_flash:
  movz x6, #0x4020, lsl #16
  cmp x5, x6
  b.ne done
  mov w4, #0x50
  strb w4, [x9]
done:
  movz w0, #0x8400, lsl #16
  movk w0, #0x0008
  hvc #0
`;
    const bytes = (await assembleSource(src, 'fw.S', 0n)).code;
    const f = join(dir, 'fw.bin');
    writeFileSync(f, bytes);
    const r = await run(['run', '--bios', f, '-q']);
    expect(r.err).toBe('');
    expect(r.out).toBe('DFP');
    expect(r.code).toBe(0);
  });

  it('bad input is a one-line error', async () => {
    const missing = await run(['run', '--bios', join(dir, 'nope.bin'), '-q']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/^a64hv: error: .*nope\.bin: no such file\n$/);
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    expect((await run(['run', '--bios', empty, '-q'])).err).toBe(`a64hv: error: --bios ${empty}: empty file\n`);
    const tiny = join(dir, 'tiny.bin');
    writeFileSync(tiny, new Uint8Array(4));
    expect((await run(['run', '--bios', '--gdb', '0', tiny])).err).toMatch(/^a64hv: error: --bios does not go with --break, --gdb/);
    expect((await run(['run', '--bios', '--hyp', tiny, tiny])).err).toBe('a64hv: error: --bios with --hyp runs one firmware VM; got 2 guests\n');
  });

  it.skipIf(!existsSync('/usr/lib/u-boot/qemu_arm64/u-boot.bin'))('U-Boot: the prompt and a command from --uart-input', async () => {
    const r = await run(['run', '--bios', '/usr/lib/u-boot/qemu_arm64/u-boot.bin', '--uart-input', ' echo a64hv\r', '--max-insns', '25000000', '-q']);
    expect(r.out.replace(/\r/g, '')).toContain('=> echo a64hv\na64hv\n=> ');
  });

  it.skipIf(!existsSync('/usr/lib/u-boot/qemu_arm64/u-boot.bin'))('U-Boot is given the whole board\'s device tree: it finds a --drive as QEMU\'s U-Boot does', async () => {
    const disk = join(dir, 'disk.img');
    writeFileSync(disk, new Uint8Array(4 << 20));
    const r = await run(['run', '--bios', '/usr/lib/u-boot/qemu_arm64/u-boot.bin', '--drive', disk, '--uart-input', ' virtio scan\rvirtio info\r', '--max-insns', '80000000', '-q']);
    const out = r.out.replace(/\r/g, '');
    expect(out).toContain('=> virtio info\nDevice 0: ');
    expect(out).toContain('Capacity: 4.0 MB = 0.0 GB (8192 x 512)');
  });
});
