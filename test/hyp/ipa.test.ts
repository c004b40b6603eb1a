// The faulting IPA: HPFAR_EL2.FIPA (bits [43:4]) = IPA[47:12], the page offset from FAR_EL2[11:0]
// (ARM ARM D17.2.59 HPFAR_EL2, D17.2.40 FAR_EL2). Checked as arithmetic at page boundaries and
// end to end with a guest whose stage 1 maps the device at a VA unlike its IPA.
import { describe, it, expect } from 'vitest';
import { faultIpa } from '../../src/hyp/abort.js';
import { runVms, OFF, X } from './hyp-helpers.js';
import { decodeDataAbortIss } from '../../src/hyp/abort.js';

/** HPFAR_EL2 words for an IPA, as the architecture sets them. */
function hpfar(ipa: bigint): [number, number] {
  const v = (ipa >> 12n) << 4n;
  return [Number(v & 0xffff_ffffn) | 0, Number(v >> 32n) | 0];
}

describe('faultIpa(HPFAR_EL2, FAR_EL2)', () => {
  const cases: [bigint, number][] = [
    [0x0900_0000n, 0x0000], // first byte of a page
    [0x0900_0fffn, 0x0fff], // last byte of a page
    [0x0900_1000n, 0x0000], // next page
    [0x0a00_0ffcn, 0x0ffc],
    [0xff_ffff_f000n, 0x0000], // top of a 40-bit IPA space
    [0xffff_ffff_fff8n, 0x0ff8], // top of a 48-bit IPA space (FIPA bit 43 = IPA bit 47)
    [0x1_0000_0000n, 0x0000], // just above 4 GiB: FIPA crosses into HPFAR's upper word
  ];
  for (const [ipa, off] of cases) {
    it(`IPA 0x${ipa.toString(16)}`, () => {
      const [lo, hi] = hpfar(ipa);
      // FAR is a VA: any page, same offset within the page.
      const far = (0x7654_3000 | off) | 0;
      expect(BigInt(faultIpa(lo, hi, far))).toBe(ipa);
    });
  }
  it('ignores HPFAR bits outside FIPA (RES0 [3:0], NS [63])', () => {
    const [lo, hi] = hpfar(0x0900_0000n);
    expect(faultIpa(lo | 0xf, hi | (1 << 31), 0x10)).toBe(0x0900_0010);
  });
});

describe('stage 1 on: FAR_EL2 is the VA, HPFAR_EL2 the IPA page', () => {
  it('a device mapped by the guest at VA 0x8000_0000 + 0xff8 traps with the IPA of its page', async () => {
    // Stage-1 table (level 1, 39-bit VA) at 0x40100000: [1] 1G block of RAM (identity), [2] the
    // device's first 1 GiB (IPA 0) at VA 0x8000_0000, Device memory.
    const src = `
      movz x1, #0x4010, lsl #16
      movz x2, #0x0705
      movk x2, #0x4000, lsl #16
      str x2, [x1, #8]
      movz x2, #0x0401
      str x2, [x1, #16]
      movz x2, #0xff00
      msr mair_el1, x2
      movz x2, #0x3519
      movk x2, #0x0080, lsl #16
      movk x2, #0x0002, lsl #32
      msr tcr_el1, x2
      msr ttbr0_el1, x1
      isb
      mrs x2, sctlr_el1
      orr x2, x2, #1
      msr sctlr_el1, x2
      isb
      movz x9, #0x8a10, lsl #16
      ldr x5, [x9, #0xff8]
      ${OFF}`;
    const r = await runVms([src], {}, 10_000, (run) => run.scratch[0].bytes.set([1, 2, 3, 4, 5, 6, 7, 8], 0xff8));
    const e = r.exits.find((x) => x.ec === 0x24)!;
    expect(e.far).toBe(0x8a10_0ff8n);
    expect(e.hpfar).toBe((0x0a10_0000n >> 12n) << 4n);
    expect(decodeDataAbortIss(e.esr).dfsc & 0x3c).toBe(0x04); // stage-2 translation fault
    expect(X(r, 5)).toBe(0x0807_0605_0403_0201n);
  });
});
