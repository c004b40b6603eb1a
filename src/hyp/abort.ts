// The hypervisor's view of a data abort taken to EL2: the ISS decode (ARM ARM D17.2.37, ESR_EL2
// "ISS encoding for an exception from a Data Abort"), the faulting IPA rebuilt from HPFAR_EL2 and
// FAR_EL2, register transfer for an emulated access (Xt with width and sign extension, XZR
// discarded), and the injection of a synchronous external abort into the guest's EL1.
// None of this is on the per-instruction path: it runs once per exit.
import type { Cpu } from '../cpu/cpu.js';
import { SYS } from '../cpu/sysregs.js';
import { EC_DABT_LOWER, EC_DABT_SAME, EC_IABT_LOWER, EC_IABT_SAME } from '../cpu/exceptions.js';

/** The fields of a Data Abort ISS. */
export interface DataAbortIss {
  /** ISV [24]: bits [23:14] hold a valid instruction syndrome. */
  isv: boolean;
  /** SAS [23:22]: access size log2 (0 byte, 1 halfword, 2 word, 3 doubleword). */
  sas: number;
  /** SSE [21]: the load sign-extends. */
  sse: boolean;
  /** SRT [20:16]: the transfer register Xt/Wt (31 = XZR). */
  srt: number;
  /** SF [15]: Xt is 64-bit (else a W register: the upper 32 bits are written zero). */
  sf: boolean;
  /** AR [14]: acquire/release semantics (LDAR/STLR). */
  ar: boolean;
  /** VNCR [13] (FEAT_NV2, always 0 here). */
  vncr: boolean;
  /** FnV [10]: FAR is not valid. */
  fnv: boolean;
  /** EA [9]: external abort type. */
  ea: boolean;
  /** CM [8]: a cache maintenance or AT instruction. */
  cm: boolean;
  /** S1PTW [7]: the fault was on a stage-2 translation of a stage-1 table walk. */
  s1ptw: boolean;
  /** WnR [6]: a write (1) or read (0). */
  wnr: boolean;
  /** DFSC [5:0]: fault status code. */
  dfsc: number;
}

/** Decode the ISS of ESR_EL2 (or any ESR_ELx) for a data abort. */
export function decodeDataAbortIss(esr: number): DataAbortIss {
  const isv = (esr >>> 24) & 1;
  return {
    isv: isv === 1,
    // Bits [23:14] are RES0 when ISV=0: report zeros rather than noise.
    sas: isv ? (esr >>> 22) & 3 : 0,
    sse: isv ? ((esr >>> 21) & 1) === 1 : false,
    srt: isv ? (esr >>> 16) & 31 : 0,
    sf: isv ? ((esr >>> 15) & 1) === 1 : false,
    ar: isv ? ((esr >>> 14) & 1) === 1 : false,
    vncr: ((esr >>> 13) & 1) === 1,
    fnv: ((esr >>> 10) & 1) === 1,
    ea: ((esr >>> 9) & 1) === 1,
    cm: ((esr >>> 8) & 1) === 1,
    s1ptw: ((esr >>> 7) & 1) === 1,
    wnr: ((esr >>> 6) & 1) === 1,
    dfsc: esr & 0x3f,
  };
}

/** ESR_ELx.EC [31:26]. */
export const esrEc = (esr: number): number => (esr >>> 26) & 0x3f;

/** A fault status code names a translation fault (levels 0-3: 0b0001LL). */
export const isTranslationFault = (fsc: number): boolean => (fsc & 0x3c) === 0x04;
/** Access flag fault, levels 0-3 (0b0010LL). */
export const isAccessFlagFault = (fsc: number): boolean => (fsc & 0x3c) === 0x08;
/** Permission fault, levels 0-3 (0b0011LL). */
export const isPermissionFault = (fsc: number): boolean => (fsc & 0x3c) === 0x0c;
/** Synchronous External abort, not on a translation table walk. */
export const FSC_SEA = 0x10;
/** Synchronous external abort on a translation table walk, level in [1:0]. */
export const FSC_SEA_WALK = 0x14;

/** A short text for a fault status code (statistics and the demo's trace). */
export function fscName(fsc: number): string {
  const lvl = fsc & 3;
  if (isTranslationFault(fsc)) return `translation fault, level ${lvl}`;
  if (isAccessFlagFault(fsc)) return `access flag fault, level ${lvl}`;
  if (isPermissionFault(fsc)) return `permission fault, level ${lvl}`;
  if (fsc === FSC_SEA) return 'synchronous external abort';
  if ((fsc & 0x3c) === 0) return `address size fault, level ${lvl}`;
  if (fsc === 0x21) return 'alignment fault';
  return `FSC 0x${fsc.toString(16)}`;
}

