// Half-precision arithmetic (FEAT_FP16), rule by rule after the ARM ARM pseudocode with N = 16:
// FPRound (rounding modes, overflow at 65520, tininess before rounding, FPCR.FZ16), FPUnpack
// (FZ16 input flush without IDC), FPProcessNaNs/FPProcessNaNs3 (payloads, default NaN), FPMulAdd
// (one rounding), FPMaxNum, FPCompare, FPToFixed, FixedToFP, FPRecipEstimate, and the Advanced
// SIMD forms. Bulk agreement with unicorn is fp16-vectors.test.ts. Keystone has no FP16 syntax,
// so the instructions are built here from their encodings.
import { describe, it, expect } from 'vitest';
import { runFp, V, IOC, DZC, OFC, UFC, IXC, DN, FZ, RP, RM, RZ } from './fp-helpers.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { f16Bits } from '../../src/cpu/fpu.js';

const FZ16 = 1 << 19;
/** Bits of a value exact in binary16. */
const hb = (x: number): number => f16Bits(x);
const hex = (w: number): string => `.long 0x${(w >>> 0).toString(16)}`;

// Encodings (d = 0, n = 1, m = 2, a = 3 unless given).
const FMUL = 0;
const FDIV = 1;
const FADD = 2;
const FSUB = 3;
const FMAX = 4;
const FMAXNM = 6;
const FMINNM = 7;
const FNMUL = 8;
const h2 = (opc: number, d = 0, n = 1, m = 2): number => 0x1ee00800 | (m << 16) | (opc << 12) | (n << 5) | d;
const h1 = (opc: number, d = 0, n = 1): number => 0x1ee04000 | (opc << 15) | (n << 5) | d;
const h3 = (o1: number, o0: number): number => 0x1fc00000 | (o1 << 21) | (2 << 16) | (o0 << 15) | (3 << 10) | (1 << 5);

/** Run one instruction word with H1..H3 (or whole V registers) and FPCR; V0 low 16 bits, FPSR. */
async function run1(word: number, v: Record<number, number | bigint>, fpcr = 0): Promise<[number, number]> {
  const vv: Record<number, bigint> = {};
  for (const [k, x] of Object.entries(v)) vv[Number(k)] = BigInt(x);
  const m = await runFp(hex(word), { v: vv, fpcr });
  return [Number(V(m.cpu, 0) & 0xffffn), m.cpu.fpsr];
}
const add = (a: number, b: number, fpcr = 0) => run1(h2(FADD), { 1: a, 2: b }, fpcr);
const mul = (a: number, b: number, fpcr = 0) => run1(h2(FMUL), { 1: a, 2: b }, fpcr);

const ONE = 0x3c00;
const MAX = 0x7bff; // 65504
const INF = 0x7c00;
const MIN_NORMAL = 0x0400; // 2^-14
const SNAN = 0x7c05;
const QNAN = 0x7e01;

describe('FPRound for binary16: rounding modes, IXC', () => {
  it('1 + 2^-11 is a tie: RN to even (1.0), RP up, RM and RZ down; inexact in every mode', async () => {
    const half = hb(2 ** -11);
    expect(await add(ONE, half)).toEqual([ONE, IXC]);
    expect(await add(ONE, half, RP)).toEqual([ONE + 1, IXC]);
    expect(await add(ONE, half, RM)).toEqual([ONE, IXC]);
    expect(await add(ONE, half, RZ)).toEqual([ONE, IXC]);
    // (1 + 2^-10) + 2^-11 is a tie whose even neighbour is above: RN rounds up
    expect(await add(ONE + 1, half)).toEqual([ONE + 2, IXC]);
  });
  it('FDIV 1/3: RN and RP give 0x3555, RM and RZ 0x3555 too (the quotient is below the midpoint)', async () => {
    // 1/3 = 0x3555 + 1/3 ulp: RN rounds down; RP rounds up to 0x3556
    expect(await run1(h2(FDIV), { 1: ONE, 2: hb(3) })).toEqual([0x3555, IXC]);
    expect(await run1(h2(FDIV), { 1: ONE, 2: hb(3) }, RP)).toEqual([0x3556, IXC]);
    expect(await run1(h2(FDIV), { 1: ONE, 2: hb(3) }, RZ)).toEqual([0x3555, IXC]);
    expect(await run1(h2(FDIV), { 1: ONE, 2: hb(4) }, RZ)).toEqual([hb(0.25), 0]); // exact: no IXC
  });
  it('FSQRT 2: RN 0x3da8, RM/RZ the same, RP one ulp more; exact roots raise nothing', async () => {
    expect(await run1(h1(3), { 1: hb(2) })).toEqual([0x3da8, IXC]);
    expect(await run1(h1(3), { 1: hb(2) }, RP)).toEqual([0x3da9, IXC]);
    expect(await run1(h1(3), { 1: hb(2) }, RM)).toEqual([0x3da8, IXC]);
    expect(await run1(h1(3), { 1: hb(2.25) })).toEqual([hb(1.5), 0]);
    expect(await run1(h1(3), { 1: hb(-4) })).toEqual([0x7e00, IOC]); // sqrt of a negative: default NaN
  });
  it('exact zero sums are +0, or -0 in RM (IEEE 754 6.3)', async () => {
    expect(await add(ONE, ONE | 0x8000)).toEqual([0, 0]);
    expect(await add(ONE, ONE | 0x8000, RM)).toEqual([0x8000, 0]);
    expect(await add(0x8000, 0x8000)).toEqual([0x8000, 0]);
  });
});

