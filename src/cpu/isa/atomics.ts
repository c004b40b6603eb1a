// Loads and stores (ARM ARM C4.1.89), the ordered and atomic part: load/store exclusive
// (LDXR/STXR/LDAXR/STLXR, byte/half/word/double, and the pairs LDXP/STXP/LDAXP/STLXP),
// load-acquire/store-release (LDAR/STLR), and the FEAT_LSE atomics (LD<op>, SWP, CAS, CASP).
//
// One PE executing instructions one at a time: acquire/release orderings (A/L/AL) have no visible
// effect, so they share handlers. All of these require natural alignment (the pair size for
// pairs): an unaligned address takes an Alignment fault whatever the memory type
// (ARM ARM B2.5.2 and AArch64.CheckAlignment), with FAR the address — except with FEAT_LSE2
// (`--cpu max`), where AArch64.UnalignedAccessFaults allows some inside a 16-byte quantity (lse2.ts).
//
// Also LDAPR/LDAPRB/LDAPRH (FEAT_LRCPC, handled as LDAR).
// Not implemented, left UNDEFINED because the ID registers do not advertise them:
// LDLAR/STLLR (LOR), the 128-bit and tagged forms. LDAPUR/STLUR (FEAT_LRCPC2) are in rcpc2.ts.
//
// Insn fields: rn = Rn|SP, rd = Rt (read for stores, written for loads), ra = Rt2 (pairs),
// rm = Rs as read (CAS compare value, LD<op> operand), ra = Rs as written (STXR status, CAS old
// value). CASP: imm = Rs+1 read, imm2 = Rs+1 written, imm3 = Rt+1 read. op = LD<op> operation.
//
// CONSTRAINED UNPREDICTABLE choices (ARM ARM appendix K1), all UNDEFINED at decode time:
// - LDXP/LDAXP with Rt==Rt2;
// - STXR/STXP with Rs==Rt, Rs==Rt2 or Rs==Rn (Rn!=31).
// The SBO fields (Rs or Rt2 written as (11111) in the ARM ARM) must be all ones here; later
// architecture versions allocate other values, so anything else is UNDEFINED.
import type { Encoding, ExecFn, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { dstZR, srcZR, regSP } from './common.js';
import { issFor, addSpAlignmentCheck } from './ldst.js';
import { ACC_READ, ACC_WRITE, FSC_ALIGNMENT } from '../../mmu/translate.js';
import { unalignedAtomicFaults, unalignedOrderedFaults } from './lse2.js';

/**
 * Alignment fault for an ordered/exclusive/atomic access. Read-modify-write atomics report
 * WnR=0 (the read is the first access that would fault); store-exclusive and STLR report WnR=1.
 */
function alignFault(cpu: Cpu, acc: number, lo: number, hi: number): void {
  cpu.abort(acc, FSC_ALIGNMENT, lo, hi, false);
}

// ---- load/store exclusive (ARM ARM B2.9, AArch64.SetExclusiveMonitors and
// AArch64.ExclusiveMonitorsPass): a single local monitor holding one address and size ----

function markExclusive(cpu: Cpu, lo: number, hi: number, size: number): void {
  cpu.exclValid = 1;
  cpu.exclLo = lo;
  cpu.exclHi = hi;
  cpu.exclSize = size;
  cpu.exclPa = cpu.lastReadPa(lo, hi);
  if (cpu.smp !== null && cpu.exclPa >= 0) cpu.smp.marked(cpu.exclPa); // the global monitor (smp.ts)
}
/** The monitor check of a store-exclusive. It always clears the monitor (ClearExclusiveLocal). */
function exclusivePass(cpu: Cpu, lo: number, hi: number, size: number): boolean {
  const ok = cpu.exclValid !== 0 && cpu.exclLo === lo && cpu.exclHi === hi && cpu.exclSize === size;
  cpu.exclValid = 0;
  return ok;
}

function ldxr8(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  const v = cpu.ld8(lo, hi);
  if (cpu.status !== 0) return;
  markExclusive(cpu, lo, hi, 1);
  r[i.rd] = v;
  r[i.rd + 1] = 0;
}
function ldxr16(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 1) !== 0 && unalignedAtomicFaults(cpu, lo, 2)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld16(lo, hi);
  if (cpu.status !== 0) return;
  markExclusive(cpu, lo, hi, 2);
  r[i.rd] = v;
  r[i.rd + 1] = 0;
}
function ldxr32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 3) !== 0 && unalignedAtomicFaults(cpu, lo, 4)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  markExclusive(cpu, lo, hi, 4);
  r[i.rd] = v;
  r[i.rd + 1] = 0;
}
function ldxr64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  markExclusive(cpu, lo, hi, 8);
  r[i.rd] = v;
  r[i.rd + 1] = cpu.tmpHi;
}
// LDXP Wt, Wt2: one 64-bit single-copy atomic access, Wt from the lower address.
function ldxpW(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  markExclusive(cpu, lo, hi, 8);
  r[i.rd] = v;
  r[i.rd + 1] = 0;
  r[i.ra] = cpu.tmpHi;
  r[i.ra + 1] = 0;
}
function ldxpX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 15) !== 0 && unalignedAtomicFaults(cpu, lo, 16)) return alignFault(cpu, ACC_READ, lo, hi);
  const a = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const ah = cpu.tmpHi;
  const b = cpu.ld64((lo + 8) | 0, hi); // 16-byte aligned: lo + 8 cannot carry
  if (cpu.status !== 0) return;
  markExclusive(cpu, lo, hi, 16);
  r[i.rd] = a;
  r[i.rd + 1] = ah;
  r[i.ra] = b;
  r[i.ra + 1] = cpu.tmpHi;
}