/**
 * The faulting IPA: HPFAR_EL2.FIPA [43:4] holds IPA[47:12] (ARM ARM D17.2.59); the page offset
 * IPA[11:0] is not in HPFAR and comes from FAR_EL2[11:0] (the VA and the IPA share the offset
 * within a 4 KiB page, whatever the granules of the two stages). Returned as a Number (< 2^48).
 */
export function faultIpa(hpfarLo: number, hpfarHi: number, farLo: number): number {
  const fipa = (hpfarHi & 0xfff) * 2 ** 28 + ((hpfarLo >>> 4) & 0x0fff_ffff); // bits [43:4] -> IPA[47:12]
  return fipa * 4096 + (farLo & 0xfff);
}

/** The faulting IPA of the exception just taken to EL2 on `cpu`. */
export function currentFaultIpa(cpu: Cpu): number {
  return faultIpa(cpu.sysLo(SYS.HPFAR_EL2), cpu.sysHi(SYS.HPFAR_EL2), cpu.sysLo(SYS.FAR_EL2));
}

/** A 64-bit value as words, for register transfers. */
export interface Word64 {
  lo: number;
  hi: number;
}

/**
 * The value a store writes, from the ISS: Xt/Wt (SRT=31 is XZR: zero), truncated to the access
 * size (the bytes above it are not part of the access).
 */
export function storeValue(cpu: Cpu, iss: DataAbortIss): Word64 {
  if (iss.srt === 31) return { lo: 0, hi: 0 };
  const lo = cpu.r[2 * iss.srt];
  const hi = cpu.r[2 * iss.srt + 1];
  switch (iss.sas) {
    case 0:
      return { lo: lo & 0xff, hi: 0 };
    case 1:
      return { lo: lo & 0xffff, hi: 0 };
    case 2:
      return { lo: lo | 0, hi: 0 };
    default:
      return { lo: lo | 0, hi: hi | 0 };
  }
}

/**
 * Write a loaded value to Xt as the ISS describes (the load's own semantics, ARM ARM C6.2
 * LDRB/LDRSB/LDRH/LDRSH/LDR/LDRSW): the `8 << SAS`-bit datum is sign-extended when SSE=1, zero-
 * extended otherwise; then with SF=0 (a W register) only 32 bits are kept and the upper half is
 * zeroed. SRT=31 is XZR: the value is discarded.
 */
export function writeLoadResult(cpu: Cpu, iss: DataAbortIss, v: Word64): void {
  if (iss.srt === 31) return;
  const bits = 8 << iss.sas;
  let lo = v.lo;
  let hi = v.hi;
  if (bits < 32) {
    lo = iss.sse ? (lo << (32 - bits)) >> (32 - bits) : lo & ((1 << bits) - 1);
    hi = iss.sse ? lo >> 31 : 0;
  } else if (bits === 32) {
    hi = iss.sse ? lo >> 31 : 0;
  }
  if (!iss.sf) hi = 0;
  cpu.r[2 * iss.srt] = lo | 0;
  cpu.r[2 * iss.srt + 1] = hi | 0;
}

/** SPSR value for the vector entry: EL1h with D, A, I, F masked (ARM ARM D1.3.4). */
const SPSR_EL1H_MASKED = 0x3c5;

/**
 * Inject a synchronous external abort into the guest at EL1, as if the access had been answered
 * with an external abort (ARM ARM D1.3, AArch64.TakeException to EL1): ESR_EL1 gets the data or
 * instruction abort class for the EL the guest was at (0x24/0x20 from EL0, 0x25/0x21 from EL1),
 * IL=1, FSC 0x10, WnR for writes; when the stage-2 fault was on the guest's own stage-1 walk
 * (ESR_EL2 EC 0x20/0x24 with S1PTW), the abort is on that walk: FSC 0b0101LL with the stage-1
 * level (AArch64.ReportDataAbort/EncodeLDFSC for an external abort on a table walk), S1PTW=0; FAR_EL1 = FAR_EL2 (the VA); ELR_EL1/SPSR_EL1 = the guest's return
 * state (ELR_EL2/SPSR_EL2). The hypervisor's ERET then enters the guest's vector: VBAR_EL1 + 0x000
 * (from EL1t), 0x200 (EL1h) or 0x400 (from EL0).
 */
