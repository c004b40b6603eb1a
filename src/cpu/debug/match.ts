// Breakpoint and watchpoint matching and the debug exception enables, following the ARM ARM's
// pseudocode (D2, shared/debug): AArch64.GenerateDebugExceptionsFrom, AArch64.BreakpointValueMatch,
// AArch64.StateMatch, AArch64.BreakpointMatch, AArch64.WatchpointByteMatch / WatchpointMatch.
// This PE: AArch64 only (no AArch32: DBGBCR.BAS is RES1 and the mismatch types are reserved), EL2
// implemented and Non-secure (no EL3), no FEAT_VHE (the CONTEXTIDR_EL2 types are reserved),
// 16-bit VMIDs, 48-bit VAs. CONSTRAINED UNPREDICTABLE programming (reserved BT, LSC=00, MASK 1 or
// 2, a link to a breakpoint that is not a linked context one) is treated as "does not match",
// one of the behaviours the architecture permits. 64-bit values are (lo, hi) int32 pairs.
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';
import { NUM_BRPS, NUM_WRPS, NUM_CTX_CMPS, MDSCR_KDE, MDCR_TDE, OSLSR_OSLK } from './regs.js';

const HCR_TGE = 1 << 27;
/** VA bits [48:32] compared by address matching: bits [63:49] are sign extension (RESS). */
const VA_HI_MASK = 0x1ffff;

const bcr = (c: Cpu, n: number): number => c.sysLo(SYS.DBGBCR0_EL1 + 2 * n);
const bvrLo = (c: Cpu, n: number): number => c.sysLo(SYS.DBGBVR0_EL1 + 2 * n);
const bvrHi = (c: Cpu, n: number): number => c.sysHi(SYS.DBGBVR0_EL1 + 2 * n);
const wcr = (c: Cpu, n: number): number => c.sysLo(SYS.DBGWCR0_EL1 + 2 * n);
const wvrLo = (c: Cpu, n: number): number => c.sysLo(SYS.DBGWVR0_EL1 + 2 * n);
const wvrHi = (c: Cpu, n: number): number => c.sysHi(SYS.DBGWVR0_EL1 + 2 * n);

/** DoubleLockStatus(): OSDLR_EL1.DLK = 1 and DBGPRCR_EL1.CORENPDRQ = 0 (never Halted here). */
export function doubleLocked(c: Cpu): boolean {
  return (c.sysLo(SYS.OSDLR_EL1) & 1) !== 0 && (c.sysLo(SYS.DBGPRCR_EL1) & 1) === 0;
}
/** OSLSR_EL1.OSLK. */
export function osLocked(c: Cpu): boolean {
  return (c.sysLo(SYS.OSLSR_EL1) & OSLSR_OSLK) !== 0;
}

/** DebugTarget(): EL2 when HCR_EL2.TGE or MDCR_EL2.TDE is set (EL2 implemented, Non-secure), else EL1. */
export function debugTarget(c: Cpu): number {
  return (c.sysLo(SYS.HCR_EL2) & HCR_TGE) !== 0 || (c.sysLo(SYS.MDCR_EL2) & MDCR_TDE) !== 0 ? 2 : 1;
}

/**
 * AArch64.GenerateDebugExceptionsFrom(from_el, secure, mask): no debug exceptions while the OS
 * lock or OS double lock is set; from the debug target EL itself only with MDSCR_EL1.KDE = 1 and
 * PSTATE.D (mask) = 0; from a lower EL always; never from a higher one.
 */
export function generateDebugExceptionsFrom(c: Cpu, fromEl: number, mask: boolean): boolean {
  if (osLocked(c) || doubleLocked(c)) return false;
  const target = debugTarget(c);
  if (fromEl === target) return (c.sysLo(SYS.MDSCR_EL1) & MDSCR_KDE) !== 0 && !mask;
  return target > fromEl;
}
/** AArch64.GenerateDebugExceptions(): from the current EL with PSTATE.D. */
export function generateDebugExceptions(c: Cpu): boolean {
  return generateDebugExceptionsFrom(c, c.el, (c.daif & 8) !== 0);
}

