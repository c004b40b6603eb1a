// The translation table walker (ARM ARM D8.2-D8.4; pseudocode AArch64.S1Walk, AArch64.S2Walk,
// AArch64.S2InvalidSL/S2InconsistentSL, AArch64.BlockDescSupported). One walker for stage 1 and
// stage 2 (and later the SMMU): VMSAv8-64 descriptors with the 4K, 16K and 64K granules, 48-bit
// descriptor addresses, no FEAT_LPA/LPA2, no hardware Access flag or dirty state updates.
//
// Every stage-1 descriptor address is an IPA when stage 2 is enabled and is itself translated by
// stage 2 (through the IPA cache when it holds the mapping), so a cold 4+4-level walk makes
// 4 x 4 + 4 stage-2 reads plus 4 stage-1 reads = 24 memory references.
//
// Addresses are JS numbers (< 2^48, exact); descriptors are read as two 32-bit words. No BigInt.
import type { Bus } from '../devices/bus.js';
import { FaultRecord, FSC_ADDR_SIZE, FSC_TRANSLATION, FSC_ACCESS_FLAG, FSC_PERMISSION, FSC_SEA_WALK } from './faults.js';
import { isDevice, s2MemAttr } from './attrs.js';
import { type Tlb, P_S2R, P_S2W, P_S2X } from './tlb.js';

/** The implemented physical address size (ID_AA64MMFR0_EL1.PARange = 0b0100, 44 bits). */
export const PA_BITS = 44;

export const POW2: Float64Array = (() => {
  const p = new Float64Array(65);
  for (let i = 0; i <= 64; i++) p[i] = 2 ** i;
  return p;
})();

/** (IPS/PS encoding) -> bits; reserved values behave as the largest implemented size. */
const PS_BITS = [32, 36, 40, 42, 44, 48, 52, 52];
export function outputBits(ps: number): number {
  return Math.min(PS_BITS[ps & 7], PA_BITS);
}

/** Bits [47:0] of a descriptor or register as a number. */
function addr48(lo: number, hi: number): number {
  return (hi & 0xffff) * 4294967296 + (lo >>> 0);
}

/** Floor-align a number address to 2^shift. */
export function alignDown(a: number, shift: number): number {
  return a - (a % POW2[shift]);
}

/** Is a block descriptor allowed at this level for this granule? (AArch64.BlockDescSupported, 48-bit OA) */
export function blockAllowed(g: number, level: number): boolean {
  if (g === 12) return level === 1 || level === 2;
  return level === 2;
}

/** Log2 of the size mapped by one descriptor at `level` with granule shift g. */
export function levelShift(g: number, level: number): number {
  return g + (3 - level) * (g - 3);
}

/** Stage-1 walk parameters for one VA range (AArch64.GetS1TTWParams), filled per translation. */
export class S1Params {
  /** Granule shift: 12, 14 or 16. */
  g = 12;
  inputSize = 48;
  startLevel = 0;
  /** Index bits resolved at the start level. */
  startBits = 9;
  /** Table base (an IPA when stage 2 is enabled), aligned to the start table's size. */
  base = 0;
  /** BADDR has bits above the output size: Address size fault at level 0. */
  baseTooBig = false;
  oaBits = PA_BITS;
  ttbr1 = false;
  asid = 0;
  /** TCR_EL1.EPDn: a TLB miss in this range faults instead of walking. */
  epd = false;
  wxn = false;
  /** Access flag faults disabled (SMMU CD.AFFD): AF=0 is treated as AF=1. The PE never sets it. */
  affd = false;
}

/** Stage-2 walk parameters (AArch64.GetS2TTWParams, VTCR_EL2/VTTBR_EL2), filled per translation. */
export class S2Params {
  enabled = false;
  /** VTCR_EL2.{SL0,T0SZ,TG0} describe a walk that can be made (else Translation fault, level 0). */
  valid = true;
  g = 12;
  inputSize = 40;
  startLevel = 1;
  startBits = 10;
  base = 0;
  baseTooBig = false;
  oaBits = PA_BITS;
  vmid = 0;
  /** HCR_EL2.PTW: stage-1 walks to stage-2 Device memory take a stage-2 Permission fault. */
  ptw = false;
  /** HCR_EL2.CD / HCR_EL2.ID: stage-2 Normal memory is Non-cacheable for data / fetches. */
  cd = false;
  id = false;
  /** Access flag faults disabled (SMMU STE.S2AFFD): AF=0 is treated as AF=1. The PE never sets it. */
  affd = false;
}

