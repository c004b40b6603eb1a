// Scalar floating point, rule by rule (ARM ARM shared/functions/float pseudocode: FPRound,
// FPProcessNaNs, FPUnpack, FPMulAdd, FPCompare, FPToFixed, FPRoundInt, FPConvert). Bulk coverage
// against unicorn lives in fp-vectors.test.ts; these are the readable cases.
import { describe, it, expect } from 'vitest';
import { runFp, S, Dbits, dbits, sbits, IOC, DZC, OFC, UFC, IXC, IDC, DN, FZ, RP, RM, RZ } from './fp-helpers.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';

const MAXD = 0x7fefffffffffffffn;
const MIN_NORMAL_D = 0x0010000000000000n;
const QNAN_A = 0x7ff8000000000aaan;
const SNAN_B = 0x7ff0000000000bbbn;

async function d2(op: string, a: bigint, b: bigint, fpcr = 0): Promise<[bigint, number]> {
  const m = await runFp(`${op} d0, d1, d2`, { v: { 1: a, 2: b }, fpcr });
  return [Dbits(m.cpu, 0), m.cpu.fpsr];
}
async function s2(op: string, a: number, b: number, fpcr = 0): Promise<[number, number]> {
  const m = await runFp(`${op} s0, s1, s2`, { v: { 1: BigInt(a), 2: BigInt(b) }, fpcr });
  return [S(m.cpu, 0), m.cpu.fpsr];
}

describe('FPRound: rounding modes (FPCR.RMode) and IXC', () => {
  const one = dbits(1);
  const tiny = dbits(2 ** -60);
  it('FADD 1 + 2^-60: RN/RM/RZ give 1, RP gives 1 + 2^-52; inexact in every mode', async () => {
    expect(await d2('fadd', one, tiny)).toEqual([one, IXC]);
    expect(await d2('fadd', one, tiny, RP)).toEqual([one + 1n, IXC]);
    expect(await d2('fadd', one, tiny, RM)).toEqual([one, IXC]);
    expect(await d2('fadd', one, tiny, RZ)).toEqual([one, IXC]);
    // negative: RM rounds away from zero
    expect(await d2('fsub', dbits(-1), tiny, RM)).toEqual([dbits(-1) + 1n, IXC]);
    expect(await d2('fsub', dbits(-1), tiny, RP)).toEqual([dbits(-1), IXC]);
  });
  it('FDIV 1/3 single: RN and RP round up to 0x3eaaaaab, RM and RZ truncate to 0x3eaaaaaa', async () => {
    expect(await s2('fdiv', sbits(1), sbits(3))).toEqual([0x3eaaaaab, IXC]);
    expect(await s2('fdiv', sbits(1), sbits(3), RP)).toEqual([0x3eaaaaab, IXC]);
    expect(await s2('fdiv', sbits(1), sbits(3), RM)).toEqual([0x3eaaaaaa, IXC]);
    expect(await s2('fdiv', sbits(1), sbits(3), RZ)).toEqual([0x3eaaaaaa, IXC]);
    expect(await s2('fdiv', sbits(1), sbits(4), RZ)).toEqual([sbits(0.25), 0]); // exact: no IXC
  });
  it('FSQRT 2.0 (double): the RN result is above the true root, so RM/RZ give one ulp less', async () => {
    const m = await runFp('fsqrt d0, d1', { v: { 1: dbits(2) } });
    expect(Dbits(m.cpu, 0)).toBe(0x3ff6a09e667f3bcdn);
    for (const [mode, want] of [[RP, 0x3ff6a09e667f3bcdn], [RM, 0x3ff6a09e667f3bccn], [RZ, 0x3ff6a09e667f3bccn]] as const) {
      const r = await runFp('fsqrt d0, d1', { v: { 1: dbits(2) }, fpcr: mode });
      expect(Dbits(r.cpu, 0)).toBe(want);
      expect(r.cpu.fpsr).toBe(IXC);
    }
  });
  it('FMUL overflow: infinity with OFC|IXC in RN; the largest finite value in RZ and towards the other infinity', async () => {
    expect(await d2('fmul', MAXD, dbits(2))).toEqual([dbits(Infinity), OFC | IXC]);
    expect(await d2('fmul', MAXD, dbits(2), RZ)).toEqual([MAXD, OFC | IXC]);
    expect(await d2('fmul', MAXD, dbits(-2), RP)).toEqual([MAXD | (1n << 63n), OFC | IXC]);
    expect(await d2('fmul', MAXD, dbits(-2), RM)).toEqual([dbits(-Infinity), OFC | IXC]);
  });
  it('exact zero sums are +0, except -0 in RM (IEEE 754 6.3)', async () => {
    expect(await d2('fsub', one, one)).toEqual([0n, 0]);
    expect(await d2('fsub', one, one, RM)).toEqual([1n << 63n, 0]);
    expect(await d2('fadd', 1n << 63n, 1n << 63n)).toEqual([1n << 63n, 0]); // -0 + -0 = -0
  });
});

