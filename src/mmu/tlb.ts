// The architectural TLB model (ARM ARM D8.10 "Translation Lookaside Buffers"): what a guest may
// observe as cached translations, tagged by VMID and ASID, plus statistics for the user.
//
// Geometry defaults follow the Cortex-A57 TRM (ARM DDI 0488, section 5.2 "TLB organization"):
// 48-entry fully-associative L1 instruction TLB, 32-entry fully-associative L1 data TLB, unified
// 1024-entry 4-way L2 TLB. The A57 TRM publishes no IPA-cache or walk-cache figures; the stage-2
// (IPA -> PA) cache and the stage-1 walk cache use the Cortex-A53 TRM's (64 entries, 4-way each).
//
// Entries hold final (leaf) translations only. A combined entry maps VA -> PA with the size of
// the smaller of the stage-1 and stage-2 mappings, and remembers the stage-1 block size so that
// TLBI by VA anywhere inside a stage-1 block removes it. Replacement: round-robin in the L1 TLBs
// (so that hits served by the host fast cache, which the model never sees, cannot change which
// entry is evicted: L1 misses stay exact), LRU in the set-associative structures (only reached
// on the slow path, so their LRU state is exact too).

import { ExactL1 } from './tlb-exact.js';

/** Regime tag bits: stage 1 enabled (else VA=IPA flat), stage 2 enabled. */
export const RG_S1 = 1;
export const RG_S2 = 2;

/** Permission bits of a combined entry: stage 1 per EL in bits 0..5, stage 2 in bits 6..8. */
export const P_R1 = 1;
export const P_W1 = 2;
export const P_X1 = 4;
/** [pauth] FEAT_BTI: the stage-1 leaf's GP bit (a guarded page), kept with the permissions. */
export const P_GP = 512;
export const P_R0 = 8;
export const P_W0 = 16;
export const P_X0 = 32;
export const P_S2R = 64;
export const P_S2W = 128;
export const P_S2X = 256;

const MASK: Int32Array = (() => {
  const m = new Int32Array(33);
  for (let s = 0; s < 32; s++) m[s] = ~((1 << s) - 1) | 0;
  m[32] = 0;
  return m;
})();

/** The low word of an address aligned down to 2^shift (shift <= 31). */
export function alignLo(lo: number, shift: number): number {
  return lo & MASK[shift];
}

export class TlbLevelStats {
  lookups = 0;
  hits = 0;
  misses = 0;
  evictions = 0;
  fills = 0;
  reset(): void {
    this.lookups = this.hits = this.misses = this.evictions = this.fills = 0;
  }
}

/** One set-associative (or, with one set, fully-associative) array of translation entries. */
export class TlbArray {
  readonly n: number;
  readonly sets: number;
  readonly valid: Uint8Array;
  /** Input address (VA, or IPA in the stage-2 cache) aligned to `shift`. */
  readonly inLo: Int32Array;
  readonly inHi: Int32Array;
  readonly shift: Uint8Array;
  /** Stage-1 mapping size (TLBI by VA matches the whole stage-1 block). */
  readonly s1shift: Uint8Array;
  readonly asid: Int32Array;
  readonly global: Uint8Array;
  readonly vmid: Int32Array;
  readonly regime: Uint8Array;
  /** Output address aligned to `shift`. */
  readonly pa: Float64Array;
  /** IPA of the entry's range (stage-2 fault reporting), aligned to `shift`. */
  readonly ipa: Float64Array;
  readonly perms: Int32Array;
  /** attr | sh << 8 (see attrs.ts). */
  readonly attrs: Int32Array;
  readonly s1level: Uint8Array;
  readonly s2level: Uint8Array;
  private readonly age: Float64Array;
  private clock = 0;
  private readonly rr: Int32Array;
  /** Valid entries per size: the set index depends on the size, so lookups probe each size in use. */
  private readonly perShift = new Int32Array(64);
  private shiftsInUse: number[] = [];
  /** Valid entries smaller than their stage-1 page (split by a smaller stage-2 page). */
  private split = 0;
  readonly stats = new TlbLevelStats();
  /** Called with the entry index before a valid entry is replaced (capacity eviction). */
  onEvict: ((e: number) => void) | null = null;

