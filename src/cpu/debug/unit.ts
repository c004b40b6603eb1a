// The guest's self-hosted debug at run time (ARM ARM D2): which debug events can fire (derived from
// the registers whenever they or the context change), the checks the run loop makes before and
// after each instruction while any can (AArch64.CheckSoftwareStep, AArch64.CheckBreakpoint,
// SSAdvance), the watchpoint check on data accesses (AArch64.CheckWatchpoint, called from the
// memory slow path), the debug exceptions with their syndromes, and DebugExceptionReturnSS.
//
// While cpu.guestDebug is non-zero both engines interpret instruction by instruction through the
// same loop (engine-interp.ts), as they do for the debugger's own breakpoints, so counts stay
// identical; while a watchpoint is enabled, data pages get no fast-cache entries, so every access
// reaches the slow path and this check.
import type { Cpu } from '../cpu.js';
import { SYS } from '../sysregs.js';
import { ST_OK, ST_EXC } from '../state.js';
import { NUM_BRPS, NUM_WRPS, MDSCR_MDE, MDSCR_SS } from './regs.js';
import {
  osLocked,
  doubleLocked,
  debugTarget,
  generateDebugExceptions,
  generateDebugExceptionsFrom,
  anyBreakpointMatch,
  anyWatchpointMatch,
} from './match.js';

/** cpu.guestDebug bits: an enabled breakpoint (with MDE), watchpoint (with MDE), MDSCR_EL1.SS. */
export const GD_BP = 1;
export const GD_WP = 2;
export const GD_SS = 4;

// Exception classes (ESR_ELx.EC, ARM ARM D19.2 ESR_EL1): the lower-EL value; +1 is "same EL".
export const EC_BREAKPOINT_LOWER = 0x30;
export const EC_BREAKPOINT_SAME = 0x31;
export const EC_SOFTWARE_STEP_LOWER = 0x32;
export const EC_SOFTWARE_STEP_SAME = 0x33;
export const EC_WATCHPOINT_LOWER = 0x34;
export const EC_WATCHPOINT_SAME = 0x35;
/** IFSC/DFSC 0b100010: Debug exception. */
const FSC_DEBUG = 0x22;
const ISS_WNR = 1 << 6;
const ISS_CM = 1 << 8; // ESR ISS.CM: the exception came from a cache maintenance instruction
const ISS_EX = 1 << 6;
const ISS_ISV = 1 << 24;
const PSTATE_SS = 1 << 21;

/**
 * Re-derive cpu.guestDebug and the watchpoint hook from the debug registers. Called by
 * Cpu.contextChanged(): after a debug register write (regs.ts), a VM switch, a reset.
 */
export function debugStateChanged(c: Cpu): void {
  let g = 0;
  if (!osLocked(c) && !doubleLocked(c)) {
    const mdscr = c.sysLo(SYS.MDSCR_EL1);
    if ((mdscr & MDSCR_MDE) !== 0) {
      for (let n = 0; n < NUM_BRPS; n++) if ((c.sysLo(SYS.DBGBCR0_EL1 + 2 * n) & 1) !== 0) g |= GD_BP;
      for (let n = 0; n < NUM_WRPS; n++) if ((c.sysLo(SYS.DBGWCR0_EL1 + 2 * n) & 1) !== 0) g |= GD_WP;
    }
    if ((mdscr & MDSCR_SS) !== 0) g |= GD_SS;
  }
  c.guestDebug = g;
  // The fast cache was just flushed (contextChanged); with the hook set it gets no data entries.
  c.guestWatch = (g & GD_WP) !== 0 ? (c.guestWatchHook ??= (lo, hi, size, w) => checkWatchpoint(c, lo, hi, size, w)) : null;
}

/** Raise a debug exception to the debug target EL (EL1, or EL2 with MDCR_EL2.TDE / HCR_EL2.TGE). */
function raiseDebug(c: Cpu, ecLower: number, iss: number): void {
  const target = debugTarget(c);
  c.raise(c.el < target ? ecLower : ecLower + 1, iss, 0, target);
}

/** Step enabled: AArch64.GenerateDebugExceptions() and MDSCR_EL1.SS (the guard of CheckSoftwareStep). */
function stepEnabled(c: Cpu): boolean {
  return (c.sysLo(SYS.MDSCR_EL1) & MDSCR_SS) !== 0 && generateDebugExceptions(c);
}