/** Result of a successful stage-1 walk. */
export class S1Out {
  /** Output address (IPA, or PA without stage 2) of the block/page base. */
  oa = 0;
  shift = 12;
  level = 3;
  attrIndx = 0;
  sh = 0;
  /** Effective AP[2:1] after APTable. */
  ap = 0;
  uxn = 0;
  pxn = 0;
  ng = 0;
  descLo = 0;
  descHi = 0;
}

/** Result of a successful stage-2 translation of one IPA. */
export class S2Out {
  pa = 0;
  /** IPA and PA bases of the mapping, and its size. */
  ipaBase = 0;
  paBase = 0;
  shift = 12;
  level = 3;
  /** P_S2R | P_S2W | P_S2X. */
  perms = 0;
  /** Stage-2 attribute (MAIR format) | SH << 8. */
  attrs = 0;
}

/** One step of a walk for the debugger (translateDebug). */
export interface WalkStep {
  stage: 1 | 2;
  level: number;
  /** Base of the table being indexed (IPA for stage 1 with stage 2 on, else PA). */
  table: number;
  /** Descriptor address as seen by this stage, and the PA it was read from. */
  descAddr: number;
  descPa: number;
  /** The descriptor as [lo, hi] words (unsigned), or null when it could not be read. */
  desc: [number, number] | null;
  result: string;
}

/**
 * The walker of one PE. `useCaches=false` (debugger) bypasses the IPA cache and statistics.
 * `charge` adds modelled cycles for descriptor reads.
 */
export class Walker {
  trace: WalkStep[] | null = null;
  useCaches = true;
  private readonly s2tmp = new S2Out();

  constructor(
    readonly bus: Bus,
    readonly tlb: Tlb,
    public charge: (cycles: number) => void = () => {},
  ) {}

  /** PA of the last descriptor read (the FetchAddr of an SMMU F_WALK_EABT event). */
  lastDescPa = 0;

  private readDesc(pa: number): boolean {
    const bus = this.bus;
    this.lastDescPa = pa;
    bus.error = false;
    this.dLo = bus.read(pa, 4) | 0;
    this.dHi = bus.read(pa + 4, 4) | 0;
    if (this.useCaches) this.charge(this.tlb.config.cost.descRead);
    return !bus.error;
  }
  private dLo = 0;
  private dHi = 0;

  /**
   * Stage-2 translation of `ipa` (AArch64.S2Translate without the permission check, which the
   * caller makes for its access). Returns false with `f` set on a fault. `s1ptw` marks lookups for
   * a stage-1 walk (fault reporting).
   */
  s2Translate(ipa: number, p: S2Params, out: S2Out, f: FaultRecord, s1ptw: boolean): boolean {
    // AArch64.S2InvalidSL / S2InconsistentSL / IPAIsOutOfRange: Translation fault, level 0.
    if (!p.valid || ipa >= POW2[p.inputSize]) {
      f.set(FSC_TRANSLATION, 2, s1ptw, ipa);
      if (this.trace !== null) this.step(2, 0, p.base, 0, 0, 0, 0, false, 'IPA out of range or VTCR_EL2 inconsistent: translation fault, level 0');
      return false;
    }
    const tlb = this.tlb;
    const lo = ipa % 4294967296 | 0;
    const hi = Math.floor(ipa / 4294967296);
    const cache = tlb.ipa;
    if (this.useCaches && cache.n > 0) {
      const e = cache.lookup(lo, hi, 0, p.vmid, 0);
      if (e >= 0) {
        out.ipaBase = cache.ipa[e];
        out.paBase = cache.pa[e];
        out.shift = cache.shift[e];
        out.pa = out.paBase + (ipa - out.ipaBase);
        out.level = cache.s2level[e];
        out.perms = cache.perms[e];
        out.attrs = cache.attrs[e];
        return true;
      }
    }
    if (!this.s2Walk(ipa, p, out, f, s1ptw)) {
      if (this.useCaches) tlb.walks.s2Faults++;
      return false;
    }
    if (this.useCaches && cache.n > 0) {
      const e = cache.allocate(lo, hi, out.shift);
      cache.asid[e] = 0;
      cache.global[e] = 1;
      cache.vmid[e] = p.vmid;
      cache.regime[e] = 0;
      cache.s1shift[e] = out.shift;
      cache.pa[e] = out.paBase;
      cache.ipa[e] = out.ipaBase;
      cache.perms[e] = out.perms;
      cache.attrs[e] = out.attrs;
      cache.s1level[e] = 0;
      cache.s2level[e] = out.level;
      cache.commit(e, lo, hi, out.shift);
    }
    return true;
  }

