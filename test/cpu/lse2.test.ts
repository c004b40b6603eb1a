// FEAT_LSE2 (isa/lse2.ts: AArch64.UnalignedAccessFaults) and FEAT_LRCPC2 (isa/rcpc2.ts: LDAPUR*/STLUR*)
// on --cpu max; on a57 every unaligned ordered/exclusive/atomic access faults and LDAPUR/STLUR are UNDEFINED.
// Normal memory (MMU on): with the MMU off data is Device memory, where any unaligned access faults.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const RAM = 0x4000_0000;
const DATA = 0x1000_0000; // EL1 read/write, normal memory (MAIR index 0 of setS1)
const HLT1 = 0xd4400020;
const HLT2 = 0xd4400040;
const SCTLR = 0x30d00800 | 1 | (1 << 2) | (1 << 12); // M, C, I
const SCTLR_A = 1 << 1;
const SCTLR_NAA = 1 << 6;

/** Runs `words` at EL1 with x1 = DATA + off; DATA holds bytes 0x00, 0x01, ... 0x3f. */
function run(model: string, words: number[], off: number, o: { sctlr?: number; x?: Record<number, bigint>; engine?: 'interp' | 'jit' } = {}): Cpu {
  const m = new Machine({ cpu: model, ramSize: 32 << 20, engine: o.engine });
  const cpu = m.cpu;
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
  b.map(RAM, RAM, 0x20_0000, s1Leaf({ ap: 0 }), 2);
  b.map(DATA, RAM + 0x20_0000, 0x1000, s1Leaf({ ap: 0, uxn: true, pxn: true }), 3);
  const code = new DataView(new ArrayBuffer(4 * words.length + 4));
  words.forEach((w, k) => code.setUint32(4 * k, w, true));
  code.setUint32(4 * words.length, HLT1, true);
  m.bus.load(RAM, new Uint8Array(code.buffer));
  const vec = new DataView(new ArrayBuffer(0x800));
  for (let v = 0; v < 0x800; v += 0x80) vec.setUint32(v, HLT2, true);
  m.bus.load(RAM + 0x1000, new Uint8Array(vec.buffer));
  m.bus.load(RAM + 0x20_0000, Uint8Array.from({ length: 64 }, (_, k) => k));
  setS1(cpu, { ttbr0: b.root, sctlr: o.sctlr ?? SCTLR });
  cpu.setSys(SYS.VBAR_EL1, RAM + 0x1000, 0);
  cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true) };
  cpu.writeX(1, BigInt(DATA + off));
  for (const [r, v] of Object.entries(o.x ?? {})) cpu.writeX(Number(r), v);
  cpu.pc = BigInt(RAM);
  cpu.run(1000);
  return cpu;
}
/** Little-endian value of `n` bytes of the 0, 1, 2... pattern starting at `off`. */
const pat = (off: number, n: number): bigint => {
  let v = 0n;
  for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(off + k);
  return v;
};
const mem = (cpu: Cpu, off: number, n: number): bigint => {
  let v = 0n;
  for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(cpu.bus.read(RAM + 0x20_0000 + off + k, 1));
  return v;
};
/** 'ok', or 'align' for an Alignment fault (EC 0x25, DFSC 0b100001, FAR = the address), else what happened. */
function outcome(cpu: Cpu, off: number): string {
  if (cpu.haltReason === 'done') return 'ok';
  const esr = cpu.sysLo(SYS.ESR_EL1);
  if (esr >>> 26 === 0x25 && (esr & 0x3f) === 0x21 && cpu.sys64(SYS.FAR_EL1) === BigInt(DATA + off)) return 'align';
  return `${cpu.haltReason} esr=${esr.toString(16)}`;
}

