// `a64hv run` with an arm64 Linux Image: a synthetic "kernel" (a real Image header, then code that
// checks the boot protocol's registers and prints over the PL011) stands in for Linux, so this runs
// without a kernel file. booting.rst: x0 = the DTB's physical address, x1..x3 = 0.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/cli.js';
import { assembleSource } from '../../src/loader/asm.js';
import { parseImage, planLayout, DTB_MAX } from '../../src/loader/linux.js';
import { readFdt, fdtFind, propStrings, propCells } from '../../src/loader/fdt.js';

// The 64-byte Image header: code0 branches past it; text_offset 0, image_size 64K, flags LE/4K/anywhere.
const KERNEL = `
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
  cbz w9, off
  strb w9, [x8]
  b next
off:
  movz x0, #0x8400, lsl #16
  add x0, x0, #8
  hvc #0
ok:
  .asciz "DTB ok\\n"
nok:
  .asciz "DTB bad\\n"
`;

let dir: string;
let kernel: Uint8Array;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-cli-linux-'));
  kernel = (await assembleSource(KERNEL, 'kernel.S', 0x4020_0000n)).code;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
function file(name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

describe('run with a Linux Image', () => {
  it('a gzip-compressed Image is recognised; x0 = DTB (magic 0xd00dfeed), x1..x3 = 0; the DTB carries --append and --initrd', async () => {
    const vmlinuz = file('vmlinuz', gzipSync(kernel));
    const initrd = file('initrd', new Uint8Array(5000));
    // Where loadLinux puts the DTB for these sizes: dump it and read it back.
    const lay = planLayout(parseImage(kernel, 'k'), 5000, DTB_MAX, { ramBase: 0x4000_0000, ramSize: 128 << 20 }, 'k');
    const dump = join(dir, 'dtb.bin');
    const r = await cli('run', vmlinuz, '-q', '--initrd', initrd, '--append', 'console=ttyAMA0 quiet', '--dump', `0x${lay.dtb.toString(16)}:64K:${dump}`);
    expect(r.out).toBe('DTB ok\n');
    expect(r.code).toBe(0);
    const chosen = fdtFind(readFdt(new Uint8Array(readFileSync(dump))).root, '/chosen')!;
    expect(propStrings(chosen, 'bootargs')).toEqual(['console=ttyAMA0 quiet']);
    expect(propCells(chosen, 'linux,initrd-start')).toEqual([0, lay.initrdStart]);
    expect(propCells(chosen, 'linux,initrd-end')).toEqual([0, lay.initrdStart + 5000]);
  });
  it('user errors (exit 2, one line): --append with a non-Linux guest, a missing initrd', async () => {
    const guest = file('g.S', 'hlt #1\n');
    let r = await cli('run', guest, '--append', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^a64hv: .*g\.S: --initrd and --append apply to a Linux Image or a raw kernel/);
    r = await cli('repl', guest, '--append', 'x', '--script', file('s0', 'quit\n'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/g\.S: --initrd and --append apply to a Linux Image or a raw kernel/);
    r = await cli('run', file('k2', kernel), '--initrd', join(dir, 'missing'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing: no such file\n$/);
    expect(r.err.split('\n').length).toBe(2);
  });
  it('the debugger boots an Image as run does (repl, also with --break; run --break/--gdb share its loader): x0 = DTB', async () => {
    const vmlinuz = file('vmlinuz-dbg', gzipSync(kernel));
    const initrd = file('initrd-dbg', new Uint8Array(100));
    const script = file('dbg.txt', 'continue\n');
    let r = await cli('repl', vmlinuz, '--initrd', initrd, '--append', 'console=ttyAMA0', '--script', script);
    expect(r.out).toContain('DTB ok');
    expect(r.out).toMatch(/\(linux, 0 symbols\), entry 0x40200000/);
    r = await cli('repl', vmlinuz, '--initrd', initrd, '--break', '0x40200040', '--script', script);
    expect(r.out).toMatch(/0x40200040/);
    expect(r.out).toContain('DTB ok');
    // Under the hypervisor: the VM's own device tree in x0, the UART trapped.
    r = await cli('repl', vmlinuz, '--hyp', '--initrd', initrd, '--append', 'console=ttyAMA0', '--script', script);
    expect(r.out).toContain('DTB ok');
    r = await cli('repl', file('g2.S', 'hlt #1\n'), '--hyp', '--append', 'x', '--script', script);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--initrd and --append apply to a Linux Image or a raw kernel/);
  });
});