  /** AArch64.S2Walk: walk VTTBR_EL2's tables for `ipa`. */
  private s2Walk(ipa: number, p: S2Params, out: S2Out, f: FaultRecord, s1ptw: boolean): boolean {
    const ws = this.tlb.walks;
    if (this.useCaches) ws.s2Walks++;
    if (p.baseTooBig) {
      f.set(FSC_ADDR_SIZE, 2, s1ptw, ipa);
      if (this.trace !== null) this.step(2, 0, p.base, 0, 0, 0, 0, false, 'VTTBR_EL2.BADDR above the output size: address size fault, level 0');
      return false;
    }
    const g = p.g;
    const stride = g - 3;
    let level = p.startLevel;
    let bits = p.startBits;
    let table = p.base;
    for (;;) {
      const shift = levelShift(g, level);
      const idx = Math.floor(ipa / POW2[shift]) % POW2[bits];
      const da = table + idx * 8;
      const ok = this.readDesc(da);
      if (this.useCaches) {
        ws.s2DescReads++;
        ws.lastS2Reads++;
      }
      const dlo = this.dLo;
      const dhi = this.dHi;
      if (!ok) {
        f.set(FSC_SEA_WALK + level, 2, s1ptw, ipa);
        if (this.trace !== null) this.step(2, level, table, da, da, 0, 0, false, 'external abort reading the descriptor');
        return false;
      }
      if ((dlo & 1) === 0 || (level === 3 && (dlo & 2) === 0) || ((dlo & 2) === 0 && !blockAllowed(g, level))) {
        f.set(FSC_TRANSLATION + level, 2, s1ptw, ipa);
        if (this.trace !== null) this.step(2, level, table, da, da, dlo, dhi, true, `invalid descriptor: translation fault, level ${level}`);
        return false;
      }
      const leaf = level === 3 || (dlo & 2) === 0;
      const oshift = leaf ? shift : g;
      const oa = alignDown(addr48(dlo, dhi), oshift);
      if (oa >= POW2[p.oaBits]) {
        f.set(FSC_ADDR_SIZE + level, 2, s1ptw, ipa);
        if (this.trace !== null) this.step(2, level, table, da, da, dlo, dhi, true, `output address above VTCR_EL2.PS: address size fault, level ${level}`);
        return false;
      }
      if (!leaf) {
        if (this.trace !== null) this.step(2, level, table, da, da, dlo, dhi, true, `table -> 0x${oa.toString(16)}`);
        table = oa;
        level++;
        bits = stride;
        continue;
      }
      if ((dlo & (1 << 10)) === 0 && !p.affd) {
        f.set(FSC_ACCESS_FLAG + level, 2, s1ptw, ipa);
        if (this.trace !== null) this.step(2, level, table, da, da, dlo, dhi, true, `AF=0: access flag fault, level ${level}`);
        return false;
      }
      // Stage-2 leaf (ARM ARM D8.4): MemAttr[5:2], S2AP[7:6] (bit 6 read, bit 7 write), SH[9:8], XN[54].
      const s2ap = (dlo >>> 6) & 3;
      out.perms = (s2ap & 1 ? P_S2R : 0) | (s2ap & 2 ? P_S2W : 0) | ((dhi >>> 22) & 1 ? 0 : P_S2X);
      out.attrs = s2MemAttr((dlo >>> 2) & 15) | (((dlo >>> 8) & 3) << 8);
      out.shift = shift;
      out.level = level;
      out.ipaBase = alignDown(ipa, shift);
      out.paBase = oa;
      out.pa = oa + (ipa - out.ipaBase);
      if (this.trace !== null) this.step(2, level, table, da, da, dlo, dhi, true, `${level === 3 ? 'page' : 'block'} -> PA 0x${out.pa.toString(16)}`);
      return true;
    }
  }