/** The current VMID (VTTBR_EL2.VMID, bits [63:48], 16-bit VMIDs). */
function vmid(c: Cpu): number {
  return (c.sysHi(SYS.VTTBR_EL2) >>> 16) & 0xffff;
}

/**
 * AArch64.BreakpointValueMatch(n, vaddress, linked_to). `linkedTo`: n is the context breakpoint
 * that an address breakpoint or a watchpoint links to (LBN), so it must be a linked context type.
 * BT: 0000/0001 address (unlinked/linked), 0010/0011 CONTEXTIDR_EL1, 1000/1001 VMID, 1010/1011
 * VMID + CONTEXTIDR_EL1; context types only on the context-aware (highest-numbered) breakpoints.
 */
export function breakpointValueMatch(c: Cpu, n: number, lo: number, hi: number, linkedTo: boolean): boolean {
  if (n >= NUM_BRPS) return false;
  const ctl = bcr(c, n);
  if ((ctl & 1) === 0) return false;
  const bt = (ctl >>> 20) & 0xf;
  const contextAware = n >= NUM_BRPS - NUM_CTX_CMPS;
  const matchAddr = (bt & 0xe) === 0;
  const matchCid = (bt & 0x6) === 0x2; // 001x or 101x
  const matchVmid = (bt & 0xc) === 0x8; // 10xx
  const linked = (bt & 1) !== 0;
  // Reserved types: 010x (address mismatch, AArch32 only), x11x (CONTEXTIDR_EL2, FEAT_VHE), 11xx;
  // context types on a breakpoint that is not context-aware.
  if ((bt & 0xe) === 0x4 || (bt & 0x6) === 0x6 || (bt & 0xc) === 0xc) return false;
  if (!matchAddr && !contextAware) return false;
  if (linkedTo && (!linked || matchAddr)) return false;
  if (!linkedTo && linked && !matchAddr) return false;
  if (matchAddr) {
    // A64 instructions: compare VA[48:2] (BAS is RES1 = the whole instruction).
    return ((lo ^ bvrLo(c, n)) & ~3) === 0 && ((hi ^ bvrHi(c, n)) & VA_HI_MASK) === 0;
  }
  // Context matching applies at EL0/EL1 (EL2 runs the TypeScript hypervisor, not guest code).
  if (c.el >= 2) return false;
  if (matchCid && c.sysLo(SYS.CONTEXTIDR_EL1) !== bvrLo(c, n)) return false;
  if (matchVmid && vmid(c) !== (bvrHi(c, n) & 0xffff)) return false;
  return true;
}

/**
 * AArch64.StateMatch(SSC, HMC, PxC, linked, LBN, isbreakpnt, ispriv): the EL and Security state
 * filters. Non-secure only: SSC 00 and 01 match, 10 (Secure) never, 11 is reserved without EL3.
 * EL1 matches with PxC[0] (or, for an unprivileged LDTR/STTR access by a watchpoint, as EL0),
 * EL0 with PxC[1]; EL2 with HMC (not reached by guest code). A linked one also needs the context
 * breakpoint LBN to match.
 */
export function stateMatch(c: Cpu, ctl: number, linked: boolean, isBreakpoint: boolean, isPriv: boolean): boolean {
  const pxc = (ctl >>> 1) & 3;
  const hmc = (ctl >>> 13) & 1;
  const ssc = (ctl >>> 14) & 3;
  if (ssc === 2 || ssc === 3) return false;
  let priv: boolean;
  const el = c.el;
  if (el === 2) priv = hmc === 1;
  else if (el === 1) priv = isPriv || isBreakpoint ? (pxc & 1) !== 0 : (pxc & 2) !== 0;
  else priv = (pxc & 2) !== 0;
  if (!priv) return false;
  if (linked) return breakpointValueMatch(c, (ctl >>> 16) & 0xf, 0, 0, true);
  return true;
}