describe('FPRound for binary16: overflow at 65520', () => {
  it('65504 + 8 rounds back to 65504 (below the midpoint); 65504 + 16 reaches 65520 and overflows to infinity', async () => {
    expect(await add(MAX, hb(8))).toEqual([MAX, IXC]);
    expect(await add(MAX, hb(16))).toEqual([INF, OFC | IXC]);
  });
  it('directed modes give the largest finite value towards zero, infinity away from it', async () => {
    expect(await mul(MAX, hb(2), RZ)).toEqual([MAX, OFC | IXC]);
    expect(await mul(MAX, hb(2), RM)).toEqual([MAX, OFC | IXC]);
    expect(await mul(MAX, hb(2), RP)).toEqual([INF, OFC | IXC]);
    expect(await mul(MAX, hb(-2), RP)).toEqual([MAX | 0x8000, OFC | IXC]);
    expect(await mul(MAX, hb(-2), RM)).toEqual([INF | 0x8000, OFC | IXC]);
  });
  it('FDIV by zero: infinity with DZC; 0/0 and inf/inf are invalid', async () => {
    expect(await run1(h2(FDIV), { 1: ONE, 2: 0x8000 })).toEqual([INF | 0x8000, DZC]);
    expect(await run1(h2(FDIV), { 1: 0, 2: 0 })).toEqual([0x7e00, IOC]);
    expect(await run1(h2(FDIV), { 1: INF, 2: INF })).toEqual([0x7e00, IOC]);
  });
});

describe('subnormal halves and FPCR.FZ16', () => {
  const SUB = 0x0003; // 3 * 2^-24
  it('without FZ16 subnormals are exact operands and results (no flags)', async () => {
    expect(await add(SUB, SUB)).toEqual([0x0006, 0]);
    expect(await mul(MIN_NORMAL, hb(0.5))).toEqual([0x0200, 0]);
  });
  it('FZ16 reads a subnormal input as zero of the same sign, WITHOUT IDC (FPUnpackBase, N = 16)', async () => {
    expect(await add(SUB, 0, FZ16)).toEqual([0, 0]);
    expect(await add(SUB | 0x8000, 0x8000, FZ16)).toEqual([0x8000, 0]);
    expect(await mul(SUB, INF, FZ16)).toEqual([0x7e00, IOC]); // flushed to zero: inf * 0 is invalid
  });
  it('FZ16 flushes a tiny result to zero with UFC and no IXC (FPRound)', async () => {
    expect(await mul(MIN_NORMAL, hb(0.5), FZ16)).toEqual([0, UFC]);
    expect(await mul(MIN_NORMAL | 0x8000, hb(0.5), FZ16)).toEqual([0x8000, UFC]);
  });
  it('FZ (bit 24) does not flush halves: it is for single and double only', async () => {
    expect(await add(SUB, 0, FZ)).toEqual([SUB, 0]);
    expect(await mul(MIN_NORMAL, hb(0.5), FZ)).toEqual([0x0200, 0]);
  });
  it('tininess is detected before rounding: a product rounding up to 2^-14 sets UFC', async () => {
    // 0x03ff * (1 + 2^-10) = 2^-14 - 2^-34: tiny and inexact, rounds to the smallest normal
    expect(await mul(0x03ff, ONE + 1)).toEqual([MIN_NORMAL, UFC | IXC]);
    // normal operands whose product 2^-14 * (1 - 2^-20) is tiny: RN rounds it up to 2^-14 with
    // UFC; under FZ16 it is flushed (the unrounded exponent is below the minimum)
    expect(await mul(0x1ffe, 0x2001)).toEqual([MIN_NORMAL, UFC | IXC]);
    expect(await mul(0x1ffe, 0x2001, FZ16)).toEqual([0, UFC]);
    // an inexact subnormal result: UFC | IXC
    expect(await mul(0x0003, hb(0.5))).toEqual([0x0002, UFC | IXC]); // 1.5 * 2^-24 ties to even
  });
});

