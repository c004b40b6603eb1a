// Data processing -- register (ARM ARM C4.1.88), run through keystone on a fresh machine.
import { describe, it, expect } from 'vitest';
import { runAsm, X, CODE_BASE } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';
import { Machine } from '../../src/machine.js';

const M64 = (1n << 64n) - 1n;
const N = 8, Z = 4, C = 2, V = 1;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

async function run(src: string, x: Record<number, bigint> = {}, nzcv?: number): Promise<Cpu> {
  const m = await runAsm(`${src}\nhlt #1`, { x, nzcv });
  expect(m.cpu.haltReason).toBe('done');
  return m.cpu;
}

/** Runs one raw word and expects an Undefined exception (EC 0) for it. */
async function expectUndef(word: number): Promise<void> {
  const m = await runAsm(`.long 0x${(word >>> 0).toString(16)}\n.balign 0x800\n.space 0x200\nhlt #1`, {
    setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
  });
  expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n); // EC 0, IL 1
  expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(BigInt(CODE_BASE));
  expect(m.cpu.pc).toBe(BigInt(CODE_BASE + 0xa04));
}

describe('ADD/SUB (shifted register) (C6.2.5, C6.2.9, C6.2.359, C6.2.365)', () => {
  const a = 0x0123_4567_89ab_cdefn;
  const b = 0x8000_0000_ffff_ffffn;
  it('X forms with LSL/LSR/ASR by 0, 1, 31, 32, 63', async () => {
    const c = await run(
      'add x0, x1, x2\nadd x3, x1, x2, lsl #63\nadd x4, x1, x2, lsr #32\nsub x5, x1, x2, asr #63\n' +
        'sub x6, x1, x2, asr #31\nadd x7, x1, x2, lsl #1\nsub x8, x1, x2\nneg x9, x2, lsr #1\nadd x10, x1, x2, lsl #32',
      { 1: a, 2: b },
    );
    const sb = s64(b);
    expect(X(c, 0)).toBe((a + b) & M64);
    expect(X(c, 3)).toBe((a + (b << 63n)) & M64);
    expect(X(c, 4)).toBe((a + (b >> 32n)) & M64);
    expect(X(c, 5)).toBe((a - (sb >> 63n)) & M64);
    expect(X(c, 6)).toBe((a - (sb >> 31n)) & M64);
    expect(X(c, 7)).toBe((a + (b << 1n)) & M64);
    expect(X(c, 8)).toBe((a - b) & M64);
    expect(X(c, 9)).toBe(-(b >> 1n) & M64);
    expect(X(c, 10)).toBe((a + (b << 32n)) & M64);
  });
  it('W forms shift 32-bit values by 0, 1, 31 and zero the upper half', async () => {
    const c = await run('add w0, w1, w2\nadd w3, w1, w2, asr #31\nsub w4, w1, w2, lsr #31\nsub w5, w1, w2, lsl #31', {
      1: 0xffff_0000_0000_0010n,
      2: 0x1_8000_0001n,
    });
    expect(X(c, 0)).toBe(0x8000_0011n);
    expect(X(c, 3)).toBe(0xfn); // 0x10 + (-1)
    expect(X(c, 4)).toBe(0xfn); // 0x10 - 1
    expect(X(c, 5)).toBe(0x8000_0010n);
  });
  it('ADDS/SUBS/CMP/CMN flags: carry and overflow in X and W', async () => {
    let c = await run('adds x0, x1, x2', { 1: M64, 2: 1n });
    expect(c.nzcv).toBe(Z | C);
    c = await run('adds x0, x1, x2, lsl #62', { 1: 0x4000_0000_0000_0000n, 2: 1n });
    expect(X(c, 0)).toBe(1n << 63n);
    expect(c.nzcv).toBe(N | V);
    c = await run('cmp x1, x2', { 1: 1n, 2: 2n });
    expect(c.nzcv).toBe(N);
    c = await run('cmp x1, x2', { 1: 1n << 63n, 2: 1n });
    expect(c.nzcv).toBe(C | V);
    c = await run('subs w0, w1, w2', { 1: 0x8000_0000n, 2: 1n });
    expect(X(c, 0)).toBe(0x7fff_ffffn);
    expect(c.nzcv).toBe(C | V);
    c = await run('adds w0, w1, w2, lsr #4', { 1: 0xffff_fff0n, 2: 0x100n });
    expect(X(c, 0)).toBe(0n);
    expect(c.nzcv).toBe(Z | C);
    c = await run('cmn w1, w2', { 1: 0x7fff_ffffn, 2: 1n });
    expect(c.nzcv).toBe(N | V);
    c = await run('negs x0, x1', { 1: 0n });
    expect(c.nzcv).toBe(Z | C); // 0 - 0: no borrow
  });
  it('register 31 is XZR for both Rd and Rn (not SP)', async () => {
    const c = await run('mov sp, x3\nsub x0, xzr, x1\ncmp xzr, x1', { 1: 1n, 3: 0x1000n });
    expect(X(c, 0)).toBe(M64);
    expect(X(c, 31)).toBe(0x1000n);
    expect(c.nzcv).toBe(N);
  });
  it('ROR shift and shift amounts >= 32 for W are unallocated: UNDEFINED', async () => {
    await expectUndef(0x0bc20020); // ADD W0, W1, W2, ROR #0
    await expectUndef(0x0b028020); // ADD W0, W1, W2, LSL #32
  });
});

