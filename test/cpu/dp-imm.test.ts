// Data processing -- immediate (ARM ARM C4.1.86), run through keystone on a fresh machine.
import { describe, it, expect } from 'vitest';
import { runAsm, X, CODE_BASE } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const M64 = (1n << 64n) - 1n;
const N = 8, Z = 4, C = 2, V = 1;

async function run(src: string, x: Record<number, bigint> = {}, nzcv?: number): Promise<Cpu> {
  const m = await runAsm(`${src}\nhlt #1`, { x, nzcv });
  expect(m.cpu.haltReason).toBe('done');
  return m.cpu;
}

/** Runs raw words and expects an Undefined exception (EC 0) at the first one. */
async function expectUndef(word: number): Promise<void> {
  const m = await runAsm(`.long 0x${(word >>> 0).toString(16)}\n.balign 0x800\n.space 0x200\nhlt #1`, {
    setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
  });
  // ESR_EL1.EC = 0 (unknown reason), IL = 1; ELR_EL1 = the unallocated instruction.
  expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
  expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(BigInt(CODE_BASE));
  expect(m.cpu.pc).toBe(BigInt(CODE_BASE + 0xa04));
}

describe('ADD/ADDS/SUB/SUBS (immediate): AddWithCarry flags (C6.2.4, C6.2.8, C6.2.357, C6.2.363)', () => {
  it('ADDS X: carry out of bit 63 and signed overflow', async () => {
    let c = await run('adds x0, x1, #1', { 1: M64 });
    expect(X(c, 0)).toBe(0n);
    expect(c.nzcv).toBe(Z | C);
    c = await run('adds x0, x1, #1', { 1: (1n << 63n) - 1n });
    expect(X(c, 0)).toBe(1n << 63n);
    expect(c.nzcv).toBe(N | V);
    c = await run('adds x0, x1, #0xfff, lsl #12', { 1: 0x100000000n });
    expect(X(c, 0)).toBe(0x100fff000n);
    expect(c.nzcv).toBe(0);
  });
  it('ADDS W: carry and overflow at bit 31, upper half ignored and zeroed', async () => {
    let c = await run('adds w0, w1, #1', { 1: 0x5_ffff_ffffn });
    expect(X(c, 0)).toBe(0n);
    expect(c.nzcv).toBe(Z | C);
    c = await run('adds w0, w1, #1', { 1: 0x1_7fff_ffffn });
    expect(X(c, 0)).toBe(0x8000_0000n);
    expect(c.nzcv).toBe(N | V);
  });
  it('SUBS X: borrow clears C; INT64_MIN - 1 overflows', async () => {
    let c = await run('subs x0, x1, #1', { 1: 0n });
    expect(X(c, 0)).toBe(M64);
    expect(c.nzcv).toBe(N);
    c = await run('subs x0, x1, #1', { 1: 1n << 63n });
    expect(X(c, 0)).toBe((1n << 63n) - 1n);
    expect(c.nzcv).toBe(C | V);
    c = await run('subs x0, x1, #5', { 1: 5n });
    expect(c.nzcv).toBe(Z | C);
  });
  it('SUBS W: INT32_MIN - 1 overflows, borrow at bit 31', async () => {
    let c = await run('subs w0, w1, #1', { 1: 0xffff_ffff_8000_0000n });
    expect(X(c, 0)).toBe(0x7fff_ffffn);
    expect(c.nzcv).toBe(C | V);
    c = await run('subs w0, w1, #2', { 1: 0x1_0000_0001n });
    expect(X(c, 0)).toBe(0xffff_ffffn);
    expect(c.nzcv).toBe(N);
  });
  it('ADD/SUB X and W without flags; LSL #12; W results zero the upper half', async () => {
    const c = await run(
      'add x0, x1, #1\nsub x2, x1, #0x10, lsl #12\nadd w3, w1, #1\nsub w4, w5, #1',
      { 1: 0xffff_ffffn, 5: 0xaaaa_0000_0000n },
      N | Z | C | V,
    );
    expect(X(c, 0)).toBe(0x1_0000_0000n);
    expect(X(c, 2)).toBe(0xffff_ffffn - 0x10000n);
    expect(X(c, 3)).toBe(0n);
    expect(X(c, 4)).toBe(0xffff_ffffn);
    expect(c.nzcv).toBe(N | Z | C | V); // the non-S forms leave PSTATE alone
  });
  it('Rd and Rn 31 are SP for ADD/SUB; for ADDS/SUBS Rd 31 is XZR (CMP SP, #imm)', async () => {
    const c = await run('add sp, x1, #16\nmov x2, sp\nsub x3, sp, #1\ncmp sp, #0x20\nadd w4, wsp, #1', {
      1: 0x10n,
    });
    expect(X(c, 31)).toBe(0x20n);
    expect(X(c, 2)).toBe(0x20n);
    expect(X(c, 3)).toBe(0x1fn);
    expect(c.nzcv).toBe(Z | C); // SUBS XZR, SP, #0x20: the result is discarded, SP unchanged
    expect(X(c, 4)).toBe(0x21n);
  });
  it('ADD WSP writes the 32-bit result zero-extended into SP', async () => {
    const c = await run('add wsp, w1, #0', { 1: 0xffff_0000_1234_5678n });
    expect(X(c, 31)).toBe(0x1234_5678n);
  });
});

