// Exclusives (ARM ARM B2.9, AArch64.ExclusiveMonitorsPass), load-acquire/store-release, and the
// FEAT_LSE atomics (C6.2 LD<op>, SWP, CAS, CASP). Keystone does not assemble LSE: those are
// encoded here from the ARM ARM's field layout.
import { describe, it, expect } from 'vitest';
import { runAsm, X } from '../helpers.js';
import type { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';

const DATA = 0x4010_0000n;
const M64 = (1n << 64n) - 1n;
const hex = (v: number): string => `.long 0x${(v >>> 0).toString(16)}`;

function poke(m: Machine, addr: bigint, v: bigint, len: number): void {
  const b = new Uint8Array(len);
  for (let k = 0; k < len; k++) b[k] = Number((v >> BigInt(8 * k)) & 0xffn);
  m.bus.load(Number(addr), b);
}
function peek(m: Machine, addr: bigint, len: number): bigint {
  const b = m.bus.readBytes(Number(addr), len);
  let v = 0n;
  for (let k = len - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
  return v;
}
async function run(src: string, x: Record<number, bigint>, mem: [bigint, bigint, number][] = [], vbar = false): Promise<Machine> {
  return runAsm(src, {
    x,
    setup: (m) => {
      for (const [a, v, l] of mem) poke(m, a, v, l);
      if (vbar) m.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
    },
  });
}
const withVectors = (body: string): string => `${body}\nhlt #1\n.balign 0x800\n.space 0x200\nhlt #1`;
const VEC_HIT = 0x4000_0a04n;

// Field layouts (ARM ARM C4.1.89): atomic memory operations and compare-and-swap.
const SIZE = { b: 0, h: 1, w: 2, x: 3 } as const;
type Sz = keyof typeof SIZE;
const OPS = { add: 0, clr: 1, eor: 2, set: 3, smax: 4, smin: 5, umax: 6, umin: 7, swp: 8 } as const;
/** LD<op>{A}{L}{B,H} / SWP: size 111 0 00 A R 1 Rs o3:opc 00 Rn Rt. */
function ldop(op: keyof typeof OPS, sz: Sz, rs: number, rt: number, rn: number, a = 0, r = 0): string {
  return hex((SIZE[sz] << 30) | (0x38 << 24) | (a << 23) | (r << 22) | (1 << 21) | (rs << 16) | (OPS[op] << 12) | (rn << 5) | rt);
}
/** CAS{A}{L}{B,H}: size 001000 1 L 1 Rs o0 11111 Rn Rt. */
function cas(sz: Sz, rs: number, rt: number, rn: number, l = 0, o0 = 0): string {
  return hex((SIZE[sz] << 30) | (0x08 << 24) | (1 << 23) | (l << 22) | (1 << 21) | (rs << 16) | (o0 << 15) | (31 << 10) | (rn << 5) | rt);
}
/** CASP{A}{L}: 0 sz 001000 0 L 1 Rs o0 11111 Rn Rt. */
function casp(x: boolean, rs: number, rt: number, rn: number, l = 0, o0 = 0): string {
  return hex(((x ? 1 : 0) << 30) | (0x08 << 24) | (l << 22) | (1 << 21) | (rs << 16) | (o0 << 15) | (31 << 10) | (rn << 5) | rt);
}
const esrOf = (m: Machine): bigint => m.cpu.sys64(SYS.ESR_EL1);

describe('load/store exclusive (local monitor, ARM ARM B2.9)', () => {
  it('LDXR then STXR to the same address and size succeeds (Ws=0) and stores', async () => {
    const m = await run('ldxr x1, [x0]\nadd x1, x1, #1\nstxr w3, x1, [x0]\nhlt #1', { 0: DATA, 3: M64 }, [[DATA, 0xffff_ffffn, 8]]);
    expect(X(m.cpu, 3)).toBe(0n); // W result: bits 63:32 zero as well
    expect(peek(m, DATA, 8)).toBe(0x1_0000_0000n);
    expect(m.cpu.exclValid).toBe(0); // a store-exclusive always clears the monitor
  });
  it('STXR with no prior LDXR fails (Ws=1) and stores nothing', async () => {
    const m = await run('stxr w3, x1, [x0]\nhlt #1', { 0: DATA, 1: 5n }, [[DATA, 7n, 8]]);
    expect(X(m.cpu, 3)).toBe(1n);
    expect(peek(m, DATA, 8)).toBe(7n);
  });
  it('STXR to a different address than the LDXR fails', async () => {
    const m = await run('ldxr x1, [x0]\nstxr w3, x1, [x2]\nhlt #1', { 0: DATA, 2: DATA + 8n }, [[DATA, 7n, 8]]);
    expect(X(m.cpu, 3)).toBe(1n);
    expect(peek(m, DATA + 8n, 8)).toBe(0n);
  });
  it('STXR of a different size than the LDXR fails', async () => {
    const m = await run('ldxr w1, [x0]\nstxr w3, x1, [x0]\nhlt #1', { 0: DATA }, [[DATA, 7n, 8]]);
    expect(X(m.cpu, 3)).toBe(1n);
    expect(peek(m, DATA, 8)).toBe(7n);
  });
  it('a second STXR fails: the first cleared the monitor (as CLREX would)', async () => {
    const m = await run('ldxr x1, [x0]\nstxr w3, x1, [x0]\nadd x1, x1, #1\nstxr w4, x1, [x0]\nhlt #1', { 0: DATA }, [[DATA, 7n, 8]]);
    expect(X(m.cpu, 3)).toBe(0n);
    expect(X(m.cpu, 4)).toBe(1n);
    expect(peek(m, DATA, 8)).toBe(7n);
  });
  it('exception entry clears the monitor (ClearExclusiveLocal): a later STXR fails', async () => {
    // LDXR, then an UNDEFINED instruction; the vector at VBAR+0x200 tries the STXR.
    const m = await run('ldxr x1, [x0]\n.long 0\n.balign 0x800\n.space 0x200\nstxr w3, x1, [x0]\nhlt #1', { 0: DATA }, [[DATA, 7n, 8]], true);
    expect(m.cpu.pc).toBe(0x4000_0a08n);
    expect(X(m.cpu, 3)).toBe(1n);
  });
  it('byte, halfword and acquire/release forms (LDAXRB/STLXRB, LDXRH/STXRH, LDAXR/STLXR W)', async () => {
    const m = await run(
      'ldaxrb w1, [x0]\nadd x1, x1, #1\nstlxrb w2, w1, [x0]\nldxrh w3, [x5]\nadd x3, x3, #1\nstxrh w4, w3, [x5]\nldaxr w6, [x7]\nstlxr w8, wzr, [x7]\nhlt #1',
      { 0: DATA + 1n, 5: DATA + 2n, 7: DATA + 4n, 2: 9n, 4: 9n, 8: 9n },
      [[DATA, 0xffff_ffff_ffff_ffffn, 8]],
    );
    expect(X(m.cpu, 1)).toBe(0x100n); // register keeps the 64-bit add; the store truncates
    expect([X(m.cpu, 2), X(m.cpu, 4), X(m.cpu, 8)]).toEqual([0n, 0n, 0n]);
    expect(X(m.cpu, 3)).toBe(0x10000n);
    expect(X(m.cpu, 6)).toBe(0xffff_ffffn);
    expect(peek(m, DATA, 8)).toBe(0x0000_0000_0000_00ffn);
  });
  it('LDXP/STXP X: a 16-byte pair; LDAXP/STLXP W: an 8-byte pair, first register at the lower address', async () => {
    const m = await run(
      'ldxp x1, x2, [x0]\nstxp w3, x2, x1, [x0]\nldaxp w4, w5, [x6]\nstlxp w7, w5, w4, [x6]\nhlt #1',
      { 0: DATA, 6: DATA + 0x10n, 3: 9n, 7: 9n },
      [[DATA, 0x1111n, 8], [DATA + 8n, 0x2222n, 8], [DATA + 0x10n, 0x8888_7777_6666_5555n, 8]],
    );
    expect(X(m.cpu, 1)).toBe(0x1111n);
    expect(X(m.cpu, 2)).toBe(0x2222n);
    expect(X(m.cpu, 3)).toBe(0n);
    expect(peek(m, DATA, 8)).toBe(0x2222n);
    expect(peek(m, DATA + 8n, 8)).toBe(0x1111n);
    expect(X(m.cpu, 4)).toBe(0x6666_5555n);
    expect(X(m.cpu, 5)).toBe(0x8888_7777n);
    expect(X(m.cpu, 7)).toBe(0n);
    expect(peek(m, DATA + 0x10n, 8)).toBe(0x6666_5555_8888_7777n);
  });
  it('STXP fails when the monitor holds a single-register LDXR of the same address', async () => {
    const m = await run('ldxr x1, [x0]\nstxp w3, x1, x1, [x0]\nhlt #1', { 0: DATA }, [[DATA, 7n, 8]]);
    expect(X(m.cpu, 3)).toBe(1n);
    expect(peek(m, DATA + 8n, 8)).toBe(0n);
  });
  it('an unaligned LDXR takes an Alignment fault: EC 0x25, DFSC 0x21, FAR, WnR=0', async () => {
    const m = await run(withVectors('ldxr w1, [x0]'), { 0: DATA + 2n, 1: 5n }, [], true);
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(esrOf(m)).toBe((0x25n << 26n) | (1n << 25n) | 0x21n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 2n);
    expect(X(m.cpu, 1)).toBe(5n);
    expect(m.cpu.exclValid).toBe(0);
  });
  it('an unaligned STXR faults with WnR=1 even with no monitor set, Ws unchanged', async () => {
    const m = await run(withVectors('stxr w3, x1, [x0]'), { 0: DATA + 4n, 3: 9n }, [], true);
    expect(esrOf(m)).toBe((0x25n << 26n) | (1n << 25n) | (1n << 6n) | 0x21n);
    expect(X(m.cpu, 3)).toBe(9n);
  });
  it('pair exclusives must be aligned to the pair size (16 for X)', async () => {
    const m = await run(withVectors('ldxp x1, x2, [x0]'), { 0: DATA + 8n }, [], true);
    expect(esrOf(m) & 0x3fn).toBe(0x21n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 8n);
  });
  it('CONSTRAINED UNPREDICTABLE register overlaps are UNDEFINED: LDXP Rt==Rt2, STXR Ws==Rt, Ws==Rn', async () => {
    const ldxpSame = hex(0xc87f0000 | (31 << 16) | (1 << 10) | (0 << 5) | 1); // ldxp x1, x1, [x0]
    const stxrSt = hex(0xc8000000 | (1 << 16) | (31 << 10) | (0 << 5) | 1); // stxr w1, x1, [x0]
    const stxrSn = hex(0xc8000000 | (0 << 16) | (31 << 10) | (0 << 5) | 1); // stxr w0, x1, [x0]
    for (const w of [ldxpSame, stxrSt, stxrSn]) {
      const m = await run(withVectors(w), { 0: DATA }, [], true);
      expect(m.cpu.pc).toBe(VEC_HIT);
      expect(esrOf(m)).toBe(1n << 25n);
    }
  });
});

describe('SP as the base of exclusives and atomics', () => {
  it('LDXR/STXR with SP as base work; SCTLR_EL1.SA=1 with SP misaligned faults (EC 0x26)', async () => {
    let m = await run('ldxr x1, [sp]\nstxr w3, x1, [sp]\nhlt #1', { 31: DATA, 3: 9n }, [[DATA, 5n, 8]]);
    expect(X(m.cpu, 1)).toBe(5n);
    expect(X(m.cpu, 3)).toBe(0n);
    m = await runAsm(withVectors(ldop('add', 'x', 1, 2, 31)), {
      x: { 31: DATA + 8n, 2: 9n },
      setup: (mm) => {
        mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
        mm.cpu.setSys(SYS.SCTLR_EL1, 0x30d0_0808, 0);
      },
    });
    expect(esrOf(m)).toBe((0x26n << 26n) | (1n << 25n));
    expect(X(m.cpu, 2)).toBe(9n);
  });
});

describe('load-acquire / store-release', () => {
  it('LDAR/LDARB/LDARH and STLR/STLRB/STLRH move the right sizes', async () => {
    const m = await run(
      'ldar x1, [x0]\nldarb w2, [x0]\nldarh w3, [x0]\nldar w4, [x0]\nstlr x1, [x5]\nstlrb w1, [x6]\nstlrh w1, [x7]\nhlt #1',
      { 0: DATA, 5: DATA + 8n, 6: DATA + 0x10n, 7: DATA + 0x18n, 2: M64 },
      [[DATA, 0x8877_6655_4433_2211n, 8]],
    );
    expect(X(m.cpu, 1)).toBe(0x8877_6655_4433_2211n);
    expect(X(m.cpu, 2)).toBe(0x11n);
    expect(X(m.cpu, 3)).toBe(0x2211n);
    expect(X(m.cpu, 4)).toBe(0x4433_2211n);
    expect(peek(m, DATA + 8n, 8)).toBe(0x8877_6655_4433_2211n);
    expect(peek(m, DATA + 0x10n, 8)).toBe(0x11n);
    expect(peek(m, DATA + 0x18n, 8)).toBe(0x2211n);
  });
  it('an unaligned LDAR faults (Alignment, DFSC 0x21)', async () => {
    const m = await run(withVectors('ldarh w1, [x0]'), { 0: DATA + 1n }, [], true);
    expect(esrOf(m)).toBe((0x25n << 26n) | (1n << 25n) | 0x21n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 1n);
  });
  it('LDLAR (o0=0, FEAT_LOR) is UNDEFINED: not advertised', async () => {
    const m = await run(withVectors(hex(0xc8df7c00 | (0 << 5) | 1)), { 0: DATA }, [], true); // ldlar x1, [x0]
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(esrOf(m)).toBe(1n << 25n);
  });
  it('LDAPR/LDAPRB/LDAPRH (FEAT_LRCPC) load like LDAR; with Rs != 11111 stay UNDEFINED', async () => {
    // ldapr x1, [x0]; ldaprb w2, [x0]; ldaprh w3, [x0]; ldapr w4, [x0]
    const src = [0xf8bfc001, 0x38bfc002, 0x78bfc003, 0xb8bfc004].map(hex).join('\n') + '\nhlt #1';
    const m = await run(src, { 0: DATA, 2: M64 }, [[DATA, 0x8877_6655_4433_2211n, 8]]);
    expect(X(m.cpu, 1)).toBe(0x8877_6655_4433_2211n);
    expect(X(m.cpu, 2)).toBe(0x11n);
    expect(X(m.cpu, 3)).toBe(0x2211n);
    expect(X(m.cpu, 4)).toBe(0x4433_2211n);
    const u = await run(withVectors(hex(0xf8a0c001)), { 0: DATA }, [], true); // Rs=0: unallocated
    expect(u.cpu.pc).toBe(VEC_HIT);
    expect(esrOf(u)).toBe(1n << 25n);
  });
});

describe('LSE atomics: LD<op> returns the old value and stores op(old, Rs)', () => {
  async function one(src: string, memv: bigint, len: number, rs: bigint): Promise<{ old: bigint; mem: bigint; m: Machine }> {
    const m = await run(`${src}\nhlt #1`, { 0: DATA, 1: rs, 2: 0xdead_dead_dead_deadn }, [[DATA, memv, len], [DATA + BigInt(len), 0x5an, 1]]);
    expect(peek(m, DATA + BigInt(len), 1)).toBe(0x5an); // nothing past the access size
    return { old: X(m.cpu, 2), mem: peek(m, DATA, len), m };
  }
  it('LDADD: X carries between words; W and B wrap at their size and zero the top of Rt', async () => {
    let r = await one(ldop('add', 'x', 1, 2, 0), 0xffff_ffffn, 8, 1n);
    expect([r.old, r.mem]).toEqual([0xffff_ffffn, 0x1_0000_0000n]);
    r = await one(ldop('add', 'w', 1, 2, 0), 0xffff_ffffn, 4, 0x1_0000_0002n);
    expect([r.old, r.mem]).toEqual([0xffff_ffffn, 1n]);
    r = await one(ldop('add', 'b', 1, 2, 0, 1, 1), 0xffn, 1, 1n); // LDADDALB
    expect([r.old, r.mem]).toEqual([0xffn, 0n]);
    r = await one(ldop('add', 'h', 1, 2, 0, 1, 0), 0x8000n, 2, 0x8000n); // LDADDAH
    expect([r.old, r.mem]).toEqual([0x8000n, 0n]);
  });
  it('LDCLR (AND NOT), LDEOR, LDSET (OR), SWP', async () => {
    let r = await one(ldop('clr', 'x', 1, 2, 0), 0xff00_ff00_ffff_0000n, 8, 0xf000_0000_0f0f_ffffn);
    expect([r.old, r.mem]).toEqual([0xff00_ff00_ffff_0000n, 0x0f00_ff00_f0f0_0000n]);
    r = await one(ldop('eor', 'w', 1, 2, 0, 0, 1), 0xffff_0000n, 4, 0x0ff0_0ff0n); // LDEORL
    expect([r.old, r.mem]).toEqual([0xffff_0000n, 0xf00f_0ff0n]);
    r = await one(ldop('set', 'h', 1, 2, 0), 0x00f0n, 2, 0x1_0f01n);
    expect([r.old, r.mem]).toEqual([0x00f0n, 0x0ff1n]);
    r = await one(ldop('swp', 'x', 1, 2, 0, 1, 1), 0x1234n, 8, 0xabcd_0000_0000_0001n); // SWPAL
    expect([r.old, r.mem]).toEqual([0x1234n, 0xabcd_0000_0000_0001n]);
    r = await one(ldop('swp', 'b', 1, 2, 0), 0x12n, 1, 0x3456n);
    expect([r.old, r.mem]).toEqual([0x12n, 0x56n]);
  });
  it('SMAX/SMIN compare signed, UMAX/UMIN unsigned, at the access size (W)', async () => {
    // memory -1 (0xffffffff) against Rs = 1
    const mem = 0xffff_ffffn;
    expect((await one(ldop('smax', 'w', 1, 2, 0), mem, 4, 1n)).mem).toBe(1n);
    expect((await one(ldop('smin', 'w', 1, 2, 0), mem, 4, 1n)).mem).toBe(0xffff_ffffn);
    expect((await one(ldop('umax', 'w', 1, 2, 0), mem, 4, 1n)).mem).toBe(0xffff_ffffn);
    expect((await one(ldop('umin', 'w', 1, 2, 0), mem, 4, 1n)).mem).toBe(1n);
    // bits 63:32 of Rs are ignored by the W form
    expect((await one(ldop('smax', 'w', 1, 2, 0), 5n, 4, 0x7fff_ffff_0000_0003n)).mem).toBe(5n);
  });
  it('SMAX/SMIN/UMAX/UMIN at byte and halfword size use the sign bit of that size', async () => {
    expect((await one(ldop('smax', 'b', 1, 2, 0), 0x80n, 1, 0x01n)).mem).toBe(0x01n);
    expect((await one(ldop('umax', 'b', 1, 2, 0), 0x80n, 1, 0x01n)).mem).toBe(0x80n);
    expect((await one(ldop('smin', 'h', 1, 2, 0), 0x7fffn, 2, 0x8000n)).mem).toBe(0x8000n);
    expect((await one(ldop('umin', 'h', 1, 2, 0), 0x7fffn, 2, 0x8000n)).mem).toBe(0x7fffn);
    // Rs = 0x1ff: as a byte it is 0xff (-1 signed): SMAX(0x01, -1) = 0x01
    expect((await one(ldop('smax', 'b', 1, 2, 0), 0x01n, 1, 0x1ffn)).mem).toBe(0x01n);
  });
  it('SMAX/SMIN/UMAX/UMIN on X: the sign of bit 63, and an unsigned low-word compare', async () => {
    const neg = 0x8000_0000_0000_0000n;
    expect((await one(ldop('smax', 'x', 1, 2, 0), neg, 8, 1n)).mem).toBe(1n);
    expect((await one(ldop('smin', 'x', 1, 2, 0), neg, 8, 1n)).mem).toBe(neg);
    expect((await one(ldop('umax', 'x', 1, 2, 0), neg, 8, 1n)).mem).toBe(neg);
    expect((await one(ldop('umin', 'x', 1, 2, 0), neg, 8, 1n)).mem).toBe(1n);
    // equal high words: the low words compare unsigned even for the signed ops
    expect((await one(ldop('smax', 'x', 1, 2, 0), 0x1_8000_0000n, 8, 0x1_0000_0001n)).mem).toBe(0x1_8000_0000n);
    expect((await one(ldop('smin', 'x', 1, 2, 0), 0x1_8000_0000n, 8, 0x1_0000_0001n)).mem).toBe(0x1_0000_0001n);
    expect((await one(ldop('umin', 'x', 1, 2, 0), 0x5n, 8, 0x5n)).old).toBe(5n);
  });
  it('ST<op> is LD<op> with Rt = XZR: memory updated, no register (and not SP) written', async () => {
    const m = await run(`${ldop('add', 'x', 1, 31, 0)}\nhlt #1`, { 0: DATA, 1: 3n, 31: 0x4020_0000n }, [[DATA, 4n, 8]]);
    expect(peek(m, DATA, 8)).toBe(7n);
    expect(X(m.cpu, 31)).toBe(0x4020_0000n);
  });
  it('an unaligned LDADD takes an Alignment fault and changes nothing', async () => {
    const m = await run(withVectors(ldop('add', 'w', 1, 2, 0)), { 0: DATA + 2n, 1: 1n, 2: 9n }, [], true);
    expect(esrOf(m) & 0x3fn).toBe(0x21n);
    expect(esrOf(m) >> 26n).toBe(0x25n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 2n);
    expect(X(m.cpu, 2)).toBe(9n);
    expect(peek(m, DATA, 8)).toBe(0n);
  });
  it('LD<op> with o3=1 and opc != 000 other than SWP is UNDEFINED', async () => {
    const m = await run(withVectors(hex(0xf8209000 | (1 << 16) | (0 << 5) | 2)), { 0: DATA }, [], true);
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(esrOf(m)).toBe(1n << 25n);
  });
});

describe('CAS and CASP (compare and swap; Rs receives the old value)', () => {
  it('CAS X succeeds when memory equals Rs: stores Rt', async () => {
    const m = await run(`${cas('x', 1, 2, 0, 1, 1)}\nhlt #1`, { 0: DATA, 1: 0x1_0000_0007n, 2: 0xabcn }, [[DATA, 0x1_0000_0007n, 8]]);
    expect(peek(m, DATA, 8)).toBe(0xabcn);
    expect(X(m.cpu, 1)).toBe(0x1_0000_0007n);
  });
  it('CAS X fails when only the high word differs: memory unchanged, Rs = old value', async () => {
    const m = await run(`${cas('x', 1, 2, 0)}\nhlt #1`, { 0: DATA, 1: 0x7n, 2: 0xabcn }, [[DATA, 0x1_0000_0007n, 8]]);
    expect(peek(m, DATA, 8)).toBe(0x1_0000_0007n);
    expect(X(m.cpu, 1)).toBe(0x1_0000_0007n);
  });
  it('CAS W/H/B compare only the access size and zero-extend the old value into Ws', async () => {
    let m = await run(`${cas('w', 1, 2, 0)}\nhlt #1`, { 0: DATA, 1: 0xffff_ffff_8000_0000n, 2: 5n }, [[DATA, 0x8000_0000n, 4]]);
    expect(peek(m, DATA, 4)).toBe(5n);
    expect(X(m.cpu, 1)).toBe(0x8000_0000n);
    m = await run(`${cas('b', 1, 2, 0, 0, 1)}\nhlt #1`, { 0: DATA, 1: 0x180n, 2: 0x1234n }, [[DATA, 0x5580n, 2]]); // CASLB
    expect(peek(m, DATA, 2)).toBe(0x5534n);
    expect(X(m.cpu, 1)).toBe(0x80n);
    m = await run(`${cas('h', 1, 2, 0)}\nhlt #1`, { 0: DATA, 1: 0x8001n, 2: 0x1234n }, [[DATA, 0x8000n, 2]]);
    expect(peek(m, DATA, 2)).toBe(0x8000n);
    expect(X(m.cpu, 1)).toBe(0x8000n);
  });
  it('CASP X: both doublewords must match; the first register is at the lower address', async () => {
    const mem: [bigint, bigint, number][] = [[DATA, 0x1111n, 8], [DATA + 8n, 0x2222n, 8]];
    let m = await run(`${casp(true, 4, 6, 0)}\nhlt #1`, { 0: DATA, 4: 0x1111n, 5: 0x2222n, 6: 0xaaaan, 7: 0xbbbbn }, mem);
    expect(peek(m, DATA, 8)).toBe(0xaaaan);
    expect(peek(m, DATA + 8n, 8)).toBe(0xbbbbn);
    expect([X(m.cpu, 4), X(m.cpu, 5)]).toEqual([0x1111n, 0x2222n]);
    m = await run(`${casp(true, 4, 6, 0, 1, 1)}\nhlt #1`, { 0: DATA, 4: 0x1111n, 5: 0x2223n, 6: 0xaaaan, 7: 0xbbbbn }, mem);
    expect(peek(m, DATA, 8)).toBe(0x1111n);
    expect(peek(m, DATA + 8n, 8)).toBe(0x2222n);
    expect([X(m.cpu, 4), X(m.cpu, 5)]).toEqual([0x1111n, 0x2222n]);
  });
  it('CASP W: one 8-byte access, Ws at the lower word', async () => {
    const m = await run(`${casp(false, 2, 4, 0)}\nhlt #1`, { 0: DATA, 2: 0x5555n, 3: 0x6666n, 4: 0x7777n, 5: 0x8888n }, [[DATA, 0x6666_0000_5555n, 8]]);
    expect(peek(m, DATA, 8)).toBe(0x8888_0000_7777n);
    expect([X(m.cpu, 2), X(m.cpu, 3)]).toEqual([0x5555n, 0x6666n]);
  });
  it('CASP needs 16-byte alignment for X pairs', async () => {
    const m = await run(withVectors(casp(true, 4, 6, 0)), { 0: DATA + 8n }, [], true);
    expect(esrOf(m) & 0x3fn).toBe(0x21n);
  });
  it('CASP with an odd Rs or Rt is unallocated (UNDEFINED)', async () => {
    for (const w of [casp(true, 3, 6, 0), casp(false, 4, 7, 0)]) {
      const m = await run(withVectors(w), { 0: DATA }, [], true);
      expect(m.cpu.pc).toBe(VEC_HIT);
      expect(esrOf(m)).toBe(1n << 25n);
    }
  });
});