describe('NaNs (FPProcessNaNs, FPCR.DN)', () => {
  it('an sNaN operand wins over a qNaN and is quieted with IOC, keeping its payload', async () => {
    expect(await add(QNAN, SNAN)).toEqual([SNAN | 0x200, IOC]);
    expect(await add(QNAN, ONE)).toEqual([QNAN, 0]);
    expect(await add(ONE, QNAN | 0x8000)).toEqual([QNAN | 0x8000, 0]);
  });
  it('FPCR.DN gives the default NaN 0x7e00', async () => {
    expect(await add(QNAN, ONE, DN)).toEqual([0x7e00, 0]);
    expect(await add(SNAN, ONE, DN)).toEqual([0x7e00, IOC]);
  });
  it('FNMUL negates after the NaN processing: a NaN result has its sign flipped', async () => {
    expect(await run1(h2(FNMUL), { 1: QNAN, 2: ONE })).toEqual([QNAN | 0x8000, 0]);
    expect(await run1(h2(FNMUL), { 1: hb(2), 2: hb(3) })).toEqual([hb(-6), 0]);
  });
  it('FMAXNM/FMINNM: a quiet NaN loses to a number; FMAX propagates it; an sNaN always propagates', async () => {
    expect(await run1(h2(FMAXNM), { 1: QNAN, 2: hb(-5) })).toEqual([hb(-5), 0]);
    expect(await run1(h2(FMINNM), { 1: hb(7), 2: QNAN })).toEqual([hb(7), 0]);
    expect(await run1(h2(FMAX), { 1: hb(7), 2: QNAN })).toEqual([QNAN, 0]);
    expect(await run1(h2(FMAXNM), { 1: SNAN, 2: hb(7) })).toEqual([SNAN | 0x200, IOC]);
    expect(await run1(h2(FMAX), { 1: 0x8000, 2: 0 })).toEqual([0, 0]); // max(-0, +0) = +0
  });
  it('FABS/FNEG only touch the sign: no NaN quieting, no flags', async () => {
    expect(await run1(h1(1), { 1: SNAN | 0x8000 })).toEqual([SNAN, 0]);
    expect(await run1(h1(2), { 1: SNAN })).toEqual([SNAN | 0x8000, 0]);
  });
});

describe('FMADD/FMSUB/FNMADD/FNMSUB (FPMulAdd, one rounding)', () => {
  it('(1 + 2^-10)(1 - 2^-11) - 1 is exact when fused (a separate multiply would round the product)', async () => {
    const want = hb(1023 * 2 ** -21);
    // FMADD h0 = h3 + h1*h2
    expect(await run1(h3(0, 0), { 1: ONE + 1, 2: 0x3bff, 3: ONE | 0x8000 })).toEqual([want, 0]);
    // FNMADD = -h3 - h1*h2
    expect(await run1(h3(1, 0), { 1: ONE + 1, 2: 0x3bff, 3: ONE | 0x8000 })).toEqual([want | 0x8000, 0]);
    // FMSUB = h3 - h1*h2; FNMSUB = h1*h2 - h3
    expect(await run1(h3(0, 1), { 1: ONE + 1, 2: 0x3bff, 3: ONE })).toEqual([want | 0x8000, 0]);
    expect(await run1(h3(1, 1), { 1: ONE + 1, 2: 0x3bff, 3: ONE })).toEqual([want, 0]);
  });
  it('the sum is rounded once in each mode', async () => {
    // 1 + 2^-12 * 1 = 1 + 2^-12: below the midpoint; RP rounds up
    expect(await run1(h3(0, 0), { 1: hb(2 ** -12), 2: ONE, 3: ONE })).toEqual([ONE, IXC]);
    expect(await run1(h3(0, 0), { 1: hb(2 ** -12), 2: ONE, 3: ONE }, RP)).toEqual([ONE + 1, IXC]);
    // 65504 + 2^-24 * 2^-24... a tiny product still makes RP round up
    expect(await run1(h3(0, 0), { 1: 0x0001, 2: 0x0001, 3: MAX }, RP)).toEqual([INF, OFC | IXC]);
  });
  it('infinity * 0 + qNaN is the default NaN with IOC (FPMulAdd); the NaN addend otherwise propagates', async () => {
    expect(await run1(h3(0, 0), { 1: INF, 2: 0, 3: QNAN })).toEqual([0x7e00, IOC]);
    expect(await run1(h3(0, 0), { 1: hb(2), 2: ONE, 3: QNAN })).toEqual([QNAN, 0]);
    // FPProcessNaNs3: any sNaN (addend, op1, op2 in order) before any qNaN
    expect(await run1(h3(0, 0), { 1: SNAN, 2: ONE, 3: QNAN })).toEqual([SNAN | 0x200, IOC]);
    expect(await run1(h3(0, 0), { 1: QNAN | 0x8000, 2: ONE, 3: QNAN })).toEqual([QNAN, 0]);
  });
});

