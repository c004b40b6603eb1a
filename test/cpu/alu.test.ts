// The int32-pair helpers of src/cpu/alu.ts against BigInt models of the ARM ARM pseudocode.
import { describe, it, expect } from 'vitest';
import { CpuState } from '../../src/cpu/state.js';
import * as alu from '../../src/cpu/alu.js';

const M64 = (1n << 64n) - 1n;
const lo = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hi = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;
const pair = (l: number, h: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

// Deterministic pseudo-random 64-bit values, biased towards edge patterns.
function* values(n: number): Generator<bigint> {
  const edges = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 53n) - 1n, 1n << 53n,
    1n << 63n, (1n << 63n) - 1n, M64, M64 - 1n, 0x123456789abcdef0n, 0xfedcba9876543210n];
  yield* edges;
  let x = 0x9e3779b97f4a7c15n;
  for (let k = 0; k < n; k++) {
    x ^= (x << 13n) & M64;
    x ^= x >> 7n;
    x ^= (x << 17n) & M64;
    const shift = BigInt(k % 64);
    yield k % 3 === 0 ? x >> shift : x;
  }
}
const V = [...values(60)];

describe('alu: AddWithCarry (ARM ARM J1 AddWithCarry)', () => {
  // Reference: unsigned_sum = UInt(x) + UInt(y) + carry_in; signed_sum likewise;
  // C = UInt(result) != unsigned_sum; V = SInt(result) != signed_sum.
  function ref(a: bigint, b: bigint, c: number, n: number): { r: bigint; f: number } {
    const m = (1n << BigInt(n)) - 1n;
    const us = a + b + BigInt(c);
    const ss = BigInt.asIntN(n, a) + BigInt.asIntN(n, b) + BigInt(c);
    const r = us & m;
    const N = Number(r >> BigInt(n - 1));
    const Z = r === 0n ? 1 : 0;
    const C = r !== us ? 1 : 0;
    const Vf = BigInt.asIntN(n, r) !== ss ? 1 : 0;
    return { r, f: (N << 3) | (Z << 2) | (C << 1) | Vf };
  }
  it('64-bit result and NZCV for every pair of edge/random values and carry in', () => {
    const s = new CpuState();
    for (const a of V) for (const b of V.slice(0, 30)) for (const c of [0, 1]) {
      const r = alu.addWithCarry64(s, lo(a), hi(a), lo(b), hi(b), c);
      const e = ref(a, b, c, 64);
      expect(pair(r, s.tmpHi)).toBe(e.r);
      expect(s.nzcv).toBe(e.f);
    }
  });
  it('32-bit result and NZCV', () => {
    const s = new CpuState();
    for (const a0 of V) for (const b0 of V.slice(0, 30)) for (const c of [0, 1]) {
      const a = a0 & 0xffffffffn;
      const b = b0 & 0xffffffffn;
      const r = alu.addWithCarry32(s, lo(a), lo(b), c);
      const e = ref(a, b, c, 32);
      expect(BigInt(r >>> 0)).toBe(e.r);
      expect(s.nzcv).toBe(e.f);
    }
  });
});

describe('alu: shifts and rotates by 0..63', () => {
  it('LSL, LSR, ASR, ROR match the pseudocode for every amount', () => {
    const s = new CpuState();
    for (const v of V.slice(0, 25)) for (let n = 0; n < 64; n++) {
      const N = BigInt(n);
      expect(pair(alu.lsl64(s, lo(v), hi(v), n), s.tmpHi)).toBe((v << N) & M64);
      expect(pair(alu.lsr64(s, lo(v), hi(v), n), s.tmpHi)).toBe(v >> N);
      expect(pair(alu.asr64(s, lo(v), hi(v), n), s.tmpHi)).toBe((s64(v) >> N) & M64);
      expect(pair(alu.ror64(s, lo(v), hi(v), n), s.tmpHi)).toBe(((v >> N) | (v << (64n - N))) & M64);
    }
  });
});

