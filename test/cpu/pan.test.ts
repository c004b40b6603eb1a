// FEAT_PAN, FEAT_UAO and FEAT_TTCNP on --cpu max (src/cpu/pstate-v8x.ts, isa/pan.ts, the PAN check
// in mmu/translate.ts), and their absence on a57.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const RAM = 0x4000_0000;
const USER = 0x1000_0000; // AP = 01: EL1 and EL0 read/write
const KERN = 0x1000_1000; // AP = 00: EL1 only
const HLT1 = 0xd4400020;
const HLT2 = 0xd4400040;
const MSR_PAN_1 = 0xd500419f;
const MSR_PAN_0 = 0xd500409f;
const MSR_UAO_1 = 0xd500417f;
const MRS_X5_PAN = 0xd5384265;
const MRS_X6_UAO = 0xd5384286;
const LDR_X0_X1 = 0xf9400020;
const LDTR_X0_X1 = 0xf8400820;
const STTR_X0_X1 = 0xf8000820;
const SVC0 = 0xd4000001;
const PAN_BIT = 1n << 22n;

interface Opts {
  x?: Record<number, bigint>;
  sctlr?: number;
  ttbr0Extra?: number;
  engine?: 'interp' | 'jit';
  /** The vector entries: mrs x5, pan (max) before hlt #2. */
  vecReadsPan?: boolean;
}

/** EL1 with the MMU on: code identity-mapped at RAM, USER and KERN data pages; an exception halts 'exception'. */
function run(model: string, words: number[], o: Opts = {}, maxInsns = 10_000): Cpu {
  const m = new Machine({ cpu: model, ramSize: 32 << 20, engine: o.engine });
  const cpu = m.cpu;
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
  b.map(RAM, RAM, 0x20_0000, s1Leaf({ ap: 0 }), 2);
  b.map(USER, RAM + 0x20_0000, 0x1000, s1Leaf({ ap: 1, uxn: true, pxn: true }), 3);
  b.map(KERN, RAM + 0x20_1000, 0x1000, s1Leaf({ ap: 0, pxn: true }), 3);
  const code = new DataView(new ArrayBuffer(4 * words.length + 4));
  words.forEach((w, k) => code.setUint32(4 * k, w, true));
  code.setUint32(4 * words.length, HLT1, true);
  m.bus.load(RAM, new Uint8Array(code.buffer));
  const vec = new DataView(new ArrayBuffer(0x800));
  for (let off = 0; off < 0x800; off += 0x80) {
    if (o.vecReadsPan) vec.setUint32(off, MRS_X5_PAN, true);
    vec.setUint32(off + (o.vecReadsPan ? 4 : 0), HLT2, true);
  }
  m.bus.load(RAM + 0x1000, new Uint8Array(vec.buffer));
  m.bus.load(RAM + 0x20_0000, new Uint8Array([0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0]));
  m.bus.load(RAM + 0x20_1000, new Uint8Array([0x55, 0x66, 0, 0, 0, 0, 0, 0]));
  setS1(cpu, { ttbr0: b.root + (o.ttbr0Extra ?? 0), sctlr: o.sctlr });
  cpu.setSys(SYS.VBAR_EL1, RAM + 0x1000, 0);
  cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true) };
  for (const [r, v] of Object.entries(o.x ?? {})) cpu.writeX(Number(r), v);
  cpu.pc = BigInt(RAM);
  cpu.run(maxInsns);
  return cpu;
}
const esr = (cpu: Cpu): number => cpu.sysLo(SYS.ESR_EL1);
const SCTLR_SPAN0 = (0x30d00800 & ~(1 << 23)) | 1 | (1 << 2) | (1 << 12);

