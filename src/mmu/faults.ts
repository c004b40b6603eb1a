// Translation fault records and their delivery (ARM ARM D8.14 "MMU fault types", D17.2.37 ESR_ELx
// ISS for Instruction/Data Aborts). Stage-1 faults go to EL1 through cpu.abort; stage-2 faults
// (including those on a stage-1 table walk, S1PTW=1) go to EL2 with FAR_EL2 and HPFAR_EL2.
import type { Cpu } from '../cpu/cpu.js';

export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_FETCH = 2;

/** Fault status codes (DFSC/IFSC, ARM ARM D17.2.37). Level-dependent kinds add the level (0..3). */
export const FSC_ADDR_SIZE = 0x00;
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS_FLAG = 0x08;
export const FSC_PERMISSION = 0x0c;
export const FSC_SYNC_EXTERNAL = 0x10;
/** Synchronous External abort on a translation table walk (+ level). */
export const FSC_SEA_WALK = 0x14;
export const FSC_ALIGNMENT = 0x21;

const EC_IABT_LOWER = 0x20;
const EC_DABT_LOWER = 0x24;
const ISS_WNR = 1 << 6;
const ISS_S1PTW = 1 << 7;
const ISS_CM = 1 << 8;

/** Which fault a translation produced. `fsc < 0` means none. Reused, never allocated per access. */
export class FaultRecord {
  fsc = -1;
  /** 1 or 2. */
  stage = 1;
  /** The stage-2 fault happened on a stage-1 table walk (ISS.S1PTW). */
  s1ptw = false;
  /** For stage-2 faults: the IPA whose translation faulted (HPFAR_EL2 source). */
  ipa = 0;
  /**
   * With s1ptw: the stage-1 level whose descriptor read faulted. ESR_EL2 does not carry it, but a
   * hypervisor answering the walk with an external abort reports it (FSC 0b0101LL).
   */
  s1Level = 0;
  clear(): void {
    this.fsc = -1;
    this.stage = 1;
    this.s1ptw = false;
    this.ipa = 0;
    this.s1Level = 0;
  }
  set(fsc: number, stage: number, s1ptw: boolean, ipa: number): void {
    this.fsc = fsc;
    this.stage = stage;
    this.s1ptw = s1ptw;
    this.ipa = ipa;
    this.s1Level = 0;
  }
}

export function faultKind(fsc: number): string {
  if (fsc < 0) return 'none';
  if (fsc === FSC_ALIGNMENT) return 'alignment';
  if (fsc === FSC_SYNC_EXTERNAL) return 'synchronous external abort';
  const lvl = fsc & 3;
  switch (fsc & ~3) {
    case FSC_ADDR_SIZE:
      return `address size fault, level ${lvl}`;
    case FSC_TRANSLATION:
      return `translation fault, level ${lvl}`;
    case FSC_ACCESS_FLAG:
      return `access flag fault, level ${lvl}`;
    case FSC_PERMISSION:
      return `permission fault, level ${lvl}`;
    case FSC_SEA_WALK:
      return `synchronous external abort on table walk, level ${lvl}`;
  }
  return `fault 0x${fsc.toString(16)}`;
}

/**
 * Turn a fault record into the pending exception for an access to VA (lo, hi).
 * Stage 1: ESR_EL1/FAR_EL1 via cpu.abort (EC 0x20/0x21/0x24/0x25).
 * Stage 2: EC 0x20 (instruction) / 0x24 (data) to EL2; WnR (bit 6) for data writes, S1PTW (bit 7)
 * when the fault was on a stage-1 walk (then WnR is 0: the walk is a read, and the instruction's
 * own syndrome (ISV...) is not merged, so excS2 stays 0); FAR_EL2 = VA, HPFAR_EL2 from the IPA.
 * `cm` marks a fault on an address translation instruction (AT): ISS.CM=1 and WnR=1.
 */
export function deliverFault(cpu: Cpu, f: FaultRecord, acc: number, lo: number, hi: number, cm = false): void {
  if (f.stage === 1) {
    cpu.abort(acc, f.fsc, lo, hi, false);
    return;
  }
  const fetch = acc === ACC_FETCH;
  let iss = f.fsc;
  if (f.s1ptw) iss |= ISS_S1PTW;
  else if (acc === ACC_WRITE) iss |= ISS_WNR;
  if (cm) iss |= ISS_CM | ISS_WNR;
  cpu.raise(fetch ? EC_IABT_LOWER : EC_DABT_LOWER, iss, 0, 2);
  cpu.excS2 = !fetch && !f.s1ptw && !cm ? 1 : 0;
  cpu.excFarValid = 1;
  cpu.excFarLo = lo;
  cpu.excFarHi = hi;
  cpu.excIpaLo = f.ipa % 4294967296 | 0;
  cpu.excIpaHi = Math.floor(f.ipa / 4294967296) | 0;
  cpu.excS1Level = f.s1ptw ? f.s1Level : 0;
}
