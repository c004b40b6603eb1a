// SIMD&FP loads and stores (ARM ARM C4.1.89 with V=1; C7.2 LD1..LD4/ST1..ST4/LD1R): addressing
// modes, the zeroing of the rest of the register on scalar loads, Q alignment on Device memory,
// structure (de)interleaving, lanes, replication, and the CPACR_EL1.FPEN trap.
import { describe, it, expect } from 'vitest';
import { runFp, V, S, Dbits } from './fp-helpers.js';
import { X } from '../helpers.js';
import { SYS } from '../../src/cpu/sysregs.js';
import type { Machine } from '../../src/machine.js';

const BUF = 0x4010_0000;
const bytes = (n: number, f: (k: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, k) => f(k) & 0xff);
/** Memory BUF..BUF+255 holds 0x00, 0x01, ... 0xff. */
const seq = (m: Machine): void => m.bus.load(BUF, bytes(256, (k) => k));
const le = (from: number, n: number): bigint => {
  let r = 0n;
  for (let k = n - 1; k >= 0; k--) r = (r << 8n) | BigInt((from + k) & 0xff);
  return r;
};
const mem = (m: Machine, off: number, n: number): bigint => {
  let r = 0n;
  for (let k = n - 1; k >= 0; k--) r = (r << 8n) | BigInt(m.bus.u8[BUF - m.bus.ramBase + off + k]);
  return r;
};
const JUNK = 0xdeadbeefcafef00d_0123456789abcdefn;

