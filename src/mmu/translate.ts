// Address translation for the CPU's slow path (ARM ARM D8; pseudocode AArch64.TranslateAddress,
// AArch64.S1Translate, AArch64.S2Translate, AArch64.S1DisabledOutput). The EL1&0 regime with an
// optional stage 2 (HCR_EL2.VM/DC; EL2 itself is the TypeScript hypervisor and never translates
// here). Order per access: VA range/TBI check -> L1 TLB -> L2 TLB -> walk (stage 1, each
// descriptor through stage 2) -> stage-1 permissions -> stage 2 of the output -> stage-2
// permissions. Attributes are combined in attrs.ts, walks live in walk.ts, the TLB in tlb.ts.
//
// The host fast cache in cpu/fastmem.ts sits in front of this: it is filled only after translate()
// succeeded for that access kind, and (see Mmu.onL1Evict) never holds a page that the L1 TLB
// model no longer holds, so every access that misses the model's L1 reaches this slow path.
import { P_GP } from './tlb.js'; // [pauth]
import { SYS as SYS_PAUTH } from '../cpu/sysregs.js'; // [pauth]
const R_PFR1 = SYS_PAUTH.ID_AA64PFR1_EL1; // [pauth]
import { PSTATE_PAN, PSTATE_UAO } from '../cpu/pstate-v8x.js'; // [pauth]
import type { Cpu } from '../cpu/cpu.js';
import { SYS } from '../cpu/sysregs.js';
import { ACC_WRITE, ACC_FETCH, FaultRecord, FSC_ADDR_SIZE, FSC_TRANSLATION, FSC_PERMISSION, deliverFault } from './faults.js';
import { combineS1S2, isDevice, mairAttr, s1DisabledAttrs, ATTR_NORMAL_NC, effectiveSh } from './attrs.js';
import { S1Params, S1Out, S2Out, S2Params, Walker, PA_BITS, alignDown } from './walk.js';
import { decodeTcr, decodeVtcr, inS1Range, s1Perms } from './params.js';

export { s1Perms } from './params.js';
import {
  Tlb,
  TlbArray,
  DEFAULT_TLB_CONFIG,
  RG_S1,
  RG_S2,
  P_R0,
  P_R1,
  P_W0,
  P_W1,
  P_X0,
  P_X1,
  P_S2R,
  P_S2W,
  P_S2X,
  type TlbConfig,
  type ContextStats,
} from './tlb.js';

export {
  ACC_READ,
  ACC_WRITE,
  ACC_FETCH,
  FSC_ADDR_SIZE,
  FSC_TRANSLATION,
  FSC_ACCESS_FLAG,
  FSC_PERMISSION,
  FSC_SYNC_EXTERNAL,
  FSC_SEA_WALK,
  FSC_ALIGNMENT,
} from './faults.js';

/** Memory type of the last translation, read by the slow path for alignment and caching. */
export const MT_NORMAL = 0;
export const MT_DEVICE = 1;

export interface Translation {
  /** Physical address (exact as a double: < 2^52), or -1 when the translation faulted. */
  pa: number;
  memType: number;
  /** May the host-side fast cache keep this page (false for pages with side effects to model). */
  cacheable: boolean;
  /** The final type is Device only because stage 2 made it so (stage 1 said Normal). */
  s2Device?: boolean;
  /** The IPA of the access (valid with stage 2 on). */
  ipa?: number;
}

// Register slots resolved once: SYS is a large dictionary, too slow to index per access.
const R_HCR_EL2 = SYS.HCR_EL2;
const R_MAIR_EL1 = SYS.MAIR_EL1;
const R_SCTLR_EL1 = SYS.SCTLR_EL1;
const R_TCR_EL1 = SYS.TCR_EL1;
const R_TTBR0_EL1 = SYS.TTBR0_EL1;
const R_TTBR1_EL1 = SYS.TTBR1_EL1;
const R_VTCR_EL2 = SYS.VTCR_EL2;
const R_VTTBR_EL2 = SYS.VTTBR_EL2;

