// Exact L1 TLB lookup counts without a counter on the fast path (DESIGN.md "Statistics on the slow
// path: count misses where they happen; derive lookups from per-block totals").
//
// Definition (ARM ARM D12 leaves the granularity of L1D_TLB/L1I_TLB IMPLEMENTATION DEFINED):
// * L1 DTLB: one lookup per executed instruction that accesses data memory (loads, stores, atomics,
//   exclusives, SIMD structure loads/stores, DC ZVA; not PRFM), plus one for the second page of an
//   unaligned access that crosses a page. Counted statically per decoded block (Block.accs, prefix
//   sums) and added by the engines when the block (or its first k instructions) completes; an
//   instruction that takes an exception counts (it looked its address up).
// * L1 ITLB: one lookup per instruction fetched (retired, or taking an exception), plus fetches
//   whose translation faulted. Per instruction rather than per decoded block so that the count does
//   not depend on where blocks are cut (run budgets, debugger stops, the engine).
// The host fast cache is a subset of the L1 TLBs (src/mmu/README.md), so every access it serves is
// an L1 hit and L1 misses (counted in the model) are exact: hits = lookups - misses.
//
// The engines only add to two running totals on the PE (exactData, exactFetch). They are
// attributed to a context (VMID, ASID) here, at the slow-path translation that first sees a new
// context: every context change flushes the host fast cache (cpu.contextChanged), and blocks end at
// context-changing instructions, so between that change and the first slow-path translation in the
// new context no access of the new context has been counted. Accesses made with translation off
// (no TLB involved) are dropped.
import type { ContextStats } from './tlb.js';

/** The PE's running totals that the engines maintain (src/cpu/fastmem.ts). */
export interface AccessTotals {
  exactData: number;
  exactFetch: number;
}

export class ExactL1 {
  /** The PE whose totals are read; null for a TLB that no PE feeds (tests, SMMU). */
  src: AccessTotals | null = null;
  private baseData = 0;
  private baseFetch = 0;
  /** The context the pending totals belong to; null while no TLB is involved. */
  private cur: ContextStats | null = null;
  private settledData = 0;
  private settledFetch = 0;

  /** The context the running totals are being attributed to. */
  get current(): ContextStats | null {
    return this.cur;
  }

  /** A slow-path translation in context `ctx` (null: translation off). */
  enter(ctx: ContextStats | null): void {
    if (ctx !== this.cur) {
      this.settle();
      this.cur = ctx;
    }
  }

  /** An access counted as a lookup that made none (its VA was in no translation range). */
  noLookup(fetch: boolean): void {
    if (this.cur === null) return;
    if (fetch) {
      this.settledFetch--;
      this.cur.l1iLookups--;
    } else {
      this.settledData--;
      this.cur.l1dLookups--;
    }
  }

  private settle(): void {
    const s = this.src;
    if (s === null) return;
    const d = s.exactData - this.baseData;
    const f = s.exactFetch - this.baseFetch;
    this.baseData = s.exactData;
    this.baseFetch = s.exactFetch;
    const c = this.cur;
    if (c === null) return;
    this.settledData += d;
    this.settledFetch += f;
    c.l1dLookups += d;
    c.l1iLookups += f;
  }

  /** Start counting from now (statistics reset); the current context is kept. */
  reset(): void {
    this.settledData = this.settledFetch = 0;
    if (this.src !== null) {
      this.baseData = this.src.exactData;
      this.baseFetch = this.src.exactFetch;
    }
  }

  /** Forget the current context (its ContextStats object was dropped by a reset). */
  dropContext(): void {
    this.settle();
    this.cur = null;
  }

  /** Attribute what is pending now (reads at any time see exact figures). */
  sync(): void {
    this.settle();
  }

  get l1dLookups(): number {
    this.settle();
    return this.settledData;
  }
  get l1iLookups(): number {
    this.settle();
    return this.settledFetch;
  }
}
