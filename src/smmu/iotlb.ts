// The SMMU's translation caches, built from src/mmu/tlb.ts's structures (IHI 0070 16.2 "TLB
// tagging" and 4.4 "TLB invalidation" commands): an IOTLB of leaf translations tagged like the PE's
// TLB entries (VMID, ASID or global, regime), the walker's IPA cache (stage-2 translations of
// stage-1 descriptor and CD addresses, by VMID) and its stage-1 walk cache (by VMID and ASID).
// StreamIDs are not part of the tag: streams sharing a VMID/ASID share entries, as the
// architecture tags them. Stage-1-only NS-EL1 streams are tagged with STE.S2VMID.
//
// Each invalidation removes exactly the entries the command names (removing more would be
// allowed, but users read the statistics).
import { Tlb, TlbArray, alignLo, RG_S1, RG_S2, type TlbConfig } from '../mmu/tlb.js';
import { ASID_EL2 } from './config.js';

/** Regime tag bit of EL2-world (STRW=EL2) entries, next to RG_S1/RG_S2. */
export const RG_EL2 = 4;

/**
 * Geometry (assumptions: IHI 0070 gives none; of the order of an MMU-600 TCU's caches): a 128-entry
 * 4-way IOTLB, a 64-entry 4-way IPA cache and a 64-entry 4-way walk cache. No L1 arrays.
 * Costs: 20 cycles per descriptor read (as the PE's walker).
 */
export const DEFAULT_IOTLB_CONFIG: TlbConfig = {
  l1i: { entries: 0, ways: 1 },
  l1d: { entries: 0, ways: 1 },
  l2: { entries: 128, ways: 4 },
  ipa: { entries: 64, ways: 4 },
  walk: { entries: 64, ways: 4 },
  cost: { l2Hit: 0, descRead: 20 },
};

/** Does entry e of `a` translate an address in the (stage-1) block containing (lo, hi)? */
function coversVa(a: TlbArray, e: number, lo: number, hi: number): boolean {
  const s = a.s1shift[e];
  return a.inHi[e] === hi && alignLo(a.inLo[e], s) === alignLo(lo, s);
}

/** Stage-1 entries of the NS-EL1 world (combined S1+S2 entries included). */
function nsS1(a: TlbArray, e: number): boolean {
  return (a.regime[e] & (RG_S1 | RG_EL2)) === RG_S1;
}

export class Iotlb {
  readonly tlb: Tlb;
  constructor(config: TlbConfig = DEFAULT_IOTLB_CONFIG) {
    this.tlb = new Tlb(config);
  }
  get main(): TlbArray {
    return this.tlb.l2;
  }

  /** CMD_TLBI_NSNH_ALL: every NS-EL1 entry of every VMID, stage 1 and stage 2. */
  nsnhAll(): void {
    const { l2, walk, ipa } = this.tlb;
    l2.removeWhere((e) => (l2.regime[e] & RG_EL2) === 0);
    walk.removeWhere((e) => walk.asid[e] !== ASID_EL2);
    ipa.removeWhere(() => true);
  }

  /** CMD_TLBI_NH_ALL: stage-1 entries of one VMID (any ASID, global or not). */
  nhAll(vmid: number): void {
    const { l2, walk } = this.tlb;
    l2.removeWhere((e) => l2.vmid[e] === vmid && nsS1(l2, e));
    walk.removeWhere((e) => walk.vmid[e] === vmid && walk.asid[e] !== ASID_EL2);
  }

  /** CMD_TLBI_NH_ASID: non-global stage-1 entries of one VMID and ASID. */
  nhAsid(vmid: number, asid: number): void {
    const { l2, walk } = this.tlb;
    l2.removeWhere((e) => l2.vmid[e] === vmid && nsS1(l2, e) && l2.global[e] === 0 && l2.asid[e] === asid);
    walk.removeWhere((e) => walk.vmid[e] === vmid && walk.asid[e] === asid);
  }

  /**
   * CMD_TLBI_NH_VA (asid >= 0) / CMD_TLBI_NH_VAA (asid < 0): stage-1 entries of one VMID covering VA
   * (global ones too for NH_VA). Leaf=1 spares the walk cache.
   */
  nhVa(vmid: number, asid: number, lo: number, hi: number, leaf: boolean): void {
    const { l2, walk } = this.tlb;
    if (!leaf) {
      walk.removeWhere(
        (e) => walk.vmid[e] === vmid && walk.asid[e] !== ASID_EL2 && (asid < 0 || walk.asid[e] === asid) && coversVa(walk, e, lo, hi),
      );
    }
    l2.removeVa(lo, hi, (e) => l2.vmid[e] === vmid && nsS1(l2, e) && (asid < 0 || l2.global[e] !== 0 || l2.asid[e] === asid) && coversVa(l2, e, lo, hi));
  }

  /** CMD_TLBI_EL2_ALL: every EL2-world entry. */
  el2All(): void {
    const { l2, walk } = this.tlb;
    l2.removeWhere((e) => (l2.regime[e] & RG_EL2) !== 0);
    walk.removeWhere((e) => walk.asid[e] === ASID_EL2);
  }

  /** CMD_TLBI_EL2_VA / CMD_TLBI_EL2_VAA (no E2H: EL2 entries carry no ASID). */
  el2Va(lo: number, hi: number, leaf: boolean): void {
    const { l2, walk } = this.tlb;
    if (!leaf) walk.removeWhere((e) => walk.asid[e] === ASID_EL2 && coversVa(walk, e, lo, hi));
    l2.removeVa(lo, hi, (e) => (l2.regime[e] & RG_EL2) !== 0 && coversVa(l2, e, lo, hi));
  }

  /** CMD_TLBI_S12_VMALL: every NS-EL1 entry of one VMID, stage 1, stage 2 and combined. */
  s12Vmall(vmid: number): void {
    const { l2, walk, ipa } = this.tlb;
    l2.removeWhere((e) => l2.vmid[e] === vmid && (l2.regime[e] & RG_EL2) === 0);
    walk.removeWhere((e) => walk.vmid[e] === vmid && walk.asid[e] !== ASID_EL2);
    ipa.removeWhere((e) => ipa.vmid[e] === vmid);
  }

  /**
   * CMD_TLBI_S2_IPA: stage-2-only entries of one VMID covering the IPA (IOTLB entries of S2-only
   * streams and the IPA cache). Combined S1+S2 entries are not named by this command: software
   * follows it with TLBI_NH_ALL / S12_VMALL, as on a PE (ARM ARM D8.10 TLBI IPAS2E1 + VMALLE1).
   */
  s2Ipa(vmid: number, ipaAddr: number, leaf: boolean): void {
    void leaf; // no stage-2 walk cache: Leaf makes no difference
    const { l2, ipa } = this.tlb;
    const lo = ipaAddr % 4294967296 | 0;
    const hi = Math.floor(ipaAddr / 4294967296) | 0;
    l2.removeVa(lo, hi, (e) => l2.vmid[e] === vmid && l2.regime[e] === RG_S2 && coversVa(l2, e, lo, hi));
    ipa.removeWhere((e) => ipa.vmid[e] === vmid && coversVa(ipa, e, lo, hi));
  }

  flushAll(): void {
    this.tlb.flushAll();
  }
}