// Store-exclusive: the alignment check comes first (it faults even if the monitor check would
// fail); on failure no store is made. Ws = 0 success, 1 failure, written only if nothing faulted.
function stxr8(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  const ok = exclusivePass(cpu, lo, hi, 1);
  if (ok) {
    cpu.st8(lo, hi, r[i.rd] & 0xff);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = ok ? 0 : 1;
  r[i.ra + 1] = 0;
}
function stxr16(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 1) !== 0 && unalignedAtomicFaults(cpu, lo, 2)) return alignFault(cpu, ACC_WRITE, lo, hi);
  const ok = exclusivePass(cpu, lo, hi, 2);
  if (ok) {
    cpu.st16(lo, hi, r[i.rd] & 0xffff);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = ok ? 0 : 1;
  r[i.ra + 1] = 0;
}
function stxr32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 3) !== 0 && unalignedAtomicFaults(cpu, lo, 4)) return alignFault(cpu, ACC_WRITE, lo, hi);
  const ok = exclusivePass(cpu, lo, hi, 4);
  if (ok) {
    cpu.st32(lo, hi, r[i.rd]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = ok ? 0 : 1;
  r[i.ra + 1] = 0;
}
function stxr64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_WRITE, lo, hi);
  const ok = exclusivePass(cpu, lo, hi, 8);
  if (ok) {
    cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = ok ? 0 : 1;
  r[i.ra + 1] = 0;
}
function stxpW(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_WRITE, lo, hi);
  const ok = exclusivePass(cpu, lo, hi, 8);
  if (ok) {
    cpu.st64(lo, hi, r[i.rd], r[i.imm3]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = ok ? 0 : 1;
  r[i.ra + 1] = 0;
}
function stxpX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 15) !== 0 && unalignedAtomicFaults(cpu, lo, 16)) return alignFault(cpu, ACC_WRITE, lo, hi);
  const ok = exclusivePass(cpu, lo, hi, 16);
  if (ok) {
    cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
    if (cpu.status !== 0) return;
    cpu.st64((lo + 8) | 0, hi, r[i.imm3], r[i.imm3 + 1]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = ok ? 0 : 1;
  r[i.ra + 1] = 0;
}

// ---- load-acquire / store-release: ordinary accesses that must be aligned ----

function ldar8(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const v = cpu.ld8(r[i.rn], r[i.rn + 1]);
  if (cpu.status !== 0) return;
  r[i.rd] = v;
  r[i.rd + 1] = 0;
}
function ldar16(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 1) !== 0 && unalignedOrderedFaults(cpu, lo, 2)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld16(lo, hi);
  if (cpu.status !== 0) return;
  r[i.rd] = v;
  r[i.rd + 1] = 0;
}
function ldar32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 3) !== 0 && unalignedOrderedFaults(cpu, lo, 4)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  r[i.rd] = v;
  r[i.rd + 1] = 0;
}
function ldar64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedOrderedFaults(cpu, lo, 8)) return alignFault(cpu, ACC_READ, lo, hi);
  const v = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  r[i.rd] = v;
  r[i.rd + 1] = cpu.tmpHi;
}
function stlr8(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  cpu.st8(r[i.rn], r[i.rn + 1], r[i.rd] & 0xff);
}
function stlr16(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 1) !== 0 && unalignedOrderedFaults(cpu, lo, 2)) return alignFault(cpu, ACC_WRITE, lo, hi);
  cpu.st16(lo, hi, r[i.rd] & 0xffff);
}
function stlr32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 3) !== 0 && unalignedOrderedFaults(cpu, lo, 4)) return alignFault(cpu, ACC_WRITE, lo, hi);
  cpu.st32(lo, hi, r[i.rd]);
}
function stlr64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedOrderedFaults(cpu, lo, 8)) return alignFault(cpu, ACC_WRITE, lo, hi);
  cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
}

