// Advanced SIMD, readable cases per rule (ARM ARM C7.2). Bulk coverage of every encoding against
// unicorn is in simd-vectors.test.ts.
import { describe, it, expect } from 'vitest';
import { runFp, V, dbits, sbits, IOC, IXC } from './fp-helpers.js';
import { X } from '../helpers.js';

const QC = 1 << 27;
const ALL = (1n << 128n) - 1n;

describe('moves', () => {
  it('MOVI/MVNI/ORR/BIC (vector, immediate) expand imm8 by cmode (AdvSIMDExpandImm); 64-bit forms zero the top', async () => {
    const m = await runFp(
      'movi v0.4s, #0x12, lsl #8\nmvni v1.8h, #0x34\nmovi v2.2d, #0xff00ff0000ff00ff\nmovi v3.8b, #0xab\norr v4.4s, #0x1, lsl #24\nbic v5.8h, #0xff\nmovi v6.4s, #0x5, msl #8',
      { v: { 3: ALL, 4: 0x10n, 5: ALL } },
    );
    expect(V(m.cpu, 0)).toBe(0x00001200_00001200_00001200_00001200n);
    expect(V(m.cpu, 1)).toBe(0xffcb_ffcb_ffcb_ffcb_ffcb_ffcb_ffcb_ffcbn);
    expect(V(m.cpu, 2)).toBe(0xff00ff0000ff00ff_ff00ff0000ff00ffn);
    expect(V(m.cpu, 3)).toBe(0xababababababababn);
    expect(V(m.cpu, 4)).toBe(0x01000000_01000000_01000000_01000010n);
    expect(V(m.cpu, 5)).toBe(0xff00_ff00_ff00_ff00_ff00_ff00_ff00_ff00n);
    expect(V(m.cpu, 6)).toBe(0x000005ff_000005ff_000005ff_000005ffn);
  });
  it('DUP (general/element), INS, UMOV (zero-extends), SMOV (sign-extends)', async () => {
    const m = await runFp(
      'dup v0.8h, w1\ndup v1.4s, v2.s[3]\nmov v3.b[5], w1\nmov v3.d[1], v2.d[0]\numov w4, v2.h[7]\nsmov x5, v2.h[7]\nsmov w6, v2.b[0]\nmov x7, v2.d[1]',
      { x: { 1: 0x12345678n }, v: { 2: 0x8765432100000000_00000000000000f0n, 3: 0n } },
    );
    expect(V(m.cpu, 0)).toBe(0x5678_5678_5678_5678_5678_5678_5678_5678n);
    expect(V(m.cpu, 1)).toBe(0x87654321_87654321_87654321_87654321n);
    expect(V(m.cpu, 3)).toBe((0xf0n << 64n) | (0x78n << 40n));
    expect(X(m.cpu, 4)).toBe(0x8765n);
    expect(X(m.cpu, 5)).toBe(0xffffffffffff8765n);
    expect(X(m.cpu, 6)).toBe(0xfffffff0n);
    expect(X(m.cpu, 7)).toBe(0x8765432100000000n);
  });
});