describe('logical (immediate): DecodeBitMasks (C6.2.12, C6.2.14, C6.2.106, C6.2.222)', () => {
  it('AND/ORR/EOR X with repeating, rotated and 32-bit replicated patterns', async () => {
    const c = await run(
      'and x0, x1, #0x5555555555555555\norr x2, xzr, #0x8787878787878787\n' +
        'eor x3, x1, #0xf000000ff000000f\nmov x4, #0xffff0000ffff0000\norr x5, x1, #0x1',
      { 1: 0x0123_4567_89ab_cdefn },
    );
    expect(X(c, 0)).toBe(0x0123_4567_89ab_cdefn & 0x5555555555555555n);
    expect(X(c, 2)).toBe(0x8787878787878787n);
    expect(X(c, 3)).toBe(0x0123_4567_89ab_cdefn ^ 0xf000000ff000000fn);
    expect(X(c, 4)).toBe(0xffff0000ffff0000n);
    expect(X(c, 5)).toBe(0x0123_4567_89ab_cdefn);
  });
  it('W forms use 32-bit elements and zero the upper half', async () => {
    const c = await run('eor w0, w1, #0x0f0f0f0f\norr w2, wzr, #0x80000001\nand w3, w1, #0xfffffffe', {
      1: 0xffff_ffff_1234_5678n,
    });
    expect(X(c, 0)).toBe(0x1234_5678n ^ 0x0f0f0f0fn);
    expect(X(c, 2)).toBe(0x8000_0001n);
    expect(X(c, 3)).toBe(0x1234_5678n);
  });
  it('ANDS sets N and Z and clears C and V; Rd 31 is XZR (TST)', async () => {
    let c = await run('ands x0, x1, #0x8000000000000000', { 1: M64 }, C | V);
    expect(X(c, 0)).toBe(1n << 63n);
    expect(c.nzcv).toBe(N);
    c = await run('tst w1, #0x80000000', { 1: 0x7fff_ffffn }, N | C | V);
    expect(c.nzcv).toBe(Z);
    c = await run('ands w0, w1, #0x80000000', { 1: M64 });
    expect(X(c, 0)).toBe(0x8000_0000n);
    expect(c.nzcv).toBe(N);
  });
  it('AND/ORR/EOR write SP when Rd is 31', async () => {
    const c = await run('and sp, x1, #0xfffffffffffffff0\nmov x2, sp', { 1: 0x1234_5677n });
    expect(X(c, 31)).toBe(0x1234_5670n);
    expect(X(c, 2)).toBe(0x1234_5670n);
  });
  it('N=1 with sf=0 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x12400020); // AND W0, W1, #<N=1, immr=0, imms=0>
  });
  it('an all-ones element (imms = 111111 with N=1) is reserved: UNDEFINED', async () => {
    await expectUndef(0x92400000 | (0x3f << 10) | 0x20); // AND X0, X1, N=1, imms=63
  });
});