// ---- LSE: LD<op>/ST<op> and SWP (ARM ARM C6.2, MemAtomic with MemAtomicOp) ----

const OP_ADD = 0;
const OP_CLR = 1; // BIC: data AND NOT value
const OP_EOR = 2;
const OP_SET = 3; // ORR
const OP_SMAX = 4;
const OP_SMIN = 5;
const OP_UMAX = 6;
const OP_UMIN = 7;
const OP_SWP = 8;

/**
 * The new memory value for a B/H/W atomic: a = old data (zero-extended), b = Rs. `sh` is 32 minus
 * the access width in bits, so `x << sh` left-aligns a value for signed (>>) or unsigned (>>>)
 * comparison at the access size. The caller truncates the result to the access size.
 */
function atomicOp32(op: number, a: number, b: number, sh: number): number {
  switch (op) {
    case OP_ADD:
      return (a + b) | 0;
    case OP_CLR:
      return a & ~b;
    case OP_EOR:
      return a ^ b;
    case OP_SET:
      return a | b;
    case OP_SMAX:
      return (a << sh) >> sh >= (b << sh) >> sh ? a : b;
    case OP_SMIN:
      return (a << sh) >> sh <= (b << sh) >> sh ? a : b;
    case OP_UMAX:
      return (a << sh) >>> 0 >= (b << sh) >>> 0 ? a : b;
    case OP_UMIN:
      return (a << sh) >>> 0 <= (b << sh) >>> 0 ? a : b;
    default:
      return b; // SWP
  }
}
/** 64-bit version: returns the low word, the high word in cpu.tmpHi. */
function atomicOp64(cpu: Cpu, op: number, alo: number, ahi: number, blo: number, bhi: number): number {
  let aGe: boolean; // a >= b in the comparison the op asks for
  switch (op) {
    case OP_ADD: {
      const s = (alo >>> 0) + (blo >>> 0);
      cpu.tmpHi = (ahi + bhi + (s > 0xffffffff ? 1 : 0)) | 0;
      return s | 0;
    }
    case OP_CLR:
      cpu.tmpHi = ahi & ~bhi;
      return alo & ~blo;
    case OP_EOR:
      cpu.tmpHi = ahi ^ bhi;
      return alo ^ blo;
    case OP_SET:
      cpu.tmpHi = ahi | bhi;
      return alo | blo;
    case OP_SMAX:
    case OP_SMIN:
      aGe = ahi > bhi || (ahi === bhi && alo >>> 0 >= blo >>> 0);
      break;
    case OP_UMAX:
    case OP_UMIN:
      aGe = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 >= blo >>> 0);
      break;
    default:
      cpu.tmpHi = bhi; // SWP
      return blo;
  }
  // MAX keeps a when a >= b; MIN keeps a when a <= b, i.e. when !(a > b).
  const aEq = alo === blo && ahi === bhi;
  const keepA = op === OP_SMAX || op === OP_UMAX ? aGe : !aGe || aEq;
  cpu.tmpHi = keepA ? ahi : bhi;
  return keepA ? alo : blo;
}

