// Command decoding and execution (IHI 0070 4 "Commands"): 16-byte commands as four 32-bit words,
// Opcode in bits [7:0]. Commands are executed in order when software moves CMDQ_PROD; everything
// completes immediately, so a CMD_SYNC completes as soon as it is consumed.
// Returns a CMDQ_CONS.ERR code: 0, or CERROR_ILL for an unknown opcode or a command this SMMU does
// not support (4.1.3: ATS, PRI, stalls and Secure/EL3 are not implemented).
import type { Iotlb } from './iotlb.js';

export const CMD_PREFETCH_CONFIG = 0x01;
export const CMD_PREFETCH_ADDR = 0x02;
export const CMD_CFGI_STE = 0x03;
/** Also CMD_CFGI_ALL, with Range = 31. */
export const CMD_CFGI_STE_RANGE = 0x04;
export const CMD_CFGI_CD = 0x05;
export const CMD_CFGI_CD_ALL = 0x06;
export const CMD_TLBI_NH_ALL = 0x10;
export const CMD_TLBI_NH_ASID = 0x11;
export const CMD_TLBI_NH_VA = 0x12;
export const CMD_TLBI_NH_VAA = 0x13;
export const CMD_TLBI_EL3_ALL = 0x18;
export const CMD_TLBI_EL3_VA = 0x1a;
export const CMD_TLBI_EL2_ALL = 0x20;
export const CMD_TLBI_EL2_ASID = 0x21;
export const CMD_TLBI_EL2_VA = 0x22;
export const CMD_TLBI_EL2_VAA = 0x23;
export const CMD_TLBI_S12_VMALL = 0x28;
export const CMD_TLBI_S2_IPA = 0x2a;
export const CMD_TLBI_NSNH_ALL = 0x30;
export const CMD_ATC_INV = 0x40;
export const CMD_PRI_RESP = 0x41;
export const CMD_RESUME = 0x44;
export const CMD_STALL_TERM = 0x45;
export const CMD_SYNC = 0x46;

/** Opcode -> the command's name in IHI 0070 4 (for statistics by kind), from the constants above. */
export const COMMAND_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries({
    PREFETCH_CONFIG: CMD_PREFETCH_CONFIG, PREFETCH_ADDR: CMD_PREFETCH_ADDR, CFGI_STE: CMD_CFGI_STE,
    CFGI_STE_RANGE: CMD_CFGI_STE_RANGE, CFGI_CD: CMD_CFGI_CD, CFGI_CD_ALL: CMD_CFGI_CD_ALL,
    TLBI_NH_ALL: CMD_TLBI_NH_ALL, TLBI_NH_ASID: CMD_TLBI_NH_ASID, TLBI_NH_VA: CMD_TLBI_NH_VA,
    TLBI_NH_VAA: CMD_TLBI_NH_VAA, TLBI_EL3_ALL: CMD_TLBI_EL3_ALL, TLBI_EL3_VA: CMD_TLBI_EL3_VA,
    TLBI_EL2_ALL: CMD_TLBI_EL2_ALL, TLBI_EL2_ASID: CMD_TLBI_EL2_ASID, TLBI_EL2_VA: CMD_TLBI_EL2_VA,
    TLBI_EL2_VAA: CMD_TLBI_EL2_VAA, TLBI_S12_VMALL: CMD_TLBI_S12_VMALL, TLBI_S2_IPA: CMD_TLBI_S2_IPA,
    TLBI_NSNH_ALL: CMD_TLBI_NSNH_ALL, ATC_INV: CMD_ATC_INV, PRI_RESP: CMD_PRI_RESP, RESUME: CMD_RESUME,
    STALL_TERM: CMD_STALL_TERM, SYNC: CMD_SYNC,
  }).map(([name, op]) => [op, name] as [number, string]),
);

/** CMDQ_CONS.ERR codes (4.1.3). */
export const CERROR_NONE = 0;
export const CERROR_ILL = 1;
export const CERROR_ABT = 2;

/** CMD_SYNC.CS (bits [13:12]). */
export const CS_SIG_NONE = 0;
export const CS_SIG_IRQ = 1;
export const CS_SIG_SEV = 2;