  constructor(
    readonly name: string,
    entries: number,
    readonly ways: number,
    readonly roundRobin: boolean,
  ) {
    if (entries < 0 || (entries > 0 && (ways <= 0 || entries % ways !== 0))) {
      throw new Error(`${name}: ${entries} entries cannot be split into ${ways} ways`);
    }
    this.n = entries;
    this.sets = entries === 0 ? 0 : entries / ways;
    if (this.sets & (this.sets - 1)) throw new Error(`${name}: the number of sets must be a power of two`);
    this.valid = new Uint8Array(entries);
    this.inLo = new Int32Array(entries);
    this.inHi = new Int32Array(entries);
    this.shift = new Uint8Array(entries);
    this.s1shift = new Uint8Array(entries);
    this.asid = new Int32Array(entries);
    this.global = new Uint8Array(entries);
    this.vmid = new Int32Array(entries);
    this.regime = new Uint8Array(entries);
    this.pa = new Float64Array(entries);
    this.ipa = new Float64Array(entries);
    this.perms = new Int32Array(entries);
    this.attrs = new Int32Array(entries);
    this.s1level = new Uint8Array(entries);
    this.s2level = new Uint8Array(entries);
    this.age = new Float64Array(entries);
    this.rr = new Int32Array(Math.max(this.sets, 1));
  }

  private setOf(lo: number, hi: number, shift: number): number {
    if (this.sets === 1) return 0;
    return (((lo >>> shift) | (hi << (32 - shift))) & (this.sets - 1)) * this.ways;
  }

  /**
   * Find the entry translating (lo, hi) for the given tags; -1 when none. Global entries match
   * any ASID but only their own VMID. Counts a lookup and a hit or a miss.
   */
  lookup(lo: number, hi: number, asid: number, vmid: number, regime: number): number {
    const st = this.stats;
    st.lookups++;
    const e = this.find(lo, hi, asid, vmid, regime);
    if (e < 0) st.misses++;
    else {
      st.hits++;
      if (!this.roundRobin) this.age[e] = ++this.clock;
    }
    return e;
  }

  /**
   * Find an entry of exactly size 2^shift covering (lo, hi) (walk cache: one level at a time).
   * Counts a lookup and a hit or a miss.
   */
  lookupShift(lo: number, hi: number, shift: number, asid: number, vmid: number, regime: number): number {
    if (this.n === 0) return -1;
    const st = this.stats;
    st.lookups++;
    if (this.perShift[shift] > 0) {
      const base = this.setOf(lo, hi, shift);
      const end = base + (this.sets === 1 ? this.n : this.ways);
      const m = MASK[shift];
      for (let e = base; e < end; e++) {
        if (
          this.valid[e] !== 0 &&
          this.shift[e] === shift &&
          this.inHi[e] === hi &&
          this.inLo[e] === (lo & m) &&
          this.vmid[e] === vmid &&
          this.regime[e] === regime &&
          this.asid[e] === asid
        ) {
          st.hits++;
          if (!this.roundRobin) this.age[e] = ++this.clock;
          return e;
        }
      }
    }
    st.misses++;
    return -1;
  }

  /** Lookup without statistics or replacement-state changes (debugger). */
  find(lo: number, hi: number, asid: number, vmid: number, regime: number): number {
    if (this.n === 0) return -1;
    const shifts = this.shiftsInUse;
    for (let k = 0; k < shifts.length; k++) {
      const base = this.setOf(lo, hi, shifts[k]);
      const end = base + (this.sets === 1 ? this.n : this.ways);
      for (let e = base; e < end; e++) {
        if (
          this.valid[e] !== 0 &&
          this.inHi[e] === hi &&
          this.inLo[e] === (lo & MASK[this.shift[e]]) &&
          this.vmid[e] === vmid &&
          this.regime[e] === regime &&
          (this.global[e] !== 0 || this.asid[e] === asid)
        ) {
          return e;
        }
      }
      if (this.sets === 1) break;
    }
    return -1;
  }