describe('ADD/SUB (extended register) (C6.2.3, C6.2.7, C6.2.356, C6.2.362): ExtendReg', () => {
  it('UXTB/UXTH/UXTW/UXTX and SXTB/SXTH/SXTW/SXTX with LSL 0..4', async () => {
    const m = 0xffff_ffff_8000_8080n;
    const c = await run(
      'add x0, x1, w2, uxtb\nadd x3, x1, w2, uxth #1\nadd x4, x1, w2, uxtw #2\nadd x5, x1, x2, uxtx #3\n' +
        'add x6, x1, w2, sxtb #4\nadd x7, x1, w2, sxth\nsub x8, x1, w2, sxtw\nsub x9, x1, x2, sxtx #1',
      { 1: 0x1000n, 2: m },
    );
    const b = 0x1000n;
    expect(X(c, 0)).toBe(b + 0x80n);
    expect(X(c, 3)).toBe(b + (0x8080n << 1n));
    expect(X(c, 4)).toBe(b + (0x8000_8080n << 2n));
    expect(X(c, 5)).toBe((b + (m << 3n)) & M64);
    expect(X(c, 6)).toBe((b + (-0x80n << 4n)) & M64);
    expect(X(c, 7)).toBe((b - 0x7f80n) & M64);
    expect(X(c, 8)).toBe((b - s64(0xffff_ffff_8000_8080n)) & M64);
    expect(X(c, 9)).toBe((b - (s64(m) << 1n)) & M64);
  });
  it('W forms: SXTB/SXTH extend to 32 bits; the result upper half is zero', async () => {
    const c = await run('add w0, w1, w2, sxtb\nsub w3, w1, w2, uxth #4\nadds w4, w1, w2, sxth', {
      1: 0x5_0000_0100n,
      2: 0x8080n,
    });
    expect(X(c, 0)).toBe(0x80n); // 0x100 - 0x80
    expect(X(c, 3)).toBe((0x100n - 0x80800n) & 0xffff_ffffn);
    expect(X(c, 4)).toBe((0x100n - 0x7f80n) & 0xffff_ffffn);
    expect(c.nzcv).toBe(N);
  });
  it('Rd and Rn 31 are SP for ADD/SUB, Rd 31 is XZR for ADDS/SUBS (CMP SP, Xm)', async () => {
    const c = await run('mov sp, x1\nadd sp, sp, x2\nsub x3, sp, w2, uxtw #4\ncmp sp, x4\nmov x5, sp', {
      1: 0x8000n,
      2: 0x10n,
      4: 0x8010n,
    });
    expect(X(c, 31)).toBe(0x8010n);
    expect(X(c, 3)).toBe(0x7f10n);
    expect(c.nzcv).toBe(Z | C);
    expect(X(c, 5)).toBe(0x8010n);
  });
  it('a shift above 4 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x8b221420); // ADD X0, X1, W2, UXTB #5
  });
});

describe('logical (shifted register) (AND, BIC, ORR, ORN, EOR, EON, ANDS, BICS)', () => {
  const a = 0xff00_ff00_f0f0_0f0fn;
  const b = 0x8000_0000_0000_0001n;
  it('X forms with every shift type including ROR', async () => {
    const c = await run(
      'and x0, x1, x2, ror #1\nbic x3, x1, x2, lsl #4\norr x4, x1, x2, lsr #63\norn x5, x1, x2, asr #8\n' +
        'eor x6, x1, x2, ror #32\neon x7, x1, x2\nmov x8, x2\nmvn x9, x2, ror #63',
      { 1: a, 2: b },
    );
    const ror = (v: bigint, n: bigint): bigint => ((v >> n) | (v << (64n - n))) & M64;
    expect(X(c, 0)).toBe(a & ror(b, 1n));
    expect(X(c, 3)).toBe(a & ~((b << 4n) & M64) & M64);
    expect(X(c, 4)).toBe(a | (b >> 63n));
    expect(X(c, 5)).toBe((a | ~((s64(b) >> 8n) & M64)) & M64);
    expect(X(c, 6)).toBe(a ^ ror(b, 32n));
    expect(X(c, 7)).toBe((a ^ ~b) & M64);
    expect(X(c, 8)).toBe(b);
    expect(X(c, 9)).toBe(~ror(b, 63n) & M64);
  });
  it('W forms: ROR within 32 bits, upper half zeroed', async () => {
    const c = await run('orr w0, wzr, w1, ror #4\neon w2, w1, w3\nmov w4, w1\nbic w5, w1, w3, asr #31', {
      1: 0xffff_ffff_1234_5678n,
      3: 0x8000_0000n,
    });
    expect(X(c, 0)).toBe(0x8123_4567n);
    expect(X(c, 2)).toBe(0x1234_5678n ^ 0x7fff_ffffn);
    expect(X(c, 4)).toBe(0x1234_5678n);
    expect(X(c, 5)).toBe(0n);
  });
  it('ANDS/BICS/TST set N, Z and clear C, V', async () => {
    let c = await run('ands x0, x1, x2', { 1: M64, 2: 1n << 63n }, C | V);
    expect(c.nzcv).toBe(N);
    c = await run('bics w0, w1, w2', { 1: 0xf0n, 2: 0xffn }, N | C | V);
    expect(X(c, 0)).toBe(0n);
    expect(c.nzcv).toBe(Z);
    c = await run('tst x1, x2, lsl #1', { 1: 1n << 32n, 2: 1n << 31n });
    expect(c.nzcv).toBe(0);
  });
  it('a W shift amount >= 32 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x0a028020); // AND W0, W1, W2, LSL #32
  });
});

describe('ADC/ADCS/SBC/SBCS (C6.2.1, C6.2.2, C6.2.263, C6.2.264): AddWithCarry with PSTATE.C', () => {
  it('X: carry in, carry out, overflow', async () => {
    let c = await run('adcs x0, x1, x2', { 1: M64, 2: 0n }, C);
    expect(X(c, 0)).toBe(0n);
    expect(c.nzcv).toBe(Z | C);
    c = await run('adcs x0, x1, x2', { 1: (1n << 63n) - 1n, 2: 0n }, C);
    expect(X(c, 0)).toBe(1n << 63n);
    expect(c.nzcv).toBe(N | V);
    c = await run('sbcs x0, x1, x2', { 1: 0n, 2: 0n }, 0);
    expect(X(c, 0)).toBe(M64); // 0 - 0 - 1
    expect(c.nzcv).toBe(N);
    c = await run('sbcs x0, x1, x2', { 1: 1n << 63n, 2: 0n }, 0);
    expect(X(c, 0)).toBe((1n << 63n) - 1n);
    expect(c.nzcv).toBe(C | V);
    c = await run('adc x0, x1, x2\nsbc x3, x1, x2', { 1: 0xffff_ffffn, 2: 0n }, C | N);
    expect(X(c, 0)).toBe(0x1_0000_0000n);
    expect(X(c, 3)).toBe(0xffff_ffffn);
    expect(c.nzcv).toBe(C | N); // non-S forms leave the flags
    c = await run('adc x0, x1, x2\nsbc x3, x1, x2', { 1: 0xffff_ffffn, 2: 0n }, 0);
    expect(X(c, 0)).toBe(0xffff_ffffn);
    expect(X(c, 3)).toBe(0xffff_fffen);
  });
  it('W: carry and overflow at bit 31, upper half zeroed', async () => {
    let c = await run('adcs w0, w1, w2', { 1: 0xffff_ffffn, 2: 0x1_0000_0000n }, C);
    expect(X(c, 0)).toBe(0n);
    expect(c.nzcv).toBe(Z | C);
    c = await run('adcs w0, w1, w2', { 1: 0x7fff_ffffn, 2: 0n }, C);
    expect(c.nzcv).toBe(N | V);
    c = await run('sbcs w0, w1, w2', { 1: 0x8000_0000n, 2: 0n }, 0);
    expect(X(c, 0)).toBe(0x7fff_ffffn);
    expect(c.nzcv).toBe(C | V);
    c = await run('ngc w0, w1\nadc w3, w1, w2', { 1: 1n, 2: 0xffff_ffffn }, C);
    expect(X(c, 0)).toBe(0xffff_ffffn); // 0 + NOT(1) + 1
    expect(X(c, 3)).toBe(1n);
  });
});