describe('alu: multiply', () => {
  it('low 64 bits of the product, UMULH and SMULH (including negative and large operands)', () => {
    const s = new CpuState();
    for (const a of V) for (const b of V) {
      expect(pair(alu.mul64(s, lo(a), hi(a), lo(b), hi(b)), s.tmpHi)).toBe((a * b) & M64);
      expect(pair(alu.umulh64(s, lo(a), hi(a), lo(b), hi(b)), s.tmpHi)).toBe((a * b) >> 64n);
      expect(pair(alu.smulh64(s, lo(a), hi(a), lo(b), hi(b)), s.tmpHi)).toBe(((s64(a) * s64(b)) >> 64n) & M64);
    }
  });
  it('32x32 -> 64 signed and unsigned products', () => {
    const s = new CpuState();
    for (const a0 of V) for (const b0 of V) {
      const a = a0 & 0xffffffffn;
      const b = b0 & 0xffffffffn;
      expect(pair(alu.umul32(s, lo(a), lo(b)), s.tmpHi)).toBe(a * b);
      expect(pair(alu.smul32(s, lo(a), lo(b)), s.tmpHi)).toBe((BigInt.asIntN(32, a) * BigInt.asIntN(32, b)) & M64);
    }
  });
});

describe('alu: division (UDIV/SDIV: x/0 = 0, round toward zero)', () => {
  it('64-bit unsigned and signed quotients on both the 53-bit and the long-division paths', () => {
    const s = new CpuState();
    for (const a of V) for (const b of V) {
      const uq = b === 0n ? 0n : a / b;
      expect(pair(alu.udiv64(s, lo(a), hi(a), lo(b), hi(b)), s.tmpHi)).toBe(uq);
      const sa = s64(a);
      const sb = s64(b);
      const sq = sb === 0n ? 0n : (sa / sb) & M64; // BigInt division truncates toward zero
      expect(pair(alu.sdiv64(s, lo(a), hi(a), lo(b), hi(b)), s.tmpHi)).toBe(sq);
    }
  });
  it('INT64_MIN / -1 = INT64_MIN and INT32_MIN / -1 = INT32_MIN', () => {
    const s = new CpuState();
    expect(pair(alu.sdiv64(s, 0, -0x80000000, -1, -1), s.tmpHi)).toBe(1n << 63n);
    expect(alu.sdiv32(-0x80000000, -1)).toBe(-0x80000000);
    expect(alu.sdiv32(-7, 2)).toBe(-3);
    expect(alu.udiv32(-1, 2)).toBe(0x7fffffff);
    expect(alu.udiv32(5, 0)).toBe(0);
  });
});

describe('alu: bit counting and reversal', () => {
  it('CLZ/CLS (CountLeadingSignBits(0) = CountLeadingSignBits(-1) = N-1)', () => {
    expect(alu.cls32(0)).toBe(31);
    expect(alu.cls32(-1)).toBe(31);
    expect(alu.cls32(1)).toBe(30);
    expect(alu.cls32(-0x80000000)).toBe(0);
    expect(alu.cls64(0, 0)).toBe(63);
    expect(alu.cls64(-1, -1)).toBe(63);
    expect(alu.cls64(0x80000000 | 0, -1)).toBe(32);
    expect(alu.cls64(0, 1)).toBe(30);
    expect(alu.clz64(0, 0)).toBe(64);
    expect(alu.clz64(1, 0)).toBe(63);
    expect(alu.clz64(0, 1)).toBe(31);
  });
  it('BitReverse and byte swaps', () => {
    expect(alu.rbit32(1) >>> 0).toBe(0x80000000);
    expect(alu.rbit32(0x12345678) >>> 0).toBe(0x1e6a2c48);
    expect(alu.bswap32(0x12345678) >>> 0).toBe(0x78563412);
    expect(alu.rev16w(0x12345678) >>> 0).toBe(0x34127856);
  });
});

