// FEAT_BTI on --cpu max (src/cpu/isa/bti.ts, the GP bit in mmu/translate.ts, the run loop's check):
// BTypeNext per branch, the compatibility rules, guarded vs ordinary pages, SPSR.BTYPE and ERET,
// SCTLR_EL1.BT1, and a57 (GP ignored, BTI a NOP); the same under the JIT.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const RAM = 0x4000_0000;
const TARGET = RAM + 0x40;
const HLT1 = 0xd4400020;
const HLT2 = 0xd4400040;
const NOP = 0xd503201f;
const BTI = 0xd503241f;
const BTI_C = 0xd503245f;
const BTI_J = 0xd503249f;
const BTI_JC = 0xd50324df;
const PACIASP = 0xd503233f;
const BR_X1 = 0xd61f0020;
const BR_X16 = 0xd61f0200;
const BLR_X1 = 0xd63f0020;
const RET_X1 = 0xd65f0020;
const GP = 1 << 18; // descriptor bit 50

interface Opts {
  guarded?: boolean;
  sctlrHi?: number;
  engine?: 'interp' | 'jit';
  x?: Record<number, bigint>;
  maxInsns?: number;
}

/** `code` at RAM, `target` words at TARGET (then HLT #1); code page guarded unless told; exceptions halt 'exception'. */
function run(model: string, code: number[], target: number[], o: Opts = {}): Cpu {
  const m = new Machine({ cpu: model, ramSize: 32 << 20, engine: o.engine });
  const cpu = m.cpu;
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x100_0000 });
  const leaf = s1Leaf({ ap: 0 });
  b.map(RAM, RAM, 0x20_0000, { lo: leaf.lo, hi: leaf.hi | (o.guarded === false ? 0 : GP) }, 2);
  const put = (at: number, words: number[]): void => {
    const dv = new DataView(new ArrayBuffer(4 * words.length));
    words.forEach((w, k) => dv.setUint32(4 * k, w, true));
    m.bus.load(at, new Uint8Array(dv.buffer));
  };
  put(RAM, code);
  put(TARGET, [...target, HLT1]);
  const vec: number[] = [];
  for (let k = 0; k < 0x200; k++) vec.push(k % 32 === 0 ? HLT2 : NOP);
  put(RAM + 0x1000, vec);
  setS1(cpu, { ttbr0: b.root });
  cpu.setSys(SYS.SCTLR_EL1, cpu.sysLo(SYS.SCTLR_EL1), o.sctlrHi ?? 0);
  cpu.setSys(SYS.VBAR_EL1, RAM + 0x1000, 0);
  cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true) };
  cpu.writeX(1, BigInt(TARGET));
  cpu.writeX(16, BigInt(TARGET));
  for (const [r, v] of Object.entries(o.x ?? {})) cpu.writeX(Number(r), v);
  cpu.pc = BigInt(RAM);
  cpu.run(o.maxInsns ?? 1000);
  return cpu;
}
/** 'ok', or 'bti <ISS>' for a Branch Target exception (EC 0x0D), or the EC. */
function outcome(cpu: Cpu): string {
  if (cpu.haltReason === 'done') return 'ok';
  const esr = cpu.sysLo(SYS.ESR_EL1);
  if (esr >>> 26 === 0x0d) return `bti ${esr & 0x1ffffff}`;
  return `ec ${(esr >>> 26).toString(16)}`;
}

