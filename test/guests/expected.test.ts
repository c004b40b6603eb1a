// The recorded QEMU results in guests/expected/ are complete and show what each guest is
// meant to demonstrate (independent of our emulator, so these pass on their own).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GUESTS = fileURLToPath(new URL('../../guests/', import.meta.url));

function expected(name: string): { output: string; exitCode: number } {
  return {
    output: readFileSync(`${GUESTS}expected/${name}.txt`, 'latin1'),
    exitCode: Number(readFileSync(`${GUESTS}expected/${name}.exit`, 'utf8').trim()),
  };
}

describe('expected files', () => {
  it('were recorded for every guest ELF the tests and benchmark use', () => {
    for (const name of ['hello', 'el0-svc', 'exceptions', 'mmu', 'loop', 'loop-short', 'sort', 'sort-large', 'printf', 'float']) {
      const e = expected(name);
      expect(e.output.length, name).toBeGreaterThan(0);
      expect(Number.isInteger(e.exitCode), name).toBe(true);
    }
  });

  it('show the asm guests behaving as designed on QEMU', () => {
    expect(expected('hello').output).toMatch(/^Hello from a64hv!/);
    expect(expected('hello').exitCode).toBe(0);
    const svc = expected('el0-svc');
    // EC 0x15 (SVC from AArch64), IL=1, ISS = imm16, as QEMU reported it.
    expect(svc.output).toContain('ESR_EL1=0x56000001');
    expect(svc.exitCode).toBe(42);
    const mmu = expected('mmu').output;
    // Fault status codes: permission L3, translation L3, access flag L3, translation L2/L1.
    for (const fsc of ['0f', '07', '0b', '06', '05']) expect(mmu).toMatch(new RegExp(`EC=0x25 WnR=[01] FSC=0x${fsc} `));
    expect(mmu).toContain('EC=0x25 WnR=1 FSC=0x0f FAR=0x0000000040201000');
    expect(mmu).toContain('EC=0x21 WnR=0 FSC=0x0f FAR=0x0000000040204000');
    expect(mmu).toContain('after TLBI VAE1: 0xb0b0b0b0b0b0b0b0');
    expect(expected('loop-short').output).toMatch(/^loop checksum: 0x[0-9a-f]{16}\n$/);
    expect(expected('sort').output).toMatch(/PASS\n$/);
  });
});

describe('loop-short.S', () => {
  it('is loop.S with only the iteration count changed (make regenerates it)', () => {
    const full = readFileSync(`${GUESTS}asm/loop.S`, 'utf8').split('\n');
    const short = readFileSync(`${GUESTS}asm/loop-short.S`, 'utf8').split('\n');
    expect(short[0]).toMatch(/^\/\/ GENERATED from loop\.S/);
    const rest = short.slice(1);
    expect(rest.length).toBe(full.length);
    const diffs = rest.flatMap((l, k) => (l === full[k] ? [] : [[full[k], l]]));
    expect(diffs).toEqual([['    .quad 100000000', '    .quad 10000']]);
  });
});
