// FEAT_PAuth rules one by one (src/cpu/isa/pauth.ts), including the ones the unicorn vectors cannot
// check because unicorn departs from the ARM ARM there (pauth-vectors-gen.py lists them).
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const BASE = 0x4000_0000;
const HLT1 = 0xd4400020;
const EN_ALL = (1n << 31n) | (1n << 30n) | (1n << 27n) | (1n << 13n); // EnIA EnIB EnDA EnDB
const SCTLR = 0x30d00800n;
const HCR_RW = 1n << 31n;
const HCR_APK = 1n << 40n;
const HCR_API = 1n << 41n;

interface Setup {
  x?: Record<number, bigint>;
  sp?: bigint;
  sctlr?: bigint;
  tcr?: bigint;
  hcr?: bigint;
  engine?: 'interp' | 'jit';
}

/** Run `words` then HLT #1 at EL1 (MMU off) with fixed keys; an exception at EL1 halts 'exception', at EL2 'el2'. */
function run(cpuModel: string, words: number[], s: Setup = {}, maxInsns = 1000): Cpu {
  const m = new Machine({ cpu: cpuModel, ramSize: 1 << 20, engine: s.engine });
  const code = new DataView(new ArrayBuffer(4 * words.length + 4));
  words.forEach((w, k) => code.setUint32(4 * k, w, true));
  code.setUint32(4 * words.length, HLT1, true);
  m.bus.load(BASE, new Uint8Array(code.buffer));
  const vec = new DataView(new ArrayBuffer(0x800));
  for (let off = 0; off < 0x800; off += 0x80) vec.setUint32(off, 0xd4400040, true); // hlt #2
  m.bus.load(BASE + 0x1000, new Uint8Array(vec.buffer));
  m.bus.load(BASE + 0x8000, Uint8Array.from({ length: 0x100 }, (_, k) => k));
  const cpu = m.cpu;
  cpu.setSys(SYS.VBAR_EL1, BASE + 0x1000, 0);
  cpu.firmware = {
    el2Exception: (c) => c.halt('el2'),
    hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true),
  };
  if (cpuModel === 'max') {
    const keys = ['APIAKeyLo_EL1', 'APIAKeyHi_EL1', 'APIBKeyLo_EL1', 'APIBKeyHi_EL1', 'APDAKeyLo_EL1', 'APDAKeyHi_EL1', 'APDBKeyLo_EL1', 'APDBKeyHi_EL1'];
    keys.forEach((k, n) => cpu.setSys64(SYS[k], 0x0123456789abcdefn * BigInt(n + 1) & 0xffffffffffffffffn));
    cpu.setSys64(SYS.APGAKeyLo_EL1, 0xec2802d4e0a488e9n);
    cpu.setSys64(SYS.APGAKeyHi_EL1, 0x84be85ce9804e94bn);
  }
  cpu.setSys64(SYS.SCTLR_EL1, s.sctlr ?? SCTLR | EN_ALL);
  cpu.setSys64(SYS.TCR_EL1, s.tcr ?? ((25n << 16n) | 25n)); // T0SZ = T1SZ = 25: PAC in bits 54:39 and 63:56
  cpu.setSys64(SYS.HCR_EL2, s.hcr ?? 0n);
  cpu.contextChanged();
  for (const [r, v] of Object.entries(s.x ?? {})) cpu.writeX(Number(r), v);
  if (s.sp !== undefined) cpu.writeX(32, s.sp);
  cpu.pc = BigInt(BASE);
  cpu.run(maxInsns);
  return cpu;
}
const ec = (cpu: Cpu, el = 1): number => (el === 1 ? cpu.sysLo(SYS.ESR_EL1) : cpu.sysLo(SYS.ESR_EL2)) >>> 26;