describe('FEAT_PAN', () => {
  it('PSTATE.PAN = 1 makes EL1 data accesses to EL0-accessible pages permission faults (AArch64.S1CheckPermissions)', () => {
    const ok = run('max', [LDR_X0_X1], { x: { 1: BigInt(USER) } });
    expect([ok.haltReason, ok.readX(0)]).toEqual(['done', 0x44332211n]);
    const pan = run('max', [MSR_PAN_1, LDR_X0_X1], { x: { 1: BigInt(USER) } });
    expect(pan.haltReason).toBe('exception');
    expect(esr(pan) >>> 26).toBe(0x25); // Data Abort, same EL
    expect(esr(pan) & 0x3f).toBe(0x0f); // Permission fault, level 3
    expect(pan.sys64(SYS.FAR_EL1)).toBe(BigInt(USER));
    // Stores too; an EL1-only page is unaffected.
    const st = run('max', [MSR_PAN_1, 0xf9000020 /* str x0, [x1] */], { x: { 1: BigInt(USER) } });
    expect([st.haltReason, (esr(st) >>> 6) & 1]).toEqual(['exception', 1]);
    const kern = run('max', [MSR_PAN_1, LDR_X0_X1], { x: { 1: BigInt(KERN) } });
    expect([kern.haltReason, kern.readX(0)]).toEqual(['done', 0x6655n]);
  });

  it('LDTR/STTR (EL0 permissions) still reach EL0 pages under PAN; MSR PAN, #0 lifts it', () => {
    const cpu = run('max', [MSR_PAN_1, LDTR_X0_X1, STTR_X0_X1, MSR_PAN_0, 0xf9400022 /* ldr x2, [x1] */], { x: { 1: BigInt(USER) } });
    expect([cpu.haltReason, cpu.readX(0), cpu.readX(2)]).toEqual(['done', 0x44332211n, 0x44332211n]);
  });

  it('MRS/MSR PAN read and write bit 22; a cached user page is dropped when PAN is set (MSR PAN, Xt)', () => {
    // ldr (fills the fast cache), msr pan, x3; mrs x5, pan; ldr again: faults.
    const cpu = run('max', [LDR_X0_X1, 0xd5184263 /* msr pan, x3 */, MRS_X5_PAN, LDR_X0_X1], { x: { 1: BigInt(USER), 3: PAN_BIT } });
    expect([cpu.haltReason, cpu.readX(5), esr(cpu) >>> 26]).toEqual(['exception', PAN_BIT, 0x25]);
  });

  it('exception entry sets PAN when SCTLR_EL1.SPAN = 0 and keeps it otherwise; SPSR_EL1.PAN saves it', () => {
    const set = run('max', [SVC0], { sctlr: SCTLR_SPAN0, vecReadsPan: true });
    expect([set.haltReason, set.readX(5)]).toEqual(['exception', PAN_BIT]);
    const kept = run('max', [SVC0], { vecReadsPan: true });
    expect([kept.haltReason, kept.readX(5)]).toEqual(['exception', 0n]);
    const saved = run('max', [MSR_PAN_1, SVC0], { vecReadsPan: true });
    expect(BigInt(saved.sysLo(SYS.SPSR_EL1)) & PAN_BIT).toBe(PAN_BIT);
  });

  it('ERET restores PSTATE.PAN from SPSR_EL1.PAN', () => {
    // spsr_el1 = EL1h | PAN; elr = +0x14 (mrs x5, pan); eret
    const words = [0xd2c00000 /* placeholder */, 0xd5184002 /* msr spsr_el1, x2 */, 0xd5184023 /* msr elr_el1, x3 */, 0xd69f03e0 /* eret */, HLT2, MRS_X5_PAN];
    words[0] = 0xd503201f; // nop
    const cpu = run('max', words, { x: { 2: 0x3c5n | PAN_BIT, 3: BigInt(RAM + 0x14) } });
    expect([cpu.haltReason, cpu.readX(5)]).toEqual(['done', PAN_BIT]);
    // a57 has no PAN: the SPSR bit does not reach PSTATE (the load of a user page still works).
    const a57 = run('a57', [0xd5184002, 0xd5184023, 0xd69f03e0, HLT2, LDR_X0_X1], { x: { 1: BigInt(USER), 2: 0x3c5n | PAN_BIT, 3: BigInt(RAM + 0x10) } });
    expect([a57.haltReason, a57.readX(0)]).toEqual(['done', 0x44332211n]);
  });

  it('on a57 MSR PAN, #imm and MRS PAN are UNDEFINED', () => {
    for (const w of [MSR_PAN_1, MRS_X5_PAN, MSR_UAO_1, MRS_X6_UAO]) {
      const cpu = run('a57', [w]);
      expect([cpu.haltReason, esr(cpu) >>> 26], w.toString(16)).toEqual(['exception', 0]);
    }
  });

  it('holds under the JIT: a hot loop of user-page loads, then PAN set, faults at the same instruction count', () => {
    // loop: ldr x0, [x1]; subs x4, x4, #1; b.ne loop; msr pan, #1; ldr x0, [x1]
    const words = [LDR_X0_X1, 0xf1000484, 0x54ffffc1, MSR_PAN_1, LDR_X0_X1];
    const a = run('max', words, { x: { 1: BigInt(USER), 4: 30000n } }, 200_000);
    const j = run('max', words, { x: { 1: BigInt(USER), 4: 30000n }, engine: 'jit' }, 200_000);
    expect([a.haltReason, esr(a) >>> 26, a.instret]).toEqual(['exception', 0x25, 90002]);
    expect([j.haltReason, esr(j), j.instret, j.cycles]).toEqual([a.haltReason, esr(a), a.instret, a.cycles]);
  });
});