/**
 * AArch64.CheckSoftwareStep(): in the active-pending state (step enabled, PSTATE.SS = 0) the
 * Software Step exception is taken before the next instruction: EC 0x32/0x33, ELR = that
 * instruction, ISS.ISV = 1 when an instruction was stepped to get here (then ISS.EX = 1 if it was
 * a load-exclusive), ISV = 0 when the state was entered otherwise (SoftwareStep_DidNotStep: an
 * exception return from a context where step was inactive, or the MSR that enabled it).
 */
export function checkSoftwareStep(c: Cpu): boolean {
  if ((c.pstateOther & PSTATE_SS) !== 0 || !stepEnabled(c)) return false;
  const iss = FSC_DEBUG | (c.dbgStepped ? ISS_ISV | (c.dbgSteppedEx ? ISS_EX : 0) : 0);
  raiseDebug(c, EC_SOFTWARE_STEP_LOWER, iss);
  return true;
}

/**
 * The checks before the instruction at (lo, hi), in the priority of D1 "Synchronous exception
 * prioritization": Software Step first, then (the fetch having translated) Breakpoint. Returns
 * true with the exception pending (ELR = this instruction; a breakpoint leaves FAR UNKNOWN: it is
 * not written). Breakpoints need MDSCR_EL1.MDE and AArch64.GenerateDebugExceptions().
 */
export function guestDebugBefore(c: Cpu, lo: number, hi: number): boolean {
  const g = c.guestDebug;
  if ((g & GD_SS) !== 0 && checkSoftwareStep(c)) return true;
  if ((g & GD_BP) !== 0 && (c.sysLo(SYS.MDSCR_EL1) & MDSCR_MDE) !== 0 && generateDebugExceptions(c) && anyBreakpointMatch(c, lo, hi)) {
    raiseDebug(c, EC_BREAKPOINT_LOWER, FSC_DEBUG);
    return true;
  }
  return false;
}

/** A load-exclusive (LDXR/LDAXR/LDXRB/H, LDXP/LDAXP): load/store exclusive class, o2 = 0, L = 1, not CASP. */
export function isLoadExclusive(raw: number): boolean {
  if ((raw & 0x3fc00000) !== 0x08400000) return false;
  return (raw & (1 << 21)) === 0 || (raw & (1 << 31)) !== 0;
}
/** ERET, ERETAA, ERETAB: they set PSTATE.SS themselves (DebugExceptionReturnSS). */
const isEret = (raw: number): boolean => (raw & 0xfffff000) === (0xd69f0000 | 0);

/**
 * After an instruction ran with guest debug active: SSAdvance() if it completed (including the
 * exception-generating SVC/HVC/SMC, which advance the step before their exception is taken, so
 * SPSR.SS = 0); an instruction that took any other exception was not stepped (SPSR.SS stays 1).
 */
export function guestDebugAfter(c: Cpu, raw: number): void {
  const st = c.status;
  if (st === ST_EXC ? c.excRetNext === 0 : st !== ST_OK && st !== 3 /* ST_SYNC */) return;
  if (isEret(raw)) return;
  ssAdvance(c, isLoadExclusive(raw));
}

/** SSAdvance(): active-not-pending becomes active-pending once an instruction completes. */
export function ssAdvance(c: Cpu, ex: boolean): void {
  if ((c.sysLo(SYS.MDSCR_EL1) & MDSCR_SS) !== 0 && (c.pstateOther & PSTATE_SS) !== 0) {
    c.pstateOther &= ~PSTATE_SS;
    c.dbgStepped = 1;
    c.dbgSteppedEx = ex ? 1 : 0;
  } else {
    c.dbgStepped = 0;
  }
}

/**
 * The hypervisor completed a trapped instruction for the guest (ELR_EL2 moved past it): it was
 * stepped, so the SPSR_EL2 it returns with gets SS = 0, as SSAdvance would have left PSTATE.SS.
 */
export function ssAdvanceEmulated(c: Cpu): void {
  const spsr = c.sysLo(SYS.SPSR_EL2);
  if ((c.sysLo(SYS.MDSCR_EL1) & MDSCR_SS) !== 0 && (spsr & PSTATE_SS) !== 0) {
    c.setSys(SYS.SPSR_EL2, spsr & ~PSTATE_SS, c.sysHi(SYS.SPSR_EL2));
    c.dbgStepped = 1;
    c.dbgSteppedEx = 0;
  }
}

