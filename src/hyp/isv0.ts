// Stage-2 data aborts without an instruction syndrome (ISV=0): the architecture gives no ISS for
// load/store pair, writeback forms and SIMD&FP registers (ARM ARM D17.2.37, ISV), so to emulate
// them the hypervisor reads the faulting instruction from guest memory (the guest's stage 1, then
// stage 2) and decodes it itself. Handled:
//   general-purpose: LDP/STP/LDNP/STNP/LDPSW (W and X, offset, pre- and post-index),
//     LDR/STR/LDRS* (immediate, pre- and post-index);
//   SIMD&FP: LDR/STR B/H/S/D/Q (unsigned offset, unscaled, pre- and post-index, register offset),
//     LDP/STP/LDNP/STNP S/D/Q;
//   Advanced SIMD structures: LD1-LD4/ST1-ST4 (multiple structures, and single structure to one
//     lane), LD1R-LD4R, each with and without post-index (immediate or register).
// Element order, lane placement and writeback follow the ARM ARM pseudocode of each instruction
// (C7.2 LD1..ST4 "multiple structures"/"single structure": memory order is r, then element e, then
// structure member s). Every element is its own device access of the element size, as the
// pseudocode's Mem[] accesses are (a 16-byte Q register is two doubleword accesses).
//
// Refused (the caller injects an external abort, as KVM does for them): load/store exclusives and
// the atomic memory operations (LDXR/STXR/LDAXP..., LDADD/SWP/CAS...). Their meaning on a device is
// a single-copy-atomic read-modify-write or a monitor that the device itself would have to
// implement (ARM ARM B2.2 single-copy atomicity, B2.9 exclusive monitors); trapping one access at
// a time cannot give that, so pretending would silently break the guest's atomicity. Also refused:
// unallocated encodings, literal loads (code is never fetched from a device), and an access whose
// elements leave the 4 KiB page that faulted (the next page may have another IPA).
import type { Cpu } from '../cpu/cpu.js';
import { SP } from '../cpu/state.js';
import type { Word64 } from './abort.js';

/** The Advanced SIMD structure forms: which registers and lanes the elements go to. */
export interface StructOp {
  /** 'multiple': LDn/STn (multiple structures); 'single': one lane; 'replicate': LDnR. */
  kind: 'multiple' | 'single' | 'replicate';
  /** Structure members n of LDn/STn (1-4): consecutive registers Vt, Vt+1... (mod 32). */
  selem: number;
  /** Multiple structures: register groups (LD1 with 1-4 registers has rpt = registers, selem = 1). */
  rpt: number;
  /** Q: 128-bit registers (else 64-bit: a load zeroes bits [127:64]). */
  q: boolean;
  /** Lane index (single structure). */
  index: number;
}

/** A decoded load/store. */
export interface MemOp {
  load: boolean;
  /** Bytes per element: 1, 2, 4, 8 (16 for a Q register in LDR/STR/LDP/STP). */
  size: number;
  /** Elements: 1 (LDR/STR) or 2 (pairs); for structures, see `struct`. */
  count: number;
  /** Sign-extend loaded elements (LDRS*, LDPSW). */
  signed: boolean;
  /** Destination is an X register (else W: upper half zero). */
  sf: boolean;
  rt: number;
  rt2: number;
  rn: number;
  /** Byte offset (signed); for the post-index structure forms, the bytes transferred. */
  imm: number;
  /** rt/rt2 are SIMD&FP registers (V0-V31): a load writes the low `size` bytes, zeroing the rest of Qn. */
  fp: boolean;
  /** 'offset': address = Xn + imm, no writeback; 'pre': address = Xn + imm, Xn = address; 'post': address = Xn, Xn += imm. */
  mode: 'offset' | 'pre' | 'post';
  /**
   * Register offset or post-index register Xm (LDR/STR SIMD&FP register offset: address = Xn +
   * (extend(Xm) << shift); structures: Xn += Xm after the access). Absent: the immediate forms.
   */
  rm?: number;
  /** Register offset: option[15:13] (010 UXTW, 011 LSL, 110 SXTW, 111 SXTX) and the shift amount. */
  extend?: number;
  shift?: number;
  struct?: StructOp;
}