describe('move wide (C6.2.190 MOVN, C6.2.191 MOVZ, C6.2.192 MOVK)', () => {
  it('MOVZ/MOVN/MOVK in every halfword, X and W', async () => {
    const c = await run(
      'movz x0, #0x1234, lsl #48\nmovn x1, #0\nmovn w2, #0x1234, lsl #16\nmovk x3, #0xbeef, lsl #32\n' +
        'movk w4, #0xcafe, lsl #16\nmovn x5, #0x8000, lsl #32\nmovz w6, #0xffff, lsl #16\nmovk x7, #0x1\n' +
        'movk x8, #0x2, lsl #48',
      { 3: M64, 4: 0xffff_ffff_0000_1111n, 7: M64, 8: 0n },
    );
    expect(X(c, 0)).toBe(0x1234_0000_0000_0000n);
    expect(X(c, 1)).toBe(M64);
    expect(X(c, 2)).toBe(0xedcb_ffffn);
    expect(X(c, 3)).toBe(0xffff_beef_ffff_ffffn);
    expect(X(c, 4)).toBe(0xcafe_1111n);
    expect(X(c, 5)).toBe(0xffff_7fff_ffff_ffffn);
    expect(X(c, 6)).toBe(0xffff_0000n);
    expect(X(c, 7)).toBe(0xffff_ffff_ffff_0001n);
    expect(X(c, 8)).toBe(0x0002_0000_0000_0000n);
  });
  it('hw > 1 with sf=0 is unallocated: UNDEFINED', async () => {
    await expectUndef(0x52c00000); // MOVZ W0, #0, LSL #32
  });
});

