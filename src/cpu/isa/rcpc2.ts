// FEAT_LRCPC2 (ID_AA64ISAR1_EL1.LRCPC[23:20] = 2, `--cpu max`): LDAPUR/LDAPURB/LDAPURH,
// LDAPURSB/LDAPURSH/LDAPURSW and STLUR/STLURB/STLURH, "LDAPR/STLR (unscaled immediate)"
// (ARM ARM C4.1.x, encoding `size 011001 opc 0 imm9 00 Rn Rt`): the address is Rn|SP + SignExtend(imm9),
// no writeback. They are RCpc load-acquire / store-release accesses (on one PE executing whole
// instructions the ordering has no visible effect: an ordinary access), so alignment follows
// AArch64.UnalignedAccessFaults for acqpc/relsc (lse2.ts): an Alignment fault when unaligned,
// except with FEAT_LSE2 inside a 16-byte quantity (or anywhere with SCTLR_EL1.nAA = 1).
// size:opc 10:11 and 11:1x are unallocated (UNDEFINED).
import type { Encoding, ExecFn, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits } from '../decode.js';
import { dstZR, srcZR, regSP } from './common.js';
import { issFor, addSpAlignmentCheck } from './ldst.js';
import { ACC_READ, ACC_WRITE, FSC_ALIGNMENT } from '../../mmu/translate.js';
import { unalignedOrderedFaults } from './lse2.js';

/** Rn|SP + i.imm (signed imm9): the low word; the high word in cpu.tmpHi. */
function ea(cpu: Cpu, i: Insn): number {
  const r = cpu.r;
  const s = (r[i.rn] >>> 0) + i.imm;
  cpu.tmpHi = (r[i.rn + 1] + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0;
  return s | 0;
}

/** The alignment check of an RCpc access of `size` bytes (true: the fault is pending). */
function misaligned(cpu: Cpu, acc: number, lo: number, hi: number, size: number): boolean {
  if ((lo & (size - 1)) === 0 || !unalignedOrderedFaults(cpu, lo, size)) return false;
  cpu.abort(acc, FSC_ALIGNMENT, lo, hi, false);
  return true;
}

/** The loaded value (size bytes, zero-extended: low word; high word in cpu.tmpHi for 8 bytes). */
function load(cpu: Cpu, lo: number, hi: number, size: number): number {
  switch (size) {
    case 1:
      return cpu.ld8(lo, hi);
    case 2:
      return cpu.ld16(lo, hi);
    case 4:
      return cpu.ld32(lo, hi);
    default:
      return cpu.ld64(lo, hi);
  }
}

/**
 * LDAPUR* of `size` bytes. ext: 0 zero-extend (LDAPUR/B/H), 32 sign-extend to W (LDAPURSB/SH Wt),
 * 64 sign-extend to X (LDAPURSB/SH/SW Xt).
 */
function makeLoad(size: number, ext: number): ExecFn {
  const sh = 32 - 8 * size; // left-aligns a B/H value for the sign extension
  return (cpu: Cpu, i: Insn): void => {
    const lo = ea(cpu, i);
    const hi = cpu.tmpHi;
    if (misaligned(cpu, ACC_READ, lo, hi, size)) return;
    let v = load(cpu, lo, hi, size);
    if (cpu.status !== 0) return;
    const r = cpu.r;
    if (size === 8) {
      r[i.rd] = v;
      r[i.rd + 1] = cpu.tmpHi;
      return;
    }
    if (ext !== 0 && sh !== 0) v = (v << sh) >> sh; // SignExtend(data, 32)
    r[i.rd] = v;
    r[i.rd + 1] = ext === 64 ? v >> 31 : 0;
  };
}

function makeStore(size: number): ExecFn {
  return (cpu: Cpu, i: Insn): void => {
    const lo = ea(cpu, i);
    const hi = cpu.tmpHi;
    if (misaligned(cpu, ACC_WRITE, lo, hi, size)) return;
    const r = cpu.r;
    switch (size) {
      case 1:
        return cpu.st8(lo, hi, r[i.rd] & 0xff);
      case 2:
        return cpu.st16(lo, hi, r[i.rd] & 0xffff);
      case 4:
        return cpu.st32(lo, hi, r[i.rd]);
      default:
        return cpu.st64(lo, hi, r[i.rd], r[i.rd + 1]);
    }
  };
}

// Handlers by size (0..3) then opc (0 STLUR, 1 LDAPUR, 2 LDAPURS to X, 3 LDAPURS to W); null = unallocated.
const H: (ExecFn | null)[][] = [
  [makeStore(1), makeLoad(1, 0), makeLoad(1, 64), makeLoad(1, 32)],
  [makeStore(2), makeLoad(2, 0), makeLoad(2, 64), makeLoad(2, 32)],
  [makeStore(4), makeLoad(4, 0), makeLoad(4, 64), null],
  [makeStore(8), makeLoad(8, 0), null, null],
];

export const rcpc2: Encoding[] = [
  {
    name: 'LDAPUR*/STLUR*',
    pattern: 'zz 011001 pp 0 iiiiiiiii 00 nnnnn ttttt',
    decode(raw, i) {
      const size = bits(raw, 31, 30);
      const opc = bits(raw, 23, 22);
      const h = H[size][opc];
      if (h === null) return false;
      const t = bits(raw, 4, 0);
      i.rn = regSP(bits(raw, 9, 5));
      i.rd = opc === 0 ? srcZR(t) : dstZR(t);
      i.imm = (bits(raw, 20, 12) << 23) >> 23; // SignExtend(imm9)
      // ISS as LDAR/STLR (AR = 1); SSE for the sign-extending loads, SF when Xt is the target.
      i.iss = issFor(size, opc >= 2, t, size === 3 || opc === 2, 1);
      i.exec = h;
    },
  },
];
addSpAlignmentCheck(rcpc2);