describe('conditional select and compare (C6.2.69 CSEL, CSINC, CSINV, CSNEG; CCMP, CCMN)', () => {
  it('CSEL/CSINC/CSINV/CSNEG and aliases, condition true and false', async () => {
    const c = await run(
      'cmp x1, x2\ncsel x0, x1, x2, lt\ncsel x3, x1, x2, ge\ncsinc x4, x1, x2, ge\ncsinv x5, x1, x2, ge\n' +
        'csneg x6, x1, x2, ge\ncset x7, lt\ncsetm x8, lt\ncinc x9, x2, lt\ncneg x10, x2, lt\ncsneg w11, w1, w2, ge\n' +
        'csinc x12, x1, x13, ge',
      { 1: 1n, 2: 0xffff_ffffn, 13: M64 },
    );
    expect(X(c, 0)).toBe(1n);
    expect(X(c, 3)).toBe(0xffff_ffffn);
    expect(X(c, 4)).toBe(0x1_0000_0000n);
    expect(X(c, 5)).toBe(0xffff_ffff_0000_0000n);
    expect(X(c, 6)).toBe(0xffff_ffff_0000_0001n);
    expect(X(c, 7)).toBe(1n);
    expect(X(c, 8)).toBe(M64);
    expect(X(c, 9)).toBe(0x1_0000_0000n);
    expect(X(c, 10)).toBe(0xffff_ffff_0000_0001n);
    expect(X(c, 11)).toBe(1n); // -(0xffffffff) in 32 bits
    expect(X(c, 12)).toBe(0n); // XM+1 wraps
  });
  it('W forms zero the upper half', async () => {
    const c = await run('csel w0, w1, w2, eq\ncsinv w3, w1, w2, ne', { 1: M64, 2: M64 }, Z);
    expect(X(c, 0)).toBe(0xffff_ffffn);
    expect(X(c, 3)).toBe(0n);
  });
  it('CCMP/CCMN: flags of the comparison when the condition holds, else #nzcv', async () => {
    let c = await run('ccmp x1, x2, #0b1111, eq', { 1: 1n, 2: 2n }, Z);
    expect(c.nzcv).toBe(N);
    c = await run('ccmp x1, x2, #0b0110, ne', { 1: 1n, 2: 2n }, Z);
    expect(c.nzcv).toBe(Z | C);
    c = await run('ccmp x1, #31, #0, al', { 1: 31n });
    expect(c.nzcv).toBe(Z | C);
    c = await run('ccmn x1, #1, #0, eq', { 1: M64 }, Z);
    expect(c.nzcv).toBe(Z | C);
    c = await run('ccmn x1, x2, #0, eq', { 1: (1n << 63n) - 1n, 2: 1n }, Z);
    expect(c.nzcv).toBe(N | V);
    c = await run('ccmp w1, w2, #0, eq', { 1: 0x8000_0000n, 2: 1n }, Z);
    expect(c.nzcv).toBe(C | V);
    c = await run('ccmp w1, #0, #0b1000, cs', { 1: 5n }, 0);
    expect(c.nzcv).toBe(N);
    c = await run('ccmn w1, #1, #0, eq', { 1: 0xffff_ffffn }, Z);
    expect(c.nzcv).toBe(Z | C);
    c = await run('ccmn w1, w2, #0, eq', { 1: 0x7fff_ffffn, 2: 1n }, Z);
    expect(c.nzcv).toBe(N | V);
  });
});

describe('data processing (1 source): RBIT, REV16, REV32, REV, CLZ, CLS', () => {
  it('X and W forms', async () => {
    const v = 0x0123_4567_89ab_cdefn;
    const c = await run(
      'rbit x0, x1\nrev16 x2, x1\nrev32 x3, x1\nrev x4, x1\nclz x5, x1\ncls x6, x1\n' +
        'rbit w7, w1\nrev16 w8, w1\nrev w9, w1\nclz w10, w1\ncls w11, w1',
      { 1: v },
    );
    expect(X(c, 0)).toBe(0xf7b3_d591_e6a2_c480n);
    expect(X(c, 2)).toBe(0x2301_6745_ab89_efcdn);
    expect(X(c, 3)).toBe(0x6745_2301_efcd_ab89n);
    expect(X(c, 4)).toBe(0xefcd_ab89_6745_2301n);
    expect(X(c, 5)).toBe(7n);
    expect(X(c, 6)).toBe(6n);
    expect(X(c, 7)).toBe(0xf7b3_d591n);
    expect(X(c, 8)).toBe(0xab89_efcdn);
    expect(X(c, 9)).toBe(0xefcd_ab89n);
    expect(X(c, 10)).toBe(0n);
    expect(X(c, 11)).toBe(0n);
  });
  it('CLZ and CLS of 0 and -1 (CountLeadingSignBits(0) = CountLeadingSignBits(-1) = N-1)', async () => {
    const c = await run(
      'clz x0, x1\ncls x2, x1\nclz x3, x4\ncls x5, x4\nclz w6, w1\ncls w7, w1\nclz w8, w4\ncls w9, w4\ncls x10, x11',
      { 1: 0n, 4: M64, 11: 0xffff_ffff_8000_0000n },
    );
    expect([0, 2, 3, 5, 6, 7, 8, 9, 10].map((r) => X(c, r))).toEqual([64n, 63n, 0n, 63n, 32n, 31n, 0n, 31n, 32n]);
  });
  it('REV with sf=0 and opc=11 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x5ac00c20); // REV (64-bit opc) with sf=0
  });
});