describe('integer lanes', () => {
  it('ADD/SUB wrap per lane; the 64-bit arrangement form (.8b) zeroes the top half', async () => {
    const m = await runFp('add v0.16b, v1.16b, v2.16b\nsub v3.8b, v1.8b, v2.8b\nadd v4.2d, v1.2d, v2.2d', {
      v: { 1: 0xff01n | (0xffffffffffffffffn << 64n), 2: 0x0102n | (1n << 64n), 3: ALL },
    });
    expect(V(m.cpu, 0)).toBe((0xffffffffffffff00n << 64n) | 0x0003n); // 0xff + 1 wraps to 0 in its lane
    expect(V(m.cpu, 3)).toBe(0xfeffn); // 1 - 2 = 0xff, 0xff - 1 = 0xfe
    expect(V(m.cpu, 4)).toBe(0x10003n);
  });
  it('SQADD/UQSUB saturate and set FPSR.QC (sticky)', async () => {
    const m = await runFp('sqadd v0.8b, v1.8b, v2.8b\nuqsub v3.4h, v2.4h, v1.4h', { v: { 1: 0x7f7fn, 2: 0x0180n } });
    expect(V(m.cpu, 0)).toBe(0x7fffn); // 0x7f + 1 saturates; 0x7f + (-128) = -1
    expect(V(m.cpu, 3)).toBe(0n); // 0x0180 - 0x7f7f < 0 saturates to 0
    expect(m.cpu.fpsr).toBe(QC);
  });
  it('CMEQ + UMAXV + FMOV: the string-search idiom (is there a zero byte?)', async () => {
    const m = await runFp('cmeq v1.16b, v0.16b, #0\numaxv b2, v1.16b\nfmov w3, s2\naddv b4, v0.16b', {
      v: { 0: 0x61626300_64656667_68696a6b_6c6d6e6fn },
    });
    expect(V(m.cpu, 1)).toBe(0xffn << 96n);
    expect(X(m.cpu, 3)).toBe(0xffn);
    expect(V(m.cpu, 4)).toBe(BigInt([0x61, 0x62, 0x63, 0, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f].reduce((a, b) => a + b) & 0xff));
  });
  it('SSHL/USHL shift left by a positive count and right (arithmetic / logical) by a negative one', async () => {
    const m = await runFp('sshl v2.4s, v0.4s, v1.4s\nushl v3.4s, v0.4s, v1.4s', {
      v: { 0: 0x80000000_80000000_00000003_00000003n, 1: 0x000000e1_000000ff_00000020_00000002n },
    });
    expect(V(m.cpu, 2)).toBe(0xffffffff_c0000000_00000000_0000000cn);
    expect(V(m.cpu, 3)).toBe(0x00000001_40000000_00000000_0000000cn);
  });
  it('UMULL/SMULL widen; UADDW2 uses the upper half of the narrow operand', async () => {
    const m = await runFp('umull v2.2d, v0.2s, v1.2s\nsmull v3.2d, v0.2s, v1.2s\nuaddw2 v4.2d, v5.2d, v0.4s', {
      v: { 0: 0x00000007_00000003_ffffffff_ffffffffn, 1: 0x2n | (0xffffffffn << 32n), 5: 1n },
    });
    expect(V(m.cpu, 2)).toBe((0xfffffffe00000001n << 64n) | 0x1fffffffen);
    expect(V(m.cpu, 3)).toBe((1n << 64n) | 0xfffffffffffffffen);
    expect(V(m.cpu, 4)).toBe((7n << 64n) | 4n);
  });
  it('SHRN narrows into the low half (upper zeroed); SHRN2 into the upper half (lower kept)', async () => {
    const m = await runFp('shrn v2.8b, v0.8h, #4\nshrn2 v3.16b, v0.8h, #8', { v: { 0: 0x1234_5678_9abc_def0_1111_2222_3333_4444n, 3: 0xabn } });
    expect(V(m.cpu, 2)).toBe(0x23_67_ab_ef_11_22_33_44n);
    expect(V(m.cpu, 3)).toBe((0x12_56_9a_de_11_22_33_44n << 64n) | 0xabn);
  });
});