const LDAR_X = 0xc8dffc20; // ldar x0, [x1]
const LDARH = 0x48dffc20; // ldarh w0, [x1]
const STLR_X = 0xc89ffc22; // stlr x2, [x1]
const LDAPR_X = 0xf8bfc020; // ldapr x0, [x1]
const LDXR_X = 0xc85f7c20; // ldxr x0, [x1]
const STXR_X = 0xc8037c22; // stxr w3, x2, [x1]
const LDAXR_W = 0x885ffc20; // ldaxr w0, [x1]
const LDADD_X = 0xf8220020; // ldadd x2, x0, [x1]
const CAS_X = 0xc8a07c22; // cas x0, x2, [x1]
const CASPAL_W = 0x0864fc26; // caspal w4, w5, w6, w7, [x1]
const LDXP_W = 0x887f1420; // ldxp w0, w5, [x1]
const LDP_X = 0xa9401420; // ldp x0, x5, [x1]

describe('FEAT_LSE2: AArch64.UnalignedAccessFaults', () => {
  it('load-acquire/store-release: unaligned inside a 16-byte quantity loads on max, faults on a57', () => {
    for (const w of [LDAR_X, LDAPR_X]) {
      expect(outcome(run('a57', [w], 4), 4)).toBe('align');
      const c = run('max', [w], 4);
      expect([outcome(c, 4), c.readX(0)]).toEqual(['ok', pat(4, 8)]);
    }
    const h = run('max', [LDARH], 13); // bytes 13, 14: one quantity
    expect([outcome(h, 13), h.readX(0)]).toEqual(['ok', pat(13, 2)]);
    const s = run('max', [STLR_X], 2, { x: { 2: 0x1122334455667788n } });
    expect([outcome(s, 2), mem(s, 2, 8)]).toEqual(['ok', 0x1122334455667788n]);
    expect(outcome(run('a57', [STLR_X], 2), 2)).toBe('align');
  });

  it('load-acquire/store-release crossing a 16-byte boundary fault unless SCTLR_EL1.nAA = 1 (RES0 on a57)', () => {
    expect(outcome(run('max', [LDAR_X], 12), 12)).toBe('align'); // bytes 12..19
    expect(outcome(run('max', [LDARH], 15), 15)).toBe('align');
    const s = run('max', [STLR_X], 12, { x: { 2: 0x55n } });
    expect([outcome(s, 12), (s.sysLo(SYS.ESR_EL1) >>> 6) & 1, mem(s, 12, 8)]).toEqual(['align', 1, pat(12, 8)]); // WnR, memory unchanged
    const naa = run('max', [LDAR_X], 12, { sctlr: SCTLR | SCTLR_NAA });
    expect([outcome(naa, 12), naa.readX(0)]).toEqual(['ok', pat(12, 8)]);
    expect(outcome(run('a57', [LDAR_X], 12, { sctlr: SCTLR | SCTLR_NAA }), 12)).toBe('align');
  });

  it('SCTLR_EL1.A = 1 (AlignmentEnforced) faults every unaligned one, even inside a quantity', () => {
    for (const w of [LDAR_X, LDXR_X, LDADD_X]) expect(outcome(run('max', [w], 4, { sctlr: SCTLR | SCTLR_A }), 4)).toBe('align');
    // STXR: the alignment check comes before the monitor check, so it faults with no reservation.
    expect(outcome(run('max', [STXR_X], 4, { sctlr: SCTLR | SCTLR_A }), 4)).toBe('align');
  });

  it('exclusives: unaligned inside a quantity pass on max (nAA does not apply), cross one faults', () => {
    const c = run('max', [LDXR_X, STXR_X], 4, { x: { 2: 0xa1a2a3a4a5a6a7a8n } });
    expect([outcome(c, 4), c.readX(0), c.readX(3), mem(c, 4, 8)]).toEqual(['ok', pat(4, 8), 0n, 0xa1a2a3a4a5a6a7a8n]);
    expect(outcome(run('a57', [LDXR_X], 4), 4)).toBe('align');
    expect(outcome(run('max', [LDXR_X], 12, { sctlr: SCTLR | SCTLR_NAA }), 12)).toBe('align');
    expect(outcome(run('max', [LDAXR_W], 14), 14)).toBe('align');
    const w = run('max', [LDAXR_W], 10);
    expect([outcome(w, 10), w.readX(0)]).toEqual(['ok', pat(10, 4)]);
    const p = run('max', [LDXP_W], 4); // 8 bytes at 4..11
    expect([outcome(p, 4), p.readX(0), p.readX(5)]).toEqual(['ok', pat(4, 4), pat(8, 4)]);
    expect(outcome(run('max', [LDXP_W], 12), 12)).toBe('align');
    expect(outcome(run('a57', [LDXP_W], 4), 4)).toBe('align');
  });

  it('LSE atomics (LDADD, CAS, CASP): inside a quantity on max, fault across one and on a57', () => {
    const a = run('max', [LDADD_X], 3, { x: { 2: 1n } });
    expect([outcome(a, 3), a.readX(0), mem(a, 3, 8)]).toEqual(['ok', pat(3, 8), pat(3, 8) + 1n]);
    expect(outcome(run('max', [LDADD_X], 9), 9)).toBe('align');
    expect(outcome(run('a57', [LDADD_X], 3), 3)).toBe('align');
    const c = run('max', [CAS_X], 5, { x: { 0: pat(5, 8), 2: 0x77n } });
    expect([outcome(c, 5), c.readX(0), mem(c, 5, 8)]).toEqual(['ok', pat(5, 8), 0x77n]);
    expect(outcome(run('a57', [CAS_X], 5), 5)).toBe('align');
    const cp = run('max', [CASPAL_W], 4, { x: { 4: pat(4, 4), 5: pat(8, 4), 6: 0xaan, 7: 0xbbn } });
    expect([outcome(cp, 4), mem(cp, 4, 4), mem(cp, 8, 4)]).toEqual(['ok', 0xaan, 0xbbn]);
    expect(outcome(run('max', [CASPAL_W], 12), 12)).toBe('align');
  });

  it('LDP/STP are unchanged: unaligned without SCTLR.A never faults on either model', () => {
    for (const model of ['a57', 'max']) {
      const c = run(model, [LDP_X], 13);
      expect([outcome(c, 13), c.readX(0), c.readX(5)]).toEqual(['ok', pat(13, 8), pat(21, 8)]);
    }
  });

  it('the JIT gives the same results', () => {
    const c = run('max', [LDXR_X, STXR_X, LDADD_X, LDAR_X], 4, { x: { 2: 5n }, engine: 'jit' });
    expect([outcome(c, 4), c.readX(0), c.readX(3)]).toEqual(['ok', 5n + 5n, 0n]);
    expect(outcome(run('max', [LDAR_X], 12, { engine: 'jit' }), 12)).toBe('align');
  });
});