describe('LDR/STR (SIMD&FP)', () => {
  it('scalar loads of B/H/S/D zero the rest of the 128-bit register; Q loads all 16 bytes', async () => {
    const m = await runFp('ldr b0, [x1, #3]\nldr h1, [x1, #6]\nldr s2, [x1, #8]\nldr d3, [x1, #16]\nldr q4, [x1, #32]', {
      x: { 1: BigInt(BUF) },
      v: { 0: JUNK, 1: JUNK, 2: JUNK, 3: JUNK },
      setup: seq,
    });
    expect(V(m.cpu, 0)).toBe(3n);
    expect(V(m.cpu, 1)).toBe(le(6, 2));
    expect(V(m.cpu, 2)).toBe(le(8, 4));
    expect(V(m.cpu, 3)).toBe(le(16, 8));
    expect(V(m.cpu, 4)).toBe(le(32, 16));
  });
  it('stores write exactly their size', async () => {
    const m = await runFp('str b0, [x1]\nstr h0, [x1, #2]\nstr s0, [x1, #4]\nstr d0, [x1, #8]\nstr q0, [x1, #16]', {
      x: { 1: BigInt(BUF) },
      v: { 0: JUNK },
    });
    expect(mem(m, 0, 1)).toBe(JUNK & 0xffn);
    expect(mem(m, 2, 2)).toBe(JUNK & 0xffffn);
    expect(mem(m, 4, 4)).toBe(JUNK & 0xffffffffn);
    expect(mem(m, 8, 8)).toBe(JUNK & 0xffffffffffffffffn);
    expect(mem(m, 16, 16)).toBe(JUNK);
    expect(mem(m, 32, 8)).toBe(0n);
  });
  it('pre/post-index write back, unscaled and register offsets (LSL, SXTW)', async () => {
    const m = await runFp(
      'ldr d0, [x1, #8]!\nldr s1, [x2], #-4\nldur d2, [x3, #-8]\nldr q3, [x4, x5, lsl #4]\nldr s4, [x4, w6, sxtw #2]',
      {
        x: { 1: BigInt(BUF), 2: BigInt(BUF + 64), 3: BigInt(BUF + 24), 4: BigInt(BUF + 64), 5: 2n, 6: 0xfffffffen },
        setup: seq,
      },
    );
    expect(Dbits(m.cpu, 0)).toBe(le(8, 8));
    expect(X(m.cpu, 1)).toBe(BigInt(BUF + 8));
    expect(S(m.cpu, 1)).toBe(Number(le(64, 4)));
    expect(X(m.cpu, 2)).toBe(BigInt(BUF + 60));
    expect(Dbits(m.cpu, 2)).toBe(le(16, 8));
    expect(V(m.cpu, 3)).toBe(le(96, 16));
    expect(S(m.cpu, 4)).toBe(Number(le(56, 4))); // 64 + (-2 << 2)
  });
  it('LDR (literal) of S/D/Q is PC-relative', async () => {
    const m = await runFp('ldr q0, lit\nldr d1, lit\nldr s2, lit\nb done\n.balign 16\nlit: .quad 0x1122334455667788, 0x99aabbccddeeff00\ndone:');
    expect(V(m.cpu, 0)).toBe(0x99aabbccddeeff00_1122334455667788n);
    expect(V(m.cpu, 1)).toBe(0x1122334455667788n);
    expect(V(m.cpu, 2)).toBe(0x55667788n);
  });
  it('LDP/STP of S/D/Q with pre/post-index; LDNP', async () => {
    const m = await runFp(
      'ldp s0, s1, [x1, #-8]!\nldp d2, d3, [x2], #16\nldp q4, q5, [x3, #32]\nstp q4, q5, [x4, #-32]!\nldnp d6, d7, [x3]',
      { x: { 1: BigInt(BUF + 16), 2: BigInt(BUF), 3: BigInt(BUF), 4: BigInt(BUF + 256) }, setup: seq },
    );
    expect(S(m.cpu, 0)).toBe(Number(le(8, 4)));
    expect(S(m.cpu, 1)).toBe(Number(le(12, 4)));
    expect(X(m.cpu, 1)).toBe(BigInt(BUF + 8));
    expect(Dbits(m.cpu, 2)).toBe(le(0, 8));
    expect(Dbits(m.cpu, 3)).toBe(le(8, 8));
    expect(X(m.cpu, 2)).toBe(BigInt(BUF + 16));
    expect(V(m.cpu, 4)).toBe(le(32, 16));
    expect(V(m.cpu, 5)).toBe(le(48, 16));
    expect(mem(m, 224, 16)).toBe(le(32, 16));
    expect(mem(m, 240, 16)).toBe(le(48, 16));
    expect(X(m.cpu, 4)).toBe(BigInt(BUF + 224));
    expect(V(m.cpu, 7)).toBe(le(8, 8));
  });
  it('a Q access 8- but not 16-aligned is unaligned: Alignment fault on Device memory (MMU off), registers unchanged', async () => {
    // ARM ARM B2.5.2: unaligned accesses to Device memory fault; the 16-byte access as a whole
    // counts, not its two 8-byte halves. ESR: EC 0x25 (same EL), FSC 0x21; FAR = the address.
    const m = await runFp('ldr q0, [x1, #8]!\n.balign 0x800\n.space 0x200\nhlt #1', {
      x: { 1: BigInt(BUF) },
      v: { 0: JUNK },
      setup: (mm) => {
        seq(mm);
        mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
      },
    });
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe((0x25n << 26n) | (1n << 25n) | 0x21n);
    expect(m.cpu.sys64(SYS.FAR_EL1)).toBe(BigInt(BUF + 8));
    expect(V(m.cpu, 0)).toBe(JUNK);
    expect(X(m.cpu, 1)).toBe(BigInt(BUF)); // no writeback
  });
});