// Rt receives the old value (ST<op> is LD<op> with Rt = XZR, discarded).
function ldop8(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  const old = cpu.ld8(lo, hi);
  if (cpu.status !== 0) return;
  cpu.st8(lo, hi, atomicOp32(i.op, old, r[i.rm], 24) & 0xff);
  if (cpu.status !== 0) return;
  r[i.rd] = old;
  r[i.rd + 1] = 0;
}
function ldop16(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 1) !== 0 && unalignedAtomicFaults(cpu, lo, 2)) return alignFault(cpu, ACC_READ, lo, hi);
  const old = cpu.ld16(lo, hi);
  if (cpu.status !== 0) return;
  cpu.st16(lo, hi, atomicOp32(i.op, old, r[i.rm], 16) & 0xffff);
  if (cpu.status !== 0) return;
  r[i.rd] = old;
  r[i.rd + 1] = 0;
}
function ldop32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 3) !== 0 && unalignedAtomicFaults(cpu, lo, 4)) return alignFault(cpu, ACC_READ, lo, hi);
  const old = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  cpu.st32(lo, hi, atomicOp32(i.op, old, r[i.rm], 0));
  if (cpu.status !== 0) return;
  r[i.rd] = old;
  r[i.rd + 1] = 0;
}
function ldop64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_READ, lo, hi);
  const old = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const oldHi = cpu.tmpHi;
  const nlo = atomicOp64(cpu, i.op, old, oldHi, r[i.rm], r[i.rm + 1]);
  cpu.st64(lo, hi, nlo, cpu.tmpHi);
  if (cpu.status !== 0) return;
  r[i.rd] = old;
  r[i.rd + 1] = oldHi;
}

// ---- CAS and CASP (MemAtomicCompareAndSwap): store Rt only if memory equals Rs; Rs gets the
// old value either way ----

