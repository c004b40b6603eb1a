// Operand scratch for Advanced SIMD handlers: each handler copies its source registers into these
// 16-byte buffers, computes lanes through typed views (little-endian, as the guest sees them) and
// copies the result back. This keeps Rd == Rn aliasing correct and allocates nothing.
import type { Cpu } from '../cpu.js';

export const A = new Int32Array(4);
export const B = new Int32Array(4);
export const C = new Int32Array(4); // the old Rd (accumulating and inserting forms)
export const D = new Int32Array(4);
export const AU8 = new Uint8Array(A.buffer);
export const AS8 = new Int8Array(A.buffer);
export const AU16 = new Uint16Array(A.buffer);
export const AS16 = new Int16Array(A.buffer);
export const AU32 = new Uint32Array(A.buffer);
export const BU8 = new Uint8Array(B.buffer);
export const BS8 = new Int8Array(B.buffer);
export const BU16 = new Uint16Array(B.buffer);
export const BS16 = new Int16Array(B.buffer);
export const BU32 = new Uint32Array(B.buffer);
export const CU8 = new Uint8Array(C.buffer);
export const CU16 = new Uint16Array(C.buffer);
export const CU32 = new Uint32Array(C.buffer);
export const DU8 = new Uint8Array(D.buffer);
export const DU16 = new Uint16Array(D.buffer);
export const DU32 = new Uint32Array(D.buffer);

export function getA(cpu: Cpu, n: number): void {
  const v = cpu.vr;
  A[0] = v[n];
  A[1] = v[n + 1];
  A[2] = v[n + 2];
  A[3] = v[n + 3];
}
export function getB(cpu: Cpu, n: number): void {
  const v = cpu.vr;
  B[0] = v[n];
  B[1] = v[n + 1];
  B[2] = v[n + 2];
  B[3] = v[n + 3];
}
export function getC(cpu: Cpu, n: number): void {
  const v = cpu.vr;
  C[0] = v[n];
  C[1] = v[n + 1];
  C[2] = v[n + 2];
  C[3] = v[n + 3];
}
/** Write D to V[d]: all 128 bits (q = 1) or the low 64 with the top zeroed (q = 0). */
export function putD(cpu: Cpu, d: number, q: number): void {
  const v = cpu.vr;
  v[d] = D[0];
  v[d + 1] = D[1];
  if (q) {
    v[d + 2] = D[2];
    v[d + 3] = D[3];
  } else {
    v[d + 2] = 0;
    v[d + 3] = 0;
  }
}

/** Element `k` of size `size` (0..2) from a scratch buffer, signed or unsigned. */
export function elt(buf: Int32Array, size: number, k: number, signed: boolean): number {
  switch (size) {
    case 0: {
      const w = buf[k >> 2] >> (8 * (k & 3));
      return signed ? (w << 24) >> 24 : w & 0xff;
    }
    case 1: {
      const w = buf[k >> 1] >> (16 * (k & 1));
      return signed ? (w << 16) >> 16 : w & 0xffff;
    }
    default:
      return signed ? buf[k] : buf[k] >>> 0;
  }
}
/** Store the low bits of x as element k of size `size` (0..2). */
export function setElt(buf: Int32Array, size: number, k: number, x: number): void {
  switch (size) {
    case 0: {
      const s = 8 * (k & 3);
      const j = k >> 2;
      buf[j] = (buf[j] & ~(0xff << s)) | ((x & 0xff) << s);
      return;
    }
    case 1: {
      const s = 16 * (k & 1);
      const j = k >> 1;
      buf[j] = (buf[j] & ~(0xffff << s)) | ((x & 0xffff) << s);
      return;
    }
    default:
      buf[k] = x;
  }
}

// Typed views by element size (0..2) and signedness, for lane loops without per-element shifts.
// Stores through the unsigned D views wrap modulo 2^esize, as the architecture's Elem[] does.
export const CS8 = new Int8Array(C.buffer);
export const CS16 = new Int16Array(C.buffer);
export const VA: ArrayLike<number>[][] = [
  [AU8, AS8],
  [AU16, AS16],
  [AU32, A],
];
export const VB: ArrayLike<number>[][] = [
  [BU8, BS8],
  [BU16, BS16],
  [BU32, B],
];
export const VC: ArrayLike<number>[][] = [
  [CU8, CS8],
  [CU16, CS16],
  [CU32, C],
];
export const VD: (Uint8Array | Uint16Array | Uint32Array)[] = [DU8, DU16, DU32];

// Float views of the scratch buffers (handler fast paths; non-NaN values only).
export const AF32 = new Float32Array(A.buffer);
export const BF32 = new Float32Array(B.buffer);
export const DF32 = new Float32Array(D.buffer);
export const AF64 = new Float64Array(A.buffer);
export const BF64 = new Float64Array(B.buffer);
export const DF64 = new Float64Array(D.buffer);