describe('invalid operation, division by zero, NaNs (FPProcessNaNs)', () => {
  it('0/0 and inf-inf give the default NaN with IOC; x/0 gives a signed infinity with DZC', async () => {
    expect(await d2('fdiv', 0n, 0n)).toEqual([0x7ff8000000000000n, IOC]);
    expect(await d2('fsub', dbits(Infinity), dbits(Infinity))).toEqual([0x7ff8000000000000n, IOC]);
    expect(await d2('fdiv', dbits(-1), 0n)).toEqual([dbits(-Infinity), DZC]);
    expect(await d2('fdiv', dbits(Infinity), 0n)).toEqual([dbits(Infinity), 0]); // inf/0: no DZC
  });
  it('a signalling NaN wins over a quiet one, whatever the operand order, and is quieted (IOC)', async () => {
    expect(await d2('fadd', QNAN_A, SNAN_B)).toEqual([SNAN_B | (1n << 51n), IOC]);
    expect(await d2('fmul', SNAN_B, QNAN_A)).toEqual([SNAN_B | (1n << 51n), IOC]);
  });
  it('of two quiet NaNs the first operand wins, with no flag; FPCR.DN gives the default NaN', async () => {
    const q2 = 0xfff8000000000ccc0n >> 4n;
    expect(await d2('fadd', QNAN_A, q2)).toEqual([QNAN_A, 0]);
    expect(await d2('fadd', q2, QNAN_A)).toEqual([q2, 0]);
    expect(await d2('fadd', QNAN_A, q2, DN)).toEqual([0x7ff8000000000000n, 0]);
    expect(await s2('fsub', 0x7f800001, sbits(1), DN)).toEqual([0x7fc00000, IOC]);
  });
  it('FABS/FNEG only touch the sign bit, even of a signalling NaN (no IOC)', async () => {
    const m = await runFp('fneg d0, d1\nfabs s2, s3', { v: { 1: SNAN_B, 3: 0xff800001n } });
    expect(Dbits(m.cpu, 0)).toBe(SNAN_B | (1n << 63n));
    expect(S(m.cpu, 2)).toBe(0x7f800001);
    expect(m.cpu.fpsr).toBe(0);
  });
  it('FNMUL negates the result, NaN included (FPNeg after FPMul)', async () => {
    expect(await d2('fnmul', QNAN_A, dbits(1))).toEqual([QNAN_A | (1n << 63n), 0]);
    expect(await d2('fnmul', dbits(2), dbits(3))).toEqual([dbits(-6), 0]);
  });
});

describe('FMAX/FMIN/FMAXNM/FMINNM', () => {
  it('max(-0, +0) = +0 and min(+0, -0) = -0 in either order', async () => {
    expect((await d2('fmax', 1n << 63n, 0n))[0]).toBe(0n);
    expect((await d2('fmax', 0n, 1n << 63n))[0]).toBe(0n);
    expect((await d2('fmin', 0n, 1n << 63n))[0]).toBe(1n << 63n);
  });
  it('FMAXNM/FMINNM prefer the number to a quiet NaN; a signalling NaN still propagates (IOC)', async () => {
    expect(await d2('fmaxnm', QNAN_A, dbits(-5))).toEqual([dbits(-5), 0]);
    expect(await d2('fminnm', dbits(7), QNAN_A)).toEqual([dbits(7), 0]);
    expect(await d2('fmaxnm', SNAN_B, dbits(1))).toEqual([SNAN_B | (1n << 51n), IOC]);
    expect(await d2('fmax', QNAN_A, dbits(1))).toEqual([QNAN_A, 0]);
  });
});