function cas8(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  const old = cpu.ld8(lo, hi);
  if (cpu.status !== 0) return;
  if (old === (r[i.rm] & 0xff)) {
    cpu.st8(lo, hi, r[i.rd] & 0xff);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = old;
  r[i.ra + 1] = 0;
}
function cas16(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 1) !== 0 && unalignedAtomicFaults(cpu, lo, 2)) return alignFault(cpu, ACC_READ, lo, hi);
  const old = cpu.ld16(lo, hi);
  if (cpu.status !== 0) return;
  if (old === (r[i.rm] & 0xffff)) {
    cpu.st16(lo, hi, r[i.rd] & 0xffff);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = old;
  r[i.ra + 1] = 0;
}
function cas32(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 3) !== 0 && unalignedAtomicFaults(cpu, lo, 4)) return alignFault(cpu, ACC_READ, lo, hi);
  const old = cpu.ld32(lo, hi);
  if (cpu.status !== 0) return;
  if (old === r[i.rm]) {
    cpu.st32(lo, hi, r[i.rd]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = old;
  r[i.ra + 1] = 0;
}
function cas64(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_READ, lo, hi);
  const old = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const oldHi = cpu.tmpHi;
  if (old === r[i.rm] && oldHi === r[i.rm + 1]) {
    cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = old;
  r[i.ra + 1] = oldHi;
}
// CASP Ws, Ws+1, Wt, Wt+1: one 64-bit access, the first register of each pair at the lower address.
function caspW(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 7) !== 0 && unalignedAtomicFaults(cpu, lo, 8)) return alignFault(cpu, ACC_READ, lo, hi);
  const a = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const b = cpu.tmpHi;
  if (a === r[i.rm] && b === r[i.imm]) {
    cpu.st64(lo, hi, r[i.rd], r[i.imm3]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = a;
  r[i.ra + 1] = 0;
  r[i.imm2] = b;
  r[i.imm2 + 1] = 0;
}
function caspX(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  const lo = r[i.rn];
  const hi = r[i.rn + 1];
  if ((lo & 15) !== 0 && unalignedAtomicFaults(cpu, lo, 16)) return alignFault(cpu, ACC_READ, lo, hi);
  const a = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const ah = cpu.tmpHi;
  const lo2 = (lo + 8) | 0; // 16-byte aligned: no carry
  const b = cpu.ld64(lo2, hi);
  if (cpu.status !== 0) return;
  const bh = cpu.tmpHi;
  if (a === r[i.rm] && ah === r[i.rm + 1] && b === r[i.imm] && bh === r[i.imm + 1]) {
    cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
    if (cpu.status !== 0) return;
    cpu.st64(lo2, hi, r[i.imm3], r[i.imm3 + 1]);
    if (cpu.status !== 0) return;
  }
  r[i.ra] = a;
  r[i.ra + 1] = ah;
  r[i.imm2] = b;
  r[i.imm2 + 1] = bh;
}

// ---- decoding ----

const LDXR: ExecFn[] = [ldxr8, ldxr16, ldxr32, ldxr64];
const STXR: ExecFn[] = [stxr8, stxr16, stxr32, stxr64];
const LDAR: ExecFn[] = [ldar8, ldar16, ldar32, ldar64];
const STLR: ExecFn[] = [stlr8, stlr16, stlr32, stlr64];
const LDOP: ExecFn[] = [ldop8, ldop16, ldop32, ldop64];
const CAS: ExecFn[] = [cas8, cas16, cas32, cas64];

/** LDAR and LDAPR (one PE: RCpc and RCsc acquire are the same): size, Rt, Rn, the ISS for EL2. */
function decodeLoadAcquire(raw: number, i: Insn): void {
  const size = bits(raw, 31, 30);
  const t = bits(raw, 4, 0);
  i.rn = regSP(bits(raw, 9, 5));
  i.rd = dstZR(t);
  i.iss = issFor(size, 0, t, size === 3, 1);
  i.exec = LDAR[size];
}

export const atomics: Encoding[] = [
  {
    name: 'STXR/STLXR',
    pattern: 'zz 001000 0 0 0 sssss o 11111 nnnnn ttttt',
    decode(raw, i) {
      const s = bits(raw, 20, 16);
      const n = bits(raw, 9, 5);
      const t = bits(raw, 4, 0);
      if (s === t || (s === n && n !== 31)) return false; // CONSTRAINED UNPREDICTABLE: UNDEFINED
      i.ra = dstZR(s);
      i.rn = regSP(n);
      i.rd = srcZR(t);
      i.exec = STXR[bits(raw, 31, 30)];
    },
  },
  {
    name: 'LDXR/LDAXR',
    pattern: 'zz 001000 0 1 0 11111 o 11111 nnnnn ttttt',
    decode(raw, i) {
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = dstZR(bits(raw, 4, 0));
      i.exec = LDXR[bits(raw, 31, 30)];
    },
  },
  {
    name: 'STXP/STLXP',
    pattern: '1z 001000 0 0 1 sssss o uuuuu nnnnn ttttt',
    decode(raw, i) {
      const s = bits(raw, 20, 16);
      const t2 = bits(raw, 14, 10);
      const n = bits(raw, 9, 5);
      const t = bits(raw, 4, 0);
      if (s === t || s === t2 || (s === n && n !== 31)) return false; // CONSTRAINED UNPREDICTABLE: UNDEFINED
      i.ra = dstZR(s);
      i.rn = regSP(n);
      i.rd = srcZR(t);
      i.imm3 = srcZR(t2);
      i.exec = bits(raw, 30, 30) ? stxpX : stxpW;
    },
  },
  {
    name: 'LDXP/LDAXP',
    pattern: '1z 001000 0 1 1 11111 o uuuuu nnnnn ttttt',
    decode(raw, i) {
      const t2 = bits(raw, 14, 10);
      const t = bits(raw, 4, 0);
      if (t === t2) return false; // CONSTRAINED UNPREDICTABLE: UNDEFINED
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = dstZR(t);
      i.ra = dstZR(t2);
      i.exec = bits(raw, 30, 30) ? ldxpX : ldxpW;
    },
  },
  {
    name: 'CASP/CASPA/CASPL/CASPAL',
    pattern: '0z 001000 0 L 1 sssss o 11111 nnnnn ttttt',
    decode(raw, i) {
      const s = bits(raw, 20, 16);
      const t = bits(raw, 4, 0);
      if ((s & 1) !== 0 || (t & 1) !== 0) return false; // odd register pair: unallocated
      i.rm = srcZR(s);
      i.ra = dstZR(s);
      i.imm = srcZR(s + 1);
      i.imm2 = dstZR(s + 1);
      i.rd = srcZR(t);
      i.imm3 = srcZR(t + 1);
      i.rn = regSP(bits(raw, 9, 5));
      i.exec = bits(raw, 30, 30) ? caspX : caspW;
    },
  },
  {
    // o0=0 would be STLLR (FEAT_LOR, not implemented).
    name: 'STLR',
    pattern: 'zz 001000 1 0 0 11111 1 11111 nnnnn ttttt',
    decode(raw, i) {
      const size = bits(raw, 31, 30);
      const t = bits(raw, 4, 0);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = srcZR(t);
      i.iss = issFor(size, 0, t, size === 3, 1);
      i.exec = STLR[size];
    },
  },
  {
    // o0=0 would be LDLAR (FEAT_LOR, not implemented).
    name: 'LDAR',
    pattern: 'zz 001000 1 1 0 11111 1 11111 nnnnn ttttt',
    decode: decodeLoadAcquire,
  },
  {
    name: 'CAS/CASA/CASL/CASAL',
    pattern: 'zz 001000 1 L 1 sssss o 11111 nnnnn ttttt',
    decode(raw, i) {
      const s = bits(raw, 20, 16);
      i.rm = srcZR(s);
      i.ra = dstZR(s);
      i.rd = srcZR(bits(raw, 4, 0));
      i.rn = regSP(bits(raw, 9, 5));
      i.exec = CAS[bits(raw, 31, 30)];
    },
  },
  {
    // LDAPR/LDAPRB/LDAPRH (FEAT_LRCPC): RCpc load-acquire; on one PE the same as LDAR.
    name: 'LDAPR',
    pattern: 'zz 111 0 00 1 0 1 11111 1 100 00 nnnnn ttttt',
    decode: decodeLoadAcquire,
  },
  {
    // o3:opc: 0xxx LDADD..LDUMIN, 1000 SWP; 1100 with A=1,R=0,Rs=11111 is LDAPR (above).
    name: 'LD<op>/ST<op>/SWP',
    pattern: 'zz 111 0 00 A R 1 sssss o ppp 00 nnnnn ttttt',
    decode(raw, i) {
      const op = bits(raw, 15, 12);
      if (op > OP_SWP) return false;
      i.op = op;
      i.rm = srcZR(bits(raw, 20, 16));
      i.rd = dstZR(bits(raw, 4, 0));
      i.rn = regSP(bits(raw, 9, 5));
      i.exec = LDOP[bits(raw, 31, 30)];
    },
  },
];
addSpAlignmentCheck(atomics);