/** What the commands act on (the Smmu). */
export interface CommandTarget {
  readonly iotlb: Iotlb;
  /** Drop the cached STE (and its CD) of streams [first, first + count). */
  invalidateSte(first: number, count: number): void;
  /** Drop the cached CD of a stream. */
  invalidateCd(sid: number): void;
  /** Fetch a stream's STE (and CD) into the configuration cache, recording no events. */
  prefetchConfig(sid: number): void;
  /** Complete a CMD_SYNC: signal per CS (MSI write to msiAddr if non-zero, else the wired IRQ). */
  syncComplete(cs: number, msiAddr: number, msiData: number): void;
}

/** Address bits [63:12] of words 2-3 (TLBI by VA/IPA: Address[63:12] in bits [127:76]). */
function addrLo(w: Int32Array): number {
  return w[2] & ~0xfff;
}

/** Execute one command; returns a CERROR code. */
export function executeCommand(t: CommandTarget, w: Int32Array): number {
  const op = w[0] & 0xff;
  const sid = w[1] >>> 0;
  const vmid = w[1] & 0xffff; // VMID [47:32]
  const asid = w[1] >>> 16; // ASID [63:48]
  const leaf = (w[2] & 1) !== 0; // Leaf [64]
  const tlb = t.iotlb;
  switch (op) {
    case CMD_PREFETCH_CONFIG:
      t.prefetchConfig(sid);
      return CERROR_NONE;
    case CMD_PREFETCH_ADDR:
      // A hint to prefetch translations (4.2.2); this model takes no action (permitted).
      return CERROR_NONE;
    case CMD_CFGI_STE:
      t.invalidateSte(sid, 1);
      return CERROR_NONE;
    case CMD_CFGI_STE_RANGE: {
      // Range [68:64]: 2^(Range+1) STEs from SID aligned down; Range = 31 is CMD_CFGI_ALL.
      const range = w[2] & 31;
      const n = 2 ** (range + 1);
      t.invalidateSte(sid - (sid % n), n);
      return CERROR_NONE;
    }
    case CMD_CFGI_CD:
    case CMD_CFGI_CD_ALL:
      // SSIDSIZE=0: one CD per stream; CFGI_CD's SSID selects it regardless.
      t.invalidateCd(sid);
      return CERROR_NONE;
    case CMD_TLBI_NH_ALL:
      tlb.nhAll(vmid);
      return CERROR_NONE;
    case CMD_TLBI_NH_ASID:
      tlb.nhAsid(vmid, asid);
      return CERROR_NONE;
    case CMD_TLBI_NH_VA:
      tlb.nhVa(vmid, asid, addrLo(w), w[3] | 0, leaf);
      return CERROR_NONE;
    case CMD_TLBI_NH_VAA:
      tlb.nhVa(vmid, -1, addrLo(w), w[3] | 0, leaf);
      return CERROR_NONE;
    case CMD_TLBI_EL2_ALL:
      tlb.el2All();
      return CERROR_NONE;
    case CMD_TLBI_EL2_ASID:
      // Only E2H EL2 entries carry ASIDs; E2H is not supported, so none match.
      return CERROR_NONE;
    case CMD_TLBI_EL2_VA:
    case CMD_TLBI_EL2_VAA:
      tlb.el2Va(addrLo(w), w[3] | 0, leaf);
      return CERROR_NONE;
    case CMD_TLBI_S12_VMALL:
      tlb.s12Vmall(vmid);
      return CERROR_NONE;
    case CMD_TLBI_S2_IPA:
      // Address[51:12] in bits [115:76].
      tlb.s2Ipa(vmid, (w[3] & 0xfffff) * 4294967296 + (addrLo(w) >>> 0), leaf);
      return CERROR_NONE;
    case CMD_TLBI_NSNH_ALL:
      tlb.nsnhAll();
      return CERROR_NONE;
    case CMD_SYNC: {
      // CS [13:12]; MSIData [63:32]; MSIAddress[51:2] in bits [115:66].
      const cs = (w[0] >>> 12) & 3;
      if (cs === 3) return CERROR_ILL; // reserved
      const msiAddr = (w[3] & 0xfffff) * 4294967296 + ((w[2] & ~3) >>> 0);
      t.syncComplete(cs, msiAddr, w[1] >>> 0);
      return CERROR_NONE;
    }
    case CMD_TLBI_EL3_ALL:
    case CMD_TLBI_EL3_VA: // Secure only
    case CMD_ATC_INV: // IDR0.ATS = 0
    case CMD_PRI_RESP: // IDR0.PRI = 0
    case CMD_RESUME:
    case CMD_STALL_TERM: // IDR0.STALL_MODEL = 0b01: no stalled transactions
    default:
      return CERROR_ILL;
  }
}