describe('FCMP/FCMPE, FCCMP, FCSEL (half)', () => {
  async function cmp(op2: number, a: number, b: number, fpcr = 0): Promise<[number, number]> {
    const m = await runFp(hex(0x1ee02000 | (2 << 16) | (1 << 5) | op2), { v: { 1: BigInt(a), 2: BigInt(b) }, fpcr });
    return [m.cpu.nzcv, m.cpu.fpsr];
  }
  it('FPCompare: less 1000, equal 0110, greater 0010, unordered 0011', async () => {
    expect(await cmp(0, ONE, hb(2))).toEqual([0b1000, 0]);
    expect(await cmp(0, 0x8000, 0)).toEqual([0b0110, 0]);
    expect(await cmp(0, INF, MAX)).toEqual([0b0010, 0]);
    expect(await cmp(0, QNAN, ONE)).toEqual([0b0011, 0]); // FCMP: quiet NaN, no IOC
    expect(await cmp(16, QNAN, ONE)).toEqual([0b0011, IOC]); // FCMPE signals any NaN
    expect(await cmp(0, SNAN, ONE)).toEqual([0b0011, IOC]);
  });
  it('FZ16: a subnormal equals zero', async () => {
    expect(await cmp(0, 0x0001, 0)).toEqual([0b0010, 0]);
    expect(await cmp(0, 0x0001, 0, FZ16)).toEqual([0b0110, 0]);
  });
  it('FCCMP takes the immediate flags when the condition fails; FCSEL picks by condition', async () => {
    // FCCMP h1, h2, #0b0101, eq with Z = 0: NZCV = 0101
    let m = await runFp(hex(0x1ee00400 | (2 << 16) | (0 << 12) | (1 << 5) | 0b0101), { v: { 1: 1n, 2: 2n } });
    expect(m.cpu.nzcv).toBe(0b0101);
    // FCSEL h0, h1, h2, ne with Z = 0: h1, and the rest of V0 is zero
    m = await runFp(hex(0x1ee00c00 | (2 << 16) | (1 << 12) | (1 << 5)), { v: { 0: -1n, 1: 0xffff1234n, 2: 0x5678n } });
    expect(V(m.cpu, 0)).toBe(0x1234n);
  });
});

