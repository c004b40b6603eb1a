// Address translation entry point for the CPU's slow path (ARM ARM D8, AArch64.TranslateAddress).
// This file holds the MMU-off regime (stage 1 disabled, no stage 2): a flat mapping with the
// default memory attributes of D8.2.10. The walker replaces the enabled cases.
import type { Cpu } from '../cpu/cpu.js';
import { SYS } from '../cpu/sysregs.js';

export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_FETCH = 2;

/** Fault status codes (DFSC/IFSC, ARM ARM D17.2.37 ESR_ELx ISS encoding for aborts). */
export const FSC_ADDR_SIZE = 0x00; // + level
export const FSC_TRANSLATION = 0x04; // + level
export const FSC_ACCESS_FLAG = 0x08; // + level
export const FSC_PERMISSION = 0x0c; // + level
export const FSC_SYNC_EXTERNAL = 0x10;
export const FSC_ALIGNMENT = 0x21;

/** Memory type of the last translation, read by the slow path for alignment and caching. */
export const MT_NORMAL = 0;
export const MT_DEVICE = 1;

export interface Translation {
  /** Physical address (exact as a double: < 2^52), or -1 when the translation faulted. */
  pa: number;
  memType: number;
  /** May the host-side fast cache keep this page (false for pages with side effects to model). */
  cacheable: boolean;
}

const PA_BITS = 40; // ID_AA64MMFR0_EL1.PARange = 2

/**
 * Translate a virtual address for the EL1&0 regime. On a fault, records the abort in the CPU's
 * pending-exception fields (via cpu.abort) and returns pa = -1.
 */
export function translate(cpu: Cpu, lo: number, hi: number, acc: number, out: Translation): void {
  const sctlr = cpu.sysLo(SYS.SCTLR_EL1);
  if ((sctlr & 1) !== 0) {
    // Stage 1 enabled: the walker is not built yet. Fault loudly rather than pretend.
    cpu.halt('the guest enabled the stage-1 MMU (SCTLR_EL1.M=1), which is not implemented yet');
    out.pa = -1;
    return;
  }
  // AArch64.TranslateAddressS1Off: VA bits above PAMax give an Address size fault at level 0.
  if (hi >>> (PA_BITS - 32) !== 0) {
    cpu.abort(acc, FSC_ADDR_SIZE, lo, hi, false);
    out.pa = -1;
    return;
  }
  out.pa = (hi >>> 0) * 4294967296 + (lo >>> 0);
  // Data accesses are Device-nGnRnE; instruction fetches Normal (cacheable per SCTLR_EL1.I).
  out.memType = acc === ACC_FETCH ? MT_NORMAL : MT_DEVICE;
  out.cacheable = true;
}