describe('permutes and tables', () => {
  const a = 0x0f0e0d0c0b0a09080706050403020100n;
  const b = 0x1f1e1d1c1b1a19181716151413121110n;
  it('ZIP1/UZP2/TRN1/EXT', async () => {
    const m = await runFp('zip1 v2.16b, v0.16b, v1.16b\nuzp2 v3.8h, v0.8h, v1.8h\ntrn1 v4.4s, v0.4s, v1.4s\next v5.16b, v0.16b, v1.16b, #3', { v: { 0: a, 1: b } });
    expect(V(m.cpu, 2)).toBe(0x17071606150514041303120211011000n);
    expect(V(m.cpu, 3)).toBe(0x1f1e1b1a171613120f0e0b0a07060302n);
    expect(V(m.cpu, 4)).toBe(0x1b1a1918_0b0a0908_13121110_03020100n);
    expect(V(m.cpu, 5)).toBe((a >> 24n) | ((b & 0xffffffn) << 104n));
  });
  it('TBL returns 0 for an out-of-range index; TBX keeps the destination byte', async () => {
    const idx = 0x00_01_1f_20_ff_10_0f_05n;
    const m = await runFp('tbl v3.8b, {v0.16b, v1.16b}, v2.8b\ntbx v4.8b, {v0.16b}, v2.8b', { v: { 0: a, 1: b, 2: idx, 4: 0xaaaaaaaaaaaaaaaan } });
    expect(V(m.cpu, 3)).toBe(0x00_01_1f_00_00_10_0f_05n);
    expect(V(m.cpu, 4)).toBe(0x00_01_aa_aa_aa_aa_0f_05n);
  });
});

describe('FP lanes', () => {
  it('FADD .4s per lane with NaN rules; FADDP pairs; FMLA fused per lane', async () => {
    const s4 = (x: number[]): bigint => x.reduce((acc, f, k) => acc | (BigInt(sbits(f)) << BigInt(32 * k)), 0n);
    const m = await runFp('fadd v2.4s, v0.4s, v1.4s\nfaddp v3.4s, v0.4s, v1.4s\nfmla v4.2d, v5.2d, v6.2d', {
      v: {
        0: s4([1, 2, 3, 4]),
        1: s4([0.5, -2, 1e30, 1]) ,
        4: dbits(-1) | (dbits(10) << 64n),
        5: dbits(1 + 2 ** -27) | (dbits(2) << 64n),
        6: dbits(1 - 2 ** -27) | (dbits(3) << 64n),
      },
    });
    expect(V(m.cpu, 2)).toBe(s4([1.5, 0, 1e30, 5]));
    expect(V(m.cpu, 3)).toBe(s4([3, 7, -1.5, 1e30 + 1]));
    expect(V(m.cpu, 4)).toBe(dbits(-(2 ** -54)) | (dbits(16) << 64n));
    expect(m.cpu.fpsr).toBe(IXC); // 1e30 + 3 is inexact in binary32
  });
  it('FCVTZS (vector) saturates per lane with IOC; SCVTF (vector, fixed point #fbits)', async () => {
    const m = await runFp('fcvtzs v1.2d, v0.2d\nscvtf v3.4s, v2.4s, #8', {
      v: { 0: dbits(-1e300) | (dbits(-7.9) << 64n), 2: 0x00000100_ffffff00_00000080_00000001n },
    });
    expect(V(m.cpu, 1)).toBe(0x8000000000000000n | (0xfffffffffffffff9n << 64n));
    expect(V(m.cpu, 3)).toBe(
      BigInt(sbits(2 ** -8)) | (BigInt(sbits(0.5)) << 32n) | (BigInt(sbits(-1)) << 64n) | (BigInt(sbits(1)) << 96n),
    );
    expect(m.cpu.fpsr).toBe(IOC | IXC);
  });
  it('FCVTL widens the lower half; FCVTN2 narrows into the upper half', async () => {
    const m = await runFp('fcvtl v1.2d, v0.2s\nfcvtn2 v2.4s, v1.2d', { v: { 0: BigInt(sbits(1.5)) | (BigInt(sbits(-3)) << 32n), 2: 0x1234n } });
    expect(V(m.cpu, 1)).toBe(dbits(1.5) | (dbits(-3) << 64n));
    expect(V(m.cpu, 2)).toBe(0x1234n | (BigInt(sbits(1.5)) << 64n) | (BigInt(sbits(-3)) << 96n));
  });
});