export function injectExternalAbort(cpu: Cpu, fetch: boolean, write: boolean): void {
  const spsr = cpu.sysLo(SYS.SPSR_EL2);
  const fromEl = (spsr >>> 2) & 3;
  const ec = fetch ? (fromEl === 0 ? EC_IABT_LOWER : EC_IABT_SAME) : fromEl === 0 ? EC_DABT_LOWER : EC_DABT_SAME;
  const esr2 = cpu.sysLo(SYS.ESR_EL2);
  const ec2 = esr2 >>> 26;
  const onWalk = (ec2 === 0x20 || ec2 === 0x24) && (esr2 & (1 << 7)) !== 0;
  const fsc = onWalk ? FSC_SEA_WALK | (cpu.excS1Level & 3) : FSC_SEA;
  const iss = fsc | (!fetch && write ? 1 << 6 : 0);
  cpu.setSys(SYS.FAR_EL1, cpu.sysLo(SYS.FAR_EL2), cpu.sysHi(SYS.FAR_EL2));
  enterGuestSync(cpu, ((ec << 26) | (1 << 25) | iss) | 0);
}

/**
 * Inject a data abort with fault status `fsc` into the guest at EL1, for an access the hypervisor
 * performed on the guest's behalf (a trapped DC ZVA): ESR_EL1 EC 0x24 (from EL0) / 0x25 (from
 * EL1), IL=1, ISV=0, WnR for writes, CM=0; FAR_EL1 = the VA (farLo, farHi); the return state and
 * vector as injectExternalAbort.
 */
export function injectDataAbort(cpu: Cpu, fsc: number, write: boolean, farLo: number, farHi: number): void {
  const fromEl = (cpu.sysLo(SYS.SPSR_EL2) >>> 2) & 3;
  const ec = fromEl === 0 ? EC_DABT_LOWER : EC_DABT_SAME;
  cpu.setSys(SYS.FAR_EL1, farLo, farHi);
  enterGuestSync(cpu, ((ec << 26) | (1 << 25) | (fsc & 0x3f) | (write ? 1 << 6 : 0)) | 0);
}

/**
 * Inject UNDEFINED into the guest at EL1 (AArch64.UndefinedFault): ESR_EL1 EC 0x00 (unknown
 * reason), IL=1, ISS 0; ELR_EL1 = ELR_EL2, the instruction itself (UNDEFINED's preferred return);
 * SPSR_EL1 = SPSR_EL2. For a trapped access the hypervisor does not emulate.
 */
export function injectUndefined(cpu: Cpu): void {
  enterGuestSync(cpu, 1 << 25);
}

/**
 * A synchronous exception taken to the guest's EL1 on the hypervisor's ERET: ESR_EL1 = esr,
 * ELR_EL1/SPSR_EL1 = the guest's return state, then ELR_EL2/SPSR_EL2 aim the ERET at the vector.
 */
function enterGuestSync(cpu: Cpu, esr: number): void {
  const spsr = cpu.sysLo(SYS.SPSR_EL2);
  const fromEl = (spsr >>> 2) & 3;
  cpu.setSys(SYS.ESR_EL1, esr, 0);
  cpu.setSys(SYS.ELR_EL1, cpu.sysLo(SYS.ELR_EL2), cpu.sysHi(SYS.ELR_EL2));
  cpu.setSys(SYS.SPSR_EL1, spsr, 0);
  const off = fromEl === 0 ? 0x400 : (spsr & 1) !== 0 ? 0x200 : 0x000;
  const vLo = cpu.sysLo(SYS.VBAR_EL1);
  const vHi = cpu.sysHi(SYS.VBAR_EL1);
  const lo = (vLo + off) | 0;
  cpu.setSys(SYS.ELR_EL2, lo, (lo >>> 0) < (vLo >>> 0) ? (vHi + 1) | 0 : vHi);
  cpu.setSys(SYS.SPSR_EL2, SPSR_EL1H_MASKED, 0);
}

/** ELR_EL2 += 4: resume after the emulated (or trapped) instruction, which counts as retired. */
export function skipInstruction(cpu: Cpu): void {
  cpu.retireEmulated();
  const lo = cpu.sysLo(SYS.ELR_EL2);
  const n = (lo + 4) | 0;
  cpu.setSys(SYS.ELR_EL2, n, (n >>> 0) < (lo >>> 0) ? (cpu.sysHi(SYS.ELR_EL2) + 1) | 0 : cpu.sysHi(SYS.ELR_EL2));
}

/** A one-line description of an ISS (the demo's and --hyp-trace's exit log). */
export function formatIss(i: DataAbortIss): string {
  if (!i.isv) return `ISV=0 WnR=${+i.wnr} ${fscName(i.dfsc)}`;
  const reg = i.srt === 31 ? (i.sf ? 'xzr' : 'wzr') : `${i.sf ? 'x' : 'w'}${i.srt}`;
  return `ISV=1 SAS=${i.sas} (${1 << i.sas} B) SSE=${+i.sse} SRT=${i.srt} (${reg}) SF=${+i.sf} AR=${+i.ar} WnR=${+i.wnr} ${fscName(i.dfsc)}`;
}