describe('FEAT_UAO', () => {
  it('PSTATE.UAO = 1 makes LDTR/STTR at EL1 ordinary EL1 accesses; UAO = 0 checks EL0 permissions', () => {
    const priv = run('max', [LDTR_X0_X1], { x: { 1: BigInt(KERN) } });
    expect([priv.haltReason, esr(priv) >>> 26, esr(priv) & 0x3f]).toEqual(['exception', 0x25, 0x0f]);
    const uao = run('max', [MSR_UAO_1, LDTR_X0_X1, MRS_X6_UAO], { x: { 1: BigInt(KERN) } });
    expect([uao.haltReason, uao.readX(0), uao.readX(6)]).toEqual(['done', 0x6655n, 1n << 23n]);
  });

  it('exception entry clears UAO; SPSR_EL1.UAO saves it', () => {
    const cpu = run('max', [MSR_UAO_1, SVC0], {});
    expect(cpu.haltReason).toBe('exception');
    expect((cpu.pstateOther >>> 23) & 1).toBe(0);
    expect((cpu.sysLo(SYS.SPSR_EL1) >>> 23) & 1).toBe(1);
  });
});

describe('FEAT_TTCNP and the ID registers', () => {
  it('max advertises PAN (MMFR1), UAO and CnP (MMFR2); a57 none of them', () => {
    const max = run('max', [0xd5380720 /* mrs x0, id_aa64mmfr1_el1 */, 0xd5380741 /* mrs x1, id_aa64mmfr2_el1 */]);
    expect([(max.readX(0) >> 20n) & 0xfn, max.readX(1) & 0xfn, (max.readX(1) >> 4n) & 0xfn]).toEqual([1n, 1n, 1n]);
    const a57 = run('a57', [0xd5380720, 0xd5380741]);
    expect([(a57.readX(0) >> 20n) & 0xfn, a57.readX(1)]).toEqual([0n, 0n]);
  });

  it('TTBR0_EL1.CnP = 1 translates as CnP = 0 (one TLB per PE: sharing nothing is allowed)', () => {
    const cpu = run('max', [LDR_X0_X1], { x: { 1: BigInt(USER) }, ttbr0Extra: 1 });
    expect([cpu.haltReason, cpu.readX(0)]).toEqual(['done', 0x44332211n]);
  });
});