describe('LD1-LD4/ST1-ST4, LD1R, lanes', () => {
  it('LD1 with 1-4 registers and post-index by immediate and by register', async () => {
    const m = await runFp('ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x1], #64\nld1 {v4.8b}, [x2], x3\nld1 {v5.2d, v6.2d}, [x2]', {
      x: { 1: BigInt(BUF), 2: BigInt(BUF + 4), 3: 100n },
      v: { 4: JUNK },
      setup: seq,
    });
    for (let k = 0; k < 4; k++) expect(V(m.cpu, k)).toBe(le(16 * k, 16));
    expect(X(m.cpu, 1)).toBe(BigInt(BUF + 64));
    expect(V(m.cpu, 4)).toBe(le(4, 8)); // 64-bit form zeroes the top
    expect(X(m.cpu, 2)).toBe(BigInt(BUF + 104));
    expect(V(m.cpu, 5)).toBe(le(104, 16));
    expect(V(m.cpu, 6)).toBe(le(120, 16));
  });
  it('LD2/LD3/LD4 de-interleave elements; registers wrap from V31 to V0', async () => {
    const m = await runFp('ld2 {v0.8b, v1.8b}, [x1]\nld3 {v2.4h, v3.4h, v4.4h}, [x1]\nld4 {v30.4s, v31.4s, v0.4s, v1.4s}, [x2]', {
      x: { 1: BigInt(BUF), 2: BigInt(BUF + 64) },
      setup: seq,
    });
    // LD3 .4h: element e of register s is the halfword at 2*(3e + s)
    const h = (s: number): bigint => {
      let r = 0n;
      for (let e = 3; e >= 0; e--) r = (r << 16n) | le(2 * (3 * e + s), 2);
      return r;
    };
    expect(V(m.cpu, 2)).toBe(h(0));
    expect(V(m.cpu, 3)).toBe(h(1));
    expect(V(m.cpu, 4)).toBe(h(2));
    // LD4 .4s at 64: register s element e = word at 64 + 4*(4e + s)
    const w = (s: number): bigint => {
      let r = 0n;
      for (let e = 3; e >= 0; e--) r = (r << 32n) | le(64 + 4 * (4 * e + s), 4);
      return r;
    };
    expect(V(m.cpu, 30)).toBe(w(0));
    expect(V(m.cpu, 31)).toBe(w(1));
    expect(V(m.cpu, 0)).toBe(w(2)); // LD2's result in V0/V1 is overwritten by the wrapped LD4
    expect(V(m.cpu, 1)).toBe(w(3));
  });
  it('LD2 .8b: even bytes to the first register, odd to the second', async () => {
    const m = await runFp('ld2 {v0.8b, v1.8b}, [x1]', { x: { 1: BigInt(BUF) }, setup: seq });
    expect(V(m.cpu, 0)).toBe(0x0e0c0a0806040200n);
    expect(V(m.cpu, 1)).toBe(0x0f0d0b0907050301n);
  });
  it('ST2/ST4 interleave (inverse of LD2/LD4)', async () => {
    const m = await runFp('ld4 {v0.16b, v1.16b, v2.16b, v3.16b}, [x1]\nst4 {v0.16b, v1.16b, v2.16b, v3.16b}, [x2]\nst2 {v0.4s, v1.4s}, [x3]', {
      x: { 1: BigInt(BUF), 2: BigInt(BUF + 0x80), 3: BigInt(BUF + 0xc0) },
      setup: seq,
    });
    expect(mem(m, 0x80, 16)).toBe(le(0, 16));
    expect(mem(m, 0x90, 16)).toBe(le(16, 16));
    expect(mem(m, 0xb0, 16)).toBe(le(48, 16));
    // ST2 .4s: word0 = V0.s[0], word1 = V1.s[0]: bytes {0,4,8,12}, {1,5,9,13}
    expect(mem(m, 0xc0, 8)).toBe(0x0d0905010c080400n);
  });
  it('LD1R replicates; LD1 to a lane keeps the other lanes (all 128 bits); ST1 from a lane', async () => {
    const m = await runFp('ld1r {v0.4s}, [x1]\nld1r {v1.8b}, [x1]\nld1 {v2.s}[2], [x1], #4\nld2 {v3.h, v4.h}[7], [x1]\nst1 {v2.d}[1], [x2]', {
      x: { 1: BigInt(BUF + 16), 2: BigInt(BUF + 0x80) },
      v: { 1: JUNK, 2: JUNK, 3: 0n, 4: 0n },
      setup: seq,
    });
    expect(V(m.cpu, 0)).toBe(0x13121110_13121110_13121110_13121110n);
    expect(V(m.cpu, 1)).toBe(0x1010101010101010n);
    expect(V(m.cpu, 2)).toBe((JUNK & ~(0xffffffffn << 64n)) | (0x13121110n << 64n));
    expect(X(m.cpu, 1)).toBe(BigInt(BUF + 20));
    expect(V(m.cpu, 3)).toBe(0x1514n << 112n);
    expect(V(m.cpu, 4)).toBe(0x1716n << 112n);
    expect(mem(m, 0x80, 8)).toBe(V(m.cpu, 2) >> 64n);
  });
});

