// Stage-2 data aborts without an instruction syndrome (ISV=0): the architecture gives no ISS for
// load/store pair, writeback forms and SIMD&FP registers (ARM ARM D17.2.37, ISV), so to emulate
// them the hypervisor reads the faulting instruction from guest memory (the guest's stage 1, then
// stage 2) and decodes it itself. Handled: LDP/STP/LDNP/STNP/LDPSW (W and X, offset, pre- and
// post-index), LDR/STR/LDRS* (immediate, pre- and post-index), and the SIMD&FP forms LDR/STR
// B/H/S/D/Q (unsigned offset, unscaled, pre- and post-index) and LDP/STP/LDNP/STNP S/D/Q.
// Anything else (register-offset SIMD&FP, LD1..LD4, exclusives, atomics) is refused: the caller
// injects an abort.
import type { Cpu } from '../cpu/cpu.js';
import { SP } from '../cpu/state.js';
import type { Word64 } from './abort.js';

/** A decoded general-purpose register load/store. */
export interface MemOp {
  load: boolean;
  /** Bytes per element: 1, 2, 4, 8. */
  size: number;
  /** Elements: 1 (LDR/STR) or 2 (pairs). */
  count: number;
  /** Sign-extend loaded elements (LDRS*, LDPSW). */
  signed: boolean;
  /** Destination is an X register (else W: upper half zero). */
  sf: boolean;
  rt: number;
  rt2: number;
  rn: number;
  /** Byte offset (signed). */
  imm: number;
  /** rt/rt2 are SIMD&FP registers (V0-V31): a load writes the low `size` bytes, zeroing the rest of Qn. */
  fp: boolean;
  /** 'offset': address = Xn + imm, no writeback; 'pre': address = Xn + imm, Xn = address; 'post': address = Xn, Xn += imm. */
  mode: 'offset' | 'pre' | 'post';
}

/** Decode the forms this module emulates; null for anything else. */
export function decodeMemOp(raw: number): MemOp | null {
  const rt = raw & 31;
  const rn = (raw >>> 5) & 31;
  // Load/store pair (integer): opc[31:30] 101 V=0 idx[25:23] L[22] imm7[21:15] Rt2 Rn Rt.
  if ((raw & 0x3c00_0000) === 0x2800_0000) {
    const opc = (raw >>> 30) & 3;
    const idx = (raw >>> 23) & 7;
    const load = ((raw >>> 22) & 1) === 1;
    if (opc === 3 || (opc === 1 && (!load || idx === 0)) || idx > 3) return null;
    const size = opc === 2 ? 8 : 4;
    const imm7 = ((raw >>> 15) & 0x7f) << 25 >> 25;
    const mode = idx === 1 ? 'post' : idx === 3 ? 'pre' : 'offset';
    return { load, size, count: 2, signed: opc === 1, sf: opc !== 0, rt, rt2: (raw >>> 10) & 31, rn, imm: imm7 * size, mode, fp: false };
  }
  // Load/store register (immediate, pre/post-index): size[31:30] 111 V=0 00 opc[23:22] 0 imm9 P1 Rn Rt.
  if ((raw & 0x3f20_0400) === 0x3800_0400) {
    const sizeLog = (raw >>> 30) & 3;
    const opc = (raw >>> 22) & 3;
    const imm9 = ((raw >>> 12) & 0x1ff) << 23 >> 23;
    const mode = ((raw >>> 11) & 1) === 1 ? 'pre' : 'post';
    const size = 1 << sizeLog;
    if (opc === 0 || opc === 1) {
      return { load: opc === 1, size, count: 1, signed: false, sf: sizeLog === 3, rt, rt2: 0, rn, imm: imm9, mode, fp: false };
    }
    if (opc === 2 && sizeLog < 3) return { load: true, size, count: 1, signed: true, sf: true, rt, rt2: 0, rn, imm: imm9, mode, fp: false };
    if (opc === 3 && sizeLog < 2) return { load: true, size, count: 1, signed: true, sf: false, rt, rt2: 0, rn, imm: imm9, mode, fp: false };
    return null;
  }
  // SIMD&FP pair: opc[31:30] (00 S, 01 D, 10 Q) 101 V=1 idx[25:23] L imm7 Rt2 Rn Rt.
  if ((raw & 0x3c00_0000) === 0x2c00_0000) {
    const opc = (raw >>> 30) & 3;
    const idx = (raw >>> 23) & 7;
    if (opc === 3 || idx > 3) return null;
    const size = 4 << opc;
    const imm7 = ((raw >>> 15) & 0x7f) << 25 >> 25;
    const mode = idx === 1 ? 'post' : idx === 3 ? 'pre' : 'offset';
    const load = ((raw >>> 22) & 1) === 1;
    return { load, size, count: 2, signed: false, sf: true, rt, rt2: (raw >>> 10) & 31, rn, imm: imm7 * size, mode, fp: true };
  }
  // SIMD&FP single register: size[31:30] 111 V=1 0x opc[23:22]; opc[1] with size=00 is Q (128-bit).
  const vsize = (raw >>> 30) & 3;
  const vopc = (raw >>> 22) & 3;
  if ((raw & 0x3e00_0000) === 0x3c00_0000 && (vopc < 2 || vsize === 0)) {
    const size = vopc >= 2 ? 16 : 1 << vsize;
    const load = (vopc & 1) === 1;
    if (((raw >>> 24) & 1) === 1) {
      // Unsigned offset: imm12 scaled by the size.
      return { load, size, count: 1, signed: false, sf: true, rt, rt2: 0, rn, imm: ((raw >>> 10) & 0xfff) * size, mode: 'offset', fp: true };
    }
    const kind = (raw >>> 10) & 3;
    if (((raw >>> 21) & 1) !== 0 || kind === 2) return null; // register offset, unprivileged: not here
    const imm9 = ((raw >>> 12) & 0x1ff) << 23 >> 23;
    const mode = kind === 0 ? 'offset' : kind === 1 ? 'post' : 'pre';
    return { load, size, count: 1, signed: false, sf: true, rt, rt2: 0, rn, imm: imm9, mode, fp: true };
  }
  return null;
}