describe('FMOV and conversions (half)', () => {
  it('FMOV Hd, #imm expands imm8 (VFPExpandImm, N = 16) and zeroes the rest of Vd', async () => {
    const m = await runFp(`${hex(0x1ee01000 | (0x70 << 13))}\n${hex(0x1ee01000 | (0x1f << 13) | 1)}`, { v: { 0: -1n } });
    expect(V(m.cpu, 0)).toBe(0x3c00n); // #1.0
    expect(V(m.cpu, 1) & 0xffffn).toBe(BigInt(hb(7.75))); // imm8 0x1f: exponent 10001, fraction 1111
  });
  it('FMOV Wd, Hn zero-extends; FMOV Hd, Xn takes the low 16 bits and zeroes the rest', async () => {
    let m = await runFp(hex(0x1ee60000 | (1 << 5)), { v: { 1: 0xffff8765n } });
    expect(X(m.cpu, 0)).toBe(0x8765n);
    m = await runFp(hex(0x9ee70000 | (1 << 5)), { x: { 1: 0xfedcba9876543210n }, v: { 0: -1n } });
    expect(V(m.cpu, 0)).toBe(0x3210n);
  });
  it('FCVTZS/FCVTZU (FPToFixed): truncation, saturation with IOC, NaN to 0 with IOC, fixed point', async () => {
    const cvt = async (word: number, h: number, fpcr = 0) => {
      const m = await runFp(hex(word | (1 << 5)), { v: { 1: BigInt(h) }, fpcr });
      return [X(m.cpu, 0), m.cpu.fpsr];
    };
    expect(await cvt(0x1ef80000, hb(-2.5))).toEqual([0xfffffffen, IXC]); // FCVTZS Wd: -2, zero-extended W
    expect(await cvt(0x9ef80000, hb(-2.5))).toEqual([0xfffffffffffffffen, IXC]); // FCVTZS Xd
    expect(await cvt(0x1ef90000, hb(-2.5))).toEqual([0n, IOC]); // FCVTZU: negative saturates to 0
    expect(await cvt(0x1ef80000, INF)).toEqual([0x7fffffffn, IOC]);
    expect(await cvt(0x1ef80000, QNAN)).toEqual([0n, IOC]);
    expect(await cvt(0x1ee40000, hb(2.5))).toEqual([3n, IXC]); // FCVTAS: ties away
    expect(await cvt(0x1ee00000, hb(2.5))).toEqual([2n, IXC]); // FCVTNS: ties to even
    // FCVTZS Wd, Hn, #20: 65504 * 2^20 saturates int32; #4: 1.5 * 16 = 24 exactly
    expect(await cvt(0x1ed80000 | (44 << 10), MAX)).toEqual([0x7fffffffn, IOC]);
    expect(await cvt(0x1ed80000 | (60 << 10), hb(1.5))).toEqual([24n, 0]);
  });
  it('SCVTF/UCVTF to half (FixedToFP): 65520 and up overflow; ties to even; fixed point', async () => {
    const cvtf = async (word: number, x: bigint, fpcr = 0) => {
      const m = await runFp(hex(word | (1 << 5)), { x: { 1: x }, fpcr });
      return [Number(V(m.cpu, 0)), m.cpu.fpsr];
    };
    expect(await cvtf(0x1ee20000, 65519n)).toEqual([MAX, IXC]);
    expect(await cvtf(0x1ee20000, 65520n)).toEqual([INF, OFC | IXC]);
    expect(await cvtf(0x1ee20000, 65520n, RZ)).toEqual([MAX, IXC]); // truncated to 65504: no overflow
    expect(await cvtf(0x1ee20000, 2049n)).toEqual([hb(2048), IXC]);
    expect(await cvtf(0x1ee20000, 0xfffff800n)).toEqual([hb(-2048), 0]); // SCVTF Hd, Wn: signed
    expect(await cvtf(0x1ee30000, 0xfffff800n)).toEqual([INF, OFC | IXC]); // UCVTF: 4294965248
    // UCVTF Hd, Xn: 2^64 - 1 is inexact and overflows; SCVTF Hd, Xn, #64: 2^63 * 2^-64 = 0.5
    expect(await cvtf(0x9ee30000, 0xffffffffffffffffn, RZ)).toEqual([MAX, OFC | IXC]);
    expect(await cvtf(0x9ec20000, 0x4000000000000000n)).toEqual([hb(0.25), 0]);
    // SCVTF Hd, Wn, #32 of 1: 2^-32 is below the subnormal range: rounds to 0 (UFC | IXC), FZ16: 0 with UFC only
    expect(await cvtf(0x1ec20000 | (32 << 10), 1n)).toEqual([0, UFC | IXC]);
    expect(await cvtf(0x1ec20000 | (32 << 10), 1n, RP)).toEqual([1, UFC | IXC]);
    expect(await cvtf(0x1ec20000 | (32 << 10), 1n, FZ16)).toEqual([0, UFC]);
  });
  it('FRINTX raises IXC when inexact, FRINTA ties away, FRINTN keeps the sign of a zero', async () => {
    expect(await run1(h1(14), { 1: hb(2.5) })).toEqual([hb(2), IXC]); // FRINTX, RN
    expect(await run1(h1(12), { 1: hb(2.5) })).toEqual([hb(3), 0]); // FRINTA: no IXC
    expect(await run1(h1(8), { 1: hb(-0.25) })).toEqual([0x8000, 0]); // FRINTN: -0
    expect(await run1(h1(15), { 1: hb(-1.5) }, RM)).toEqual([hb(-2), 0]); // FRINTI: FPCR.RMode
    expect(await run1(h1(9), { 1: SNAN })).toEqual([SNAN | 0x200, IOC]);
  });
});