  /** Choose a victim way for a new entry of size 2^shift covering (lo, hi); evicts if needed. */
  allocate(lo: number, hi: number, shift: number): number {
    if (this.n === 0) return -1;
    const base = this.setOf(lo, hi, shift);
    const ways = this.sets === 1 ? this.n : this.ways;
    let victim = -1;
    for (let e = base; e < base + ways; e++) {
      if (this.valid[e] === 0) {
        victim = e;
        break;
      }
    }
    if (victim < 0) {
      if (this.roundRobin) {
        const s = base / ways;
        victim = base + this.rr[s];
        this.rr[s] = (this.rr[s] + 1) % ways;
      } else {
        victim = base;
        for (let e = base + 1; e < base + ways; e++) if (this.age[e] < this.age[victim]) victim = e;
      }
      this.stats.evictions++;
      if (this.onEvict !== null) this.onEvict(victim);
      this.remove(victim);
    }
    this.stats.fills++;
    this.age[victim] = ++this.clock;
    return victim;
  }

  /** Mark entry e valid with the given input range; the caller fills the other fields. */
  commit(e: number, lo: number, hi: number, shift: number): void {
    this.valid[e] = 1;
    if (this.s1shift[e] !== shift) this.split++;
    this.inLo[e] = lo & MASK[shift];
    this.inHi[e] = hi;
    this.shift[e] = shift;
    if (this.perShift[shift]++ === 0) this.shiftsInUse = this.computeShifts();
  }

  /** Copy entry `src` of another array into a newly allocated entry here (L2 -> L1 refill). */
  copyFrom(o: TlbArray, src: number): number {
    const e = this.allocate(o.inLo[src], o.inHi[src], o.shift[src]);
    if (e < 0) return -1;
    this.s1shift[e] = o.s1shift[src];
    this.asid[e] = o.asid[src];
    this.global[e] = o.global[src];
    this.vmid[e] = o.vmid[src];
    this.regime[e] = o.regime[src];
    this.pa[e] = o.pa[src];
    this.ipa[e] = o.ipa[src];
    this.perms[e] = o.perms[src];
    this.attrs[e] = o.attrs[src];
    this.s1level[e] = o.s1level[src];
    this.s2level[e] = o.s2level[src];
    this.commit(e, o.inLo[src], o.inHi[src], o.shift[src]);
    return e;
  }

  remove(e: number): void {
    if (this.valid[e] === 0) return;
    this.valid[e] = 0;
    if (this.s1shift[e] !== this.shift[e]) this.split--;
    if (--this.perShift[this.shift[e]] === 0) this.shiftsInUse = this.computeShifts();
  }

  /**
   * Remove the entries `pred` selects among those that can hold VA (lo, hi) at their stage-1
   * page size (TLBI by VA; pred does the exact match). While every entry is as large as its
   * stage-1 page (no stage-2 splitting), only the set of (lo, hi) for each size in use can hold
   * one; otherwise every entry is looked at.
   */
  removeVa(lo: number, hi: number, pred: (e: number) => boolean): void {
    if (this.sets === 1 || this.split > 0) {
      this.removeWhere(pred);
      return;
    }
    const shifts = this.shiftsInUse;
    for (let k = 0; k < shifts.length; k++) {
      const base = this.setOf(lo, hi, shifts[k]);
      for (let e = base; e < base + this.ways; e++) if (this.valid[e] !== 0 && pred(e)) this.remove(e);
    }
  }

  /** Remove every entry for which pred(e) holds; returns how many. */
  removeWhere(pred: (e: number) => boolean): number {
    let k = 0;
    for (let e = 0; e < this.n; e++) {
      if (this.valid[e] !== 0 && pred(e)) {
        this.remove(e);
        k++;
      }
    }
    return k;
  }

  count(): number {
    let k = 0;
    for (let e = 0; e < this.n; e++) k += this.valid[e];
    return k;
  }

  private computeShifts(): number[] {
    const out: number[] = [];
    // Largest sizes first: few entries, and a hit there saves the page-size probes.
    for (let s = 63; s >= 0; s--) if (this.perShift[s] > 0) out.push(s);
    return out;
  }
}

export interface TlbGeometry {
  entries: number;
  ways: number;
  /** Replacement in a set: 'lru' (default of L2, IPA and walk caches) or 'rr' (round-robin).
   *  The L1 TLBs are always round-robin (see the file comment: their misses stay exact). */
  replacement?: 'lru' | 'rr';
}