/** How the emulation reaches the device: by IPA, one element at a time; null/false = no device there. */
export interface MmioPort {
  /** Is [ipa, ipa + size) inside one emulated device? */
  covers(ipa: number, size: number): boolean;
  read(ipa: number, size: number): Word64 | null;
  write(ipa: number, size: number, v: Word64): boolean;
}

function add64(lo: number, hi: number, imm: number): Word64 {
  const l = (lo + imm) | 0;
  // Carry or borrow out of the low word.
  const carry = imm >= 0 ? ((l >>> 0) < (lo >>> 0) ? 1 : 0) : (l >>> 0) > (lo >>> 0) ? -1 : 0;
  return { lo: l, hi: (hi + carry) | 0 };
}

/** Xt's value for a store of `size` bytes (XZR reads zero). */
function regValue(cpu: Cpu, r: number, size: number): Word64 {
  if (r === 31) return { lo: 0, hi: 0 };
  const lo = cpu.r[2 * r];
  if (size === 8) return { lo, hi: cpu.r[2 * r + 1] };
  return { lo: size === 4 ? lo : lo & ((1 << (8 * size)) - 1), hi: 0 };
}

/** Bytes of Vn (its low `size` bytes) as little-endian words; `k` selects the 8-byte half of a Q. */
function vValue(cpu: Cpu, r: number, size: number, k: number): Word64 {
  const lo = cpu.vr[4 * r + 2 * k];
  if (size >= 8) return { lo, hi: cpu.vr[4 * r + 2 * k + 1] };
  return { lo: size === 4 ? lo : lo & ((1 << (8 * size)) - 1), hi: 0 };
}

function setLoaded(cpu: Cpu, op: MemOp, r: number, v: Word64): void {
  if (r === 31) return; // XZR
  const bits = op.size * 8;
  let lo = v.lo;
  let hi = op.size === 8 ? v.hi : 0;
  if (bits < 32) lo = op.signed ? (lo << (32 - bits)) >> (32 - bits) : lo & ((1 << bits) - 1);
  if (op.signed && bits < 64) hi = lo >> 31;
  if (!op.sf) hi = 0;
  cpu.r[2 * r] = lo | 0;
  cpu.r[2 * r + 1] = hi | 0;
}

/**
 * Emulate `op` for the access that faulted at VA `farLo` / IPA `ipa`: element addresses come from
 * the base register, and their IPAs from the faulting one (same page offset arithmetic: the
 * elements of one instruction are contiguous). Registers change only when every element was
 * performed. Returns false (nothing changed) if an element is not on a device the port knows.
 */
export function emulateMemOp(cpu: Cpu, op: MemOp, farLo: number, ipa: number, port: MmioPort): boolean {
  const base = op.rn === 31 ? SP : op.rn;
  const bLo = cpu.r[2 * base];
  const bHi = cpu.r[2 * base + 1];
  const addr = op.mode === 'post' ? { lo: bLo, hi: bHi } : add64(bLo, bHi, op.imm);
  const ipa0 = ipa + ((addr.lo - farLo) | 0);
  for (let k = 0; k < op.count; k++) if (!port.covers(ipa0 + k * op.size, op.size)) return false;
  // Device accesses of at most 8 bytes: a Q register is two doubleword accesses.
  const chunk = op.size > 8 ? 8 : op.size;
  const parts = op.size / chunk;
  const vals: Word64[] = [];
  for (let k = 0; k < op.count; k++) {
    const r = k === 0 ? op.rt : op.rt2;
    for (let p = 0; p < parts; p++) {
      const a = ipa0 + k * op.size + p * chunk;
      if (op.load) {
        const v = port.read(a, chunk);
        if (v === null) return false;
        vals.push(v);
      } else if (!port.write(a, chunk, op.fp ? vValue(cpu, r, chunk, p) : regValue(cpu, r, chunk))) {
        return false;
      }
    }
  }
  if (op.load) {
    for (let k = 0; k < op.count; k++) {
      const r = k === 0 ? op.rt : op.rt2;
      if (!op.fp) {
        setLoaded(cpu, op, r, vals[k]);
        continue;
      }
      // A SIMD&FP load writes the whole Q register: the loaded bytes, zeros above them.
      const q = cpu.vr;
      q.fill(0, 4 * r, 4 * r + 4);
      for (let p = 0; p < parts; p++) {
        const v = vals[k * parts + p];
        q[4 * r + 2 * p] = chunk >= 4 ? v.lo : v.lo & ((1 << (8 * chunk)) - 1);
        if (chunk === 8) q[4 * r + 2 * p + 1] = v.hi;
      }
    }
  }
  if (op.mode !== 'offset') {
    const wb = add64(bLo, bHi, op.imm);
    cpu.r[2 * base] = wb.lo;
    cpu.r[2 * base + 1] = wb.hi;
  }
  return true;
}