describe('alu: DecodeBitMasks (ARM ARM J1 DecodeBitMasks)', () => {
  // Reference built bit by bit from the pseudocode: esize = 2^HighestSetBit(N:NOT(imms)),
  // welem = ZeroExtend(Ones(S+1), esize) rotated right by R, replicated to M bits.
  function ref(n: number, imms: number, immr: number, m: number): bigint | null {
    const v = (n << 6) | (~imms & 0x3f);
    if (v === 0) return null;
    const len = 31 - Math.clz32(v);
    const esize = 1 << len;
    if (len < 1 || esize > m) return null;
    const levels = esize - 1;
    if ((imms & levels) === levels) return null;
    const S = imms & levels;
    const R = immr & levels;
    const E = BigInt(esize);
    const em = (1n << E) - 1n;
    const ones = (1n << BigInt(S + 1)) - 1n;
    const el = ((ones >> BigInt(R)) | (ones << (E - BigInt(R)))) & em;
    let out = 0n;
    for (let k = 0; k < m; k += esize) out |= el << BigInt(k);
    return out;
  }
  it('every (N, immr, imms) for 64 and 32 bits, including the reserved ones', () => {
    for (const m of [32, 64]) for (let n = 0; n < 2; n++) for (let immr = 0; immr < 64; immr++) {
      for (let imms = 0; imms < 64; imms++) {
        const e = ref(n, imms, immr, m);
        const ok = alu.decodeBitMasks(n, imms, immr, true, m);
        expect(ok).toBe(e !== null);
        if (e === null) continue;
        const b = alu.bitMasks;
        expect(m === 64 ? pair(b.wLo, b.wHi) : BigInt(b.wLo >>> 0)).toBe(e);
      }
    }
  });
  it('known patterns: 0x5555... (2-bit element), rotated byte, 32-bit replicated', () => {
    alu.decodeBitMasks(0, 0b111100, 0, true, 64);
    expect(pair(alu.bitMasks.wLo, alu.bitMasks.wHi)).toBe(0x5555555555555555n);
    alu.decodeBitMasks(0, 0b110011, 1, true, 64); // 8-bit element 0b00001111 ROR 1
    expect(pair(alu.bitMasks.wLo, alu.bitMasks.wHi)).toBe(0x8787878787878787n);
    alu.decodeBitMasks(0, 0b000111, 4, true, 64); // 32-bit element of 8 ones ROR 4
    expect(pair(alu.bitMasks.wLo, alu.bitMasks.wHi)).toBe(0xf000000ff000000fn);
    expect(alu.decodeBitMasks(0, 0b111111, 0, true, 64)).toBe(false); // len < 1
    expect(alu.decodeBitMasks(1, 0b111111, 0, true, 64)).toBe(false); // all-ones element
    expect(alu.decodeBitMasks(1, 0, 0, true, 32)).toBe(false); // N=1 needs 64-bit
  });
  it('tmask for bitfield moves (immediate = FALSE)', () => {
    // UBFM X, #R=8, #S=15: d = S-R = 7, tmask = Ones(8); wmask = ROR(Ones(16), 8).
    expect(alu.decodeBitMasks(1, 15, 8, false, 64)).toBe(true);
    expect(pair(alu.bitMasks.tLo, alu.bitMasks.tHi)).toBe(0xffn);
    expect(pair(alu.bitMasks.wLo, alu.bitMasks.wHi)).toBe(0xff000000000000ffn);
    // S = 63 is allowed for bitfields (the whole register).
    expect(alu.decodeBitMasks(1, 63, 0, false, 64)).toBe(true);
    expect(pair(alu.bitMasks.tLo, alu.bitMasks.tHi)).toBe(M64);
  });
});

describe('alu: CRC32 tables', () => {
  it('byte-wise reflected CRC-32 and CRC-32C of "123456789" match the standard check values', () => {
    let a = -1;
    let c = -1;
    for (const ch of '123456789') {
      a = alu.crcUpdate(alu.CRC32_TABLE, a, ch.charCodeAt(0), 1);
      c = alu.crcUpdate(alu.CRC32C_TABLE, c, ch.charCodeAt(0), 1);
    }
    expect(~a >>> 0).toBe(0xcbf43926);
    expect(~c >>> 0).toBe(0xe3069283);
  });
});