/**
 * DebugExceptionReturnSS(spsr): the PSTATE.SS an exception return from `fromEl` to `destEl`
 * restores. SPSR.SS is used only when step is enabled at the destination (with SPSR.D as the mask)
 * but not at the source; otherwise 0 (an ERET that was itself stepped lands active-pending).
 * Also records whether the return was stepped (for the next step exception's ISV).
 */
export function debugExceptionReturnSS(c: Cpu, spsr: number, fromEl: number, destEl: number): number {
  if ((c.sysLo(SYS.MDSCR_EL1) & MDSCR_SS) === 0) return 0;
  // At EL2 (the hypervisor, entered with PSTATE.D = 1) debug exceptions are never enabled.
  const atSource = fromEl >= 2 ? false : generateDebugExceptionsFrom(c, fromEl, (c.daif & 8) !== 0);
  const atDest = generateDebugExceptionsFrom(c, destEl, (spsr & (1 << 9)) !== 0);
  c.dbgStepped = atSource ? 1 : 0;
  c.dbgSteppedEx = 0;
  return !atSource && atDest ? spsr & PSTATE_SS : 0;
}

/**
 * AArch64.CheckWatchpoint for a data access of `size` bytes at (lo, hi) that translated: with
 * MDSCR_EL1.MDE and debug exceptions enabled, a match takes the Watchpoint exception (EC
 * 0x34/0x35) before the access is made: ISS.WnR = write, DFSC = 0b100010, FAR = the address of
 * the access (the lowest byte accessed; a page-crossing access is checked byte by byte). An
 * unprivileged LDTR/STTR at EL1 (EL0's fast-cache bank) matches as an EL0 access (ispriv FALSE).
 */
export function checkWatchpoint(c: Cpu, lo: number, hi: number, size: number, isWrite: boolean): boolean {
  if (c.status !== ST_OK) return false;
  if ((c.sysLo(SYS.MDSCR_EL1) & MDSCR_MDE) === 0 || !generateDebugExceptions(c)) return false;
  const isPriv = c.el !== 0 && c.fcBase !== 0;
  if (!anyWatchpointMatch(c, lo, hi, size, isPriv, isWrite)) return false;
  raiseDebug(c, EC_WATCHPOINT_LOWER, FSC_DEBUG | (isWrite ? ISS_WNR : 0));
  c.excFarValid = 1;
  c.excFarLo = lo;
  c.excFarHi = hi;
  return true;
}

/**
 * Watchpoints on DC IVAC and DC ZVA, which access a whole naturally-aligned block of `size` bytes
 * at (lo, hi) (ARM ARM D2.9.6). Of the data cache maintenance operations by VA only DC IVAC can
 * generate a Watchpoint exception (AArch64.CheckWatchpoint returns no fault for any other
 * cacheop, and "DCIMVAC generates watchpoint" is IMPLEMENTATION DEFINED: here it does, with the
 * cache line, CTR_EL0.DminLine). DC ZVA is not cache maintenance but a store of its block
 * (DCZID_EL0.BS). Both are stores for DBGWCR.LSC (D2.9.6.2); WnR = 1 (for cache maintenance
 * always 1); ISS.CM = `cacheMaint` (1 for DC IVAC, 0 for DC ZVA); FAR = the block's base, an
 * address the instruction accesses inside a naturally-aligned block no larger than the DC ZVA
 * block (D2.9.8.2.2). Checked before any byte is written, so a DC ZVA that fires changes nothing.
 */
export function checkWatchpointBlock(c: Cpu, lo: number, hi: number, size: number, cacheMaint: boolean): boolean {
  if (c.status !== ST_OK) return false;
  if ((c.sysLo(SYS.MDSCR_EL1) & MDSCR_MDE) === 0 || !generateDebugExceptions(c)) return false;
  if (!anyWatchpointMatch(c, lo, hi, size, c.el !== 0, true)) return false;
  raiseDebug(c, EC_WATCHPOINT_LOWER, FSC_DEBUG | ISS_WNR | (cacheMaint ? ISS_CM : 0));
  c.excFarValid = 1;
  c.excFarLo = lo;
  c.excFarHi = hi;
  return true;
}
