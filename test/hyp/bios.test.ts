// `a64hv run --bios FILE --hyp`: firmware as a VM, started as run --bios starts it on the board
// (a copy runs from RAM + 2 MiB, the VM's DTB at RAM base), with the flash at IPA 0 mapped by stage
// 2 read-only: reads cost no exit, a write is a stage-2 permission fault the hypervisor ignores.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
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

const UBOOT = '/usr/lib/u-boot/qemu_arm64/u-boot.bin';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-hyp-bios-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const causes = (statsFile: string): Record<string, number> => JSON.parse(readFileSync(statsFile, 'utf8')).hyp.vms[0].exits.byCause;

describe('run --bios --hyp', () => {
  it('DTB at RAM base, the image in the flash at IPA 0 (second bank reads 0), runs at RAM + 2 MiB; a flash write is ignored', async () => {
    // Print "D" for the DTB magic at 0x40000000, "F" if flash word 0 is this code's first word,
    // "Z" if the second bank (0x0400_0000) reads 0, "W" if a write to flash left it unchanged,
    // "P" if running at 0x40200000; then PSCI SYSTEM_OFF.
    const src = `
_start:
  movz x9, #0x0900, lsl #16
  movz x1, #0x4000, lsl #16
  ldr w2, [x1]
  rev w2, w2
  movz w3, #0xd00d, lsl #16
  movk w3, #0xfeed
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
  movz x8, #0x0400, lsl #16
  ldr x2, [x8, #0x100]
  cbnz x2, bank1
  mov w4, #0x5a
  strb w4, [x9]
bank1:
  str wzr, [x7]
  stp xzr, xzr, [x7, #16]!
  ldr w2, [x7, #-16]
  cmp w2, w3
  b.ne no_wi
  cmp x7, #16
  b.ne no_wi
  mov w4, #0x57
  strb w4, [x9]
no_wi:
  movz x6, #0x4020, lsl #16
  cmp x5, x6
  b.ne not_ram
  mov w4, #0x50
  strb w4, [x9]
not_ram:
  movz w0, #0x8400, lsl #16
  movk w0, #0x0008
  hvc #0
`;
    const f = join(dir, 'fw.bin');
    writeFileSync(f, (await assembleSource(src, 'fw.S', 0n)).code);
    const stats = join(dir, 'fw.json');
    const r = await run(['run', '--bios', f, '--hyp', '-q', '--stats-json', stats]);
    expect(r.err).toBe('');
    expect(r.out).toBe('DFZWP');
    expect(r.code).toBe(0);
    const c = causes(stats);
    // Reads of the flash: no exits. The two writes (ISV=1 STR, ISV=0 STP with writeback): one each.
    expect(c['mmio-write flash +0x0']).toBe(1);
    expect(c['isv0-emulated flash']).toBe(1);
    expect(Object.keys(c).filter((k) => k.includes('flash')).length).toBe(2);
  });

  it.skipIf(!existsSync(UBOOT))('U-Boot as a VM: the prompt and a command from --uart-input, its environment read from flash with no exits', async () => {
    const stats = join(dir, 'uboot.json');
    const r = await run(['run', '--bios', UBOOT, '--hyp', '--uart-input', ' echo a64hv\r', '--max-insns', '30000000', '-q', '--stats-json', stats]);
    const out = r.out.replace(/\r/g, '');
    expect(out).toContain('DRAM:  128 MiB');
    // It read the (empty) environment in the second flash bank through stage 2.
    expect(out).toContain('Loading Environment from Flash... *** Warning - bad CRC, using default environment');
    expect(out).toContain('=> echo a64hv\na64hv\n=> ');
    expect(r.code).toBe(0);
    const c = causes(stats);
    expect(c['mmio-write pl011 UARTDR']).toBeGreaterThan(300);
    expect(Object.keys(c).filter((k) => /flash|isolation|undef|unsupported/.test(k))).toEqual([]);
  });
});