describe('Advanced SIMD half-precision lanes', () => {
  const lanes = (xs: number[]): bigint => xs.reduce((acc, x, k) => acc | (BigInt(x) << BigInt(16 * k)), 0n);
  it('FADD Vd.8H: every lane rounds independently; the flags accumulate; Vd.4H zeroes the top half', async () => {
    const a = lanes([ONE, MAX, hb(2), QNAN, 0x0001, hb(-1), hb(3), hb(0.5)]);
    const b = lanes([hb(2 ** -11), hb(16), hb(2), ONE, 0x0001, ONE, hb(-3), hb(0.25)]);
    let m = await runFp(hex(0x4e401400 | (2 << 16) | (1 << 5)), { v: { 1: a, 2: b } });
    expect(V(m.cpu, 0)).toBe(lanes([ONE, INF, hb(4), QNAN, 0x0002, 0, 0, hb(0.75)]));
    expect(m.cpu.fpsr).toBe(IXC | OFC);
    m = await runFp(hex(0x0e401400 | (2 << 16) | (1 << 5)), { v: { 0: -1n, 1: a, 2: b } });
    expect(V(m.cpu, 0)).toBe(lanes([ONE, INF, hb(4), QNAN]));
  });
  it('FMLA Vd.8H, Vn.8H, Vm.H[7] (index H:L:M, Vm in V0-V15): fused, accumulating into Vd', async () => {
    // FMLA v0.8h, v1.8h, v15.h[7]
    const word = 0x4f000000 | (1 << 21) | (1 << 20) | (15 << 16) | (1 << 12) | (1 << 11) | (1 << 5);
    const m = await runFp(hex(word), {
      v: { 0: lanes([ONE | 0x8000, 0, 0, 0, 0, 0, 0, hb(1)]), 1: lanes([ONE + 1, hb(2), 0, 0, 0, 0, 0, hb(3)]), 15: BigInt(0x3bff) << 112n },
    });
    expect(V(m.cpu, 0) & 0xffffn).toBe(BigInt(hb(1023 * 2 ** -21))); // the fused example above
    expect((V(m.cpu, 0) >> 16n) & 0xffffn).toBe(BigInt(hb(2 * (1 - 2 ** -11))));
    expect(V(m.cpu, 0) >> 112n).toBe(0x43ffn); // 1 + 3(1 - 2^-11) = 4 - 0.75 ulp: 4 - 2^-9
  });
  it('FMAXNMV Hd, Vn.8H reduces pairwise (Reduce): quiet NaNs lose; FMAXV propagates them', async () => {
    const v = lanes([hb(1), QNAN, hb(-7), hb(5), hb(2), hb(9), QNAN, hb(3)]);
    let m = await runFp(hex(0x4e30c800 | (1 << 5)), { v: { 0: -1n, 1: v } });
    expect(V(m.cpu, 0)).toBe(BigInt(hb(9)));
    m = await runFp(hex(0x4e30f800 | (1 << 5)), { v: { 1: v } });
    expect(V(m.cpu, 0)).toBe(BigInt(QNAN));
  });
  it('FCMGT Vd.8H, Vn.8H, #0: all-ones lanes where greater; an unordered lane is false and sets IOC', async () => {
    const m = await runFp(hex(0x4ef8c800 | (1 << 5)), { v: { 1: lanes([ONE, 0x8000, 0x0001, QNAN, hb(-1), INF, 0, MAX]) } });
    expect(V(m.cpu, 0)).toBe(lanes([0xffff, 0, 0xffff, 0, 0, 0xffff, 0, 0xffff]));
    expect(m.cpu.fpsr).toBe(IOC);
  });
  it('scalar FCVTZS Hd, Hn, #fbits writes a 16-bit integer and zeroes the rest of Vd (V[d] with esize 16)', async () => {
    // (unicorn 2.0.1 sign-extends this one into bits 31:16; its two-register-misc FCVTZS Hd, Hn
    // and the ARM ARM's FCVTZS (vector, fixed-point) pseudocode do not)
    const m = await runFp(hex(0x5f1cfc00 | (1 << 5)), { v: { 0: -1n, 1: BigInt(hb(-2.5)) } }); // #4
    expect(V(m.cpu, 0)).toBe(0xffd8n); // -40
    expect(m.cpu.fpsr).toBe(0);
  });
  it('FCVTZS Vd.8H saturates to int16 with IOC; SCVTF Vd.8H converts int16 lanes', async () => {
    let m = await runFp(hex(0x4ef9b800 | (1 << 5)), { v: { 1: lanes([MAX, hb(-40000), hb(-2.5), hb(100.75), 0, 0, 0, 0]) } });
    expect(V(m.cpu, 0)).toBe(lanes([0x7fff, 0x8000, 0xfffe, 100]));
    expect(m.cpu.fpsr).toBe(IOC | IXC);
    m = await runFp(hex(0x4e79d800 | (1 << 5)), { v: { 1: lanes([0xffff, 0x8000, 2049, 7]) } });
    expect(V(m.cpu, 0)).toBe(lanes([hb(-1), hb(-32768), hb(2048), hb(7), 0, 0, 0, 0]));
    expect(m.cpu.fpsr).toBe(IXC);
  });
  it('FRECPE Vd.4H: a tiny operand overflows (|x| < 2^-16), zero gives infinity with DZC, FZ16 flushes large', async () => {
    let m = await runFp(hex(0x0ef9d800 | (1 << 5)), { v: { 1: lanes([0x0001, 0x8000, ONE, hb(2 ** 15)]) } });
    // 1.0 estimates 0x3bfc (0.998); 2^15 gives exponent -1, denormalised to 0x01ff (as unicorn)
    expect(V(m.cpu, 0)).toBe(lanes([INF, INF | 0x8000, 0x3bfc, 0x01ff]));
    expect(m.cpu.fpsr).toBe(OFC | IXC | DZC);
    m = await runFp(hex(0x0ef9d800 | (1 << 5)), { v: { 1: lanes([hb(2 ** 15), 0, 0, 0]) }, fpcr: FZ16 });
    expect(V(m.cpu, 0) & 0xffffn).toBe(0n);
    expect(m.cpu.fpsr).toBe(UFC | DZC);
  });
  it('FMULX: infinity * 0 is 2.0 with the product sign, not invalid', async () => {
    // FMULX v0.4h, v1.4h, v2.4h
    const m = await runFp(hex(0x0e401c00 | (2 << 16) | (1 << 5)), { v: { 1: lanes([INF, 0x8000, hb(3), 0]), 2: lanes([0, INF, hb(2), 0]) } });
    expect(V(m.cpu, 0)).toBe(lanes([0x4000, 0xc000, hb(6), 0]));
    expect(m.cpu.fpsr).toBe(0);
  });
});