describe('FEAT_BTI', () => {
  it('BR from a guarded page with X1 sets BTYPE 11: BTI j / jc accepted, BTI c / BTI / other instructions take EC 0x0D', () => {
    expect([BTI_J, BTI_JC, BTI_C, BTI, NOP].map((t) => outcome(run('max', [BR_X1], [t])))).toEqual(['ok', 'ok', 'bti 3', 'bti 3', 'bti 3']);
  });

  it('BR with X16/X17 (or from an ordinary page) sets BTYPE 01: BTI c, j, jc accepted', () => {
    expect([BTI_C, BTI_J, BTI_JC, BTI, NOP].map((t) => outcome(run('max', [BR_X16], [t])))).toEqual(['ok', 'ok', 'ok', 'bti 1', 'bti 1']);
  });

  it('BLR sets BTYPE 10: BTI c, jc and PACIASP accepted, BTI j not', () => {
    expect([BTI_C, BTI_JC, PACIASP, BTI_J, NOP].map((t) => outcome(run('max', [BLR_X1], [t])))).toEqual(['ok', 'ok', 'ok', 'bti 2', 'bti 2']);
  });

  it('RET and direct branches leave BTYPE 00: no check', () => {
    expect(outcome(run('max', [RET_X1], [NOP]))).toBe('ok');
    expect(outcome(run('max', [0x14000010 /* b TARGET */], [NOP]))).toBe('ok');
  });

  it('PACIASP with BTYPE 11 is accepted only while SCTLR_EL1.BT1 = 0; BRK is always accepted', () => {
    expect(outcome(run('max', [BR_X1], [PACIASP]))).toBe('ok');
    expect(outcome(run('max', [BR_X1], [PACIASP], { sctlrHi: 1 << 4 }))).toBe('bti 3');
    const brk = run('max', [BR_X1], [0xd4200000]);
    expect(brk.sysLo(SYS.ESR_EL1) >>> 26).toBe(0x3c); // the Breakpoint exception, not a branch target one
  });

  it('a target in an ordinary page is not checked', () => {
    // Code page not guarded: BR x1 gives BTYPE 01 and nothing is checked.
    expect(outcome(run('max', [BR_X1], [NOP], { guarded: false }))).toBe('ok');
  });

  it('the exception is taken at the target with SPSR_EL1.BTYPE = the BTYPE, and ERET restores BTYPE', () => {
    const cpu = run('max', [BLR_X1], [NOP]);
    expect(cpu.sys64(SYS.ELR_EL1)).toBe(BigInt(TARGET));
    expect((cpu.sysLo(SYS.SPSR_EL1) >>> 10) & 3).toBe(2);
    // msr spsr_el1, x2 (EL1h, BTYPE 01); msr elr_el1, x3; eret -> TARGET (NOP): checked.
    const words = [0xd5184002, 0xd5184023, 0xd69f03e0];
    const e = run('max', words, [NOP], { x: { 2: 0x3c5n | (1n << 10n), 3: BigInt(TARGET) } });
    expect(outcome(e)).toBe('bti 1');
    const ok = run('max', words, [BTI_C], { x: { 2: 0x3c5n | (1n << 10n), 3: BigInt(TARGET) } });
    expect(outcome(ok)).toBe('ok');
  });

  it('BRAA and BLRAA (FEAT_PAuth) set BTYPE as BR and BLR', () => {
    // paciza x1 (EnIA off by default: unchanged); braaz x1 / blraaz x1
    expect(outcome(run('max', [0xd61f083f], [NOP]))).toBe('bti 3');
    expect(outcome(run('max', [0xd63f083f], [BTI_J]))).toBe('bti 2');
  });

  it('on a57 the GP bit is RES0 and BTI is a NOP: nothing is checked', () => {
    expect([BTI_C, NOP].map((t) => outcome(run('a57', [BR_X1], [t])))).toEqual(['ok', 'ok']);
    const id = run('a57', [0xd5380420 /* mrs x0, id_aa64pfr1_el1 */], []);
    expect(id.readX(0)).toBe(0n);
    const max = run('max', [0xd5380420], []);
    expect(max.readX(0) & 0xfn).toBe(1n);
  });

  it('holds under the JIT when ERET restores BTYPE: a hot ERET loop to BTI c, then ERET to a plain target faults at the same count', () => {
    // RAM: msr spsr_el1, x2; msr elr_el1, x3; eret -> TARGET: bti c; subs x4, x4, #1; b.ne RAM; mov x3, x5; b RAM
    const code = [0xd5184002, 0xd5184023, 0xd69f03e0];
    const target = [BTI_C, 0xf1000484, 0x54fffdc1, 0xaa0503e3, 0x17ffffec];
    const o = { x: { 2: 0x3c5n | (1n << 10n), 3: BigInt(TARGET), 4: 20000n, 5: BigInt(RAM + 0x80) }, maxInsns: 300_000 };
    const a = run('max', code, target, o);
    const j = run('max', code, target, { ...o, engine: 'jit' });
    expect(outcome(a)).toBe('bti 1');
    expect(a.sys64(SYS.ELR_EL1)).toBe(BigInt(RAM + 0x80));
    expect([outcome(j), j.instret, j.cycles]).toEqual([outcome(a), a.instret, a.cycles]);
  });

  it('holds under the JIT: a hot loop through BR to a BTI j target, then BR to a plain target faults at the same count', () => {
    // loop (at RAM): br x1 -> TARGET: bti j; subs x4, x4, #1; b.ne back; br x5 -> (RAM+0x80) nop
    const code = [BR_X1];
    const target = [BTI_J, 0xf1000484, 0x54000041 /* b.ne +8 */, 0xd61f00a0 /* br x5 */, 0x17ffffec /* b RAM */];
    // b.ne +8 jumps over `br x5` to `b RAM`
    const o = { x: { 4: 20000n, 5: BigInt(RAM + 0x80) }, maxInsns: 200_000 };
    const a = run('max', code, target, o);
    const j = run('max', code, target, { ...o, engine: 'jit' });
    expect(outcome(a)).toBe('bti 3');
    expect(a.sys64(SYS.ELR_EL1)).toBe(BigInt(RAM + 0x80));
    expect([outcome(j), j.instret, j.cycles, j.sys64(SYS.ELR_EL1)]).toEqual([outcome(a), a.instret, a.cycles, a.sys64(SYS.ELR_EL1)]);
  });
});