const base = (load: boolean, size: number, rt: number, rn: number): MemOp => ({
  load, size, count: 1, signed: false, sf: true, rt, rt2: 0, rn, imm: 0, mode: 'offset', fp: true,
});

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
    const op = base((vopc & 1) === 1, size, rt, rn);
    if (((raw >>> 24) & 1) === 1) {
      // Unsigned offset: imm12 scaled by the size.
      op.imm = ((raw >>> 10) & 0xfff) * size;
      return op;
    }
    const kind = (raw >>> 10) & 3;
    if (((raw >>> 21) & 1) !== 0) {
      // Register offset: Rm[20:16] option[15:13] S[12] 10. Options with option[1] = 0 are reserved.
      const option = (raw >>> 13) & 7;
      if (kind !== 2 || (option & 2) === 0) return null;
      op.rm = (raw >>> 16) & 31;
      op.extend = option;
      op.shift = ((raw >>> 12) & 1) === 1 ? 31 - Math.clz32(size) : 0;
      return op;
    }
    if (kind === 2) return null; // no unprivileged SIMD&FP forms: unallocated
    op.imm = ((raw >>> 12) & 0x1ff) << 23 >> 23;
    op.mode = kind === 0 ? 'offset' : kind === 1 ? 'post' : 'pre';
    return op;
  }
  // Advanced SIMD load/store multiple structures: 0 Q 001100 post[23] L[22] 0 Rm opcode[15:12] size Rn Rt
  // (Rm = 00000 without post-index).
  if ((raw & 0xbfbf_0000) === 0x0c00_0000 || (raw & 0xbfa0_0000) === 0x0c80_0000) {
    return decodeMultiple(raw, rt, rn);
  }
  // Advanced SIMD load/store single structure: 0 Q 001101 post[23] L R Rm opcode[15:13] S size Rn Rt.
  if ((raw & 0xbf9f_0000) === 0x0d00_0000 || (raw & 0xbf80_0000) === 0x0d80_0000) {
    return decodeSingle(raw, rt, rn);
  }
  return null;
}

/** opcode[15:12] of the multiple-structure forms -> [rpt, selem] (ARM ARM C4.1.93, LD1..LD4). */
const MULTI: Record<number, [number, number]> = {
  0b0000: [1, 4], // LD4/ST4
  0b0010: [4, 1], // LD1/ST1, four registers
  0b0100: [1, 3], // LD3/ST3
  0b0110: [3, 1], // LD1/ST1, three registers
  0b0111: [1, 1], // LD1/ST1, one register
  0b1000: [1, 2], // LD2/ST2
  0b1010: [2, 1], // LD1/ST1, two registers
};

/** Post-index fields shared by the structure forms: Rm = 31 is the immediate form (the bytes moved). */
function structOp(raw: number, rt: number, rn: number, esize: number, s: StructOp, bytes: number): MemOp {
  const post = ((raw >>> 23) & 1) === 1;
  const rm = (raw >>> 16) & 31;
  const op: MemOp = { load: ((raw >>> 22) & 1) === 1, size: esize, count: 0, signed: false, sf: true, rt, rt2: 0, rn, imm: 0, mode: post ? 'post' : 'offset', fp: true, struct: s };
  if (post) {
    if (rm === 31) op.imm = bytes;
    else op.rm = rm;
  }
  return op;
}

function decodeMultiple(raw: number, rt: number, rn: number): MemOp | null {
  const m = MULTI[(raw >>> 12) & 15];
  if (m === undefined) return null;
  const sizeLog = (raw >>> 10) & 3;
  const q = ((raw >>> 30) & 1) === 1;
  // size=11 with Q=0 is reserved for LD2-LD4/ST2-ST4 (one-element structures are meaningless).
  if (sizeLog === 3 && !q && m[1] > 1) return null;
  const esize = 1 << sizeLog;
  const elements = (q ? 16 : 8) / esize;
  return structOp(raw, rt, rn, esize, { kind: 'multiple', selem: m[1], rpt: m[0], q, index: 0 }, m[0] * m[1] * elements * esize);
}

/** LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R: scale, lane index (ARM ARM C7.2, shared decode). */
function decodeSingle(raw: number, rt: number, rn: number): MemOp | null {
  const q = (raw >>> 30) & 1;
  const load = (raw >>> 22) & 1;
  const r = (raw >>> 21) & 1;
  const opc = (raw >>> 13) & 7;
  const s = (raw >>> 12) & 1;
  const size = (raw >>> 10) & 3;
  let scale = opc >> 1;
  const selem = (((opc & 1) << 1) | r) + 1;
  let index = 0;
  let kind: StructOp['kind'] = 'single';
  switch (scale) {
    case 3:
      if (!load || s) return null;
      scale = size;
      kind = 'replicate';
      break;
    case 0:
      index = (q << 3) | (s << 2) | size;
      break;
    case 1:
      if (size & 1) return null;
      index = (q << 2) | (s << 1) | (size >> 1);
      break;
    default:
      if (size & 2) return null;
      if (size & 1) {
        if (s) return null;
        index = q;
        scale = 3;
      } else index = (q << 1) | s;
  }
  const esize = 1 << scale;
  return structOp(raw, rt, rn, esize, { kind, selem, rpt: 1, q: q === 1, index }, selem * esize);
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

function addW64(a: Word64, b: Word64): Word64 {
  const s = (a.lo >>> 0) + (b.lo >>> 0);
  return { lo: s | 0, hi: (a.hi + b.hi + (s > 0xffff_ffff ? 1 : 0)) | 0 };
}

/** Xm as a 64-bit value (XZR reads zero). */
function xm(cpu: Cpu, r: number): Word64 {
  return r === 31 ? { lo: 0, hi: 0 } : { lo: cpu.r[2 * r], hi: cpu.r[2 * r + 1] };
}

/** ExtendReg(m, option, shift) for the register-offset forms (ARM ARM J1 ExtendReg), 64-bit. */
function extendReg(v: Word64, option: number, shift: number): Word64 {
  let lo = v.lo;
  let hi = v.hi;
  if (option === 2) hi = 0; // UXTW
  else if (option === 6) hi = lo >> 31; // SXTW
  if (shift !== 0) {
    hi = (hi << shift) | (lo >>> (32 - shift));
    lo <<= shift;
  }
  return { lo: lo | 0, hi: hi | 0 };
}

/** Xt's value for a store of `size` bytes (XZR reads zero). */
function regValue(cpu: Cpu, r: number, size: number): Word64 {
  if (r === 31) return { lo: 0, hi: 0 };
  const lo = cpu.r[2 * r];
  if (size === 8) return { lo, hi: cpu.r[2 * r + 1] };
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

/** One device access of an instruction: `off` bytes after its address, to/from register `reg` at byte `byte` of Vn. */
interface Elem {
  off: number;
  size: number;
  reg: number;
  byte: number;
}

/** The element accesses of `op`, in the order the ARM ARM pseudocode performs them. */
function elements(op: MemOp): Elem[] {
  const out: Elem[] = [];
  const s = op.struct;
  if (s === undefined) {
    // A 16-byte Q register is two doubleword accesses, low half first.
    const chunk = op.size > 8 ? 8 : op.size;
    for (let k = 0; k < op.count; k++) {
      for (let p = 0; p < op.size / chunk; p++) out.push({ off: k * op.size + p * chunk, size: chunk, reg: k === 0 ? op.rt : op.rt2, byte: p * chunk });
    }
    return out;
  }
  const e = op.size;
  if (s.kind !== 'multiple') {
    // One structure: member k to register Vt+k, at lane `index` (LDnR: lane 0, replicated later).
    for (let k = 0; k < s.selem; k++) out.push({ off: k * e, size: e, reg: (op.rt + k) & 31, byte: s.kind === 'single' ? s.index * e : 0 });
    return out;
  }
  // Multiple structures: for r (register group), for e (element), for s (member): Vt+r+s[e].
  const lanes = (s.q ? 16 : 8) / e;
  let off = 0;
  for (let r = 0; r < s.rpt; r++) {
    for (let l = 0; l < lanes; l++) {
      for (let k = 0; k < s.selem; k++) {
        out.push({ off, size: e, reg: (op.rt + r + k) & 31, byte: l * e });
        off += e;
      }
    }
  }
  return out;
}

/** Bytes of V registers (the CPU keeps them as little-endian words; the host is little-endian). */
function vBytes(cpu: Cpu): Uint8Array {
  return new Uint8Array(cpu.vr.buffer, cpu.vr.byteOffset, cpu.vr.byteLength);
}

function getBytes(b: Uint8Array, at: number, size: number): Word64 {
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < size; k++) {
    if (k < 4) lo |= b[at + k] << (8 * k);
    else hi |= b[at + k] << (8 * (k - 4));
  }
  return { lo: lo | 0, hi: hi | 0 };
}

function putBytes(b: Uint8Array, at: number, size: number, v: Word64): void {
  for (let k = 0; k < size; k++) b[at + k] = (k < 4 ? v.lo >>> (8 * k) : v.hi >>> (8 * (k - 4))) & 0xff;
}

/**
 * Emulate `op` for the access that faulted at VA `farLo` / IPA `ipa`: element addresses come from
 * the base register, and their IPAs from the faulting one (same 4 KiB page, so the same stage-1
 * and stage-2 mapping). Registers change only when every element was performed. Returns false
 * (nothing changed) if an element is not on a device the port knows, or on another page.
 */
export function emulateMemOp(cpu: Cpu, op: MemOp, farLo: number, ipa: number, port: MmioPort): boolean {
  const baseReg = op.rn === 31 ? SP : op.rn;
  const bLo = cpu.r[2 * baseReg];
  const bHi = cpu.r[2 * baseReg + 1];
  let addr: Word64;
  if (op.mode === 'post') addr = { lo: bLo, hi: bHi };
  else if (op.rm !== undefined && op.struct === undefined) addr = addW64({ lo: bLo, hi: bHi }, extendReg(xm(cpu, op.rm), op.extend ?? 3, op.shift ?? 0));
  else addr = add64(bLo, bHi, op.imm);
  const delta = (addr.lo - farLo) | 0; // the first element's VA relative to the faulting one
  const pageOff = farLo & 0xfff;
  const ipa0 = ipa + delta;
  const elems = elements(op);
  for (const e of elems) {
    const at = pageOff + delta + e.off;
    if (at < 0 || at + e.size > 0x1000 || !port.covers(ipa0 + e.off, e.size)) return false;
  }
  const vb = vBytes(cpu);
  const vals: Word64[] = [];
  for (const e of elems) {
    const a = ipa0 + e.off;
    if (op.load) {
      const v = port.read(a, e.size);
      if (v === null) return false;
      vals.push(v);
    } else if (!port.write(a, e.size, op.fp ? getBytes(vb, 16 * e.reg + e.byte, e.size) : regValue(cpu, e.reg, e.size))) {
      return false;
    }
  }
  if (op.load) commitLoad(cpu, op, elems, vals, vb);
  if (op.mode !== 'offset') {
    // Post-index by register adds Xm (read now, as the pseudocode does after the accesses).
    const wb = op.rm !== undefined ? addW64({ lo: bLo, hi: bHi }, xm(cpu, op.rm)) : add64(bLo, bHi, op.imm);
    cpu.r[2 * baseReg] = wb.lo;
    cpu.r[2 * baseReg + 1] = wb.hi;
  }
  return true;
}

/** Write the loaded elements to their registers, as each form's pseudocode does. */
function commitLoad(cpu: Cpu, op: MemOp, elems: Elem[], vals: Word64[], vb: Uint8Array): void {
  if (!op.fp) {
    elems.forEach((e, k) => setLoaded(cpu, op, e.reg, vals[k]));
    return;
  }
  const s = op.struct;
  // LDR/LDP (SIMD&FP), LDn (multiple) and LDnR write whole registers: bytes not loaded are zero
  // (V[t] = datasize bits, zero-extended to 128). LDn (single structure) keeps the other lanes.
  if (s === undefined || s.kind !== 'single') for (const e of elems) vb.fill(0, 16 * e.reg, 16 * e.reg + 16);
  elems.forEach((e, k) => putBytes(vb, 16 * e.reg + e.byte, e.size, vals[k]));
  if (s !== undefined && s.kind === 'replicate') {
    // LDnR: Replicate(element, datasize DIV esize).
    const lanes = (s.q ? 16 : 8) / op.size;
    for (const e of elems) for (let l = 1; l < lanes; l++) vb.copyWithin(16 * e.reg + l * op.size, 16 * e.reg, 16 * e.reg + op.size);
  }
}