/** AArch64.BreakpointMatch(n, vaddress, size) for an A64 instruction at (lo, hi). */
export function breakpointMatch(c: Cpu, n: number, lo: number, hi: number): boolean {
  const ctl = bcr(c, n);
  if ((ctl & 1) === 0) return false;
  const bt = (ctl >>> 20) & 0xf;
  const linked = bt === 1; // a linked address breakpoint (0b0001); LBN names its context breakpoint
  return stateMatch(c, ctl, linked, true, c.el !== 0) && breakpointValueMatch(c, n, lo, hi, false);
}

/** Any breakpoint matches the instruction at (lo, hi) (the loop of AArch64.CheckBreakpoint). */
export function anyBreakpointMatch(c: Cpu, lo: number, hi: number): boolean {
  for (let n = 0; n < NUM_BRPS; n++) if (breakpointMatch(c, n, lo, hi)) return true;
  return false;
}

/**
 * AArch64.WatchpointByteMatch(n, vaddress): is the byte at (lo, hi) watched by watchpoint n?
 * MASK = 0: DBGWVR[48:3] selects a doubleword and BAS[7:0] its bytes; with DBGWVR[2] = 1 the word
 * at DBGWVR[48:2] and BAS[3:0]. MASK = 3..31: the 2^MASK-byte aligned block at DBGWVR (BAS must be
 * all ones; address bits below MASK set in DBGWVR: no match). MASK 1 and 2 are reserved.
 */
export function watchpointByteMatch(c: Cpu, n: number, lo: number, hi: number): boolean {
  const ctl = wcr(c, n);
  const mask = (ctl >>> 24) & 0x1f;
  const bas = (ctl >>> 5) & 0xff;
  const vlo = wvrLo(c, n);
  const vhi = wvrHi(c, n);
  // VA[48:32] always take part (a MASK of at most 31 bits never reaches them).
  if (((hi ^ vhi) & VA_HI_MASK) !== 0) return false;
  if (mask === 0) {
    if ((vlo & 4) !== 0) {
      if (((lo ^ vlo) & ~3) !== 0) return false;
      return ((bas >>> (lo & 3)) & 1) !== 0;
    }
    if (((lo ^ vlo) & ~7) !== 0) return false;
    return ((bas >>> (lo & 7)) & 1) !== 0;
  }
  if (mask < 3 || bas !== 0xff) return false;
  const low = mask === 31 ? 0x7fffffff : (1 << mask) - 1;
  if ((vlo & low) !== 0) return false;
  return ((lo ^ vlo) & ~low) === 0;
}

/**
 * AArch64.WatchpointMatch(n, vaddress, size, ispriv, iswrite): enabled, state match (PAC, HMC,
 * SSC, linking), LSC (01 load, 10 store, 11 both) and any byte of [vaddress, vaddress + size).
 */
export function watchpointMatch(c: Cpu, n: number, lo: number, hi: number, size: number, isPriv: boolean, isWrite: boolean): boolean {
  const ctl = wcr(c, n);
  if ((ctl & 1) === 0) return false;
  const lsc = (ctl >>> 3) & 3;
  if ((isWrite ? lsc & 2 : lsc & 1) === 0) return false;
  if (!stateMatch(c, ctl, (ctl & (1 << 20)) !== 0, false, isPriv)) return false;
  for (let k = 0; k < size; k++) {
    const blo = (lo + k) | 0;
    const bhi = (blo >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
    if (watchpointByteMatch(c, n, blo, bhi)) return true;
  }
  return false;
}

/** Any watchpoint matches the access (the loop of AArch64.CheckWatchpoint). */
export function anyWatchpointMatch(c: Cpu, lo: number, hi: number, size: number, isPriv: boolean, isWrite: boolean): boolean {
  for (let n = 0; n < NUM_WRPS; n++) if (watchpointMatch(c, n, lo, hi, size, isPriv, isWrite)) return true;
  return false;
}