describe('data processing (2 source): UDIV, SDIV, LSLV, LSRV, ASRV, RORV', () => {
  it('division: by zero gives 0, INT_MIN / -1 gives INT_MIN, rounding toward zero', async () => {
    const c = await run(
      'udiv x0, x1, x2\nsdiv x3, x4, x5\nsdiv x6, x7, x8\nudiv x9, x10, x11\nsdiv w12, w13, w5\n' +
        'udiv w14, w15, w16\nsdiv x17, x7, x18\nsdiv w19, w7, w18',
      {
        1: 12345n,
        2: 0n,
        4: 1n << 63n,
        5: M64,
        7: s64(-7n) & M64,
        8: 2n,
        10: M64,
        11: 3n,
        13: 0x8000_0000n,
        15: 0xffff_fffen,
        16: 0x1_0000_0002n,
        18: 0n,
      },
    );
    expect(X(c, 0)).toBe(0n);
    expect(X(c, 3)).toBe(1n << 63n);
    expect(X(c, 6)).toBe(s64(-3n) & M64);
    expect(X(c, 9)).toBe(M64 / 3n);
    expect(X(c, 12)).toBe(0x8000_0000n);
    expect(X(c, 14)).toBe(0x7fff_ffffn); // W: only the low words divide
    expect(X(c, 17)).toBe(0n);
    expect(X(c, 19)).toBe(0n);
  });
  it('large 64-bit quotients (beyond 2^53) are exact', async () => {
    const a = 0xfedc_ba98_7654_3210n;
    const b = 0x1_0000_0001n;
    const c = await run('udiv x0, x1, x2\nsdiv x3, x1, x4\nsdiv x5, x1, x2', { 1: a, 2: b, 4: 7n });
    expect(X(c, 0)).toBe(a / b);
    expect(X(c, 3)).toBe((s64(a) / 7n) & M64);
    expect(X(c, 5)).toBe((s64(a) / b) & M64);
  });
  it('variable shifts take the amount modulo the data size', async () => {
    const v = 0x8000_0000_0000_0001n;
    const c = await run(
      'lsl x0, x1, x2\nlsr x3, x1, x4\nasr x5, x1, x6\nror x7, x1, x2\nlsl w8, w1, w9\nlsr w10, w11, w12\n' +
        'asr w13, w11, w12\nror w14, w1, w9\nlsl x15, x1, x16',
      { 1: v, 2: 65n, 4: 63n, 6: 0x40n + 32n, 9: 33n, 11: 0x8000_0000n, 12: 31n, 16: 0n },
    );
    expect(X(c, 0)).toBe(2n);
    expect(X(c, 3)).toBe(1n);
    expect(X(c, 5)).toBe(0xffff_ffff_8000_0000n);
    expect(X(c, 7)).toBe(0xc000_0000_0000_0000n);
    expect(X(c, 8)).toBe(2n);
    expect(X(c, 10)).toBe(1n);
    expect(X(c, 13)).toBe(0xffff_ffffn);
    expect(X(c, 14)).toBe(0x8000_0000n);
    expect(X(c, 15)).toBe(v);
  });
});

describe('CRC32/CRC32C (C6.2.80, C6.2.81): reflected polynomials 0x04C11DB7 and 0x1EDC6F41', () => {
  // "123456789": the standard check values with initial value ~0 and final inversion.
  const lo8 = 0x3837_3635_3433_3231n; // "12345678" little-endian
  it('a loop of CRC32B gives 0xCBF43926 and CRC32CB gives 0xE3069283', async () => {
    const c = await run(
      `mov w0, #-1
       mov w4, #-1
       mov x3, #8
       mov x5, x1
again:
       crc32b w0, w0, w5
       crc32cb w4, w4, w5
       lsr x5, x5, #8
       subs x3, x3, #1
       b.ne again
       crc32b w0, w0, w2
       crc32cb w4, w4, w2
       mvn w0, w0
       mvn w4, w4`,
      { 1: lo8, 2: 0x39n },
    );
    expect(X(c, 0)).toBe(0xcbf4_3926n);
    expect(X(c, 4)).toBe(0xe306_9283n);
  });
  it('CRC32H/W/X and CRC32CH/W/X fold the same bytes as the byte forms', async () => {
    const c = await run(
      `mov w0, #-1
       crc32x w0, w0, x1
       crc32b w0, w0, w2
       mvn w0, w0
       mov w3, #-1
       crc32w w3, w3, w1
       lsr x4, x1, #32
       crc32h w3, w3, w4
       lsr x4, x4, #16
       crc32h w3, w3, w4
       crc32b w3, w3, w2
       mvn w3, w3
       mov w5, #-1
       crc32cx w5, w5, x1
       crc32cb w5, w5, w2
       mvn w5, w5
       mov w6, #-1
       crc32cw w6, w6, w1
       lsr x4, x1, #32
       crc32ch w6, w6, w4
       lsr x4, x4, #16
       crc32ch w6, w6, w4
       crc32cb w6, w6, w2
       mvn w6, w6`,
      { 1: lo8, 2: 0xff39n },
    );
    expect(X(c, 0)).toBe(0xcbf4_3926n);
    expect(X(c, 3)).toBe(0xcbf4_3926n);
    expect(X(c, 5)).toBe(0xe306_9283n);
    expect(X(c, 6)).toBe(0xe306_9283n);
  });
  it('CRC32X with sf=0 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x1ac24c20); // CRC32X encoding with sf=0
  });
});