/** Resolve modes. */
const MODE_TLB = 0; // normal accesses: TLB model, statistics, costs
const MODE_WALK = 1; // full translation by walking only (debugger, AT S12E*)
const MODE_S1ONLY = 2; // stage 1 only, walking (AT S1E*): output is the IPA

const S1_ALL = P_R1 | P_W1 | P_X1 | P_R0 | P_W0 | P_X0;
const S2_ALL = P_S2R | P_S2W | P_S2X;
/** Packed attrs of an entry: stage-1 attr|sh<<8 in bits 0..9, stage-2 in bits 10..19. */
const A_S2_SHIFT = 10;

/** The MMU state of one PE: TLB model, walker, scratch records (nothing allocated per access). */
export class Mmu {
  readonly tlb: Tlb;
  readonly walker: Walker;
  /** Stage-1 parameters of the VA range of the last translation (one of s1r0/s1r1). */
  s1: S1Params;
  private readonly s1r0 = new S1Params();
  private readonly s1r1 = new S1Params();
  private readonly s1Key0 = new Int32Array(7);
  private readonly s1Key1 = new Int32Array(7);
  private readonly s2Key = new Int32Array(6);
  readonly s2 = new S2Params();
  readonly s1o = new S1Out();
  readonly s2o = new S2Out();
  readonly fault = new FaultRecord();

  // Result of the last resolve().
  pa = 0;
  ipa = 0;
  /** Final combined attribute (MAIR format) | SH << 8, after all overrides. */
  attrs = 0;
  /** Stage-1 attribute | SH << 8 (stage-1-disabled default for the access when stage 1 is off). */
  s1Attrs = 0;
  perms = 0;
  s1Level = 0;
  s2Level = 0;
  s1on = false;
  s2on = false;
  vmid = 0;
  asid = 0;
  /** Canonical VA (TBI applied) of the last resolve. */
  vaLo = 0;
  vaHi = 0;
  /** May the host fast cache remember the last translation? */
  fastOk = true;
  /** Inside an unprivileged access (LDTR/STTR at EL1): check EL0 permissions. */
  unpriv = false;

  constructor(
    readonly cpu: Cpu,
    config: TlbConfig = DEFAULT_TLB_CONFIG,
  ) {
    this.s1 = this.s1r0;
    this.tlb = new Tlb(config);
    this.tlb.exact.src = cpu; // pmu: the engines' access totals (tlb-exact.ts)
    this.walker = new Walker(cpu.bus, this.tlb, (c) => (cpu.cycles += c));
    this.tlb.l1d.onEvict = (e) => this.onL1Evict(this.tlb.l1d, e, false);
    this.tlb.l1i.onEvict = (e) => this.onL1Evict(this.tlb.l1i, e, true);
  }

  /** An L1 entry leaves the model: the host fast cache must forget its pages too. */
  private onL1Evict(a: TlbArray, e: number, fetch: boolean): void {
    const cpu = this.cpu as Cpu & { dropFastPages?: (lo: number, hi: number, shift: number, fetch: boolean) => void };
    if (cpu.dropFastPages !== undefined) cpu.dropFastPages(a.inLo[e], a.inHi[e], a.shift[e], fetch);
    else cpu.contextChanged();
  }

  /** Read VTCR_EL2/VTTBR_EL2/HCR_EL2 into this.s2 (AArch64.GetS2TTWParams). */
  private readS2(): void {
    const cpu = this.cpu;
    const p = this.s2;
    const hcrLo = cpu.sysLo(R_HCR_EL2);
    const hcrHi = cpu.sysHi(R_HCR_EL2);
    const vtcr = cpu.sysLo(R_VTCR_EL2);
    const vttbrLo = cpu.sysLo(R_VTTBR_EL2);
    const vttbrHi = cpu.sysHi(R_VTTBR_EL2);
    // Decoded parameters are kept while the registers hold the same values.
    const k = this.s2Key;
    if (k[0] === hcrLo && k[1] === hcrHi && k[2] === vtcr && k[3] === vttbrLo && k[4] === vttbrHi && k[5] === 1) return;
    k[0] = hcrLo;
    k[1] = hcrHi;
    k[2] = vtcr;
    k[3] = vttbrLo;
    k[4] = vttbrHi;
    k[5] = 1;
    decodeVtcr(p, hcrLo, hcrHi, vtcr, vttbrLo, vttbrHi);
  }

