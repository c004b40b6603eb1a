// Walk parameters as pure functions (src/mmu/params.ts): the decoding the PE (TCR_EL1, VTCR_EL2) and
// the SMMU (CD, STE) share. AArch64.GetS1TTWParams / GetS2TTWParams / S2InvalidSL / S2InconsistentSL.
import { describe, expect, it } from 'vitest';
import { S1Params, S2Params } from '../../src/mmu/walk.js';
import { P_R1, P_W1, P_X1 } from '../../src/mmu/tlb.js';
import { s1PermsEl2, decodeTcr, decodeVtcr, fillS1Params, fillS2Params, granuleTg0, granuleTg1, inS1Range, s2StartValid, ttbrBase } from '../../src/mmu/params.js';

describe('granule encodings', () => {
  it('TG0 (TCR/VTCR/CD/STE): 00 4K, 01 64K, 10 16K; TG1: 01 16K, 10 4K, 11 64K', () => {
    expect([0, 1, 2].map(granuleTg0)).toEqual([12, 16, 14]);
    expect([1, 2, 3].map(granuleTg1)).toEqual([14, 12, 16]);
  });
});

describe('stage 1', () => {
  it('start level and bits from TxSZ and the granule; TxSZ clamped to 16..39', () => {
    const p = new S1Params();
    fillS1Params(p, false, 16, 12, false, 5, 0x1000, 3, false);
    expect([p.inputSize, p.startLevel, p.startBits, p.oaBits]).toEqual([48, 0, 9, 44]);
    fillS1Params(p, false, 25, 12, false, 2, 0x1000, 3, false);
    expect([p.inputSize, p.startLevel, p.startBits, p.oaBits]).toEqual([39, 1, 9, 40]);
    fillS1Params(p, false, 8, 16, false, 2, 0, 0, false);
    expect([p.inputSize, p.startLevel, p.startBits]).toEqual([48, 1, 6]);
    fillS1Params(p, false, 60, 14, false, 2, 0, 0, false);
    expect([p.inputSize, p.startLevel, p.startBits]).toEqual([25, 3, 11]);
  });

  it('the base is aligned to the start table (at least 64 bytes); a base above the IPS is flagged', () => {
    const p = new S1Params();
    fillS1Params(p, false, 25, 12, false, 0, 0x1234_5fff, 1, false);
    expect(p.base).toBe(0x1234_5000);
    fillS1Params(p, false, 34, 12, false, 0, 0x1_0000_0000, 1, false);
    expect(p.baseTooBig).toBe(true);
    expect(ttbrBase(0x1001, 0xabcd_0012)).toBe(0x12_0000_1000);
  });

  it('decodeTcr reads TCR_EL1 fields for each range (A1 picks the ASID, AS its width)', () => {
    const p = new S1Params();
    const tcrLo = 25 | (1 << 7) | (2 << 14) | (30 << 16) | (1 << 22) | (3 << 30);
    decodeTcr(p, 1, tcrLo, 1 | (1 << 4), 0x8000, 0, 0x1234_0000, 1 << 19);
    expect([p.inputSize, p.g, p.epd, p.asid, p.wxn, p.ttbr1, p.oaBits]).toEqual([34, 16, false, 0x1234, true, true, 36]);
    decodeTcr(p, 0, tcrLo, 1, 0x8000, 0, 0x1234_0000, 0);
    expect([p.inputSize, p.g, p.epd, p.asid]).toEqual([39, 14, true, 0x34]);
  });

  it('inS1Range: bits above the input size equal VA[55]', () => {
    const p = new S1Params();
    fillS1Params(p, false, 25, 12, false, 5, 0, 0, false);
    expect(inS1Range(p, 0, 0xffff_f000, 0x7f)).toBe(true);
    expect(inS1Range(p, 0, 0, 0x80)).toBe(false);
    expect(inS1Range(p, 1, 0, 0xffff_ff80 | 0)).toBe(true);
    expect(inS1Range(p, 1, 0, 0xffff_ff00 | 0)).toBe(false);
  });
});

describe('EL2 (one range, no EL0) permissions', () => {
  it('AP[2] read-only, AP[1] ignored, XN, WXN', () => {
    expect(s1PermsEl2(0, 0, false)).toBe(P_R1 | P_W1 | P_X1);
    expect(s1PermsEl2(1, 0, false)).toBe(P_R1 | P_W1 | P_X1);
    expect(s1PermsEl2(2, 0, false)).toBe(P_R1 | P_X1);
    expect(s1PermsEl2(3, 1, false)).toBe(P_R1);
    expect(s1PermsEl2(0, 0, true)).toBe(P_R1 | P_W1);
    expect(s1PermsEl2(2, 0, true)).toBe(P_R1 | P_X1);
  });
});

describe('stage 2', () => {
  it('S2InvalidSL / S2InconsistentSL', () => {
    expect(s2StartValid(12, 3, 40)).toBe(false); // SL0 = 3 reserved
    expect(s2StartValid(12, 1, 40)).toBe(true); // level 1, 10 bits: 2 concatenated tables
    expect(s2StartValid(12, 0, 40)).toBe(false); // level 2 would need 19 bits
    expect(s2StartValid(12, 2, 48)).toBe(true); // level 0 (PAMax 44 >= 44)
    expect(s2StartValid(12, 2, 36)).toBe(false); // level 0 resolving no bit... 36-39 < 1
    expect(s2StartValid(16, 1, 40)).toBe(true); // 64K level 2: 11 bits
  });

  it('decodeVtcr: VS selects the VMID width; HCR_EL2.PTW/CD/ID', () => {
    const p = new S2Params();
    const vtcr = 24 | (1 << 6) | (4 << 16);
    decodeVtcr(p, 4, 3, vtcr, 0x4000_1000, 0x1234_0000);
    expect([p.vmid, p.ptw, p.cd, p.id, p.startLevel, p.startBits, p.valid]).toEqual([0x34, true, true, true, 1, 10, true]);
    decodeVtcr(p, 0, 0, vtcr | (1 << 19), 0x4000_1000, 0x1234_0000);
    expect([p.vmid, p.ptw, p.base]).toEqual([0x1234, false, 0x4000_0000]);
    fillS2Params(p, 24, 3, 12, 4, 0, 1);
    expect(p.valid).toBe(false);
  });
});
