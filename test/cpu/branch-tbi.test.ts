// AArch64.BranchAddr (src/cpu/isa/branch-addr.ts): BR/BLR/RET/ERET (and the PAuth forms) to a
// tagged address clear the tag when TBI applies to the target as an instruction address
// (TCR_EL1.TBI0/TBI1, and with FEAT_PAuth not TBID0/TBID1); otherwise the tag stays in the PC and
// the fetch takes an Instruction Abort.
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { TableBuilder, s1Leaf } from '../../src/mmu/builder.js';
import { setS1 } from '../mmu/mmu-helpers.js';
import { branchAddrHi } from '../../src/cpu/isa/branch-addr.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const RAM = 0x4000_0000;
const HLT1 = 0xd4400020;
const HLT2 = 0xd4400040;
const BR_X1 = 0xd61f0020;
const BLR_X1 = 0xd63f0020;
const RET_X1 = 0xd65f0020;
const ERET = 0xd69f03e0;
const BRAAZ_X1 = 0xd61f083f;
const ADR_X2 = 0x10000002; // adr x2, .
const MSR_ELR_X1 = 0xd5184021;
const MSR_SPSR_X3 = 0xd5184003;
const TARGET = RAM + 0x100;
const TAG = 0x5an << 56n; // bit 55 = 0: the TTBR0 range, TBI0/TBID0
const TBI0 = 1 << 5; // TCR_EL1[37], in the high word
const TBI1 = 1 << 6; // TCR_EL1[38]
const TBID0 = 1 << 19; // TCR_EL1[51]
const TBID1 = 1 << 20; // TCR_EL1[52]

/** EL1, MMU on, code at RAM; `words` at RAM, then `adr x2, .; hlt #1` at TARGET. */
function run(model: string, words: number[], tcrHi: number, x: Record<number, bigint>, engine?: 'interp' | 'jit'): Cpu {
  const m = new Machine({ cpu: model, ramSize: 8 << 20, engine });
  const cpu = m.cpu;
  const b = new TableBuilder(m.bus, { inputSize: 48, poolBase: RAM + 0x40_0000 });
  b.map(RAM, RAM, 0x20_0000, s1Leaf({ ap: 0 }), 2);
  const code = new DataView(new ArrayBuffer(0x108));
  words.forEach((w, k) => code.setUint32(4 * k, w, true));
  code.setUint32(0x100, ADR_X2, true);
  code.setUint32(0x104, HLT1, true);
  m.bus.load(RAM, new Uint8Array(code.buffer));
  const vec = new DataView(new ArrayBuffer(0x800));
  for (let v = 0; v < 0x800; v += 0x80) vec.setUint32(v, HLT2, true);
  m.bus.load(RAM + 0x1000, new Uint8Array(vec.buffer));
  setS1(cpu, { ttbr0: b.root, tcrHi });
  cpu.setSys(SYS.VBAR_EL1, RAM + 0x1000, 0);
  cpu.firmware = { el2Exception: (c) => c.halt('el2'), hlt: (c, imm) => (c.halt(imm === 1 ? 'done' : 'exception', 0), true) };
  for (const [r, v] of Object.entries(x)) cpu.writeX(Number(r), v);
  cpu.pc = BigInt(RAM);
  cpu.run(100);
  return cpu;
}
/** 'pc=<hex of the PC seen at the target>' or 'abort' (Instruction Abort, FAR = the tagged target). */
function where(cpu: Cpu, tagged: bigint): string {
  if (cpu.haltReason === 'done') return `pc=${cpu.readX(2).toString(16)}`;
  const ec = cpu.sysLo(SYS.ESR_EL1) >>> 26;
  if (ec === 0x21 && cpu.sys64(SYS.FAR_EL1) === tagged && cpu.sys64(SYS.ELR_EL1) === tagged) return 'abort';
  return `${cpu.haltReason} ec=${ec.toString(16)} far=${cpu.sys64(SYS.FAR_EL1).toString(16)}`;
}
const tagged = TAG | BigInt(TARGET);
const untagged = `pc=${TARGET.toString(16)}`;

describe('AArch64.BranchAddr: TBI on branch targets', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`BR, BLR, RET: the tag is cleared with TBI0 = 1, kept (fetch aborts) with TBI0 = 0 (${engine})`, () => {
      for (const w of [BR_X1, BLR_X1, RET_X1]) {
        expect(where(run('a57', [w], TBI0, { 1: tagged }, engine), tagged)).toBe(untagged);
        expect(where(run('a57', [w], 0, { 1: tagged }, engine), tagged)).toBe('abort');
        expect(where(run('a57', [w], TBI1, { 1: tagged }, engine), tagged)).toBe('abort'); // bit 55 = 0: TBI0 decides
      }
      // BLR: the link is the untagged return address.
      const c = run('a57', [BLR_X1], TBI0, { 1: tagged }, engine);
      expect(c.readX(30)).toBe(BigInt(RAM + 4));
    });
  }

  it('ERET to a tagged ELR_EL1: cleared with TBI0, kept without', () => {
    const seq = [MSR_ELR_X1, MSR_SPSR_X3, ERET];
    const spsr = 0x3c5n; // EL1h, DAIF masked
    expect(where(run('a57', seq, TBI0, { 1: tagged, 3: spsr }), tagged)).toBe(untagged);
    expect(where(run('a57', seq, 0, { 1: tagged, 3: spsr }), tagged)).toBe('abort');
  });

  it('TBID0 = 1 (FEAT_PAuth, max): TBI does not apply to instruction addresses, so the tag stays', () => {
    expect(where(run('max', [BR_X1], TBI0 | TBID0, { 1: tagged }), tagged)).toBe('abort');
    expect(where(run('max', [BR_X1], TBI0 | TBID1, { 1: tagged }), tagged)).toBe(untagged); // TBID1: the other range
    expect(where(run('max', [BR_X1], TBI0, { 1: tagged }), tagged)).toBe(untagged);
    // a57 has no FEAT_PAuth: TBID0 is RES0 there and ignored.
    expect(where(run('a57', [BR_X1], TBI0 | TBID0, { 1: tagged }), tagged)).toBe(untagged);
    // BRAAZ with no key enabled (SCTLR_EL1.EnIA = 0): the target is not authenticated, then BranchAddr.
    expect(where(run('max', [BRAAZ_X1], TBI0, { 1: tagged }), tagged)).toBe(untagged);
    expect(where(run('max', [BRAAZ_X1], TBI0 | TBID0, { 1: tagged }), tagged)).toBe('abort');
  });

  it('the upper range: bit 55 = 1 selects TBI1/TBID1 and the result is sign-extended (0xff top byte)', () => {
    const cpu = new Machine({ cpu: 'max', ramSize: 1 << 20 }).cpu;
    cpu.setSys(SYS.TCR_EL1, 0, TBI1);
    expect(branchAddrHi(cpu, 0x12ffffff) >>> 0).toBe(0xffffffff); // 0x12ff_ffff_xxxx_xxxx -> 0xffff_ffff_...
    expect(branchAddrHi(cpu, 0x12800000) >>> 0).toBe(0xff800000);
    cpu.setSys(SYS.TCR_EL1, 0, TBI0);
    expect(branchAddrHi(cpu, 0x12ffffff) >>> 0).toBe(0x12ffffff);
    cpu.setSys(SYS.TCR_EL1, 0, TBI1 | TBID1);
    expect(branchAddrHi(cpu, 0x12ffffff) >>> 0).toBe(0x12ffffff);
  });
});