describe('bitfield (C6.2.30 BFM, C6.2.265 SBFM, C6.2.383 UBFM) and their aliases', () => {
  const v = 0x8123_4567_89ab_cdefn;
  it('LSL/LSR/ASR (immediate) X by 0, 1, 31, 32, 63', async () => {
    const c = await run(
      'lsl x0, x1, #0\nlsl x2, x1, #31\nlsl x3, x1, #32\nlsl x4, x1, #63\n' +
        'lsr x5, x1, #1\nlsr x6, x1, #32\nlsr x7, x1, #63\nasr x8, x1, #31\nasr x9, x1, #32\nasr x10, x1, #63\n' +
        'asr x11, x12, #63\nlsr x13, x1, #0\nasr x14, x1, #0',
      { 1: v, 12: 0x7fff_ffff_ffff_ffffn },
    );
    const s = BigInt.asIntN(64, v);
    expect(X(c, 0)).toBe(v);
    expect(X(c, 2)).toBe((v << 31n) & M64);
    expect(X(c, 3)).toBe((v << 32n) & M64);
    expect(X(c, 4)).toBe(1n << 63n);
    expect(X(c, 5)).toBe(v >> 1n);
    expect(X(c, 6)).toBe(v >> 32n);
    expect(X(c, 7)).toBe(1n);
    expect(X(c, 8)).toBe((s >> 31n) & M64);
    expect(X(c, 9)).toBe((s >> 32n) & M64);
    expect(X(c, 10)).toBe(M64);
    expect(X(c, 11)).toBe(0n);
    expect(X(c, 13)).toBe(v);
    expect(X(c, 14)).toBe(v);
  });
  it('LSL/LSR/ASR (immediate) W by 0, 1, 31', async () => {
    const c = await run('lsl w0, w1, #31\nlsr w2, w1, #31\nasr w3, w1, #31\nasr w4, w1, #1\nlsl w5, w1, #0', {
      1: 0xffff_ffff_8000_0003n,
    });
    expect(X(c, 0)).toBe(0x8000_0000n);
    expect(X(c, 2)).toBe(1n);
    expect(X(c, 3)).toBe(0xffff_ffffn);
    expect(X(c, 4)).toBe(0xc000_0001n);
    expect(X(c, 5)).toBe(0x8000_0003n);
  });
  it('SXTB/SXTH/SXTW and UXTB/UXTH sign/zero extension', async () => {
    const c = await run(
      'sxtb x0, w1\nsxth x2, w1\nsxtw x3, w1\nuxtb w4, w1\nuxth w5, w1\nsxtb w6, w1\nsxth w7, w1\nsxtw x8, w9',
      { 1: 0x1234_5678_8000_8080n, 9: 0x7fff_ffffn },
    );
    expect(X(c, 0)).toBe(0xffff_ffff_ffff_ff80n);
    expect(X(c, 2)).toBe(0xffff_ffff_ffff_8080n);
    expect(X(c, 3)).toBe(0xffff_ffff_8000_8080n);
    expect(X(c, 4)).toBe(0x80n);
    expect(X(c, 5)).toBe(0x8080n);
    expect(X(c, 6)).toBe(0xffff_ff80n);
    expect(X(c, 7)).toBe(0xffff_8080n);
    expect(X(c, 8)).toBe(0x7fff_ffffn);
  });
  it('UBFX/SBFX/UBFIZ/SBFIZ, including fields that straddle bit 32', async () => {
    const c = await run(
      'ubfx x0, x1, #28, #8\nsbfx x2, x1, #28, #8\nubfiz x3, x1, #60, #4\nsbfiz x4, x1, #30, #4\n' +
        'sbfx x5, x1, #63, #1\nubfx w6, w1, #4, #8\nsbfx w7, w1, #4, #8\nsbfiz w8, w1, #28, #4\nubfx x9, x1, #0, #64',
      { 1: 0x0000_000f_8fff_fff0n },
    );
    expect(X(c, 0)).toBe(0xf8n);
    expect(X(c, 2)).toBe(0xffff_ffff_ffff_fff8n);
    expect(X(c, 3)).toBe(0x0n); // field <3:0> = 0 placed at bit 60
    expect(X(c, 4)).toBe(0n); // field <3:0> = 0
    expect(X(c, 5)).toBe(0n);
    expect(X(c, 6)).toBe(0xffn);
    expect(X(c, 7)).toBe(0xffff_ffffn);
    expect(X(c, 8)).toBe(0n);
    expect(X(c, 9)).toBe(0x0000_000f_8fff_fff0n);
    const d = await run('ubfiz x0, x1, #60, #4\nsbfiz x2, x1, #30, #4\nsbfiz w3, w1, #28, #4\nsbfx x4, x5, #63, #1', {
      1: 0xabn,
      5: 1n << 63n,
    });
    expect(X(d, 0)).toBe(0xb000_0000_0000_0000n);
    expect(X(d, 2)).toBe(0xffff_fffe_c000_0000n); // 0xb sign-extended from bit 3, shifted by 30
    expect(X(d, 3)).toBe(0xb000_0000n);
    expect(X(d, 4)).toBe(M64);
  });
  it('BFI/BFXIL insert into the destination, keeping the other bits', async () => {
    const c = await run('bfi x0, x1, #28, #8\nbfxil x2, x1, #4, #40\nbfi w3, w1, #24, #8\nbfxil w4, w1, #0, #4', {
      0: M64,
      1: 0x0123_4567_89ab_cdefn,
      2: 0n,
      3: 0xffff_ffff_0000_0000n,
      4: 0xffff_ffffn,
    });
    expect(X(c, 0)).toBe(0xffff_fffe_ffff_ffffn); // 0xef placed at bits 35:28
    expect(X(c, 2)).toBe((0x0123_4567_89ab_cdefn >> 4n) & ((1n << 40n) - 1n));
    expect(X(c, 3)).toBe(0xef00_0000n); // W form zeroes the upper half
    expect(X(c, 4)).toBe(0xffff_ffffn); // low nibble 0xf
  });
  it('N != sf is unallocated: UNDEFINED', async () => {
    await expectUndef(0x13400000 | 0x20); // SBFM W0, W1 with N=1
  });
});