describe('data processing (3 source): MADD, MSUB, SMADDL, SMSUBL, UMADDL, UMSUBL, SMULH, UMULH', () => {
  it('64-bit multiply-add keeps the low 64 bits', async () => {
    const a = 0xfedc_ba98_7654_3210n;
    const b = 0x0123_4567_89ab_cdefn;
    const acc = 0x1111_2222_3333_4444n;
    const c = await run('madd x0, x1, x2, x3\nmsub x4, x1, x2, x3\nmul x5, x1, x2\nmneg x6, x1, x2', { 1: a, 2: b, 3: acc });
    expect(X(c, 0)).toBe((acc + a * b) & M64);
    expect(X(c, 4)).toBe((acc - a * b) & M64);
    expect(X(c, 5)).toBe((a * b) & M64);
    expect(X(c, 6)).toBe(-(a * b) & M64);
  });
  it('32-bit multiply-add uses the low words and zeroes the upper half', async () => {
    const c = await run('madd w0, w1, w2, w3\nmsub w4, w1, w2, w3', { 1: 0x1_ffff_ffffn, 2: 0x2_0000_0003n, 3: 0x5n });
    expect(X(c, 0)).toBe(2n); // -1 * 3 + 5
    expect(X(c, 4)).toBe(8n);
  });
  it('SMADDL/SMSUBL/UMADDL/UMSUBL: 32x32 -> 64 products, signed and unsigned', async () => {
    const c = await run(
      'smaddl x0, w1, w2, x3\nsmsubl x4, w1, w2, x3\numaddl x5, w1, w2, x3\numsubl x6, w1, w2, x3\n' +
        'smull x7, w1, w1\numull x8, w1, w1',
      { 1: 0xffff_ffffn, 2: 0x8000_0000n, 3: 0x10n },
    );
    expect(X(c, 0)).toBe(0x10n + 0x8000_0000n); // (-1) * (-2^31) = 2^31
    expect(X(c, 4)).toBe((0x10n - 0x8000_0000n) & M64);
    expect(X(c, 5)).toBe(0x10n + 0xffff_ffffn * 0x8000_0000n);
    expect(X(c, 6)).toBe((0x10n - 0xffff_ffffn * 0x8000_0000n) & M64);
    expect(X(c, 7)).toBe(1n);
    expect(X(c, 8)).toBe(0xffff_fffe_0000_0001n);
  });
  it('SMULH/UMULH with negative and large operands', async () => {
    const cases: [bigint, bigint][] = [
      [M64, M64],
      [1n << 63n, 1n << 63n],
      [1n << 63n, M64],
      [0xfedc_ba98_7654_3210n, 0x0123_4567_89ab_cdefn],
      [5n, M64],
    ];
    for (const [a, b] of cases) {
      const c = await run('smulh x0, x1, x2\numulh x3, x1, x2', { 1: a, 2: b });
      expect(X(c, 0)).toBe(((s64(a) * s64(b)) >> 64n) & M64);
      expect(X(c, 3)).toBe((a * b) >> 64n);
    }
  });
  it('SMADDL with sf=0 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x1b220c20); // SMADDL encoding with sf=0
  });
});