  /**
   * Pick the stage-1 VA range (TTBR0 or TTBR1) and read its parameters (AArch64.GetS1TTWParams).
   * Canonicalizes the VA (TBI) into vaLo/vaHi. Returns false when the VA is in neither range.
   */
  private readS1(lo: number, hi: number, fetch: boolean): boolean {
    const cpu = this.cpu;
    const tcrLo = cpu.sysLo(R_TCR_EL1);
    const tcrHi = cpu.sysHi(R_TCR_EL1);
    // VA[55] selects the range; TBIn (TCR bits 37/38) makes bits 63:56 copies of bit 55 (data only).
    const upper = (hi >>> 23) & 1;
    if (!fetch && (tcrHi >>> (5 + upper)) & 1) hi = (hi << 8) >> 8;
    this.vaLo = lo;
    this.vaHi = hi;
    const p = upper ? this.s1r1 : this.s1r0;
    this.s1 = p;
    // The range's decoded parameters are kept while their input registers hold the same values.
    const ttbr = upper ? R_TTBR1_EL1 : R_TTBR0_EL1;
    const tLo = cpu.sysLo(ttbr);
    const tHi = cpu.sysHi(ttbr);
    const asidHi = cpu.sysHi((tcrLo & (1 << 22)) !== 0 ? R_TTBR1_EL1 : R_TTBR0_EL1);
    const sctlr = cpu.sysLo(R_SCTLR_EL1);
    const k = upper ? this.s1Key1 : this.s1Key0;
    if (k[0] !== tcrLo || k[1] !== tcrHi || k[2] !== tLo || k[3] !== tHi || k[4] !== asidHi || k[5] !== sctlr || k[6] !== 1) {
      k[0] = tcrLo;
      k[1] = tcrHi;
      k[2] = tLo;
      k[3] = tHi;
      k[4] = asidHi;
      k[5] = sctlr;
      k[6] = 1;
      decodeTcr(p, upper, tcrLo, tcrHi, tLo, tHi, asidHi, sctlr);
    }
    return inS1Range(p, upper, lo, hi);
  }