describe('subnormals and FPCR.FZ', () => {
  const sub = 0x0008000000000000n; // 2^-1023
  it('without FZ: subnormal inputs and exact subnormal results raise nothing; an inexact tiny result raises UFC|IXC', async () => {
    expect(await d2('fadd', sub, sub)).toEqual([MIN_NORMAL_D, 0]);
    expect(await d2('fmul', MIN_NORMAL_D, dbits(0.5))).toEqual([sub, 0]);
    expect(await d2('fmul', MIN_NORMAL_D, dbits(1 / 3))).toEqual([0x0005555555555555n, UFC | IXC]);
  });
  it('FZ flushes subnormal inputs to zero (IDC) and tiny outputs to zero (UFC, not IXC)', async () => {
    expect(await d2('fadd', sub, 0n, FZ)).toEqual([0n, IDC]);
    expect(await d2('fmul', MIN_NORMAL_D, dbits(0.5), FZ)).toEqual([0n, UFC]);
    expect(await d2('fmul', MIN_NORMAL_D | (1n << 63n), dbits(0.5), FZ)).toEqual([1n << 63n, UFC]);
  });
  it('a tiny result that rounds up to the smallest normal still signals underflow (tininess before rounding)', async () => {
    // (2^-126 - 2^-149 * 1/3...) here: min_normal * (1 - 2^-24) rounds up to min_normal in RN
    expect(await s2('fmul', 0x00800000, sbits(1 - 2 ** -24))).toEqual([0x00800000, UFC | IXC]);
  });
});

describe('fused multiply-add (FPMulAdd: one rounding)', () => {
  it('FMADD keeps the low bits of the product that FMUL+FADD loses', async () => {
    const a = dbits(1 + 2 ** -27);
    const b = dbits(1 - 2 ** -27);
    // a*b = 1 - 2^-54 exactly; FMUL rounds it to 1 (a tie, to even), so FMUL+FADD(-1) gives 0
    const m = await runFp('fmadd d0, d1, d2, d3\nfmul d4, d1, d2\nfadd d4, d4, d3', { v: { 1: a, 2: b, 3: dbits(-1) } });
    expect(Dbits(m.cpu, 0)).toBe(dbits(-(2 ** -54)));
    expect(Dbits(m.cpu, 4)).toBe(0n);
  });
  it('FMSUB/FNMADD/FNMSUB negate op1 and/or the addend', async () => {
    const v = { 1: dbits(2), 2: dbits(3), 3: dbits(10) };
    const m = await runFp('fmsub d4, d1, d2, d3\nfnmadd d5, d1, d2, d3\nfnmsub d6, d1, d2, d3', { v });
    expect(Dbits(m.cpu, 4)).toBe(dbits(4)); // 10 - 6
    expect(Dbits(m.cpu, 5)).toBe(dbits(-16)); // -10 - 6
    expect(Dbits(m.cpu, 6)).toBe(dbits(-4)); // -10 + 6
  });
  it('inf*0 + qNaN is the default NaN with IOC, not the NaN addend', async () => {
    const m = await runFp('fmadd d0, d1, d2, d3', { v: { 1: dbits(Infinity), 2: 0n, 3: QNAN_A } });
    expect(Dbits(m.cpu, 0)).toBe(0x7ff8000000000000n);
    expect(m.cpu.fpsr).toBe(IOC);
  });
});

describe('FCMP/FCMPE/FCCMP (FPCompare)', () => {
  const cmp = async (op: string, a: bigint, b: bigint): Promise<[number, number]> => {
    const m = await runFp(`${op} d1, d2`, { v: { 1: a, 2: b } });
    return [m.cpu.nzcv, m.cpu.fpsr];
  };
  it('less 1000, equal 0110, greater 0010, unordered 0011; -0 equals +0', async () => {
    expect(await cmp('fcmp', dbits(1), dbits(2))).toEqual([0b1000, 0]);
    expect(await cmp('fcmp', 1n << 63n, 0n)).toEqual([0b0110, 0]);
    expect(await cmp('fcmp', dbits(Infinity), MAXD)).toEqual([0b0010, 0]);
    expect(await cmp('fcmp', QNAN_A, dbits(1))).toEqual([0b0011, 0]);
  });
  it('FCMP signals IOC only for a signalling NaN; FCMPE for any NaN', async () => {
    expect(await cmp('fcmp', dbits(1), SNAN_B)).toEqual([0b0011, IOC]);
    expect(await cmp('fcmpe', QNAN_A, dbits(1))).toEqual([0b0011, IOC]);
  });
  it('FCMP with #0.0 and FCCMP with a failing condition (flags = #nzcv)', async () => {
    const m = await runFp('fcmp d1, #0.0\ncset x0, lt\nfccmp d1, d2, #5, eq', { v: { 1: dbits(-3), 2: dbits(-3) } });
    expect(X(m.cpu, 0)).toBe(1n);
    expect(m.cpu.nzcv).toBe(5);
  });
});