const LDAPUR_X_M3 = 0xd95fd020; // ldapur x0, [x1, #-3]
const LDAPUR_W_5 = 0x99405020; // ldapur w0, [x1, #5]
const LDAPURH_1 = 0x59401020; // ldapurh w0, [x1, #1]
const LDAPURSB_X = 0x19800020; // ldapursb x0, [x1]
const LDAPURSB_W = 0x19c00020; // ldapursb w0, [x1]
const LDAPURSH_X_255 = 0x598ff020; // ldapursh x0, [x1, #255]
const LDAPURSW_X_M256 = 0x99900020; // ldapursw x0, [x1, #-256]
const LDAPURB = 0x19400020; // ldapurb w0, [x1]
const STLUR_X_M1 = 0xd91ff022; // stlur x2, [x1, #-1]
const STLURB_2 = 0x19002022; // stlurb w2, [x1, #2]
const STLURH = 0x59000022; // stlurh w2, [x1]
const STLUR_W_4 = 0x99004022; // stlur w2, [x1, #4]

describe('FEAT_LRCPC2: LDAPUR*/STLUR* (unscaled immediate)', () => {
  it('are UNDEFINED on a57 (EC 0x00), as are the unallocated size:opc forms on max', () => {
    for (const w of [LDAPUR_X_M3, STLURH, LDAPURSW_X_M256]) {
      const c = run('a57', [w], 8);
      expect([c.haltReason, c.sysLo(SYS.ESR_EL1) >>> 26]).toEqual(['exception', 0]);
    }
    for (const w of [0x99c00020 /* size 10 opc 11 */, 0xd9800020 /* size 11 opc 10 */, 0xd9c00020 /* size 11 opc 11 */]) {
      const c = run('max', [w], 8);
      expect([c.haltReason, c.sysLo(SYS.ESR_EL1) >>> 26]).toEqual(['exception', 0]);
    }
  });

  it('loads: address Rn + SignExtend(imm9), zero or sign extension by opc', () => {
    const ld = (w: number, off: number, x1?: bigint): bigint => {
      const c = run('max', [w], off, x1 === undefined ? {} : { x: { 1: x1 } });
      expect(c.haltReason).toBe('done');
      return c.readX(0);
    };
    expect(ld(LDAPUR_X_M3, 11)).toBe(pat(8, 8));
    expect(ld(LDAPUR_W_5, 3)).toBe(pat(8, 4));
    expect(ld(LDAPURH_1, 5)).toBe(pat(6, 2));
    expect(ld(LDAPURB, 9)).toBe(9n);
    // Sign extension: make the byte negative with a store first (the pattern bytes are < 0x80).
    const sb = run('max', [STLURB_2, 0x91000821 /* add x1, x1, #2 */, LDAPURSB_X, 0xaa0003e9 /* mov x9, x0 */, LDAPURSB_W], 0, { x: { 2: 0x80n } });
    expect([sb.haltReason, sb.readX(9), sb.readX(0)]).toEqual(['done', 0xffffffffffffff80n, 0xffffff80n]);
    const sh = run('max', [STLURH, 0xd103fc21 /* sub x1, x1, #255 */, LDAPURSH_X_255], 0, { x: { 2: 0x8001n, 1: BigInt(DATA + 0x100) } });
    expect([sh.haltReason, mem(sh, 0x100, 2), sh.readX(0)]).toEqual(['done', 0x8001n, 0xffffffffffff8001n]);
    const sw = run('max', [STLUR_W_4, 0x91041021 /* add x1, x1, #0x104 */, LDAPURSW_X_M256], 0, { x: { 2: 0x80000000n, 1: BigInt(DATA + 0x1fc) } });
    expect([sw.haltReason, mem(sw, 0x200, 4), sw.readX(0)]).toEqual(['done', 0x80000000n, 0xffffffff80000000n]);
  });

  it('stores write size bytes at Rn + offset; alignment as LDAR/STLR under LSE2', () => {
    const x = run('max', [STLUR_X_M1], 9, { x: { 2: 0x0102030405060708n } });
    expect([outcome(x, 8), mem(x, 8, 8), mem(x, 16, 1)]).toEqual(['ok', 0x0102030405060708n, 16n]);
    const u = run('max', [STLUR_X_M1], 4, { x: { 2: 0xffn } }); // bytes 3..10: one quantity
    expect([outcome(u, 3), mem(u, 3, 8)]).toEqual(['ok', 0xffn]);
    const f = run('max', [STLUR_X_M1], 0x10, { x: { 2: 0xffn } }); // bytes 15..22
    expect([outcome(f, 0xf), (f.sysLo(SYS.ESR_EL1) >>> 6) & 1, mem(f, 0xf, 8)]).toEqual(['align', 1, pat(0xf, 8)]);
    expect(outcome(run('max', [LDAPUR_W_5], 9), 14)).toBe('align'); // bytes 14..17
    const naa = run('max', [LDAPUR_W_5], 9, { sctlr: SCTLR | SCTLR_NAA });
    expect([outcome(naa, 14), naa.readX(0)]).toEqual(['ok', pat(14, 4)]);
  });

  it('the JIT gives the same results', () => {
    const c = run('max', [STLURB_2, LDAPURSB_X, LDAPUR_X_M3], 3, { x: { 2: 0x90n }, engine: 'jit' });
    expect([c.haltReason, c.readX(0)]).toEqual(['done', pat(0, 5) | (0x90n << 40n) | (pat(6, 2) << 48n)]);
  });
});
