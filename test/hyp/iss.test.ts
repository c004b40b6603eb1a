// The ISS of stage-2 data aborts on MMIO (ARM ARM D17.2.37, "ISS encoding for an exception from a
// Data Abort": ISV, SAS, SSE, SRT, SF, AR, WnR) and the emulation built on it: the loaded value
// lands in Xt with the width and sign extension the ISS describes, XZR is discarded, the store
// value is Xt truncated to the access size, and ELR_EL2 += 4 resumes after the instruction.
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X, type VmRun } from './hyp-helpers.js';
import { decodeDataAbortIss } from '../../src/hyp/abort.js';

const PRE = 'movz x9, #0x0a10, lsl #16\nmovn x5, #0\n'; // x9: scratch device IPA; x5 preset to all ones
/** Scratch bytes 0..7: 0xff 0xee ... 0x88 (bit 7 set in each: sign extension shows). */
const fill = (r: VmRun): void => [0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88].forEach((b, k) => (r.scratch[0].bytes[k] = b));

async function one(insn: string): Promise<VmRun> {
  const r = await runVms([`${PRE}${insn}\nmov x6, #7\n${OFF}`], {}, 1000, fill);
  expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
  expect(X(r, 6)).toBe(7n); // resumed after the trapped instruction (ELR_EL2 += 4), exactly once
  return r;
}

describe('trapped loads: ISS fields and the value written to Xt', () => {
  // [instruction, SAS, SSE, SF, AR, expected X5]
  const cases: [string, number, number, number, number, bigint][] = [
    ['ldrb w5, [x9]', 0, 0, 0, 0, 0xffn],
    ['ldrsb w5, [x9]', 0, 1, 0, 0, 0xffff_ffffn], // sign-extended to 32 bits, upper half zeroed
    ['ldrsb x5, [x9]', 0, 1, 1, 0, 0xffff_ffff_ffff_ffffn],
    ['ldrh w5, [x9]', 1, 0, 0, 0, 0xeeffn],
    ['ldrsh w5, [x9]', 1, 1, 0, 0, 0xffff_eeffn],
    ['ldrsh x5, [x9]', 1, 1, 1, 0, 0xffff_ffff_ffff_eeffn],
    ['ldr w5, [x9]', 2, 0, 0, 0, 0xccdd_eeffn],
    ['ldrsw x5, [x9]', 2, 1, 1, 0, 0xffff_ffff_ccdd_eeffn],
    ['ldr x5, [x9]', 3, 0, 1, 0, 0x8899_aabb_ccdd_eeffn],
    ['ldarb w5, [x9]', 0, 0, 0, 1, 0xffn],
    ['ldarh w5, [x9]', 1, 0, 0, 1, 0xeeffn],
    ['ldar w5, [x9]', 2, 0, 0, 1, 0xccdd_eeffn],
    ['ldar x5, [x9]', 3, 0, 1, 1, 0x8899_aabb_ccdd_eeffn],
  ];
  for (const [insn, sas, sse, sf, ar, want] of cases) {
    it(`${insn}: ISV=1 SAS=${sas} SSE=${sse} SRT=5 SF=${sf} AR=${ar} WnR=0 -> x5 = 0x${want.toString(16)}`, async () => {
      const r = await one(insn);
      const e = r.exits.find((x) => x.ec === 0x24)!;
      const iss = decodeDataAbortIss(e.esr);
      expect([iss.isv, iss.sas, +iss.sse, iss.srt, +iss.sf, +iss.ar, iss.wnr]).toEqual([true, sas, sse, 5, sf, ar, false]);
      expect(X(r, 5)).toBe(want);
    });
  }
  it('a load into WZR/XZR traps with SRT=31 and discards the value (no register changes)', async () => {
    for (const insn of ['ldr wzr, [x9]', 'ldr xzr, [x9]', 'ldrsb xzr, [x9]']) {
      const r = await one(insn);
      const iss = decodeDataAbortIss(r.exits.find((x) => x.ec === 0x24)!.esr);
      expect(iss.srt).toBe(31);
      expect(X(r, 5)).toBe(0xffff_ffff_ffff_ffffn);
      expect(r.scratch[0].log).toEqual([`r${1 << iss.sas}@0`].flatMap((s) => (iss.sas === 3 ? ['r4@0', 'r4@4'] : [s])));
    }
  });
  it('an offset inside the page reaches the right register (IPA = HPFAR page + FAR[11:0])', async () => {
    const r = await one('ldrh w5, [x9, #0x6]');
    expect(X(r, 5)).toBe(0x8899n);
    expect(r.exits[0].hpfar).toBe((0x0a10_0000n >> 12n) << 4n);
    expect(r.exits[0].far & 0xfffn).toBe(6n);
  });
});

describe('trapped stores: ISS fields and the value written to the device', () => {
  // [instruction, SAS, SF, AR, device log]
  const cases: [string, number, number, number, string[]][] = [
    ['strb w7, [x9, #1]', 0, 0, 0, ['w1@1=ef']],
    ['strh w7, [x9, #2]', 1, 0, 0, ['w2@2=cdef']],
    ['str w7, [x9, #4]', 2, 0, 0, ['w4@4=89abcdef']],
    ['str x7, [x9, #8]', 3, 1, 0, ['w4@8=89abcdef', 'w4@c=1234567']],
    ['stlr w7, [x9]', 2, 0, 1, ['w4@0=89abcdef']],
    ['stlrb w7, [x9]', 0, 0, 1, ['w1@0=ef']],
    ['stlr x7, [x9]', 3, 1, 1, ['w4@0=89abcdef', 'w4@4=1234567']],
    ['str xzr, [x9]', 3, 1, 0, ['w4@0=0', 'w4@4=0']],
    ['strh wzr, [x9]', 1, 0, 0, ['w2@0=0']],
  ];
  for (const [insn, sas, sf, ar, log] of cases) {
    it(`${insn}: ISV=1 SAS=${sas} SSE=0 SF=${sf} AR=${ar} WnR=1`, async () => {
      const r = await runVms([`${PRE}ldr x7, =0x0123456789abcdef\n${insn}\nmov x6, #7\n${OFF}\n.ltorg`], {}, 1000);
      expect(X(r, 6)).toBe(7n);
      const iss = decodeDataAbortIss(r.exits.find((x) => x.ec === 0x24)!.esr);
      expect([iss.isv, iss.sas, iss.sse, iss.srt, +iss.sf, +iss.ar, iss.wnr]).toEqual([true, sas, false, insn.includes('zr') ? 31 : 7, sf, ar, true]);
      expect(r.scratch[0].log).toEqual(log);
    });
  }
});

describe('decodeDataAbortIss', () => {
  it('takes each field from its bits; [23:14] read as zero when ISV=0', () => {
    const esr = (0x24 << 26) | (1 << 25) | (1 << 24) | (2 << 22) | (1 << 21) | (17 << 16) | (1 << 15) | (1 << 14) | (1 << 6) | 0x07;
    expect(decodeDataAbortIss(esr)).toMatchObject({ isv: true, sas: 2, sse: true, srt: 17, sf: true, ar: true, wnr: true, dfsc: 7, s1ptw: false, cm: false });
    const noIsv = (0x24 << 26) | (1 << 25) | (3 << 22) | (17 << 16) | (1 << 8) | (1 << 7) | 0x05;
    expect(decodeDataAbortIss(noIsv)).toMatchObject({ isv: false, sas: 0, srt: 0, sf: false, cm: true, s1ptw: true, wnr: false, dfsc: 5 });
  });
});