  /**
   * Translate (lo, hi) for access `acc` at exception level `el` (0 or 1), checking permissions.
   * Returns true with pa/attrs set, or false with this.fault set (nothing delivered).
   */
  resolve(lo: number, hi: number, acc: number, el: number, mode: number): boolean {
    const cpu = this.cpu;
    const f = this.fault;
    f.clear();
    const fetch = acc === ACC_FETCH;
    const sctlr = cpu.sysLo(R_SCTLR_EL1);
    const hcrLo = cpu.sysLo(R_HCR_EL2);
    const dc = (hcrLo & (1 << 12)) !== 0;
    // HCR_EL2.DC=1: stage 1 behaves as disabled and stage 2 as enabled.
    const s1on = (sctlr & 1) !== 0 && !dc;
    const s2on = (hcrLo & 1) !== 0 || dc;
    this.s1on = s1on;
    this.s2on = s2on;
    this.fastOk = true;
    if (s1on || s2on) {
      this.readS2();
      this.s2.enabled = s2on; // stage-1 walks go through stage 2 in every mode
      this.vmid = this.s2.vmid;
    }
    let asid = 0;
    if (s1on) {
      if (!this.readS1(lo, hi, fetch)) {
        f.set(FSC_TRANSLATION, 1, false, 0);
        if (mode === MODE_TLB) {
          this.tlb.walks.s1Faults++;
          // pmu: exact L1 counts: this access made no TLB lookup (tlb-exact.ts).
          this.tlb.exact.enter(this.tlb.context(this.vmid, this.s1.asid));
          this.tlb.exact.noLookup(fetch);
        }
        return false;
      }
      asid = this.s1.asid;
    } else {
      // Stage 1 disabled (AArch64.TranslateAddressS1Off): VA bits [top:PAMax] must be zero.
      const tbi = !fetch && ((cpu.sysHi(R_TCR_EL1) >>> (5 + ((hi >>> 23) & 1))) & 1) !== 0;
      const h = tbi ? hi & 0xffffff : hi;
      this.vaLo = lo;
      this.vaHi = h;
      if (h >>> (PA_BITS - 32) !== 0) {
        f.set(FSC_ADDR_SIZE, 1, false, 0);
        return false;
      }
    }
    this.asid = asid;
    const vaLo = this.vaLo;
    const vaHi = this.vaHi;
    const va48 = (vaHi & 0xffff) * 4294967296 + (vaLo >>> 0);

    if (!s1on && !s2on) {
      // Flat: no TLB involvement.
      if (mode === MODE_TLB) this.tlb.exact.enter(null); // pmu: exact L1 counts (tlb-exact.ts)
      this.pa = va48;
      this.ipa = va48;
      this.s1Attrs = s1DisabledAttrs(fetch, false, (sctlr & (1 << 12)) !== 0);
      this.attrs = this.s1Attrs;
      this.perms = S1_ALL | S2_ALL;
      this.s1Level = this.s2Level = 0;
      return true;
    }

    const tlb = this.tlb;
    const regime = (s1on ? RG_S1 : 0) | (s2on ? RG_S2 : 0);
    let src: TlbArray | null = null;
    let e = -1;
    let ctx: ContextStats | null = null;
    if (mode === MODE_TLB) {
      ctx = tlb.context(this.vmid, asid);
      tlb.exact.enter(ctx); // pmu: exact L1 lookups are derived (tlb-exact.ts)
      const l1 = fetch ? tlb.l1i : tlb.l1d;
      this.fastOk = l1.n > 0;
      e = l1.lookup(vaLo, vaHi, asid, this.vmid, regime);
      if (e >= 0) src = l1;
      else {
        ctx.l1Misses++;
        const e2 = tlb.l2.lookup(vaLo, vaHi, asid, this.vmid, regime);
        if (e2 < 0) {
          if (fetch) tlb.walks.iWalks++; // pmu: ITLB_WALK / DTLB_WALK
          else tlb.walks.dWalks++;
        }
        if (e2 >= 0) {
          cpu.cycles += tlb.config.cost.l2Hit;
          e = l1.copyFrom(tlb.l2, e2);
          if (e >= 0) src = l1;
          else {
            src = tlb.l2;
            e = e2;
          }
        }
      }
    }

    if (src !== null) {
      // TLB hit.
      const off = va48 - alignDown(va48, src.shift[e]);
      this.pa = src.pa[e] + off;
      this.ipa = src.ipa[e] + off;
      this.perms = src.perms[e];
      this.s1Level = src.s1level[e];
      this.s2Level = src.s2level[e];
      this.finishAttrs(src.attrs[e], fetch, sctlr, dc);
    } else if (!this.walk(va48, vaLo, vaHi, acc, el, fetch, sctlr, dc, mode, regime, ctx)) {
      return false;
    }

    // Permission checks: stage 1 first (AArch64.S1CheckPermissions), then stage 2.
    const need = acc === ACC_WRITE ? P_W1 : fetch ? P_X1 : P_R1;
    // [pauth] FEAT_PAN (AArch64.S1CheckPermissions): with PSTATE.PAN = 1, EL1 data accesses (not
    // LDTR/STTR, which come here as el 0, not fetches, not AT or the debugger: MODE_TLB only) to a
    // page EL0 can access (AP[1] = 1, i.e. EL0-readable) have no privileged permission.
    const panDenied = s1on && el === 1 && !fetch && mode === MODE_TLB && (cpu.pstateOther & PSTATE_PAN) !== 0 && (this.perms & P_R0) !== 0;
    if ((this.perms & (el === 0 ? need << 3 : need)) === 0 || panDenied) {
      f.set(FSC_PERMISSION + this.s1Level, 1, false, 0);
      if (mode === MODE_TLB) tlb.walks.s1Faults++;
      return false;
    }
    if (s2on && mode !== MODE_S1ONLY) {
      const need2 = acc === ACC_WRITE ? P_S2W : fetch ? P_S2X : P_S2R;
      if ((this.perms & need2) === 0) {
        f.set(FSC_PERMISSION + this.s2Level, 2, false, this.ipa);
        if (mode === MODE_TLB) tlb.walks.s2Faults++;
        return false;
      }
    }
    return true;
  }

