// FEAT_SM3 and FEAT_SM4 (ARM ARM C4.1.90 "Cryptographic four-register", "Cryptographic
// three-register, imm2", "Cryptographic three-register SHA512" with O = 1, "Cryptographic
// two-register SHA512" opcode 01), following the pseudocode of SM3SS1, SM3TT1A/SM3TT1B,
// SM3TT2A/SM3TT2B, SM3PARTW1, SM3PARTW2, SM4E and SM4EKEY. Decoded only by `--cpu max`.
// Lanes: word k of a V register is bits [32k+31:32k] (A/B/C/D are scratch from simd-lanes.ts).
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { fpOk } from './fp-common.js';
import { A, B, C, D, putD } from './simd-lanes.js';

const vreg = (raw: number, lo: number): number => 4 * bits(raw, lo + 4, lo);
const rol = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** The SM4 S-box (GB/T 32907-2016, the ARM ARM's Sbox() of SM4E/SM4EKEY). */
const SM4_SBOX = Uint8Array.from(
  [
    'd6 90 e9 fe cc e1 3d b7 16 b6 14 c2 28 fb 2c 05',
    '2b 67 9a 76 2a be 04 c3 aa 44 13 26 49 86 06 99',
    '9c 42 50 f4 91 ef 98 7a 33 54 0b 43 ed cf ac 62',
    'e4 b3 1c a9 c9 08 e8 95 80 df 94 fa 75 8f 3f a6',
    '47 07 a7 fc f3 73 17 ba 83 59 3c 19 e6 85 4f a8',
    '68 6b 81 b2 71 64 da 8b f8 eb 0f 4b 70 56 9d 35',
    '1e 24 0e 5e 63 58 d1 a2 25 22 7c 3b 01 21 78 87',
    'd4 00 46 57 9f d3 27 52 4c 36 02 e7 a0 c4 c8 9e',
    'ea bf 8a d2 40 c7 38 b5 a3 f7 f2 ce f9 61 15 a1',
    'e0 ae 5d a4 9b 34 1a 55 ad 93 32 30 f5 8c b1 e3',
    '1d f6 e2 2e 82 66 ca 60 c0 29 23 ab 0d 53 4e 6f',
    'd5 db 37 45 de fd 8e 2f 03 ff 6a 72 6d 6c 5b 51',
    '8d 1b af 92 bb dd bc 7f 11 d9 5c 41 1f 10 5a d8',
    '0a c1 31 88 a5 cd 7b bd 2d 74 d0 12 b8 e5 b4 b0',
    '89 69 97 4a 0c 96 77 7e 65 b9 f1 09 c5 6e c6 84',
    '18 f0 7d ec 3a dc 4d 20 79 ee 5f 3e d7 cb 39 48',
  ].join(' ').split(' ').map((h) => parseInt(h, 16)),
);
if (SM4_SBOX.length !== 256 || new Set(SM4_SBOX).size !== 256) throw new Error('SM4 S-box: a permutation of 256 bytes expected');

const sbox32 = (x: number): number =>
  SM4_SBOX[x & 0xff] | (SM4_SBOX[(x >>> 8) & 0xff] << 8) | (SM4_SBOX[(x >>> 16) & 0xff] << 16) | (SM4_SBOX[x >>> 24] << 24);

function load(cpu: Cpu, i: Insn): void {
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) {
    A[k] = v[i.rd + k];
    B[k] = v[i.rn + k];
    C[k] = v[i.rm + k];
  }
}

/** SM3SS1 Vd, Vn, Vm, Va: Vd<127:96> = ROL(ROL(Vn<127:96>, 12) + Vm<127:96> + Va<127:96>, 7); the rest 0. */
function sm3ss1(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  D[3] = rol((rol(v[i.rn + 3], 12) + v[i.rm + 3] + v[i.ra + 3]) | 0, 7);
  D[0] = D[1] = D[2] = 0;
  putD(cpu, i.rd, 1);
}

/**
 * SM3TT1A/SM3TT1B/SM3TT2A/SM3TT2B Vd, Vn, Vm.S[imm2]: i.op = opcode (00 TT1A, 01 TT1B, 10 TT2A,
 * 11 TT2B), i.imm = imm2. TT1: SS2 = Vn<127:96> EOR ROL(Vd<127:96>, 12), W'j; TT2: Vn<127:96>, Wj.
 */
