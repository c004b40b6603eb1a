// Keystone in a worker with a time limit (issue 14): inputs keystone loops on end in
// `file:line: the assembler did not finish` and a fresh worker; large files and thousands of
// labels assemble (the source used to go on keystone-wasm's 64 KiB wasm stack and corrupt it).
import { describe, it, expect, afterAll } from 'vitest';
import { assembleSource, setAssemblerTimeLimit, assemblerWorkersStarted } from '../../src/loader/asm.js';

afterAll(() => setAssemblerTimeLimit(5_000));

describe('large sources', () => {
  it('a valid 20,000-line file assembles (it failed "at line 1")', async () => {
    const src = '_start:\n' + Array.from({ length: 20_000 }, (_, i) => `movz x${i % 29}, #${i & 0xffff}`).join('\n') + '\n';
    const img = await assembleSource(src, 'big.S');
    expect(img.code.length).toBe(80_000);
    const dv = new DataView(img.code.buffer, img.code.byteOffset);
    // MOVZ Xd, #imm16 (ARM ARM C6.2 MOVZ, sf=1 hw=0): 0xd2800000 | imm16 << 5 | Rd.
    for (const i of [0, 1, 12345, 19_999]) expect(dv.getUint32(4 * i, true) >>> 0).toBe((0xd2800000 | ((i & 0xffff) << 5) | i % 29) >>> 0);
  });

  it('5,000 labels: every address found, _start the entry (the label pass failed silently past ~2,000)', async () => {
    const n = 5000;
    const src = 'nop\n' + Array.from({ length: n }, (_, i) => `l${i}: add x0, x0, #1`).join('\n') + '\n_start: b l0\n';
    const img = await assembleSource(src, 'labels.S');
    expect(img.symbols.lookup('l0')).toBe(0x4000_0004n);
    expect(img.symbols.lookup(`l${n - 1}`)).toBe(0x4000_0000n + BigInt(4 * n));
    expect(img.entry).toBe(0x4000_0000n + BigInt(4 * (n + 1)));
  });
});

describe('inputs keystone loops on', () => {
  // Each case waits for the limit (a real hang); 1.5 s keeps the file short.
  for (const [name, src, line] of [
    ['comma.S', ',', 1],
    ['ascii.S', 'nop\nnop\n.ascii "abc', 3],
    ['colon.S', 'nop\n: foo\nnop', 2],
    ['backslash.S', '\\ foo', 1],
  ] as const) {
    it(`${name}: file:${line}: the assembler did not finish, then the next file assembles`, async () => {
      setAssemblerTimeLimit(1500);
      const before = assemblerWorkersStarted();
      await expect(assembleSource(src, name)).rejects.toThrow(new RegExp(`^${name.replace('.', '\\.')}:${line}: the assembler did not finish`));
      expect(assemblerWorkersStarted()).toBeGreaterThan(before);
      const ok = await assembleSource('_start: mov x0, #42\n', 'ok.S');
      expect([...ok.code]).toEqual([0x40, 0x05, 0x80, 0xd2]);
    });
  }

  it('a keystone trap (section directives) is an error, and keystone still works after it', async () => {
    await expect(assembleSource('.text\n_start: nop\n.data\n.quad 1\n', 'sections.S')).rejects.toThrow(/^sections\.S:1: keystone failed .*section directives/);
    const ok = await assembleSource('a: b a\n', 'ok.S');
    expect([...ok.code]).toEqual([0x00, 0x00, 0x00, 0x14]);
  });
});
