// 16-byte (Q) accesses: alignment is judged on the whole access (ARM ARM B2.5.2), with one
// translation; a faulting access changes neither registers nor memory.
import { describe, it, expect } from 'vitest';
import { runAsm, X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1, RAM } from '../mmu/mmu-helpers.js';
import { mmuOf } from '../../src/mmu/translate.js';
import type { Machine } from '../../src/machine.js';

const DATA = 0x4010_0000;
const VEC = `
  hlt #1
  .balign 0x800
  .space 0x200
  mrs x9, esr_el1
  mrs x10, far_el1
  hlt #1`;

function fill(m: Machine, at: number, n: number): void {
  for (let k = 0; k < n; k++) m.bus.write(at + k, 1, (k * 7 + 1) & 0xff);
}
/** The 4 little-endian words `fill` writes. */
const FILLED = [0, 1, 2, 3].map((j) =>
  [0, 1, 2, 3].reduce((w, b) => w + ((((4 * j + b) * 7 + 1) & 0xff) << (8 * b)) * 1, 0) >>> 0,
);
function vWords(m: Machine, n: number): number[] {
  return Array.from(m.cpu.vr.slice(4 * n, 4 * n + 4), (w) => w >>> 0);
}
const vbar = (m: Machine) => m.cpu.setSys(SYS.VBAR_EL1, RAM + 0x800, 0);
/** CPACR_EL1.FPEN = 0b11: FP/SIMD not trapped (its reset value traps, EC 0x07). */
const fpOn = (m: Machine) => m.cpu.setSys(SYS.CPACR_EL1, 3 << 20, 0);

describe('Q register loads and stores', () => {
  it('a 16-aligned LDR Q with the MMU off loads 16 bytes', async () => {
    const m = await runAsm('ldr q0, [x0]\nhlt #1', { x: { 0: BigInt(DATA) }, setup: (mm) => (fpOn(mm), fill(mm, DATA, 16)) });
    expect(vWords(m, 0)).toEqual(FILLED);
  });
  it('an 8-mod-16 LDR Q with the MMU off (Device memory) is an Alignment fault; Q0 unchanged', async () => {
    const m = await runAsm(`ldr q0, [x0]${VEC}`, {
      x: { 0: BigInt(DATA + 8) },
      setup: (mm) => {
        fill(mm, DATA, 32);
        vbar(mm);
        fpOn(mm);
      },
    });
    expect(X(m.cpu, 9)).toBe((0x25n << 26n) | (1n << 25n) | 0x21n); // DABT same EL, DFSC alignment
    expect(X(m.cpu, 10)).toBe(BigInt(DATA + 8));
    expect(vWords(m, 0)).toEqual([0, 0, 0, 0]);
  });
  it('an 8-mod-16 STR Q with the MMU off faults and writes nothing', async () => {
    const m = await runAsm(`movi v0.16b, #0xaa\nstr q0, [x0]${VEC}`, {
      x: { 0: BigInt(DATA + 8) },
      setup: (mm) => {
        vbar(mm);
        fpOn(mm);
      },
    });
    expect(X(m.cpu, 9) >> 26n).toBe(0x25n);
    expect(m.bus.read(DATA + 8, 4)).toBe(0);
    expect(m.bus.read(DATA + 16, 4)).toBe(0);
  });
  it('on Normal memory an unaligned Q access crossing a page works, with one TLB lookup per page', async () => {
    const cross = DATA + 0x1000 - 8;
    const m = await runAsm('ldr q0, [x0]\nstr q0, [x1]\nhlt #1', {
      x: { 0: BigInt(cross), 1: BigInt(DATA + 0x3000 - 4) },
      setup: (mm) => {
        const b = new TableBuilder(mm.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
        b.map(RAM, RAM, 0x20_0000, s1Leaf(), 3); // Normal WB, 4K pages
        setS1(mm.cpu, { ttbr0: b.root });
        fill(mm, cross, 16);
        fpOn(mm);
      },
    });
    expect(m.cpu.haltReason).toBe('done');
    expect(vWords(m, 0)).toEqual(FILLED);
    for (let k = 0; k < 16; k++) expect(m.bus.read(DATA + 0x3000 - 4 + k, 1)).toBe((k * 7 + 1) & 0xff);
    // Data pages touched: the two the load spans and the two the store spans; each page misses once.
    expect(mmuOf(m.cpu).tlb.l1d.stats.misses).toBe(4);
  });
});