// Differential vectors recorded from qemu-aarch64 -cpu cortex-a57 (an independent implementation):
// random encodings of every data-processing (immediate and register) instruction with Rd=X0,
// Rn=X1, Rm=X2, Ra=X3, random operands and NZCV. Each line: word x0 x1 x2 x3 nzcv -> x0 nzcv (hex).
const QEMU_VECTORS = [
  '91199c20 93e4923635e80e07 80fd186f5deddb77 99a29cec8dd04793 fffffffffffe7dcc f 80fd186f5dede1de f',
  '11548c20 8000000000000000 1fa2593cc43b9cbe 0 7e4b0c08e68a7e4d c c48dccbe c',
  'b1356c20 ffffffffe32ac756 7fffffff ba1ba4f61e257534 711ee1f3093a3b03 e 80000d5a 0',
  '316a1c20 1d1f6c4ee24c54a5 ee88feefdbed 1eb2062290bb4a39 e8fe1eba4e002eee 0 ff984bed 8',
  '51228020 91f29b95928b0075 c540079573ea6ccc 7546bd46ff2baa11 863db835165b15a8 f 73ea642c f',
  'd11dd820 7fffffff ae121eb85568631a db44fe2dd4aef1cd fe5bf3bc85aa46ea 1 ae121eb855685ba4 1',
  'f175b020 d1686e6e481dc7bc 1f6d28ce3 b3ec95d30b8a4a78 fffffffffe23d01d 5 1f5fbcce3 2',
  '7173a820 85555f79f9f76ca4 adacc45991d8278a 9b34d89504e96846 c388c57abfdaf5c9 8 9109878a a',
  '92101820 ffffffffffa722f3 e8b4d36629dd6b4a 80000000 2136229d49dbf5cf e 340000005d0000 e',
  '120c4c20 88be267bc25d6823 ebd31676aaafcdf8 7fffffffffffffff fffffdd3eb9c4b53 1 aaa000f8 1',
  '323a5020 a86d814210fc6160 8000000000000000 7fffffffffffffff fb13a0646cf39a8b a 7ffffc0 a',
  'b20f7420 b5f4dedbebda904c cff89f585e6ddb71 ffffffffffffffff ffffffff6eeeaf0a 7 fffeffffffffffff 7',
  'd229b020 8b659bae3 f388fe836745fd4f 3 de05f64c7975022 b c07010c98ca02c0 b',
  'd27b0c20 88b258ffb616fc09 fffffffffffffffd e17004c2dceeb2f6 129386f72be7adf1 d fffffffffffffe1d d',
  'f2480420 fa4501db4a4d7b94 a09fe0a9cdd7336c 66bf9 fffffffffa23ff71 a 0 4',
  '72362c20 a975bfadce50ace 7fffffff ffffffe725be3573 6fb09c18fa47e221 0 3ffc00 0',
  '12b4d420 90857a3ac7869ebb 2496cacb443551ac ae45c194d89e1f4f 40e682978631736d 3 595effff 3',
  '92c10020 edd995de3325778f e7101efe7d3a3fb9 c1117e5a35936fd7 3b14d2758a1e79d8 a fffff7feffffffff a',
  'd2cce420 c810774719e6735b 3fa2d7f8ce824f5 ec69cee963240253 6b5d36447f2fc14e d 672100000000 d',
  '52837020 f56349dc28bf3e04 7fffffff ff2189710ff600b6 fa9e8204711cfa0b 5 1b81 5',
  'f2bb6820 527e5ceda595b39c 7bc65b87a66a985c 2ab8c7bc7ba48dfb 8c6d46c1b21be7fb 9 527e5ceddb41b39c 9',
  'f2a5a820 ffffffff ffffffffffffffff 79c083d55e68570 54afbd89c0c74cc6 9 2d41ffff 9',
  '9357c020 1658622f99a 89090351850d8be0 ffffffffffffffff 7c153dbbafe43d2a a fffffffffe06a30a a',
  '93443020 ffffff6812f1dc0c 45 fffffffffffffff0 6eb88e7191a4a88a 0 4 0',
  'b35f1020 f5e6db4cff66cd6b 78f57a6c20aaa7b0 5a9888dc3be68ebd d6a584f8a16c4b45 7 f5e6db60ff66cd6b 7',
  'b3716820 ffffa94ceedf5989 e6e0b591fa0f5ab8 70553a343569e61d ffffffff 0 ffffa907ad5c5989 0',
  'd3722020 fffffffffffe1ead 29352b0806d9c962 80000000 958755ab99734c72 c 588000 c',
  '53132420 80000000 f1c799b15cc6a1e9 d550ff249c3755be 1ee4198727425acd 0 3d2000 0',
  '93c24820 edd5f8e60beb21c2 5dc4b4c3a0ca9ccd 64e46707e89a93a5 fffffac3ce57add1 8 a733593919c1fa26 8',
  '8b020020 9199a2d71d8c763 d ffffffff d 4 10000000c 4',
  '8b825420 86aa4aac3069075 273c7dedb8baec0d cc66fcf56cf2f429 ffffffffd8855d07 b 273c7c50f0a29774 b',
  'ab42d820 c8b5d1b922dbd7f8 fffffffffffffffe bc2c80b0ab68430d 1ee229 0 2ee 2',
  '2b420c20 fffffffffde33453 fffffffffff9658f ffffffffffffef00 4862efb5271c 9 1ff9636f 2',
  '4b025820 871560984bc8d67b 7fffffffffffffff 7fffffffffffffff 7fffffff 0 3fffff 0',
  '4b822020 ffffffe94db52a5d f9a35cb6d48f602c 787e4457 3359784c964e3ae4 d d416e1e8 d',
  'eb82b820 c68be7e0f480e1bb 0 c5e78f78b51a 86796847c54a621f b fffffffffffffffd 8',
  '6b822420 3c90be804355cf20 8000000000000000 bd0dd2 26974d8b2bef0918 e ffffa17a 8',
  '0b227020 ffffffffffffffff 4018d203114b7acf 833abc5542beb7ad ffffffffffffffff 2 3d36f59f 2',
  '0b22e020 2295460fc0c88785 1e8f6e355 998f5f873d8f51b8 211ab75d89d098a c 2686350d c',
  '2b220c20 fa63551d88d712dd 5ea897acc798018 5acbe75fe2229daf bba168a3401d3cd9 a cc798590 8',
  '2b221020 f5cb8f40005a6771 8498ef73b7aebac8 16012dbd456418a6 dce26de8babb8da7 0 b7aec528 8',
  '4b228c20 4ae55a8dd725c0b7 56814468bf8316ae 5232250fc4ea0686 733fb11126a7a07f b bf831a7e b',
  'cb22cc20 3a6f7ba3767554ee fffffffff4a94ef0 ffffdc3de7ffc77c bc842bf006bcd6ad 9 b4ab1310 9',
  '6b22ec20 ea3b541c97aa1c40 eef 40d995ce3e6df33e 7a21c23c0eaa02ef 4 c9074ff 0',
  '6b228420 f0f909c9e9c86409 b1cd7a4ace029408 1984 1850f9e1eaf790b7 7 ce029500 8',
  '0ac25c20 e9827c846457df8 c275dc2247c5bb9a 1a422ae bd4ce659117d05da 9 40451802 9',
  '0a024020 ffffffff 23a08c3b76d95028 81e6e6a7fb772ffe fffffff07cf12a1a a 26d80000 a',
  '8ae23c20 77e6422c4bd0225d 1 ffffffff 3a491acd3b067ee5 8 0 8',
  '8aa26020 fffffffffffffe92 ffffffffffffffcb b62fb 18e26eecf2c74a13 1 ffffffffffffffcb 1',
  'aa02c020 c0d7c90d07a86bf 3918543440467a9 98e46846a878f4b0 3a294ec86df8a130 f f7b18543440467a9 f',
  '2ac27020 0 91311b30f8bf017b cd09a7a8c667b196 16c712c3677e190c 3 feff197f 3',
  '2ae24020 2b588ab97bf9407e 9ee5d2e6b39917fa 1b9c8b1f55 fffffffffffec4ba 8 f3bb77fe 8',
  '2a223020 d34dd00740ed9081 4366f45c204a6fea 329 56444f4d2a1d93fb a ffcf6fff a',
  '4a423820 ecfd11e396eb86e3 0 ffe1d7918f90d568 4bc2149923d6163 b 23e43 b',
  '4ac27820 339cd54c8f953b16 bc20a564b9025562 dd05f6251bed9f65 3242c64f3be9724a a d6b428f6 a',
  'caa2cc20 fffa5b440f4670e1 0 fff9c8511882ee28 e666f3aa3a665bc3 c 0 c',
  'ca224820 640a0574b03673e6 646cd2e43835927c 112846fde70 fffffffdbb52d30c 2 9fd93ca4be0a6d83 2',
  '6ac21020 10aa5f6bd3a273 1 1 f9afa11883e58dfa 5 0 4',
  'ea42f820 356eedb0f3cba25c 443a339b4b63055f 4b95d96de7b82711 9a56cb8527ef08d6 c 1 0',
  '6aa27420 5b76a91544dd89df 39c33fd4990b89c8 4a7de9dc ffffffffffffff38 6 990b89c8 8',
  '6a625420 afca3146d5b23357 bf6c4903ffca7685 0 ef6151606ceb4b06 3 ffca7685 8',
  '9a020020 1 19cf971c8ea033ca 19f5e34f161661a1 8000000000000000 2 33c57a6ba4b6956c 2',
  '1a020020 2071b425c856f4bf deccecad2874cd21 27462894 cddda59f54a15c28 a 4fbaf5b6 a',
  '3a020020 fffffffffed5656d 2ed928ea73d50d0 5b3797c7902b4720 80c407290405c019 a 376897f1 3',
  'ba020020 1267fa75e8015c 3031edc1bcb0aba5 90d7eb3adba321a2 604d44cad248f4 8 c109d8fc9853cd47 8',
  '5a020020 934aec5b16fc8c5b 7fffffffffffffff 215fa2fa7511873a 2894a43 f 8aee78c5 f',
  'da020020 ffffffffffffe5ec de6df2 1 ee25376251e333c6 b de6df1 b',
  'fa020020 ffa24c8a2cadd779 5176ef101e01821a e23fa832f005966e ffffffffffffffe2 4 6f3746dd2dfbebab 0',
  '7a020020 1b55b75e1a7a11a1 6086f5d479b9738a 43a8c1b1284743be cccfddc6d997c9dd b 51722fcc 2',
  '3a428020 171c710bfe9d3339 b8de192204b6ff3f fb4cb32fc805d2db 2303ca6413a38f23 0 171c710bfe9d3339 0',
  '3a427020 ffe468721a10b255 fffffffff859f165 d839593a90d27615 559efb52d452fa2 a ffe468721a10b255 a',
  'ba42d820 6634573976b32b50 d085431f6408936 fa5ef3b7a12835c3 e2cdbb75e1c50524 4 6634573976b32b50 0',
  'ba421820 b992abf171734d 40754da0d1e61140 bb34b925ae11ea8d 5a615e524401b68 e b992abf171734d 0',
  '7a422020 2c77904d11b5b132 e0cdde9138e5b0de 3 cf89a3cf85f7f8d7 1 2c77904d11b5b132 0',
  'fa427020 9c3f83cfe48ce86c 45648b365e0ec1 ffffffffffffffad 96845800ad0e8e82 d 9c3f83cfe48ce86c 0',
  '7a424820 fffffffffff1b29e 6617b501864c761a fc8e9816de05b5d0 a1008d0ea483be9e 6 fffffffffff1b29e 0',
  '7a420820 f9212bbd568a5756 3e27de6578888e90 4a7a4b02605b5b6f 7c17d0e347758f26 e f9212bbd568a5756 2',
  '9a82e020 623dc3dc9283f11f c65a587327dba5f9 71dd58a183ebad65 26563d7aded8bd46 e c65a587327dba5f9 e',
  '1a82f020 52bc6efb3307 ffffd1c1d28d6666 2454f6f8ebfedc1d 78e9b44f826e1c9f 1 d28d6666 1',
  '1a82d420 a16a1859ae486449 10b81978617506d fc0272caf9361707 cb23bf7f254c2239 c 8617506d c',
  '9a824420 4199034d5fe2e515 5043189059712638 174f7f51ec014363 73cc8ca8a9664d04 7 174f7f51ec014364 7',
  '5a82e020 90e27d6b36a12b4c 8000000000000000 ffffffffffffb526 ffffffffffb4bddb 1 0 1',
  'da820020 8000000000000000 946dba07468439b1 0 59e10d0f705af4cf e 946dba07468439b1 e',
  '5a826420 fffffffffff8900e fff8018d88405fac b57c71fe533627bf 8ffdd7bc9443ea19 9 88405fac 9',
  'da82e420 3802fa658e835182 a8ce3bbf98846003 14acff9ca0 ffffffffffffffff 3 a8ce3bbf98846003 3',
  '5ac00020 d0138229aa88b242 ffffffffd140f1ac d3b0d93eda78d3d5 603b73c1c629c8e0 a 358f028b a',
  '5ac00020 d9f57e59b1f2cd86 7d14bb35a43faf8c 1cb5c52c2612f3a4 e3228217df674f47 0 31f5fc25 0',
  '5ac00420 2ee4d7ed373c91c1 8b60cafdd5db5fa2 b1b26c777ba2bf49 c54cdbdf98d58c44 a dbd5a25f a',
  '5ac00420 bdb43f0970f54643 aada4b2894586417 ffffed008a8ee985 dca99bc515f8c98d 9 58941764 9',
  '5ac00820 7fffffff 11e8de0c8f002 f7c1166074a2e026 4c7be64826ed3c31 4 2f0c8e0 4',
  '5ac00820 1c0 fffffffffffffec0 5597199a62245bc8 8b01b2e016e0658e 6 c0feffff 6',
  'dac00820 0 dc80f838b374a6 9fb604daba8002cc 1 d f880dc00a674b338 d',
  'dac00820 d59bf3e0d7136473 bb4c500718d9bc81 aa8c6a61dfcb69a1 c3a34901fae4b440 6 7504cbb81bcd918 6',
  '5ac01020 90b3676277b470ed 3b0d699 8000000000000000 781747278e8e049e 0 6 0',
  '5ac01020 e7c5d653fcfc8254 756952a9b8b7fbd7 665 fffffffffffff26c 6 0 6',
  '5ac01420 f3c569da813ed205 fe9600a4612ce87e fed126c99b05126d d5423f32c622f 5 0 5',
  '5ac01420 9566d68db95d7b96 f39cd d9f1444ade77e236 5790e0eb3a39008d 9 b 9',
  '1ac20820 e4bdb86925a68791 a00c0139254d14ac ffffffffffffffff 4a e 0 e',
  '1ac20820 6c84 3e0897ccb2d13734 23e730c77a09f538 929bc23db15efd33 f 1 f',
  '1ac20c20 ffffff334f80fc56 7fffffffffffffff 9c62809942491281 62c627e361788b3e 1 0 1',
  '1ac20c20 18c54f44949f6d92 ed4277bbd51d8a41 b4ba8e284a806e77 ffffffffffffffff d 0 d',
  '1ac22020 9a467bb8f31b7520 79ad1b3283adfcb7 fffffffc6a599f9b 45666a338c298a43 3 b8000000 3',
  '1ac22020 3c5762b8900 ffffffff80b838c9 ba8946b2d9b6bc3d 7bb112f464187e63 9 20000000 9',
  '1ac22420 82a652ec578524b1 80000000 8de7505b9a6c760d 35d34aa3cc6798e0 d 40000 d',
  '1ac22420 1 4014299861ce2a6b fc846982cccddbbd ffffffff 0 3 0',
  '1ac22820 8f435a7265a066f4 6df3a8ab043e5fd8 ffff9eda5f438c84 ffffffffffffcbe1 d 43e5fd d',
  '1ac22820 b57c46218ab7675d b28d013347c664a6 1b74b0a62166f4d6 1 9 11f 9',
  '1ac22c20 c7bea2f26ffd8b42 0 ffffffffffeec0c1 46912 d 0 d',
  '1ac22c20 80000000 5396339c295ad4ae 72b573d545 9828cca4b63d833a 7 714ad6a5 7',
  '1ac24020 a2a28a168fe64f26 ab0d560138770ae dce55c0a9be0d0b8 8c3e3a4325b980f8 b f4c73221 b',
  '1ac24020 5b9f4912e51759cc 308535a2501ea8b 1b1fe72f18b4ee92 d3d6 c 644ea92a c',
  '1ac24420 4bf2 3b1f9e32d3eef19e 80000000 ce859f1fd1ae742c 9 2578b6f0 9',
  '1ac24420 38785cd24fa2a143 2a28018b6937e467 ffffffd9d71fb981 641e7961cd7393f8 e 1dfe1014 e',
  '1ac24820 3a5033d3b963f506 d3c4c3133f765ec0 c32df905fda18763 a9ff612dfe869bc0 f 66954810 f',
  '1ac24820 5e7be4c77e81a376 3 8f20abdfd13bd8b2 76a9e6fc04be3b27 a eb32400d a',
  '9ac24c20 ffffffffbe894693 1cba263057fd4bce 35c15e71dfe15fb6 89b775698456ba64 9 2855ed24 9',
  '9ac24c20 cf658bc7bdb7cde9 c0c29f83f564755a f876209bb0ce8b89 c7b4e0892f18463b 4 c4851d1 4',
  '1ac25020 e08d3b0d4587b87b 2bd5065268f7386d ffffffffffcf590b ddff487baaf67263 e 470f83b2 e',
  '1ac25020 472ceb0193d862c7 69032551b88d538 9344400173c9d9c3 60b121f7d57395b0 2 6afc4c9b 2',
  '1ac25420 2543d6bdad1f7797 737d2bc8168 fffffbc76452a114 583d69b1546d55b4 9 4c7a2a81 9',
  '1ac25420 767eee28dcccc555 a696cc2b9d61e7e2 feabb877bd068805 b4bb9c48216d05f1 8 3ee7249d 8',
  '1ac25820 fffffcd58969bd10 2a05618 5 781911ae1fb36bb8 a ba422bd8 a',
  '1ac25820 7fffffffffffffff 269e329df971bd9b ffffffffff11831a 0 7 51deef25 7',
  '9ac25c20 badf7cd7fdf378d5 d610deb47 47b68a124 ef95fbb34c95cb82 0 bfa81f9a 0',
  '9ac25c20 8db6a0fd 0 2dcdf296e0701079 5456b375c5321f49 4 bbbade23 4',
  '1b020c20 9ee09c89234ebc11 601d6a76672a573f 43fbc42a54ad 2a182495ffd8e9d0 1 286c8b63 1',
  '1b020c20 ba080d36ce7c8cc1 c40dcd3cc8e40ec9 37d0adb26eb96ca1 c0bcb16a84aa9e62 1 1f95b6cb 1',
  '1b028c20 649d66eaca84c2 56847ea3f35e336b ffffffffff2fb114 1 e d57200a5 e',
  '1b028c20 11956f5533b81d6 27485beaaa94b3f0 16819284bee19ce f794d267d6d895eb 9 747d5acb 9',
  '9b220c20 66ce86a7755d88ea ffffffd2509999d2 f8cf1d5377cb6cc1 80000000 2 25b7728ba8378f52 2',
  '9b220c20 cf6427413a087267 95edf6a14c01a49d 1d67667bc4a7ab4f 80000000 c ee61655aa3e1ab73 c',
  '9b228c20 480847b65f2a5ee a98b1f8c8525ac91 fffffffffffffff8 4698d13fcb5cf360 8 4698d13bf48a57e8 8',
  '9b228c20 5ae6008dc40a5336 8000000000000000 f3f83783540d8de7 9daacdfb46ac31d1 a 9daacdfb46ac31d1 a',
  '9b420c20 fff5146c75d43e5c 1 8000000000000000 8000000000000000 7 ffffffffffffffff 7',
  '9b420c20 ffffffffffffff6b 0 2d743986e2d13824 4eed85a935438a25 6 0 6',
  '9ba20c20 64dcfc9c92af265b dcb0973804a9f273 c9cd521a124a587d 9b0485537e72f004 d 9b59d31c5c03da2b d',
  '9ba20c20 fd0550c8b4931386 54972ebc995e359c 90313a68a70c44f6 d9a59b89302272e d 71ae286c41171b16 d',
  '9ba28c20 19e0a3 e684584fdc3c5fa9 7e9cff02cee5383c d4cb72a2e972924d 0 22cdab4686322eb1 0',
  '9ba28c20 e3afd52f384d0cea ffffffc9c976e47a 599123c9c0ef9a9d e6ddbc2d7a5ea4a1 4 4f080125991d21cf 4',
  '9bc20c20 8000000000000000 fffffff9ccd45dcc f4a7e1db1b0c3735 8000000000000000 9 f4a7e1d52e35c6dc 9',
  '9bc20c20 1264fb73ac5b332 8000000000000000 d6a548148b590f27 d79115a951ada8 0 6b52a40a45ac8793 0',
];

describe('data processing against recorded qemu-aarch64 results', () => {
  it(`${QEMU_VECTORS.length} random encodings give the same X0 and NZCV`, () => {
    const m = new Machine();
    const cpu = m.cpu;
    cpu.firmware = {
      el2Exception: (c) => c.halt('el2'),
      hlt: (c) => (c.halt('done', 0), true),
    };
    const code = new Uint8Array(8);
    const dv = new DataView(code.buffer);
    dv.setUint32(4, 0xd4400020, true); // hlt #1
    for (const line of QEMU_VECTORS) {
      const f = line.split(' ');
      cpu.reset();
      dv.setUint32(0, parseInt(f[0], 16), true);
      m.bus.load(CODE_BASE, code);
      cpu.invalidateAllCode();
      for (let r = 0; r < 4; r++) cpu.writeX(r, BigInt('0x' + f[1 + r]));
      cpu.nzcv = parseInt(f[5], 16);
      cpu.pc = BigInt(CODE_BASE);
      cpu.run(4);
      expect(cpu.haltReason, line).toBe('done');
      expect(`${cpu.readX(0).toString(16)} ${cpu.nzcv.toString(16)}`, line).toBe(`${f[6]} ${f[7]}`);
    }
  });
});