export interface TlbConfig {
  l1i: TlbGeometry;
  l1d: TlbGeometry;
  l2: TlbGeometry;
  /** Stage-2-only (IPA -> PA) cache, used for stage-1 walk descriptor addresses and final IPAs. */
  ipa: TlbGeometry;
  /** Stage-1 walk cache: intermediate table addresses (entries = 0 disables it). Optional in
   *  configureTlb's partial config: absent means the default. */
  walk?: TlbGeometry;
  /** Modelled cycles charged on the slow path (assumptions, not published figures). */
  cost: { l2Hit: number; descRead: number };
}

const DEFAULT_WALK_CACHE: TlbGeometry = { entries: 64, ways: 4 };

/** Cortex-A57 TRM figures (see the file comment); costs are this model's assumptions. */
export const DEFAULT_TLB_CONFIG: TlbConfig = {
  l1i: { entries: 48, ways: 48 },
  l1d: { entries: 32, ways: 32 },
  l2: { entries: 1024, ways: 4 },
  ipa: { entries: 64, ways: 4 },
  walk: { entries: 64, ways: 4 },
  cost: { l2Hit: 3, descRead: 20 },
};

/** Per (VMID, ASID) counters, for the context that was current at the time. */
export interface ContextStats {
  vmid: number;
  asid: number;
  /** SMMU: IOTLB lookups, counted directly (no fast path). A PE's snapshot shows l1d + l1i here. */
  lookups: number;
  /** A PE's exact L1 lookups in this context (tlb-exact.ts): data and instruction side. */
  l1dLookups: number;
  l1iLookups: number;
  l1Misses: number;
  walks: number;
  s1DescReads: number;
  s2DescReads: number;
}

/** Walk statistics, stage 1 and stage 2 apart. */
export class WalkStats {
  /** Stage-1 walks started (TLB misses with stage 1 enabled). */
  s1Walks = 0;
  /** Stage-2 walks (for stage-1 descriptor addresses, final IPAs, and stage-1-disabled accesses). */
  s2Walks = 0;
  /** Descriptor reads made by stage-1 walks (reads of stage-1 tables). */
  s1DescReads = 0;
  /** Descriptor reads made by stage-2 walks (reads of stage-2 tables, nested or not). */
  s2DescReads = 0;
  /** Reads of the most recent stage-1 walk (and the stage-2 walks it caused), for tests. */
  lastS1Reads = 0;
  lastS2Reads = 0;
  s1Faults = 0;
  s2Faults = 0;
  /** Walks (L2 TLB misses) caused by data accesses / instruction fetches (PMU DTLB_WALK, ITLB_WALK). */
  dWalks = 0;
  iWalks = 0;
  reset(): void {
    this.s1Walks = this.s2Walks = this.s1DescReads = this.s2DescReads = 0;
    this.lastS1Reads = this.lastS2Reads = this.s1Faults = this.s2Faults = 0;
    this.dWalks = this.iWalks = 0;
  }
}

/** The running totals the PMU reads (src/cpu/pmu/events.ts). */
export type TlbTotal = 'l1iMisses' | 'l1dMisses' | 'l1dLookups' | 'l1iLookups' | 'l2Misses' | 'l2Lookups' | 'dWalks' | 'iWalks';

/** All TLB structures of one PE. */
export class Tlb {
  readonly l1i: TlbArray;
  readonly l1d: TlbArray;
  readonly l2: TlbArray;
  readonly ipa: TlbArray;
  /** Stage-1 walk cache: per (VMID, ASID, granule, level) VA prefix -> next-level table. */
  readonly walk: TlbArray;
  readonly walks = new WalkStats();
  readonly contexts = new Map<number, ContextStats>();
  /** Exact L1 lookup counts derived from the engines' per-block totals (tlb-exact.ts). */
  readonly exact = new ExactL1();
  /** Counts before the last resetStats, so that the PMU's totals never go backwards. */
  private readonly carry: Record<TlbTotal, number> = { l1iMisses: 0, l1dMisses: 0, l1dLookups: 0, l1iLookups: 0, l2Misses: 0, l2Lookups: 0, dWalks: 0, iWalks: 0 };