  /** TLB miss: walk, fill the L2 and L1 TLBs (MODE_TLB), set the result fields. */
  private walk(
    va48: number,
    vaLo: number,
    vaHi: number,
    acc: number,
    el: number,
    fetch: boolean,
    sctlr: number,
    dc: boolean,
    mode: number,
    regime: number,
    ctx: ContextStats | null,
  ): boolean {
    const f = this.fault;
    const s2 = this.s2;
    const s2on = this.s2on && mode !== MODE_S1ONLY;
    const tlb = this.tlb;
    const ws = tlb.walks;
    const r1 = ws.s1DescReads;
    const r2 = ws.s2DescReads;
    if (ctx !== null) ctx.walks++;
    let s1attrs: number;
    let s1perms: number;
    let s1shift: number;
    let ipa: number;
    let global = 1;
    if (this.s1on) {
      const p = this.s1;
      if (p.epd) {
        // TCR_EL1.EPDn=1: a TLB miss in this range is a Translation fault, level 0.
        f.set(FSC_TRANSLATION, 1, false, 0);
        this.countFault(ctx, r1, r2);
        return false;
      }
      const o = this.s1o;
      const ok = this.walker.s1Walk(va48, vaLo, vaHi, p, s2, o, f);
      if (!ok) {
        this.countFault(ctx, r1, r2);
        return false;
      }
      const cpu = this.cpu;
      const a = mairAttr(cpu.sysLo(R_MAIR_EL1), cpu.sysHi(R_MAIR_EL1), o.attrIndx);
      s1attrs = a | (effectiveSh(a, o.sh) << 8);
      s1perms = s1Perms(o.ap, o.uxn, o.pxn, p.wxn);
      // [pauth] GP (descriptor bit 50) marks a guarded page on models with FEAT_BTI (else RES0).
      if (((o.descHi >>> 18) & 1) !== 0 && (cpu.sysLo(R_PFR1) & 0xf) !== 0) s1perms |= P_GP;
      s1shift = o.shift;
      ipa = o.oa + (va48 - alignDown(va48, o.shift));
      global = o.ng ^ 1;
      this.s1Level = o.level;
      // A stage-1 permission fault is found before stage 2 translates the output address.
      const need = acc === ACC_WRITE ? P_W1 : fetch ? P_X1 : P_R1;
      if ((s1perms & (el === 0 ? need << 3 : need)) === 0) {
        this.pa = ipa;
        this.ipa = ipa;
        this.perms = s1perms;
        this.finishAttrs(s1attrs, fetch, sctlr, dc);
        this.countFault(ctx, r1, r2);
        f.set(FSC_PERMISSION + o.level, 1, false, 0);
        return false;
      }
    } else {
      s1attrs = 0; // stage 1 disabled: the default is chosen per access in finishAttrs
      s1perms = S1_ALL;
      s1shift = 63;
      ipa = va48;
      this.s1Level = 0;
    }
    let shift = s1shift;
    let pa = ipa;
    let s2perms = S2_ALL;
    let s2attrs = 0;
    let packed = s1attrs;
    this.s2Level = 0;
    if (s2on) {
      const o2 = this.s2o;
      if (!this.walker.s2Translate(ipa, s2, o2, f, false)) {
        this.countFault(ctx, r1, r2);
        return false;
      }
      pa = o2.pa;
      s2perms = o2.perms;
      s2attrs = o2.attrs;
      this.s2Level = o2.level;
      if (o2.shift < shift) shift = o2.shift;
      packed |= (s2attrs | (1 << 10)) << A_S2_SHIFT;
    }
    if (shift > 30) shift = 30; // stage 1 off, no stage 2 never reaches here; cap for the TLB index
    this.pa = pa;
    this.ipa = ipa;
    this.perms = (s1perms | (s2on ? 0 : S2_ALL)) | (s2on ? s2perms : 0);
    this.finishAttrs(packed, fetch, sctlr, dc);
    if (ctx !== null) {
      ctx.s1DescReads += ws.s1DescReads - r1;
      ctx.s2DescReads += ws.s2DescReads - r2;
      this.fill(vaLo, vaHi, shift, s1shift > 30 ? shift : s1shift, global, regime, pa, ipa, packed, fetch);
    }
    return true;
  }

