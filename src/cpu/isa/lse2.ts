// FEAT_LSE2 (ID_AA64MMFR2_EL1.AT[35:32] = 1, `--cpu max`): which unaligned accesses of the ordered,
// exclusive and atomic instructions still take an Alignment fault. The ARM ARM's
// AArch64.UnalignedAccessFaults (called only for an address not aligned to the access size):
//   AlignmentEnforced() (SCTLR_ELx.A = 1)                 -> fault
//   exclusive (LDXR/STXR/LDAXR/STLXR, pairs) or atomicop (LD<op>, SWP, CAS, CASP)
//                                                         -> !FEAT_LSE2 || !AllInAlignedQuantity(address, size, 16)
//   load-acquire / store-release (LDAR, STLR, LDAPR, LDAPUR, STLUR: acqsc/acqpc/relsc)
//                                                         -> !FEAT_LSE2 || (SCTLR_ELx.nAA == 0 && !AllInAlignedQuantity(address, size, 16))
// Every other access (LDR, LDP, STP...) faults only as before (SCTLR.A or Device memory, fastmem.ts).
// LSE2's other change, single-copy atomicity of accesses within a 16-byte quantity (B2.2.1), is
// invisible here: a PE executes each instruction whole, and the SMP scheduler interleaves PEs
// only between instructions.
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';

/** SCTLR_EL1.A[1]: alignment checking of every access. */
const SCTLR_A = 1 << 1;
/** SCTLR_EL1.nAA[6] (FEAT_LSE2; RES0 without it): ordered accesses may cross a 16-byte quantity. */
const SCTLR_NAA = 1 << 6;

/** FEAT_LSE2: ID_AA64MMFR2_EL1.AT[35:32] != 0 (bits [3:0] of the high word). */
export const haveLse2 = (cpu: Cpu): boolean => (cpu.sysHi(SYS.ID_AA64MMFR2_EL1) & 0xf) !== 0;

/** AllInAlignedQuantity(address, size, 16): the `size` bytes at `lo` lie in one 16-byte aligned block. */
export const allIn16 = (lo: number, size: number): boolean => (lo & 15) + size <= 16;

/** UnalignedAccessFaults for an exclusive or atomic (read-modify-write) access of `size` bytes at an unaligned `lo`. */
export function unalignedAtomicFaults(cpu: Cpu, lo: number, size: number): boolean {
  if (!haveLse2(cpu)) return true;
  if ((cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_A) !== 0) return true; // AlignmentEnforced()
  return !allIn16(lo, size);
}

/** UnalignedAccessFaults for a load-acquire / store-release of `size` bytes at an unaligned `lo`. */
export function unalignedOrderedFaults(cpu: Cpu, lo: number, size: number): boolean {
  if (!haveLse2(cpu)) return true;
  const sctlr = cpu.sysLo(SYS.SCTLR_EL1);
  if ((sctlr & SCTLR_A) !== 0) return true; // AlignmentEnforced()
  return (sctlr & SCTLR_NAA) === 0 && !allIn16(lo, size);
}