const PACIA_X0_X1 = 0xdac10020;
const AUTIA_X0_X1 = 0xdac11020;
const AUTIB_X0_X1 = 0xdac11420;
const PACIB_X0_X1 = 0xdac10420;
const EOR_X0_X3 = 0xca030000;
const PACIASP = 0xd503233f;
const AUTIASP = 0xd50323bf;
const PACIA1716 = 0xd503211f;
const XPACLRI = 0xd50320ff;
const RETAA = 0xd65f0bff;

describe('FEAT_PAuth (ARM ARM AddPAC, Auth, Strip; QARMA5)', () => {
  it('PACGA: the QARMA-64 known answer in bits 63:32, zeros below (ComputePAC with APGAKey)', () => {
    const cpu = run('max', [0x9ac23020], { x: { 1: 0xfb623599da6e8127n, 2: 0x477d469dec0b8762n } });
    expect(cpu.haltReason).toBe('done');
    expect(cpu.readX(0)).toBe(0xc003b93900000000n);
  });

  it('PAC then AUT with the same key and modifier restores the pointer; the PAC sits in bits 54:39 and 63:56', () => {
    const ptr = 0x0000_0012_3456_7890n;
    const cpu = run('max', [PACIA_X0_X1, 0xaa0003e2 /* mov x2, x0 */, AUTIA_X0_X1], { x: { 0: ptr, 1: 42n } });
    expect(cpu.readX(0)).toBe(ptr);
    const signed = cpu.readX(2);
    expect(signed & ((1n << 39n) - 1n)).toBe(ptr); // bits below bottom_PAC_bit kept
    expect((signed >> 55n) & 1n).toBe(0n); // bit 55 (the range) kept
    expect(signed).not.toBe(ptr);
  });

  it('a failed AUTIA writes error code 01 into bits 62:61, AUTIB 10 (Auth, no TBI)', () => {
    const ptr = 0x0000_0012_3456_7890n;
    const a = run('max', [PACIA_X0_X1, EOR_X0_X3, AUTIA_X0_X1], { x: { 0: ptr, 1: 7n, 3: 1n << 45n } });
    expect(a.readX(0)).toBe(ptr | (1n << 61n));
    const b = run('max', [PACIB_X0_X1, EOR_X0_X3, AUTIB_X0_X1], { x: { 0: ptr, 1: 7n, 3: 1n << 45n } });
    expect(b.readX(0)).toBe(ptr | (2n << 61n));
    // A different modifier fails just the same.
    const c = run('max', [PACIA_X0_X1, 0x91000421 /* add x1, x1, #1 */, AUTIA_X0_X1], { x: { 0: ptr, 1: 7n } });
    expect(c.readX(0)).toBe(ptr | (1n << 61n));
  });

  it('with TBI0 the tag byte is kept outside the PAC field but is an input of ComputePAC; errors go to bits 54:53', () => {
    const tcr = (1n << 37n) | (25n << 16n) | 25n;
    const ptr = 0x5a00_0012_3456_7890n;
    const ok = run('max', [PACIA_X0_X1, 0xd2e00003 /* movz x3, #0, lsl 48 */, EOR_X0_X3, AUTIA_X0_X1], { x: { 0: ptr, 1: 7n }, tcr, sctlr: SCTLR | EN_ALL });
    expect(ok.readX(0)).toBe(ptr);
    // The signed pointer keeps its tag; a changed tag fails (ext_ptr keeps ptr<63:56>)...
    const signed = run('max', [PACIA_X0_X1], { x: { 0: ptr, 1: 7n }, tcr }).readX(0);
    expect(signed >> 56n).toBe(0x5an);
    const tag = run('max', [PACIA_X0_X1, EOR_X0_X3, AUTIA_X0_X1], { x: { 0: ptr, 1: 7n, 3: 0xff00_0000_0000_0000n }, tcr });
    expect(tag.readX(0)).toBe((ptr ^ 0xff00_0000_0000_0000n) | (1n << 53n));
    // ...and so does a changed PAC bit.
    const bad = run('max', [PACIA_X0_X1, EOR_X0_X3, AUTIA_X0_X1], { x: { 0: ptr, 1: 7n, 3: 1n << 40n }, tcr });
    expect(bad.readX(0)).toBe(ptr | (1n << 53n));
  });

  it('bad extension bits invert PAC<top_bit-1>: bit 62 without TBI, bit 54 with TBI (AddPAC)', () => {
    // The PAC is computed on ext_ptr, identical for the bad pointer and its canonical form, so the
    // two results differ exactly in the inverted bit (unicorn inverts bit 63 / 55 instead).
    const good = 0x0000_0012_3456_7890n;
    const pac = (p: bigint, tcr?: bigint): bigint => run('max', [PACIA_X0_X1], { x: { 0: p, 1: 9n }, tcr }).readX(0);
    expect(pac(good | (1n << 60n)) ^ pac(good)).toBe(1n << 62n);
    const tbi = (1n << 37n) | (25n << 16n) | 25n;
    expect(pac(good | (1n << 50n), tbi) ^ pac(good, tbi)).toBe(1n << 54n);
  });

  it('without TBI the range (and PAC size) comes from bit 63, not bit 55 (AddPAC selbit)', () => {
    // T0SZ = 16 (bottom 48), T1SZ = 39 (bottom 25). ptr<63> = 1, ptr<55> = 0: the upper range's
    // ext_ptr, so the result is that of the canonical upper pointer with PAC<62> inverted.
    const tcr = (39n << 16n) | 16n;
    const low25 = 0x1ab_cdefn;
    const mixed = (1n << 63n) | low25;
    const canon = 0xffff_ffff_fe00_0000n | low25;
    const pac = (p: bigint): bigint => run('max', [PACIA_X0_X1], { x: { 0: p, 1: 9n }, tcr }).readX(0);
    expect(pac(mixed) ^ pac(canon)).toBe(1n << 62n);
    expect(pac(canon) & ((1n << 25n) - 1n)).toBe(low25);
  });

  it('SCTLR_EL1.EnIA = 0 makes PACIA and AUTIA leave the value unchanged; XPACI strips regardless', () => {
    const v = 0x1234_0000_0000_1000n;
    const off = run('max', [PACIA_X0_X1, 0xaa0003e2, AUTIA_X0_X1], { x: { 0: v, 1: 3n }, sctlr: SCTLR | (EN_ALL & ~(1n << 31n)) });
    expect([off.readX(2), off.readX(0)]).toEqual([v, v]);
    const x = run('max', [0xdac143e0 /* xpaci x0 */], { x: { 0: v }, sctlr: SCTLR });
    expect(x.readX(0)).toBe(0x1000n);
    const hi = run('max', [0xdac147e0 /* xpacd x0 */], { x: { 0: 0x1280_ff00_0000_1000n } });
    expect(hi.readX(0)).toBe(0xffff_ff80_0000_1000n); // bit 55 = 1: the upper range's extension
  });

  it('hint forms: PACIASP/AUTIASP use X30 with SP, PACIA1716 X17 with X16, XPACLRI strips X30', () => {
    const lr = 0x0000_0000_4000_1234n;
    const cpu = run('max', [PACIASP, 0xaa1e03e2 /* mov x2, x30 */, AUTIASP], { x: { 30: lr }, sp: 0x4000_8000n });
    expect(cpu.readX(30)).toBe(lr);
    expect(cpu.readX(2)).not.toBe(lr);
    // PACIASP equals PACIA X30, SP.
    const reg = run('max', [0xdac103fe /* pacia x30, sp */], { x: { 30: lr }, sp: 0x4000_8000n });
    expect(reg.readX(30)).toBe(cpu.readX(2));
    const p1716 = run('max', [PACIA1716], { x: { 17: lr, 16: 0x4000_8000n } });
    expect(p1716.readX(17)).toBe(cpu.readX(2));
    const strip = run('max', [XPACLRI], { x: { 30: cpu.readX(2) } });
    expect(strip.readX(30)).toBe(lr);
  });

  it('on a57 the hint forms are NOPs (HINT space) and every other PAuth encoding is UNDEFINED', () => {
    const lr = 0x0000_0000_4000_1234n;
    const cpu = run('a57', [PACIASP, AUTIASP, PACIA1716, XPACLRI, 0xd503219f /* autia1716 */], { x: { 30: lr | (1n << 60n), 17: 5n } });
    expect(cpu.haltReason).toBe('done');
    expect([cpu.readX(30), cpu.readX(17)]).toEqual([lr | (1n << 60n), 5n]);
    for (const w of [PACIA_X0_X1, 0x9ac23020, RETAA, 0xd71f0822, 0xd69f0bff, 0xf8200420, 0xd5382100]) {
      const u = run('a57', [w]);
      expect(u.haltReason, w.toString(16)).toBe('exception');
      expect(ec(u), w.toString(16)).toBe(0);
    }
  });

  it('RETAA returns through an authenticated X30; a failed check branches to a non-canonical address, which faults there', () => {
    // bl +0x14 -> paciasp; retaa -> back at +4: mov x5, #1; hlt
    const ok = run('max', [0x94000005, 0xd2800025 /* mov x5, #1 */, HLT1, 0, 0, PACIASP, RETAA], { sp: 0x4000_9000n });
    expect([ok.haltReason, ok.readX(5)]).toEqual(['done', 1n]);
    // The same with bit 39 (in the PAC field) of X30 flipped before RETAA.
    const bad = run('max', [0x94000005, 0xd2800025, HLT1, 0, 0, PACIASP, 0xd2c01003 /* movz x3, #0x80, lsl 32 */, 0xca0303de /* eor x30, x30, x3 */, RETAA], { sp: 0x4000_9000n });
    expect(bad.haltReason).toBe('exception');
    expect(ec(bad)).toBe(0x21); // Instruction Abort at the corrupted address
    expect((bad.sys64(SYS.FAR_EL1) >> 61n) & 3n).toBe(1n); // error code 01 (key A)
  });

  it('BLRAA links PC + 4 and branches to AuthIA(Xn, Xm); BRAAZ uses modifier 0', () => {
    // pacia x1, x2; blraa x1, x2 -> +0x10: mov x5, #2; then ret to +8: hlt
    const words = [0xdac10041, 0xd73f0822, HLT1, 0, 0xd2800045 /* mov x5, #2 */, 0xd65f03c0 /* ret */];
    const cpu = run('max', words, { x: { 1: BigInt(BASE + 0x10), 2: 77n } });
    expect([cpu.haltReason, cpu.readX(5), cpu.readX(30)]).toEqual(['done', 2n, BigInt(BASE + 8)]);
    const z = run('max', [0xdac123e1 /* paciza x1 */, 0xd61f083f /* braaz x1 */, HLT1, 0xd2800065, HLT1], { x: { 1: BigInt(BASE + 0xc) } });
    expect([z.haltReason, z.readX(5)]).toEqual(['done', 3n]);
  });

  it('ERETAA authenticates ELR_EL1 with SP as modifier (and restores PSTATE from SPSR_EL1)', () => {
    // pacia x1, sp; msr elr_el1, x1; mov x4, #0x3c5; msr spsr_el1, x4; eretaa -> +0x18: mov x5, #4
    const words = [0xdac103e1, 0xd5184021, 0xd28078a4, 0xd5184004, 0xd69f0bff, HLT1, 0xd2800085];
    const cpu = run('max', words, { x: { 1: BigInt(BASE + 0x18) }, sp: 0x4000_9000n });
    expect([cpu.haltReason, cpu.readX(5)]).toEqual(['done', 4n]);
  });

  it('LDRAA authenticates with modifier 0 (X[31] is XZR), adds the offset, and writes back only with W', () => {
    const data = BigInt(BASE + 0x8000);
    // pacdza x1; ldraa x0, [x1, #16]!
    const wb = run('max', [0xdac12be1, 0xf8200c20 | (2 << 12)], { x: { 1: data }, sp: 0x4000_9000n });
    expect(wb.haltReason).toBe('done');
    expect(wb.readX(0)).toBe(0x1716151413121110n);
    expect(wb.readX(1)).toBe(data + 16n); // the authenticated address, written back
    const nowb = run('max', [0xdac12be1, 0xdac12be2 /* pacdza x2 */, 0xf8201420 | (0x1ff << 12) | (1 << 22) /* ldraa x0, [x1, #-8] */], { x: { 1: data + 8n, 2: data + 8n } });
    expect(nowb.readX(0)).toBe(0x0706050403020100n);
    expect(nowb.readX(1)).toBe(nowb.readX(2)); // no writeback: X1 still holds the signed pointer
    // LDRAB of a pointer signed with the DA key fails authentication: the access faults.
    const bad = run('max', [0xdac12be1, 0xf8a00420], { x: { 1: data } });
    expect([bad.haltReason, ec(bad)]).toEqual(['exception', 0x25]);
  });

  it('HCR_EL2.API = 0 traps enabled PAuth instructions and PACGA to EL2 (EC 0x09); a disabled key does not trap', () => {
    const t = run('max', [PACIA_X0_X1], { hcr: HCR_RW | HCR_APK });
    expect([t.haltReason, ec(t, 2), t.sysLo(SYS.ESR_EL2) & 0x1ffffff]).toEqual(['el2', 0x09, 0]);
    const g = run('max', [0x9ac23020], { hcr: HCR_RW | HCR_APK });
    expect([g.haltReason, ec(g, 2)]).toEqual(['el2', 0x09]);
    const off = run('max', [PACIA_X0_X1], { hcr: HCR_RW | HCR_APK, sctlr: SCTLR });
    expect(off.haltReason).toBe('done');
    const on = run('max', [PACIA_X0_X1], { hcr: HCR_RW | HCR_APK | HCR_API });
    expect(on.haltReason).toBe('done');
  });

  it('HCR_EL2.APK = 0 traps key register accesses to EL2 (EC 0x18); with APK set they read and write', () => {
    const t = run('max', [0xd5382100 /* mrs x0, apiakeylo_el1 */], { hcr: HCR_RW | HCR_API });
    expect([t.haltReason, ec(t, 2)]).toEqual(['el2', 0x18]);
    const ok = run('max', [0xd5182320 /* msr apgakeyhi_el1, x0 */, 0xd5382321 /* mrs x1, apgakeyhi_el1 */], { hcr: HCR_RW | HCR_API | HCR_APK, x: { 0: 0xfeedn } });
    expect([ok.haltReason, ok.readX(1)]).toEqual(['done', 0xfeedn]);
  });

  it('runs the same under the JIT (the handlers are called from compiled regions)', () => {
    // A loop of 30000 iterations: paciasp; autiasp; subs x0, x0, #1; b.ne loop.
    const words = [PACIASP, AUTIASP, 0xf1000400, 0x54ffffa1];
    const lr = 0x4000_1234n;
    const a = run('max', words, { x: { 0: 30000n, 30: lr }, sp: 0x4000_9000n }, 200_000);
    const m = run('max', words, { x: { 0: 30000n, 30: lr }, sp: 0x4000_9000n, engine: 'jit' }, 200_000);
    expect([a.haltReason, a.readX(30), a.instret]).toEqual(['done', lr, 120001]);
    expect([m.haltReason, m.readX(30), m.instret, m.cycles]).toEqual([a.haltReason, a.readX(30), a.instret, a.cycles]);
  });
});
