// Loads and stores of general-purpose registers (ARM ARM C4.1.89, C6.2 LDR/STR/LDP/STP...).
// Registers are preset through the harness and checked from JS, so these tests rely on no other
// instruction group than ADD/SUB immediate and HLT.
import { describe, it, expect } from 'vitest';
import { runAsm, X } from '../helpers.js';
import type { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { Insn } from '../../src/cpu/decode.js';
import { execUndefined } from '../../src/cpu/cpu.js';
import { issFor } from '../../src/cpu/isa/ldst.js';

const DATA = 0x4010_0000n;
const M64 = (1n << 64n) - 1n;
const hex = (v: number): string => `.long 0x${(v >>> 0).toString(16)}`;

function poke(m: Machine, addr: bigint, v: bigint, len: number): void {
  const b = new Uint8Array(len);
  for (let k = 0; k < len; k++) b[k] = Number((v >> BigInt(8 * k)) & 0xffn);
  m.bus.load(Number(addr), b);
}
function peek(m: Machine, addr: bigint, len: number): bigint {
  const b = m.bus.readBytes(Number(addr), len);
  let v = 0n;
  for (let k = len - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
  return v;
}
/** Run with memory preset: mem is a list of [address, value, length]. */
async function run(src: string, x: Record<number, bigint>, mem: [bigint, bigint, number][] = [], vbar = false): Promise<Machine> {
  return runAsm(src, {
    x,
    setup: (m) => {
      for (const [a, v, l] of mem) poke(m, a, v, l);
      if (vbar) m.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
    },
  });
}
/** A snippet followed by the exception vectors: a synchronous exception at EL1h stops at +0x200. */
const withVectors = (body: string): string => `${body}\nhlt #1\n.balign 0x800\n.space 0x200\nhlt #1`;
const VEC_HIT = 0x4000_0a04n; // PC after the HLT at VBAR_EL1 + 0x200

describe('LDR/STR immediate, unsigned offset (scaled imm12)', () => {
  it('loads each size with the offset scaled by the size; W/B/H loads zero the upper bits', async () => {
    const v = 0x8877_6655_4433_2211n;
    const m = await run(
      'ldrb w1, [x0, #3]\nldrh w2, [x0, #6]\nldr w3, [x0, #12]\nldr x4, [x0, #24]\nhlt #1',
      { 0: DATA, 1: M64, 2: M64, 3: M64, 4: 0n },
      [[DATA, 0x44332211n, 4], [DATA + 4n, 0x88776655n, 4], [DATA + 8n, 0xdeadbeef_cafef00dn, 8], [DATA + 24n, v, 8]],
    );
    expect(X(m.cpu, 1)).toBe(0x44n);
    expect(X(m.cpu, 2)).toBe(0x8877n);
    expect(X(m.cpu, 3)).toBe(0xdeadbeefn);
    expect(X(m.cpu, 4)).toBe(v);
  });
  it('the largest offset: imm12 = 4095 scaled by 8', async () => {
    const m = await run('ldr x1, [x0, #32760]\nhlt #1', { 0: DATA }, [[DATA + 32760n, 0x1234_5678_9abc_def0n, 8]]);
    expect(X(m.cpu, 1)).toBe(0x1234_5678_9abc_def0n);
  });
  it('stores write exactly the access size', async () => {
    const m = await run(
      'strb w1, [x0, #1]\nstrh w1, [x0, #4]\nstr w1, [x0, #8]\nstr x1, [x0, #16]\nhlt #1',
      { 0: DATA, 1: 0x1122_3344_5566_7788n },
      [[DATA, M64, 8], [DATA + 8n, M64, 8], [DATA + 16n, 0n, 8], [DATA + 24n, M64, 8]],
    );
    expect(peek(m, DATA, 8)).toBe(0xffff_7788_ffff_88ffn);
    expect(peek(m, DATA + 8n, 8)).toBe(0xffff_ffff_5566_7788n);
    expect(peek(m, DATA + 16n, 8)).toBe(0x1122_3344_5566_7788n);
    expect(peek(m, DATA + 24n, 8)).toBe(M64); // nothing beyond the access
  });
  it('XZR/WZR as the source stores zero (Rt=31 is ZR, not SP)', async () => {
    const m = await run('str xzr, [x0]\nstrb wzr, [x0, #8]\nhlt #1', { 0: DATA, 31: 0x4020_0000n }, [
      [DATA, M64, 8],
      [DATA + 8n, M64, 8],
    ]);
    expect(peek(m, DATA, 8)).toBe(0n);
    expect(peek(m, DATA + 8n, 8)).toBe(0xffff_ffff_ffff_ff00n);
  });
  it('a load into XZR is discarded and does not touch SP', async () => {
    const m = await run('ldr xzr, [x0]\nhlt #1', { 0: DATA, 31: 0x4020_0000n }, [[DATA, 0x55n, 8]]);
    expect(X(m.cpu, 31)).toBe(0x4020_0000n);
    expect(m.cpu.readX(31)).toBe(0n);
  });
  it('SP as the base register', async () => {
    const m = await run('str x1, [sp, #8]\nldr w2, [sp, #8]\nhlt #1', { 1: 0xaabb_ccdd_0011_2233n, 31: DATA + 0x100n });
    expect(peek(m, DATA + 0x108n, 8)).toBe(0xaabb_ccdd_0011_2233n);
    expect(X(m.cpu, 2)).toBe(0x0011_2233n);
  });
});

describe('sign-extending loads (LDRSB/LDRSH/LDRSW)', () => {
  const mem: [bigint, bigint, number][] = [[DATA, 0x8000_7f80n, 4], [DATA + 4n, 0x7fff_0001n, 4], [DATA + 8n, 0x8000_0000n, 4], [DATA + 12n, 0x7fff_ffffn, 4]];
  it('X forms extend to 64 bits; W forms extend to 32 and zero bits 63:32', async () => {
    const m = await run(
      'ldrsb x1, [x0]\nldrsb w2, [x0]\nldrsb x3, [x0, #1]\nldrsh x4, [x0, #2]\nldrsh w5, [x0, #2]\nldrsh w6, [x0, #6]\nldrsw x7, [x0, #8]\nldrsw x8, [x0, #12]\nhlt #1',
      { 0: DATA, 2: M64, 5: M64, 6: M64 },
      mem,
    );
    expect(X(m.cpu, 1)).toBe(0xffff_ffff_ffff_ff80n);
    expect(X(m.cpu, 2)).toBe(0xffff_ff80n);
    expect(X(m.cpu, 3)).toBe(0x7fn);
    expect(X(m.cpu, 4)).toBe(0xffff_ffff_ffff_8000n);
    expect(X(m.cpu, 5)).toBe(0xffff_8000n);
    expect(X(m.cpu, 6)).toBe(0x7fffn);
    expect(X(m.cpu, 7)).toBe(0xffff_ffff_8000_0000n);
    expect(X(m.cpu, 8)).toBe(0x7fff_ffffn);
  });
  it('unscaled and post-index forms sign-extend too', async () => {
    const m = await run('ldursb w1, [x0, #-8]\nldrsh x2, [x9], #2\nldursw x3, [x0, #-4]\nhlt #1', { 0: DATA + 8n, 9: DATA + 2n, 1: M64 }, mem);
    expect(X(m.cpu, 1)).toBe(0xffff_ff80n);
    expect(X(m.cpu, 2)).toBe(0xffff_ffff_ffff_8000n);
    expect(X(m.cpu, 3)).toBe(0x7fff_0001n);
    expect(X(m.cpu, 9)).toBe(DATA + 4n);
  });
});

describe('unscaled, pre-index and post-index (imm9, writeback)', () => {
  it('LDUR/STUR with a negative offset, every size', async () => {
    const m = await run(
      'ldur x1, [x0, #-16]\nldur w2, [x0, #-8]\nldurh w3, [x0, #-2]\nldurb w4, [x0, #-256]\nstur x1, [x0, #8]\nsturb w1, [x0, #255]\nhlt #1',
      { 0: DATA + 0x100n },
      [[DATA + 0xf0n, 0x0102_0304_0506_0708n, 8], [DATA + 0xf8n, 0xaaaa_bbbbn, 4], [DATA + 0xfen, 0xccddn, 2], [DATA, 0x5an, 1]],
    );
    expect(X(m.cpu, 1)).toBe(0x0102_0304_0506_0708n);
    expect(X(m.cpu, 2)).toBe(0xaaaa_bbbbn);
    expect(X(m.cpu, 3)).toBe(0xccddn);
    expect(X(m.cpu, 4)).toBe(0x5an);
    expect(peek(m, DATA + 0x108n, 8)).toBe(0x0102_0304_0506_0708n);
    expect(peek(m, DATA + 0x1ffn, 1)).toBe(0x08n);
  });
  it('pre-index accesses base+imm and writes it back (each size)', async () => {
    const m = await run(
      'ldr x1, [x0, #8]!\nldr w2, [x3, #-4]!\nldrh w4, [x5, #2]!\nldrb w6, [x7, #-1]!\nstr x1, [x8, #-8]!\nhlt #1',
      { 0: DATA, 3: DATA + 8n, 5: DATA + 8n, 7: DATA + 11n, 8: DATA + 0x20n },
      [[DATA + 4n, 0x1111_2222n, 4], [DATA + 8n, 0x0807_0605_0403_0201n, 8]],
    );
    expect(X(m.cpu, 1)).toBe(0x0807_0605_0403_0201n);
    expect(X(m.cpu, 0)).toBe(DATA + 8n);
    expect(X(m.cpu, 2)).toBe(0x1111_2222n);
    expect(X(m.cpu, 3)).toBe(DATA + 4n);
    expect(X(m.cpu, 4)).toBe(0x0403n);
    expect(X(m.cpu, 5)).toBe(DATA + 10n);
    expect(X(m.cpu, 6)).toBe(0x03n);
    expect(X(m.cpu, 7)).toBe(DATA + 10n);
    expect(peek(m, DATA + 0x18n, 8)).toBe(0x0807_0605_0403_0201n);
    expect(X(m.cpu, 8)).toBe(DATA + 0x18n);
  });
  it('post-index accesses base and then adds imm (each size)', async () => {
    const m = await run(
      'ldr x1, [x0], #-8\nldr w2, [x3], #4\nldrh w4, [x5], #255\nldrb w6, [x7], #-256\nstrh w1, [x8], #2\nstr w1, [x9], #4\nhlt #1',
      { 0: DATA + 8n, 3: DATA + 4n, 5: DATA + 8n, 7: DATA + 9n, 8: DATA + 0x20n, 9: DATA + 0x30n },
      [[DATA + 4n, 0x1111_2222n, 4], [DATA + 8n, 0x0807_0605_0403_0201n, 8]],
    );
    expect(X(m.cpu, 1)).toBe(0x0807_0605_0403_0201n);
    expect(X(m.cpu, 0)).toBe(DATA);
    expect(X(m.cpu, 2)).toBe(0x1111_2222n);
    expect(X(m.cpu, 3)).toBe(DATA + 8n);
    expect(X(m.cpu, 4)).toBe(0x0201n);
    expect(X(m.cpu, 5)).toBe(DATA + 8n + 255n);
    expect(X(m.cpu, 6)).toBe(0x02n);
    expect(X(m.cpu, 7)).toBe(DATA + 9n - 256n);
    expect(peek(m, DATA + 0x20n, 4)).toBe(0x0201n);
    expect(X(m.cpu, 8)).toBe(DATA + 0x22n);
    expect(peek(m, DATA + 0x30n, 4)).toBe(0x0403_0201n);
    expect(X(m.cpu, 9)).toBe(DATA + 0x34n);
  });
  it('writeback to SP (push/pop idiom)', async () => {
    const m = await run('str x1, [sp, #-16]!\nldr x2, [sp], #16\nhlt #1', { 1: 0x1234n, 31: DATA + 0x100n });
    expect(peek(m, DATA + 0xf0n, 8)).toBe(0x1234n);
    expect(X(m.cpu, 2)).toBe(0x1234n);
    expect(X(m.cpu, 31)).toBe(DATA + 0x100n);
  });
  // CONSTRAINED UNPREDICTABLE (LDR (immediate), Unpredictable_WBOVERLAPLD): we choose
  // Constraint_WBSUPPRESS, Rt gets the loaded value and no writeback happens.
  it('load with writeback into its own base: the loaded value wins (WBSUPPRESS)', async () => {
    // ldr x2, [x2, #8]! and ldr x3, [x3], #8 (keystone refuses to assemble them)
    const pre = (0xf8400c00 | (8 << 12) | (2 << 5) | 2) >>> 0;
    const post = (0xf8400400 | (8 << 12) | (3 << 5) | 3) >>> 0;
    const m = await run(`${hex(pre)}\n${hex(post)}\nhlt #1`, { 2: DATA, 3: DATA + 0x10n }, [
      [DATA + 8n, 0xaan, 8],
      [DATA + 0x10n, 0xbbn, 8],
    ]);
    expect(X(m.cpu, 2)).toBe(0xaan);
    expect(X(m.cpu, 3)).toBe(0xbbn);
  });
  // STR (immediate), Unpredictable_WBOVERLAPST: we choose Constraint_NONE (the original Rt is stored).
  it('store with writeback of its own base stores the value before the writeback', async () => {
    const pre = (0xf8000c00 | (8 << 12) | (2 << 5) | 2) >>> 0; // str x2, [x2, #8]!
    const m = await run(`${hex(pre)}\nhlt #1`, { 2: DATA });
    expect(peek(m, DATA + 8n, 8)).toBe(DATA);
    expect(X(m.cpu, 2)).toBe(DATA + 8n);
  });
});

describe('register offset (ExtendReg with LSL/UXTW/SXTW/SXTX and scaling)', () => {
  const mem: [bigint, bigint, number][] = [[DATA + 0x40n, 0x4040n, 8], [DATA + 0x50n, 0x5050n, 8], [DATA + 0x30n, 0x3030n, 8]];
  it('LSL #0 and LSL #3 (S=1 scales by the size)', async () => {
    const m = await run('ldr x1, [x0, x2]\nldr x3, [x0, x4, lsl #3]\nhlt #1', { 0: DATA, 2: 0x40n, 4: 10n }, mem);
    expect(X(m.cpu, 1)).toBe(0x4040n);
    expect(X(m.cpu, 3)).toBe(0x5050n);
  });
  it('UXTW ignores bits 63:32 of Xm; SXTW sign-extends Wm', async () => {
    const m = await run('ldr x1, [x0, w2, uxtw]\nldr x3, [x0, w4, sxtw #3]\nhlt #1', {
      0: DATA + 0x10n,
      2: 0xffff_ffff_0000_0030n,
      4: 0x1234_5678_0000_0004n,
    }, mem);
    expect(X(m.cpu, 1)).toBe(0x4040n);
    expect(X(m.cpu, 3)).toBe(0x3030n);
    const m2 = await run(withVectors('ldr x3, [x0, w4, sxtw #3]\nldr w5, [x0, w6, uxtw #2]'), {
      0: DATA + 0x50n,
      4: 0x0000_0000_ffff_fffen, // SXTW: -2, so 0x50 - 16 = 0x40
      6: 0xffff_ffff_ffff_fffcn, // UXTW: +0xfffffffc << 2, far beyond RAM
      5: 9n,
    }, mem, true);
    expect(X(m2.cpu, 3)).toBe(0x4040n);
    // Nothing answers at base + 0x3_ffff_fff0: a synchronous external abort (DFSC 0x10), w5 untouched.
    expect(m2.cpu.sys64(SYS.ESR_EL1) & 0x3fn).toBe(0x10n);
    expect(m2.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 0x50n + 0x3_ffff_fff0n);
    expect(X(m2.cpu, 5)).toBe(9n);
  });
  it('SXTX with a negative index, and the carry/borrow between the address words', async () => {
    // base 0x1_4010_0040 + (-0x2000_0000 << 3) = 0x4010_0040: the shift crosses into the high
    // word and the sum borrows from it.
    const m = await run('ldr x1, [x0, x2, sxtx #3]\nldr x3, [x4, x5]\nhlt #1', {
      0: DATA + 0x40n + (1n << 32n),
      2: -0x2000_0000n & M64,
      4: 0xffff_ffff_c010_0050n, // + 0x8000_0000: the low word carries into the high word
      5: 0x8000_0000n,
    }, mem);
    expect(X(m.cpu, 1)).toBe(0x4040n);
    expect(X(m.cpu, 3)).toBe(0x5050n);
  });
  it('byte and halfword forms: scaling by 1 and 2; stores', async () => {
    const m = await run('ldrb w1, [x0, x2, lsl #0]\nldrh w3, [x0, x4, lsl #1]\nstrh w3, [x0, x6, sxtx #1]\nhlt #1', {
      0: DATA,
      2: 0x41n,
      4: 0x28n, // 0x50
      6: 0x10n, // 0x20
    }, mem);
    expect(X(m.cpu, 1)).toBe(0x40n);
    expect(X(m.cpu, 3)).toBe(0x5050n);
    expect(peek(m, DATA + 0x20n, 2)).toBe(0x5050n);
  });
  it('LDRSW/LDRSH with register offset', async () => {
    const m = await run('ldrsw x1, [x0, x2, lsl #2]\nldrsh w3, [x0, x2]\nhlt #1', { 0: DATA, 2: 2n }, [[DATA, 0x8001_0000n, 4], [DATA + 8n, 0xffff_fff0n, 4]]);
    expect(X(m.cpu, 1)).toBe(0xffff_ffff_ffff_fff0n);
    expect(X(m.cpu, 3)).toBe(0xffff_8001n);
  });
  it('option<1> == 0 (a sub-word index) is UNDEFINED', async () => {
    // ldr x1, [x0, w2, option=000]: 0xf8620801 with option=000 -> 0xf8620 0 001...
    const raw = (0xf8600800 | (2 << 16) | (0 << 13) | (0 << 5) | 1) >>> 0;
    const m = await run(withVectors(hex(raw)), { 0: DATA }, [], true);
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(m.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0n);
  });
});

describe('literal loads and prefetch', () => {
  it('LDR Wt/Xt/LDRSW (literal), forwards and backwards', async () => {
    const m = await run(
      'b start\n.balign 8\nback: .quad 0x8877665544332211\nstart: ldr x1, back\nldr w2, fwd\nldrsw x3, fwd\nldrsw x4, fwd2\nhlt #1\n.balign 8\nfwd: .long 0x80000001\nfwd2: .long 0x7ffffffe',
      { 2: M64 },
    );
    expect(X(m.cpu, 1)).toBe(0x8877_6655_4433_2211n);
    expect(X(m.cpu, 2)).toBe(0x8000_0001n);
    expect(X(m.cpu, 3)).toBe(0xffff_ffff_8000_0001n);
    expect(X(m.cpu, 4)).toBe(0x7fff_fffen);
  });
  it('PRFM (immediate, register, literal) and PRFUM never access memory or fault', async () => {
    // 1 << 45 is beyond the 40-bit PA range: a real access would take an Address size fault.
    const m = await run(
      withVectors('prfm pldl1keep, [x0]\nprfm pstl2strm, [x0, x1]\nprfum pldl1keep, [x0, #-1]\nprfm pldl1keep, lit\nadd x9, x9, #1\nhlt #1\nlit: .quad 0'),
      { 0: 1n << 45n, 1: 3n },
      [],
      true,
    );
    expect(X(m.cpu, 9)).toBe(1n);
    expect(m.cpu.pc).toBe(0x4000_0018n);
  });
});

describe('unprivileged LDTR/STTR (normal accesses until the MMU exists)', () => {
  it('LDTR/LDTRSB/LDTRH/STTR/STTRB access base + imm9 without writeback', async () => {
    const m = await run('ldtr x1, [x0, #8]\nldtrsb x2, [x0, #-1]\nldtrh w3, [x0, #2]\nsttr w1, [x0, #16]\nsttrb w1, [x0, #20]\nhlt #1', { 0: DATA + 8n }, [
      [DATA + 7n, 0x80n, 1],
      [DATA + 10n, 0xbeefn, 2],
      [DATA + 16n, 0x0102_0304_0506_0708n, 8],
    ]);
    expect(X(m.cpu, 1)).toBe(0x0102_0304_0506_0708n);
    expect(X(m.cpu, 2)).toBe(0xffff_ffff_ffff_ff80n);
    expect(X(m.cpu, 3)).toBe(0xbeefn);
    expect(peek(m, DATA + 24n, 8)).toBe(0x0000_0008_0506_0708n);
    expect(X(m.cpu, 0)).toBe(DATA + 8n);
  });
});

describe('pairs: LDP/STP/LDPSW/LDNP/STNP', () => {
  it('STP/LDP X with pre-index on SP and post-index (the prologue/epilogue idiom)', async () => {
    const m = await run('stp x1, x2, [sp, #-16]!\nldp x3, x4, [sp], #16\nhlt #1', { 1: 0x1111n, 2: M64, 31: DATA + 0x100n });
    expect(peek(m, DATA + 0xf0n, 8)).toBe(0x1111n);
    expect(peek(m, DATA + 0xf8n, 8)).toBe(M64);
    expect(X(m.cpu, 3)).toBe(0x1111n);
    expect(X(m.cpu, 4)).toBe(M64);
    expect(X(m.cpu, 31)).toBe(DATA + 0x100n);
  });
  it('LDP/STP W with a signed offset scaled by 4; W loads zero bits 63:32', async () => {
    const m = await run('ldp w1, w2, [x0, #-8]\nstp w2, w1, [x0, #252]\nhlt #1', { 0: DATA + 8n, 1: M64, 2: M64 }, [[DATA, 0x8000_0000_7fff_ffffn, 8]]);
    expect(X(m.cpu, 1)).toBe(0x7fff_ffffn);
    expect(X(m.cpu, 2)).toBe(0x8000_0000n);
    expect(peek(m, DATA + 8n + 252n, 8)).toBe(0x7fff_ffff_8000_0000n);
    expect(X(m.cpu, 0)).toBe(DATA + 8n);
  });
  it('LDPSW sign-extends both words; LDP X offset is scaled by 8', async () => {
    const m = await run('ldpsw x1, x2, [x0]\nldp x3, x4, [x0, #-504]\nhlt #1', { 0: DATA + 504n }, [
      [DATA + 504n, 0x7fff_ffff_8000_0000n, 8],
      [DATA, 5n, 8],
      [DATA + 8n, 6n, 8],
    ]);
    expect(X(m.cpu, 1)).toBe(0xffff_ffff_8000_0000n);
    expect(X(m.cpu, 2)).toBe(0x7fff_ffffn);
    expect(X(m.cpu, 3)).toBe(5n);
    expect(X(m.cpu, 4)).toBe(6n);
  });
  it('LDNP/STNP behave as offset LDP/STP; XZR stores zero', async () => {
    const m = await run('stnp x1, xzr, [x0, #16]\nldnp w3, w4, [x0, #16]\nhlt #1', { 0: DATA, 1: 0x1_0000_0002n }, [[DATA + 24n, M64, 8]]);
    expect(peek(m, DATA + 16n, 8)).toBe(0x1_0000_0002n);
    expect(peek(m, DATA + 24n, 8)).toBe(0n);
    expect(X(m.cpu, 3)).toBe(2n);
    expect(X(m.cpu, 4)).toBe(1n);
  });
  it('LDP with Rt == Rt2 (CONSTRAINED UNPREDICTABLE) is UNDEFINED here', async () => {
    const raw = (0xa9400000 | (1 << 10) | (0 << 5) | 1) >>> 0; // ldp x1, x1, [x0]
    const m = await run(withVectors(hex(raw)), { 0: DATA }, [], true);
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe(1n << 25n);
  });
  it('LDP writing back into its own base: WBSUPPRESS, the loaded value wins', async () => {
    const raw = (0xa9c00000 | (2 << 15) | (2 << 10) | (0 << 5) | 0) >>> 0; // ldp x0, x2, [x0, #16]!
    const m = await run(`${hex(raw)}\nhlt #1`, { 0: DATA }, [[DATA + 16n, 0xaan, 8], [DATA + 24n, 0xbbn, 8]]);
    expect(X(m.cpu, 0)).toBe(0xaan);
    expect(X(m.cpu, 2)).toBe(0xbbn);
  });
});

describe('alignment and faults (MMU off: data accesses are Device-nGnRnE, ARM ARM B2.5.2 / D8.2.10)', () => {
  it('an unaligned LDR with the MMU off takes an Alignment fault (EC 0x25, DFSC 0x21, FAR)', async () => {
    const m = await run(withVectors('ldr x1, [x0, #8]!'), { 0: DATA + 1n, 1: 7n }, [], true);
    expect(m.cpu.pc).toBe(VEC_HIT);
    const esr = m.cpu.sys64(SYS.ESR_EL1);
    expect(esr >> 26n).toBe(0x25n);
    expect(esr & 0x3fn).toBe(0x21n);
    expect((esr >> 6n) & 1n).toBe(0n); // WnR: a read
    expect((esr >> 24n) & 1n).toBe(0n); // ISV=0 at EL1 for a stage-1 fault
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 9n);
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_0000n);
    // The fault leaves the destination and the base unchanged (the instruction can restart).
    expect(X(m.cpu, 1)).toBe(7n);
    expect(X(m.cpu, 0)).toBe(DATA + 1n);
  });
  it('an unaligned STR faults with WnR=1 and writes nothing', async () => {
    const m = await run(withVectors('str w1, [x0], #4'), { 0: DATA + 2n, 1: 0x1234_5678n }, [], true);
    const esr = m.cpu.sys64(SYS.ESR_EL1);
    expect(esr >> 26n).toBe(0x25n);
    expect((esr >> 6n) & 1n).toBe(1n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(DATA + 2n);
    expect(peek(m, DATA, 8)).toBe(0n);
    expect(X(m.cpu, 0)).toBe(DATA + 2n);
  });
  it('an LDP whose second access faults leaves both registers unchanged', async () => {
    // The first doubleword is the last of RAM; nothing answers at the second (external abort).
    const end = 0x4800_0000n;
    const m = await run(withVectors('ldp x1, x2, [x0]'), { 0: end - 8n, 1: 1n, 2: 2n }, [], true);
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(m.cpu.sys64(SYS.ESR_EL1) & 0x3fn).toBe(0x10n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(end);
    expect(X(m.cpu, 1)).toBe(1n);
    expect(X(m.cpu, 2)).toBe(2n);
  });
});

describe('SP alignment (CheckSPAlignment, SCTLR_EL1.SA / SA0)', () => {
  const SCTLR_RESET = 0x30d0_0800;
  async function withSA(src: string, sp: bigint, sctlr: number, el = 1): Promise<Machine> {
    return runAsm(withVectors(src), {
      x: { 31: sp, 0: DATA },
      el,
      setup: (m) => {
        m.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
        m.cpu.setSys(SYS.SCTLR_EL1, sctlr, 0);
      },
    });
  }
  it('SA=1: a load with a misaligned SP base takes an SP alignment fault (EC 0x26), no access', async () => {
    const m = await withSA('ldr x1, [sp]', DATA + 8n, SCTLR_RESET | 8);
    expect(m.cpu.pc).toBe(VEC_HIT);
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe((0x26n << 26n) | (1n << 25n));
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_0000n);
  });
  it('SA=1: the check is on SP itself, not on SP + offset; other bases are not checked', async () => {
    const m = await withSA('ldr x1, [sp, #8]\nldr x2, [x0, #8]\nstp x1, x2, [sp, #-16]!\nadd x9, x9, #1', DATA + 0x20n, SCTLR_RESET | 8);
    expect(X(m.cpu, 9)).toBe(1n);
    expect(m.cpu.pc).toBe(0x4000_0014n);
    expect(X(m.cpu, 31)).toBe(DATA + 0x10n);
  });
  it('SA=0: a misaligned SP base is fine; pairs and writeback forms are checked when SA=1', async () => {
    let m = await withSA('str x1, [sp, #-8]!\nadd x9, x9, #1', DATA + 0x20n, SCTLR_RESET);
    expect(X(m.cpu, 9)).toBe(1n);
    m = await withSA('ldp x1, x2, [sp], #16', DATA + 4n, SCTLR_RESET | 8);
    expect(m.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x26n);
    expect(X(m.cpu, 31)).toBe(DATA + 4n);
  });
  it('PRFM with a misaligned SP base never faults', async () => {
    const m = await withSA('prfm pldl1keep, [sp]\nadd x9, x9, #1', DATA + 8n, SCTLR_RESET | 8);
    expect(X(m.cpu, 9)).toBe(1n);
  });
});

describe('stage-2 syndrome (ESR_EL2.ISS for data aborts, ARM ARM D17.2.37)', () => {
  it('issFor packs ISV, SAS, SSE, SRT, SF and AR', () => {
    expect(issFor(0, 1, 3, 0, 0)).toBe((1 << 24) | (0 << 22) | (1 << 21) | (3 << 16)); // LDRSB W3
    expect(issFor(0, 1, 3, 1, 0)).toBe((1 << 24) | (1 << 21) | (3 << 16) | (1 << 15)); // LDRSB X3
    expect(issFor(3, 0, 31, 1, 0)).toBe((1 << 24) | (3 << 22) | (31 << 16) | (1 << 15));
    expect(issFor(2, 0, 0, 0, 1)).toBe((1 << 24) | (2 << 22) | (1 << 14));
  });

  async function issOf(src: string): Promise<number> {
    const m = await run(`${src}\nhlt #1`, {});
    const raw = m.bus.readBytes(0x4000_0000, 4);
    const w = raw[0] | (raw[1] << 8) | (raw[2] << 16) | (raw[3] << 24);
    const ins = new Insn(execUndefined);
    expect(m.cpu.decoder.decode(w, ins)).not.toBeNull();
    return ins.iss;
  }
  it('decoded instructions carry the syndrome of their form', async () => {
    expect(await issOf('ldrsb w3, [x0]')).toBe(issFor(0, 1, 3, 0, 0));
    expect(await issOf('ldrsb x3, [x0, #1]')).toBe(issFor(0, 1, 3, 1, 0));
    expect(await issOf('ldr x7, [x0, x1, lsl #3]')).toBe(issFor(3, 0, 7, 1, 0));
    expect(await issOf('strh w9, [x0, #2]')).toBe(issFor(1, 0, 9, 0, 0));
    expect(await issOf('str xzr, [x0]')).toBe(issFor(3, 0, 31, 1, 0));
    expect(await issOf('ldursw x2, [x0, #-4]')).toBe(issFor(2, 1, 2, 1, 0));
    expect(await issOf('ldr w4, .')).toBe(issFor(2, 0, 4, 0, 0)); // literal: single register, no writeback
    expect(await issOf('ldtrh w5, [x0]')).toBe(issFor(1, 0, 5, 0, 0));
    expect(await issOf('ldar w6, [x0]')).toBe(issFor(2, 0, 6, 0, 1)); // AR=1
    expect(await issOf('stlrb w6, [x0]')).toBe(issFor(0, 0, 6, 0, 1));
    // ISV=0: writeback forms, pairs, exclusives.
    expect(await issOf('ldr x1, [x0], #8')).toBe(0);
    expect(await issOf('str w1, [x0, #-4]!')).toBe(0);
    expect(await issOf('ldp x1, x2, [x0]')).toBe(0);
    expect(await issOf('ldxr x1, [x0]')).toBe(0);
  });
});
