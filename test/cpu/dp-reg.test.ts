// Data processing -- register (ARM ARM C4.1.88), run through keystone on a fresh machine.
import { describe, it, expect } from 'vitest';
import { runAsm, X, CODE_BASE } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';

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