  /**
   * AArch64.S1Walk for the canonical VA whose low 48 bits are `va`. With stage 2 enabled each
   * descriptor address is translated by stage 2 (S1PTW faults), checking stage-2 read permission
   * and HCR_EL2.PTW. Returns false with `f` set on a fault. Permission checks are the caller's.
   */
  s1Walk(va: number, vaLo: number, vaHi: number, p: S1Params, s2: S2Params, out: S1Out, f: FaultRecord): boolean {
    const ws = this.tlb.walks;
    if (this.useCaches) {
      ws.s1Walks++;
      ws.lastS1Reads = 0;
      ws.lastS2Reads = 0;
    }
    if (p.baseTooBig) {
      f.set(FSC_ADDR_SIZE, 1, false, 0);
      if (this.trace !== null) this.step(1, 0, p.base, 0, 0, 0, 0, false, 'TTBR.BADDR above the output size: address size fault, level 0');
      return false;
    }
    const g = p.g;
    const stride = g - 3;
    let level = p.startLevel;
    let bits = p.startBits;
    let table = p.base;
    let apTable = 0;
    let uxnTable = 0;
    let pxnTable = 0;
    const s2o = this.s2tmp;
    // Walk cache: start from the deepest cached table (tagged by VMID, ASID, granule and whether
    // table addresses are IPAs), with the hierarchical attributes accumulated above it.
    const wc = this.tlb.walk;
    const useWc = this.useCaches && wc.n > 0;
    const wcTag = (s2.enabled ? 2 : 0) | ((g - 12) << 2);
    if (useWc) {
      for (let l = 2; l >= p.startLevel; l--) {
        const e = wc.lookupShift(vaLo, vaHi, levelShift(g, l), p.asid, s2.vmid, wcTag);
        if (e >= 0) {
          table = wc.pa[e];
          level = l + 1;
          bits = stride;
          const acc = wc.perms[e];
          apTable = acc & 3;
          uxnTable = (acc >>> 2) & 1;
          pxnTable = (acc >>> 3) & 1;
          if (this.trace !== null) this.step(1, l, 0, 0, 0, 0, 0, false, `walk cache -> table 0x${table.toString(16)}`);
          break;
        }
      }
    }
    for (;;) {
      const shift = levelShift(g, level);
      const idx = Math.floor(va / POW2[shift]) % POW2[bits];
      const da = table + idx * 8;
      let dpa = da;
      if (s2.enabled) {
        if (!this.s2Translate(da, s2, s2o, f, true)) {
          f.s1Level = level;
          return false;
        }
        // Stage-1 walks read their tables: stage-2 read permission needed (AArch64.S2CheckPermissions
        // for a walk), and with HCR_EL2.PTW a walk to stage-2 Device memory is a Permission fault.
        if ((s2o.perms & P_S2R) === 0 || (s2.ptw && isDevice(s2o.attrs & 0xff))) {
          f.set(FSC_PERMISSION + s2o.level, 2, true, da);
          f.s1Level = level;
          if (this.trace !== null) this.step(1, level, table, da, s2o.pa, 0, 0, false, `stage 2 denies the walk read: permission fault (S1PTW), level ${s2o.level}`);
          if (this.useCaches) ws.s2Faults++;
          return false;
        }
        dpa = s2o.pa;
      }
      const ok = this.readDesc(dpa);
      if (this.useCaches) {
        ws.s1DescReads++;
        ws.lastS1Reads++;
      }
      const dlo = this.dLo;
      const dhi = this.dHi;
      if (!ok) {
        f.set(FSC_SEA_WALK + level, 1, false, 0);
        if (this.trace !== null) this.step(1, level, table, da, dpa, 0, 0, false, 'external abort reading the descriptor');
        return false;
      }
      if ((dlo & 1) === 0 || (level === 3 && (dlo & 2) === 0) || ((dlo & 2) === 0 && !blockAllowed(g, level))) {
        f.set(FSC_TRANSLATION + level, 1, false, 0);
        if (this.trace !== null) this.step(1, level, table, da, dpa, dlo, dhi, true, `invalid descriptor: translation fault, level ${level}`);
        return false;
      }
      const leaf = level === 3 || (dlo & 2) === 0;
      const oshift = leaf ? shift : g;
      const oa = alignDown(addr48(dlo, dhi), oshift);
      if (oa >= POW2[p.oaBits]) {
        f.set(FSC_ADDR_SIZE + level, 1, false, 0);
        if (this.trace !== null) this.step(1, level, table, da, dpa, dlo, dhi, true, `output address above TCR_EL1.IPS: address size fault, level ${level}`);
        return false;
      }
      if (!leaf) {
        // Hierarchical attributes (ARM ARM D8.3.1): APTable[62:61], UXNTable[60], PXNTable[59].
        apTable |= (dhi >>> 29) & 3;
        uxnTable |= (dhi >>> 28) & 1;
        pxnTable |= (dhi >>> 27) & 1;
        if (useWc) {
          const e = wc.allocate(vaLo, vaHi, shift);
          wc.asid[e] = p.asid;
          wc.global[e] = 0;
          wc.vmid[e] = s2.vmid;
          wc.regime[e] = wcTag;
          wc.pa[e] = oa;
          wc.ipa[e] = 0;
          wc.perms[e] = apTable | (uxnTable << 2) | (pxnTable << 3);
          wc.attrs[e] = 0;
          wc.s1level[e] = level;
          wc.s2level[e] = 0;
          wc.s1shift[e] = shift;
          wc.commit(e, vaLo, vaHi, shift);
        }
        if (this.trace !== null) this.step(1, level, table, da, dpa, dlo, dhi, true, `table -> 0x${oa.toString(16)}`);
        table = oa;
        level++;
        bits = stride;
        continue;
      }
      // The Access flag fault has priority over permission faults (it is found by the walk).
      if ((dlo & (1 << 10)) === 0 && !p.affd) {
        f.set(FSC_ACCESS_FLAG + level, 1, false, 0);
        if (this.trace !== null) this.step(1, level, table, da, dpa, dlo, dhi, true, `AF=0: access flag fault, level ${level}`);
        return false;
      }
      let ap = (dlo >>> 6) & 3;
      if (apTable & 1) ap &= ~1; // APTable[0]: no access from EL0
      if (apTable & 2) ap |= 2; // APTable[1]: read-only
      out.ap = ap;
      out.uxn = ((dhi >>> 22) & 1) | uxnTable;
      out.pxn = ((dhi >>> 21) & 1) | pxnTable;
      out.attrIndx = (dlo >>> 2) & 7;
      out.sh = (dlo >>> 8) & 3;
      out.ng = (dlo >>> 11) & 1;
      out.oa = oa;
      out.shift = shift;
      out.level = level;
      out.descLo = dlo;
      out.descHi = dhi;
      if (this.trace !== null) this.step(1, level, table, da, dpa, dlo, dhi, true, `${level === 3 ? 'page' : 'block'} -> 0x${oa.toString(16)}`);
      return true;
    }
  }

  private step(
    stage: 1 | 2,
    level: number,
    table: number,
    descAddr: number,
    descPa: number,
    dlo: number,
    dhi: number,
    hasDesc: boolean,
    result: string,
  ): void {
    if (this.trace === null) return;
    const desc: [number, number] | null = hasDesc ? [dlo >>> 0, dhi >>> 0] : null;
    this.trace.push({ stage, level, table, descAddr, descPa, desc, result });
  }
}