describe('EXTR (C6.2.90) and ROR (immediate)', () => {
  it('X by 0, 12, 32, 63 and W by 0, 8, 31', async () => {
    const a = 0x0123_4567_89ab_cdefn;
    const b = 0xfedc_ba98_7654_3210n;
    const c = await run(
      'extr x0, x1, x2, #0\nextr x3, x1, x2, #12\nextr x4, x1, x2, #32\nextr x5, x1, x2, #63\n' +
        'ror x6, x1, #36\nextr w7, w1, w2, #0\nror w8, w1, #8\nextr w9, w1, w2, #31',
      { 1: a, 2: b },
    );
    const cat = (a << 64n) | b;
    expect(X(c, 0)).toBe(b);
    expect(X(c, 3)).toBe((cat >> 12n) & M64);
    expect(X(c, 4)).toBe((cat >> 32n) & M64);
    expect(X(c, 5)).toBe((cat >> 63n) & M64);
    expect(X(c, 6)).toBe(((a >> 36n) | (a << 28n)) & M64);
    expect(X(c, 7)).toBe(0x7654_3210n);
    expect(X(c, 8)).toBe(0xef89_abcdn);
    expect(X(c, 9)).toBe(((0x89ab_cdefn << 1n) | (0x7654_3210n >> 31n)) & 0xffff_ffffn);
  });
});

describe('ADR/ADRP (C6.2.10, C6.2.11): PC-relative', () => {
  it('ADR forwards and backwards from the middle of straight-line code', async () => {
    const c = await run('back: nop\nnop\nadr x0, fwd\nadr x1, back\nadd x2, x2, #1\nfwd: nop');
    expect(X(c, 0)).toBe(BigInt(CODE_BASE + 20));
    expect(X(c, 1)).toBe(BigInt(CODE_BASE));
    expect(X(c, 2)).toBe(1n); // the instruction after ADR still runs
  });
  it('ADRP: the 4 KiB page of the PC plus imm * 4096, both signs', async () => {
    // Raw encodings: ADRP X0, #+0x3000 ; ADRP X1, #-0x1000 (from 0x40000004) ; ADRP X2, #0
    const enc = (rd: number, imm: number): number => {
      const u = imm & 0x1fffff;
      return (0x90000000 | ((u & 3) << 29) | ((u >> 2) << 5) | rd) >>> 0;
    };
    const c = await run(`nop\n.long 0x${enc(0, 3).toString(16)}\n.long 0x${enc(1, -1).toString(16)}\n.long 0x${enc(2, 0).toString(16)}`);
    expect(X(c, 0)).toBe(BigInt(CODE_BASE + 0x3000));
    expect(X(c, 1)).toBe(BigInt(CODE_BASE - 0x1000));
    expect(X(c, 2)).toBe(BigInt(CODE_BASE));
  });
  it('ADRP with the largest negative offset wraps below zero in 64 bits', async () => {
    // imm = -2^20 pages = -4 GiB from page 0x40000000.
    const w = (0x90000000 | (1 << 23)) >>> 0; // immhi<18> set, all else zero: imm = -(1 << 20)
    const c = await run(`.long 0x${w.toString(16)}`);
    expect(X(c, 0)).toBe((BigInt(CODE_BASE) - (1n << 32n)) & M64);
  });
});