function sm3tt(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load(cpu, i);
  const w = C[i.imm];
  const x = A[3], y = A[2], z = A[1];
  const tt2 = i.op >= 2;
  let f: number;
  if ((i.op & 1) === 0) f = z ^ x ^ y; // the A forms: X EOR Y EOR Z
  else if (!tt2) f = (x & z) | (x & y) | (z & y); // SM3TT1B: majority
  else f = (x & y) | (~x & z); // SM3TT2B: choose
  let t: number;
  if (!tt2) {
    const ss2 = B[3] ^ rol(x, 12);
    t = (f + A[0] + ss2 + w) | 0;
  } else {
    t = (f + A[0] + B[3] + w) | 0;
    t = t ^ rol(t, 9) ^ rol(t, 17);
  }
  D[0] = z;
  D[1] = rol(y, tt2 ? 19 : 9);
  D[2] = x;
  D[3] = t;
  putD(cpu, i.rd, 1);
}

/** SM3PARTW1 Vd, Vn, Vm. */
function sm3partw1(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load(cpu, i);
  for (let k = 0; k < 3; k++) D[k] = A[k] ^ B[k] ^ rol(C[k + 1], 15);
  for (let k = 0; k < 4; k++) {
    if (k === 3) D[3] = A[3] ^ B[3] ^ rol(D[0], 15);
    const r = D[k];
    D[k] = r ^ rol(r, 15) ^ rol(r, 23);
  }
  putD(cpu, i.rd, 1);
}

/** SM3PARTW2 Vd, Vn, Vm: tmp = Vn EOR ROL(Vm, 7) per word; Vd EOR tmp, and word 3 EOR P1(ROL(tmp<31:0>, 15)). */
function sm3partw2(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  load(cpu, i);
  let t0 = 0;
  for (let k = 0; k < 4; k++) {
    const t = B[k] ^ rol(C[k], 7);
    if (k === 0) t0 = t;
    D[k] = A[k] ^ t;
  }
  let t2 = rol(t0, 15);
  t2 = t2 ^ rol(t2, 15) ^ rol(t2, 23);
  D[3] ^= t2;
  putD(cpu, i.rd, 1);
}

/** Four SM4 rounds on X[0..3] with round keys K[0..3]; L is (2, 10, 18, 24) for SM4E, (13, 23) for SM4EKEY. */
function sm4Rounds(x: Int32Array, k: Int32Array, key: boolean): void {
  for (let n = 0; n < 4; n++) {
    let t = sbox32(x[3] ^ x[2] ^ x[1] ^ k[n]);
    t = key ? t ^ rol(t, 13) ^ rol(t, 23) : t ^ rol(t, 2) ^ rol(t, 10) ^ rol(t, 18) ^ rol(t, 24);
    t ^= x[0];
    x[0] = x[1];
    x[1] = x[2];
    x[2] = x[3];
    x[3] = t;
  }
}
/** SM4E Vd.4S, Vn.4S: four encryption rounds of the state Vd with the round keys Vn. */
function sm4e(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) {
    D[k] = v[i.rd + k];
    B[k] = v[i.rn + k];
  }
  sm4Rounds(D, B, false);
  putD(cpu, i.rd, 1);
}
/** SM4EKEY Vd.4S, Vn.4S, Vm.4S: four key-expansion rounds of the key state Vn with the constants Vm. */
function sm4ekey(cpu: Cpu, i: Insn): void {
  if (!fpOk(cpu)) return;
  const v = cpu.vr;
  for (let k = 0; k < 4; k++) {
    D[k] = v[i.rn + k];
    C[k] = v[i.rm + k];
  }
  sm4Rounds(D, C, true);
  putD(cpu, i.rd, 1);
}

export const sm: Encoding[] = [
  {
    // Cryptographic four-register, Op0 = 10.
    name: 'SM3SS1',
    pattern: '11001110 0 10 mmmmm 0 aaaaa nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.ra = vreg(raw, 10);
      i.rm = vreg(raw, 16);
      i.exec = sm3ss1;
    },
  },
  {
    name: 'SM3TT1A/SM3TT1B/SM3TT2A/SM3TT2B',
    pattern: '11001110 010 mmmmm 10 ii oo nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.imm = bits(raw, 13, 12);
      i.op = bits(raw, 11, 10);
      i.exec = sm3tt;
    },
  },
  {
    // Cryptographic three-register SHA512 with O = 1: opcode 00 SM3PARTW1, 01 SM3PARTW2, 10 SM4EKEY.
    name: 'SM3PARTW1/SM3PARTW2/SM4EKEY',
    pattern: '11001110 011 mmmmm 1 1 00 oo nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 11, 10);
      if (opc === 3) return false;
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.rm = vreg(raw, 16);
      i.exec = opc === 0 ? sm3partw1 : opc === 1 ? sm3partw2 : sm4ekey;
    },
  },
  {
    name: 'SM4E',
    pattern: '11001110 11000000 1000 01 nnnnn ddddd',
    decode(raw, i) {
      i.rd = vreg(raw, 0);
      i.rn = vreg(raw, 5);
      i.exec = sm4e;
    },
  },
];