  private countFault(ctx: ContextStats | null, r1: number, r2: number): void {
    if (ctx === null) return;
    const ws = this.tlb.walks;
    if (this.fault.stage === 1) ws.s1Faults++;
    ctx.s1DescReads += ws.s1DescReads - r1;
    ctx.s2DescReads += ws.s2DescReads - r2;
  }

  /** Insert the translation just walked into the L2 and the L1 TLB of its side. */
  private fill(
    vaLo: number,
    vaHi: number,
    shift: number,
    s1shift: number,
    global: number,
    regime: number,
    pa: number,
    ipa: number,
    packed: number,
    fetch: boolean,
  ): void {
    const tlb = this.tlb;
    const paBase = alignDown(pa, shift);
    const ipaBase = alignDown(ipa, shift);
    for (let k = 0; k < 2; k++) {
      const a = k === 0 ? tlb.l2 : fetch ? tlb.l1i : tlb.l1d;
      const e = a.allocate(vaLo, vaHi, shift);
      if (e < 0) continue;
      a.s1shift[e] = s1shift;
      a.asid[e] = global ? 0 : this.asid;
      a.global[e] = global;
      a.vmid[e] = this.vmid;
      a.regime[e] = regime;
      a.pa[e] = paBase;
      a.ipa[e] = ipaBase;
      a.perms[e] = this.perms;
      a.attrs[e] = packed;
      a.s1level[e] = this.s1Level;
      a.s2level[e] = this.s2Level;
      a.commit(e, vaLo, vaHi, shift);
    }
  }

  /**
   * Final attributes for this access from an entry's packed stage-1/stage-2 attributes: the
   * stage-1-disabled default (per access kind), SCTLR_EL1.C/I, stage-2 combining with HCR_EL2.CD/ID.
   * The overrides all only make Normal memory Non-cacheable, so applying them after combining
   * gives the same result as applying them to each stage first.
   */
  private finishAttrs(packed: number, fetch: boolean, sctlr: number, dc: boolean): void {
    let s1 = packed & 0x3ff;
    if (!this.s1on) s1 = s1DisabledAttrs(fetch, dc, (sctlr & (1 << 12)) !== 0);
    else if ((sctlr & (fetch ? 1 << 12 : 1 << 2)) === 0 && !isDevice(s1 & 0xff)) {
      s1 = ATTR_NORMAL_NC | (effectiveSh(ATTR_NORMAL_NC, 0) << 8);
    }
    this.s1Attrs = s1;
    const s2bits = packed >>> A_S2_SHIFT;
    if ((s2bits & (1 << 10)) === 0) {
      this.attrs = s1;
      return;
    }
    const s2 = s2bits & 0x3ff;
    const forced = fetch ? this.s2.id : this.s2.cd;
    this.attrs = combineS1S2(s1 & 0xff, s1 >>> 8, s2 & 0xff, s2 >>> 8, forced);
  }
}

/** The MMU (TLB model and walker) of a PE: a field of the CPU, kept as a function for its importers. */
export function mmuOf(cpu: Cpu): Mmu {
  return cpu.mmu;
}

