// A set-associative, write-back, write-allocate cache with true LRU replacement: the L1I, L1D
// and L2 of the detailed profiles (profiles.ts). Only tags and state are kept (the data is in
// guest RAM): the model needs hit/miss and write-backs, not contents. Line addresses are exact JS
// numbers (PA / line), so PAs beyond 2^32 need no BigInt.
import type { CacheGeometry } from './profiles.js';

export class Cache {
  readonly sets: number;
  readonly ways: number;
  readonly lineShift: number;
  /** tag[set * ways + way]: the line address held, -1 when invalid. */
  private readonly tag: Float64Array;
  /** LRU stamps: the way with the smallest stamp in a set is the least recently used. */
  private readonly stamp: Float64Array;
  private readonly dirty: Uint8Array;
  /** Lines the prefetcher filled and no demand access has used yet, and the cycle each is ready. */
  private readonly pf: Uint8Array;
  private readonly pfReady: Float64Array;
  private clock = 0;
  accesses = 0;
  misses = 0;
  writebacks = 0;
  /** After a miss that evicted a dirty line: that line's address (else -1). */
  victim = -1;
  /** After a hit: whether it was the first demand use of a prefetched line, and when that line is ready. */
  pfHit = false;
  pfReadyAt = 0;
  /** Lines filled by the prefetcher (not counted as accesses or misses). */
  prefetchFills = 0;

  constructor(readonly name: string, g: CacheGeometry) {
    const lines = Math.floor(g.size / g.line);
    if (!(g.ways >= 1) || lines < g.ways || lines % g.ways !== 0 || (g.line & (g.line - 1)) !== 0) {
      throw new Error(`${name}: bad cache geometry ${g.size} bytes, ${g.ways} ways, ${g.line}-byte lines`);
    }
    this.ways = g.ways;
    this.sets = lines / g.ways;
    this.lineShift = Math.log2(g.line);
    this.tag = new Float64Array(lines).fill(-1);
    this.stamp = new Float64Array(lines);
    this.dirty = new Uint8Array(lines);
    this.pf = new Uint8Array(lines);
    this.pfReady = new Float64Array(lines);
  }

  /** Line address of a PA. */
  line(pa: number): number {
    return Math.floor(pa / (1 << this.lineShift));
  }

  /**
   * Look up `line`; on a miss allocate it (write-allocate for stores too), evicting the LRU way.
   * A write marks the line dirty (write-back: memory is written only when a dirty line is evicted,
   * reported in `victim`). Returns true on a hit.
   */
  access(line: number, write: boolean): boolean {
    this.accesses++;
    this.victim = -1;
    const base = (line % this.sets) * this.ways;
    const t = this.tag;
    const now = ++this.clock;
    for (let w = base; w < base + this.ways; w++) {
      if (t[w] === line) {
        this.stamp[w] = now;
        if (write) this.dirty[w] = 1;
        this.pfHit = this.pf[w] !== 0;
        if (this.pfHit) {
          this.pf[w] = 0;
          this.pfReadyAt = this.pfReady[w];
        }
        return true;
      }
    }
    this.misses++;
    this.pfHit = false;
    this.replace(base, line, now, write);
    return false;
  }

  /** Put `line` into the LRU way of the set at `base` (the victim, if dirty, in `victim`). */
  private replace(base: number, line: number, now: number, write: boolean): number {
    const t = this.tag;
    let lru = base;
    for (let w = base + 1; w < base + this.ways; w++) if (this.stamp[w] < this.stamp[lru]) lru = w;
    // Invalid ways have stamp 0 (never used), so they are taken before any valid line.
    if (t[lru] >= 0 && this.dirty[lru] !== 0) {
      this.writebacks++;
      this.victim = t[lru];
    }
    t[lru] = line;
    this.stamp[lru] = now;
    this.dirty[lru] = write ? 1 : 0;
    this.pf[lru] = 0;
    return lru;
  }