describe('conversions', () => {
  const cvt = async (insn: string, v: bigint, fpcr = 0): Promise<[bigint, number]> => {
    const m = await runFp(insn, { v: { 1: v }, fpcr, x: { 0: 0xaaaaaaaaaaaaaaaan } });
    return [X(m.cpu, 0), m.cpu.fpsr];
  };
  it('FCVTZS/FCVTZU saturate with IOC (no IXC); NaN converts to 0 with IOC; W results zero-extend', async () => {
    expect(await cvt('fcvtzs w0, d1', dbits(1e10))).toEqual([0x7fffffffn, IOC]);
    expect(await cvt('fcvtzs w0, d1', dbits(-1e10))).toEqual([0x80000000n, IOC]);
    expect(await cvt('fcvtzs x0, d1', dbits(2 ** 63))).toEqual([0x7fffffffffffffffn, IOC]);
    expect(await cvt('fcvtzs x0, d1', dbits(-(2 ** 63)))).toEqual([0x8000000000000000n, 0]);
    expect(await cvt('fcvtzu x0, d1', dbits(-1.5))).toEqual([0n, IOC]);
    expect(await cvt('fcvtzu x0, d1', dbits(-0.5))).toEqual([0n, IXC]); // truncates to -0: in range
    expect(await cvt('fcvtzs w0, d1', 0x7ff8000000000000n)).toEqual([0n, IOC]);
    expect(await cvt('fcvtzu w0, s1', BigInt(sbits(4294967040)))).toEqual([4294967040n, 0]);
  });
  it('each FCVT<mode> rounds its own way regardless of FPCR; FCVTA ties away', async () => {
    expect((await cvt('fcvtns x0, d1', dbits(2.5)))[0]).toBe(2n);
    expect((await cvt('fcvtas x0, d1', dbits(2.5)))[0]).toBe(3n);
    expect((await cvt('fcvtas x0, d1', dbits(-2.5)))[0]).toBe(0xfffffffffffffffdn);
    expect((await cvt('fcvtms x0, d1', dbits(-2.5)))[0]).toBe(0xfffffffffffffffdn);
    expect((await cvt('fcvtps x0, d1', dbits(2.1)))[0]).toBe(3n);
    expect((await cvt('fcvtzs x0, d1', dbits(-2.9), RP))[0]).toBe(0xfffffffffffffffen);
  });
  it('FCVTZS (fixed point, #fbits) scales by 2^fbits first', async () => {
    expect((await cvt('fcvtzs w0, d1, #16', dbits(1.5)))[0]).toBe(0x18000n);
  });
  it('SCVTF/UCVTF round 64-bit integers by FPCR.RMode', async () => {
    const f = async (insn: string, x: bigint, fpcr = 0): Promise<[bigint, number]> => {
      const m = await runFp(insn, { x: { 1: x }, fpcr });
      return [Dbits(m.cpu, 0), m.cpu.fpsr];
    };
    expect(await f('scvtf d0, x1', (1n << 53n) + 1n)).toEqual([dbits(2 ** 53), IXC]);
    expect(await f('scvtf d0, x1', (1n << 53n) + 1n, RP)).toEqual([dbits(2 ** 53 + 2), IXC]);
    expect(await f('ucvtf d0, x1', 0xffffffffffffffffn)).toEqual([dbits(2 ** 64), IXC]);
    expect(await f('scvtf d0, x1', 0xffffffffffffffffn)).toEqual([dbits(-1), 0]);
    expect(await f('ucvtf s0, w1', 0xffffffffn)).toEqual([BigInt(sbits(2 ** 32)), IXC]);
    expect(await f('scvtf d0, w1, #4', 0xfffffff8n)).toEqual([dbits(-0.5), 0]);
  });
  it('FCVT double->single overflows to infinity (RN) or the largest float (RZ); single->half; half->double', async () => {
    const m = await runFp('fcvt s0, d1\nfcvt h2, s3\nfcvt d4, h5', { v: { 1: dbits(1e300), 3: BigInt(sbits(65520)), 5: 0x3c01n } });
    expect(S(m.cpu, 0)).toBe(0x7f800000);
    expect(S(m.cpu, 2)).toBe(0x7c00); // 65520 rounds (to even) past 65504: infinity
    expect(Dbits(m.cpu, 4)).toBe(dbits(1 + 2 ** -10));
    expect(m.cpu.fpsr).toBe(OFC | IXC);
    const z = await runFp('fcvt s0, d1', { v: { 1: dbits(1e300) }, fpcr: RZ });
    expect(S(z.cpu, 0)).toBe(0x7f7fffff);
  });
  it('FCVT of a signalling NaN quiets it and keeps the top of the payload', async () => {
    const m = await runFp('fcvt s0, d1', { v: { 1: 0xfff0000123456789n } });
    expect(S(m.cpu, 0)).toBe((0xffc00000 | Number(0x123456789n >> 29n)) >>> 0); // fraction bits 51:29
    expect(m.cpu.fpsr).toBe(IOC);
  });
  it('FRINT*: N ties to even, A away, M/P/Z directed, X signals inexact, zero keeps its sign', async () => {
    const v = { 1: dbits(2.5), 2: dbits(-2.5), 3: dbits(-0.25) };
    const m = await runFp(
      'frintn d10, d1\nfrinta d11, d2\nfrintm d12, d1\nfrintp d13, d2\nfrintz d14, d3\nfrinti d15, d1',
      { v },
    );
    expect(Dbits(m.cpu, 10)).toBe(dbits(2));
    expect(Dbits(m.cpu, 11)).toBe(dbits(-3));
    expect(Dbits(m.cpu, 12)).toBe(dbits(2));
    expect(Dbits(m.cpu, 13)).toBe(dbits(-2));
    expect(Dbits(m.cpu, 14)).toBe(1n << 63n);
    expect(Dbits(m.cpu, 15)).toBe(dbits(2));
    expect(m.cpu.fpsr).toBe(0); // only FRINTX raises IXC
    const x = await runFp('frintx d0, d1', { v: { 1: dbits(2.5) }, fpcr: RP });
    expect(Dbits(x.cpu, 0)).toBe(dbits(3));
    expect(x.cpu.fpsr).toBe(IXC);
  });
});