/** Replace a PE's TLB model with one of another geometry (drops all cached translations). */
export function configureTlb(cpu: Cpu, config: Partial<TlbConfig>): Mmu {
  cpu.pmu.sync(); // pmu: count the old TLB's events, then follow the new TLB's totals
  const m = new Mmu(cpu, { ...DEFAULT_TLB_CONFIG, ...config });
  cpu.mmu = m;
  cpu.pmu.sourcesChanged();
  cpu.contextChanged();
  return m;
}

/**
 * Bracket the memory accesses of an unprivileged load/store (LDTR/STTR and friends): at EL1 they
 * are checked against the EL0 permissions of the stage-1 translation (ARM ARM D8, AArch64
 * unprivileged accesses, PSTATE.UAO not implemented), while faults are still reported as taken
 * from EL1. The accesses use EL0's bank of the host fast cache, which only ever holds translations
 * checked with EL0 permissions. At EL0 these are ordinary accesses.
 */
export function unprivilegedBegin(cpu: Cpu): void {
  // [pauth] FEAT_UAO: with PSTATE.UAO = 1 they are ordinary EL1 accesses (ARM ARM: the unprivileged
  // load/store pseudocode's AccessDescriptor, unpriv = EL1 && PSTATE.UAO == '0'). End mirrors it.
  if (cpu.el !== 1 || (cpu.pstateOther & PSTATE_UAO) !== 0) return;
  mmuOf(cpu).unpriv = true;
  cpu.setFastBank(0);
}
export function unprivilegedEnd(cpu: Cpu): void {
  if (cpu.el !== 1 || (cpu.pstateOther & PSTATE_UAO) !== 0) return;
  mmuOf(cpu).unpriv = false;
  cpu.setFastBank(cpu.el);
}

/** A walker-only MMU (no TLB, statistics or costs) for AT, the debugger and semihosting. */
export function walkOnlyMmu(cpu: Cpu): Mmu {
  let m = cpu.walkOnlyMmu;
  if (m === null) {
    const none = { entries: 0, ways: 1 };
    m = new Mmu(cpu, { l1i: none, l1d: none, l2: none, ipa: none, walk: none, cost: { l2Hit: 0, descRead: 0 } });
    m.walker.useCaches = false;
    cpu.walkOnlyMmu = m;
  }
  return m;
}

/**
 * Translate without side effects (no exception, no TLB fill, no statistics, no cycles): the PA of
 * VA (lo, hi) for `acc` at exception level `el` (default the current one), or -1 if it would fault.
 * It walks the tables as they are now, ignoring what the TLB model may still hold.
 */
export function translateQuiet(cpu: Cpu, lo: number, hi: number, acc: number, el = cpu.el === 0 ? 0 : 1): number {
  const m = walkOnlyMmu(cpu);
  return m.resolve(lo, hi, acc, el, MODE_WALK) ? m.pa : -1;
}

/**
 * Translate a virtual address for the EL1&0 regime at the current EL. On a fault, records the
 * abort in the CPU's pending-exception fields (stage 1 to EL1, stage 2 to EL2) and sets pa = -1.
 */
export function translate(cpu: Cpu, lo: number, hi: number, acc: number, out: Translation): void {
  const m = cpu.mmu;
  if (!m.resolve(lo, hi, acc, cpu.el === 0 || m.unpriv ? 0 : 1, MODE_TLB)) {
    deliverFault(cpu, m.fault, acc, lo, hi);
    out.pa = -1;
    return;
  }
  out.pa = m.pa;
  out.memType = isDevice(m.attrs & 0xff) ? MT_DEVICE : MT_NORMAL;
  // Device only because of stage 2: an unaligned access then takes a stage-2 Alignment fault.
  out.s2Device = out.memType === MT_DEVICE && !isDevice(m.s1Attrs & 0xff);
  out.ipa = m.ipa;
  out.cacheable = m.fastOk;
}

export { MODE_TLB, MODE_WALK, MODE_S1ONLY };