  /** A running total since the TLB was built, across statistics resets (PMU events). */
  total(k: TlbTotal): number {
    return this.carry[k] + this.current(k);
  }
  private current(k: TlbTotal): number {
    switch (k) {
      case 'l1iMisses':
        return this.l1i.stats.misses;
      case 'l1dMisses':
        return this.l1d.stats.misses;
      case 'l1dLookups':
        return this.exact.l1dLookups;
      case 'l1iLookups':
        return this.exact.l1iLookups;
      case 'l2Misses':
        return this.l2.stats.misses;
      case 'l2Lookups':
        return this.l2.stats.lookups;
      case 'dWalks':
        return this.walks.dWalks;
      case 'iWalks':
        return this.walks.iWalks;
    }
  }

  constructor(readonly config: TlbConfig = DEFAULT_TLB_CONFIG) {
    this.l1i = new TlbArray('L1 ITLB', config.l1i.entries, config.l1i.ways, true);
    this.l1d = new TlbArray('L1 DTLB', config.l1d.entries, config.l1d.ways, true);
    this.l2 = new TlbArray('L2 TLB', config.l2.entries, config.l2.ways, config.l2.replacement === 'rr');
    this.ipa = new TlbArray('IPA cache', config.ipa.entries, config.ipa.ways, config.ipa.replacement === 'rr');
    const w = config.walk ?? DEFAULT_WALK_CACHE;
    this.walk = new TlbArray('walk cache', w.entries, w.ways, w.replacement === 'rr');
  }

  private lastKey = -1;
  private lastCtx: ContextStats | null = null;

  context(vmid: number, asid: number): ContextStats {
    const key = vmid * 65536 + asid;
    if (key === this.lastKey) return this.lastCtx!;
    let c = this.contexts.get(key);
    if (c === undefined) {
      c = { vmid, asid, lookups: 0, l1dLookups: 0, l1iLookups: 0, l1Misses: 0, walks: 0, s1DescReads: 0, s2DescReads: 0 };
      this.contexts.set(key, c);
    }
    this.lastKey = key;
    this.lastCtx = c;
    return c;
  }

  /** Valid entries in every array (counting what a broadcast TLBI removed). */
  validEntries(): number {
    return this.l1i.count() + this.l1d.count() + this.l2.count() + this.ipa.count() + this.walk.count();
  }

  /** Drop everything (reset, or a configuration change). */
  flushAll(): void {
    for (const a of [this.l1i, this.l1d, this.l2, this.ipa, this.walk]) a.removeWhere(() => true);
  }

  resetStats(): void {
    for (const k of Object.keys(this.carry) as TlbTotal[]) this.carry[k] += this.current(k);
    for (const a of [this.l1i, this.l1d, this.l2, this.ipa, this.walk]) a.stats.reset();
    this.walks.reset();
    // The current context's record is kept (zeroed): the exact counts pending for it go on there.
    this.exact.sync();
    const keep = this.exact.current;
    this.contexts.clear();
    this.lastKey = -1;
    if (keep !== null) {
      keep.lookups = keep.l1dLookups = keep.l1iLookups = keep.l1Misses = keep.walks = keep.s1DescReads = keep.s2DescReads = 0;
      this.contexts.set(keep.vmid * 65536 + keep.asid, keep);
    }
    this.exact.reset();
  }

  /** A plain-object snapshot for the CLI/debugger. */
  snapshot(): Record<string, unknown> {
    const lvl = (a: TlbArray): Record<string, number> => ({ ...a.stats, entries: a.n, valid: a.count() });
    // L1: lookups exact (tlb-exact.ts), hits = lookups - misses (the fast cache only serves hits).
    const l1 = (a: TlbArray, lookups: number): Record<string, number> => ({
      ...lvl(a),
      lookups,
      hits: Math.max(0, lookups - a.stats.misses),
    });
    const exact = this.exact.src !== null;
    return {
      l1i: exact ? l1(this.l1i, this.exact.l1iLookups) : lvl(this.l1i),
      l1d: exact ? l1(this.l1d, this.exact.l1dLookups) : lvl(this.l1d),
      l2: lvl(this.l2),
      ipa: lvl(this.ipa),
      walkCache: lvl(this.walk),
      walks: { ...this.walks },
      contexts: [...this.contexts.values()].map((c) => (exact ? { ...c, lookups: c.l1dLookups + c.l1iLookups } : { ...c })),
    };
  }
}