describe('FEAT_FP16 is advertised and gated like the rest of FP', () => {
  it('ID_AA64PFR0_EL1.FP = AdvSIMD = 1 (half-precision arithmetic, the fields agree); FPCR.FZ16 is writable', async () => {
    const m = await runFp('mrs x0, id_aa64pfr0_el1\nmov x1, #0x80000\nmsr fpcr, x1\nmrs x2, fpcr');
    expect((X(m.cpu, 0) >> 16n) & 0xffn).toBe(0x11n);
    expect(X(m.cpu, 2)).toBe(0x80000n);
  });
  it('a half-precision instruction traps with EC 0x07 while CPACR_EL1.FPEN = 0', async () => {
    const m = await runFp(`${hex(h2(FADD))}\n.balign 0x800\n.space 0x200\nhlt #1`, {
      fpOff: true,
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x40000800, 0),
    });
    expect(Number(m.cpu.sys64(SYS.ESR_EL1) >> 26n)).toBe(0x07);
  });
  it('ftype 0b10 stays unallocated (UNDEFINED, EC 0)', async () => {
    const m = await runFp(`${hex(0x1ea02820)}\n.balign 0x800\n.space 0x200\nhlt #1`, {
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x40000800, 0),
    });
    expect(Number(m.cpu.sys64(SYS.ESR_EL1) >> 26n)).toBe(0);
  });
});