describe('CPACR_EL1.FPEN (ARM ARM D19.2.30)', () => {
  it('FP/SIMD instructions trap with EC 0x07 while FPEN = 0 (reset); ISS has CV=1 COND=0b1110', async () => {
    const m = await runFp('fmov d0, #1.0\n.balign 0x800\n.space 0x200\nhlt #1', {
      fpOff: true,
      v: { 0: 5n },
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1)).toBe((0x07n << 26n) | (1n << 25n) | (1n << 24n) | (0xen << 20n));
    expect(m.cpu.sys64(SYS.ELR_EL1)).toBe(0x4000_0000n);
    expect(V(m.cpu, 0)).toBe(5n);
  });
  it('FPEN = 0b01 traps EL0 only; FPEN = 0b11 traps nothing', async () => {
    const el1 = await runFp('fmov d0, #1.0', { fpOff: true, setup: (mm) => mm.cpu.setSys(SYS.CPACR_EL1, 0x100000, 0) });
    expect(Dbits(el1.cpu, 0)).toBe(0x3ff0000000000000n);
    const el0 = await runFp('fmov d0, #1.0\n.balign 0x800\n.space 0x400\nhlt #1', {
      fpOff: true,
      el: 0,
      setup: (mm) => {
        mm.cpu.setSys(SYS.CPACR_EL1, 0x100000, 0);
        mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
      },
    });
    // lower EL, AArch64: VBAR + 0x400
    expect(el0.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x07n);
    expect(Dbits(el0.cpu, 0)).toBe(0n);
  });
  it('loads and stores of SIMD&FP registers trap too (before any memory access)', async () => {
    const m = await runFp('str q0, [x1]\n.balign 0x800\n.space 0x200\nhlt #1', {
      fpOff: true,
      x: { 1: BigInt(BUF) },
      v: { 0: JUNK },
      setup: (mm) => mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0),
    });
    expect(m.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x07n);
    expect(mem(m, 0, 16)).toBe(0n);
  });
});

describe('CPTR_EL2.TFP (ARM ARM D19.2.31)', () => {
  it('traps FP/SIMD from EL1 to EL2 (the hypervisor) with EC 0x07, after the CPACR_EL1 check', async () => {
    let esr2 = -1;
    const m = await runFp('fadd d0, d0, d0\nmrs x1, fpsr', {
      setup: (mm) => {
        mm.cpu.setSys(SYS.CPTR_EL2, 0x400, 0);
        mm.cpu.firmware!.el2Exception = (c) => {
          esr2 = c.sysLo(SYS.ESR_EL2);
          c.halt('el2 trap', 0);
        };
      },
    });
    expect(m.cpu.haltReason).toBe('el2 trap');
    expect(esr2 >>> 26).toBe(0x07);
    expect(esr2 & 0x1ffffff).toBe((1 << 24) | (0xe << 20));
    // with FPEN = 0 the EL1 trap wins
    const m1 = await runFp('fadd d0, d0, d0\n.balign 0x800\n.space 0x200\nhlt #1', {
      fpOff: true,
      setup: (mm) => {
        mm.cpu.setSys(SYS.CPTR_EL2, 0x400, 0);
        mm.cpu.setSys(SYS.VBAR_EL1, 0x4000_0800, 0);
      },
    });
    expect(m1.cpu.sys64(SYS.ESR_EL1) >> 26n).toBe(0x07n);
  });
});