describe('moves and register views', () => {
  it('FMOV general <-> FP, including the top half D[1]; writes of S/D zero the rest of the register', async () => {
    const m = await runFp('fmov d0, x1\nfmov v0.d[1], x2\nfmov x3, v0.d[1]\nfmov s4, w1\nfmov w5, s4\nfmov d6, #-1.25\nfmov s7, #31.0', {
      x: { 1: 0x1122334455667788n, 2: 0x99aabbccddeeff00n },
      v: { 4: 0xffffffffffffffffffffffffffffffffn, 6: 0xffffffffffffffffffffffffffffffffn },
    });
    expect(m.cpu.vr[1] >>> 0).toBe(0x11223344);
    expect(Dbits(m.cpu, 0)).toBe(0x1122334455667788n);
    expect(X(m.cpu, 3)).toBe(0x99aabbccddeeff00n);
    expect(X(m.cpu, 5)).toBe(0x55667788n);
    expect(Dbits(m.cpu, 6)).toBe(dbits(-1.25));
    expect(m.cpu.vr[4 * 6 + 2] | m.cpu.vr[4 * 6 + 3]).toBe(0);
    expect(S(m.cpu, 7)).toBe(sbits(31));
  });
  it('FCSEL selects by condition', async () => {
    const m = await runFp('cmp x1, #1\nfcsel d0, d1, d2, eq\nfcsel s3, s1, s2, ne', { x: { 1: 1n }, v: { 1: dbits(1), 2: dbits(2) } });
    expect(Dbits(m.cpu, 0)).toBe(dbits(1));
    expect(S(m.cpu, 3)).toBe(Number(dbits(2) & 0xffffffffn));
  });
  it('FPCR/FPSR via MRS/MSR keep only the implemented bits', async () => {
    const m = await runFp('mov x1, #-1\nmsr fpcr, x1\nmsr fpsr, x1\nmrs x2, fpcr\nmrs x3, fpsr');
    expect(X(m.cpu, 2)).toBe(0x07c80000n); // AHP DN FZ RMode FZ16
    expect(X(m.cpu, 3)).toBe(0x0800009fn);
  });
  it('MRS FPCR traps with EC 0x07 while CPACR_EL1.FPEN = 0, leaving Xt unchanged', async () => {
    const m = await runFp('mrs x2, fpcr\n.balign 0x800\n.space 0x200\nhlt #1', {
      fpOff: true,
      x: { 2: 77n },
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x07n);
    expect(X(m.cpu, 2)).toBe(77n);
  });
});