  /**
   * A prefetcher's linefill of `line` (absent: the caller checked `holds`), ready at cycle
   * `readyAt`: allocated as a clean LRU-replacing fill, not counted as an access or a miss.
   */
  fill(line: number, readyAt: number): void {
    this.victim = -1;
    this.prefetchFills++;
    const w = this.replace((line % this.sets) * this.ways, line, ++this.clock, false);
    this.pf[w] = 1;
    this.pfReady[w] = readyAt;
  }

  /** Whether `line` is present (no state change; tests and the debugger). */
  holds(line: number): boolean {
    const base = (line % this.sets) * this.ways;
    for (let w = base; w < base + this.ways; w++) if (this.tag[w] === line) return true;
    return false;
  }
  isDirty(line: number): boolean {
    const base = (line % this.sets) * this.ways;
    for (let w = base; w < base + this.ways; w++) if (this.tag[w] === line) return this.dirty[w] !== 0;
    return false;
  }

  resetStats(): void {
    this.accesses = 0;
    this.misses = 0;
    this.writebacks = 0;
    this.prefetchFills = 0;
  }
}

/** Where an access was served: the latency the model charges depends on it. */
export const HIT_L1 = 0;
export const HIT_L2 = 1;
export const HIT_DRAM = 2;

/**
 * L1I + L1D in front of a unified L2 in front of DRAM (non-inclusive: an L2 eviction does not
 * remove L1 copies). An L1 dirty victim is written into L2 (allocating there); an L2 dirty victim
 * goes to DRAM (counted, not charged: write-backs drain from a buffer off the critical path).
 */
export class CacheHierarchy {
  readonly l1i: Cache;
  readonly l1d: Cache;
  /** The L2: this PE's own, or its cluster's (cluster.ts), shared with the other cores. */
  readonly l2: Cache;
  dramWrites = 0;
  /** This PE's L2 traffic (the L2's own counters are the cluster's when it is shared). */
  l2Accesses = 0;
  l2Misses = 0;
  l2Writebacks = 0;
  constructor(i: CacheGeometry, d: CacheGeometry, l2: CacheGeometry | Cache) {
    this.l1i = new Cache('L1I', i);
    this.l1d = new Cache('L1D', d);
    this.l2 = l2 instanceof Cache ? l2 : new Cache('L2', l2);
  }
  /** An instruction fetch or data access through L1 (`l1` is l1i or l1d). Returns HIT_*. */
  access(l1: Cache, pa: number, write: boolean): number {
    const line = l1.line(pa);
    if (l1.access(line, write)) return HIT_L1;
    if (l1.victim >= 0) this.writeBack(l1.victim);
    return this.l2Read(line);
  }
  /**
   * A prefetch of `line` into `l1` (nothing if it is there): read through L2, ready after the
   * latency of the level that served it. Returns true if a linefill was made.
   */
  prefetch(l1: Cache, line: number, now: number, l2Latency: number, dramLatency: number): boolean {
    if (l1.holds(line)) return false;
    const level = this.l2Read(line);
    l1.fill(line, now + (level === HIT_L2 ? l2Latency : dramLatency));
    if (l1.victim >= 0) this.writeBack(l1.victim);
    return true;
  }
  /** A read that bypasses L1 (translation table walks read through L2). */
  l2Read(line: number): number {
    const l2 = this.l2;
    const hit = l2.access(line, false);
    this.l2Accesses++;
    if (!hit) this.l2Misses++;
    if (l2.victim >= 0) this.l2Evicted();
    return hit ? HIT_L2 : HIT_DRAM;
  }
  private writeBack(line: number): void {
    const l2 = this.l2;
    const hit = l2.access(line, true);
    this.l2Accesses++;
    if (!hit) this.l2Misses++;
    if (l2.victim >= 0) this.l2Evicted();
  }
  private l2Evicted(): void {
    this.dramWrites++;
    this.l2Writebacks++;
  }
}
