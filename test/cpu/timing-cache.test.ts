// The detailed model's caches (src/cpu/timing/cache.ts) and branch predictor (bpred.ts): each
// modelled rule has a case that fails if the rule were different (FIFO instead of LRU, write-
// through instead of write-back, a one-bit instead of a two-bit counter, no return stack).
import { describe, it, expect } from 'vitest';
import { Cache, CacheHierarchy, HIT_L1, HIT_L2, HIT_DRAM } from '../../src/cpu/timing/cache.js';
import { BranchPredictor } from '../../src/cpu/timing/bpred.js';

// 4 sets x 2 ways x 64-byte lines: lines 0, 4, 8... share set 0.
const tiny = () => new Cache('t', { size: 512, ways: 2, line: 64 });

describe('Cache: set-associative, LRU, write-back, write-allocate', () => {
  it('geometry: sets = size / line / ways, line address = PA / line', () => {
    const c = tiny();
    expect(c.sets).toBe(4);
    expect(c.line(0x4000_0040)).toBe(0x4000_0040 / 64);
    // PAs beyond 2^32 keep exact line numbers (no 32-bit wrap).
    expect(c.line(0x1_0000_0000 + 128)).toBe(0x1_0000_0000 / 64 + 2);
  });
  it('replaces the least recently used way (A, B, A, C evicts B, not A as FIFO would)', () => {
    const c = tiny();
    expect(c.access(0, false)).toBe(false);
    expect(c.access(4, false)).toBe(false);
    expect(c.access(0, false)).toBe(true); // A is now the most recently used
    expect(c.access(8, false)).toBe(false);
    expect(c.holds(0)).toBe(true);
    expect(c.holds(4)).toBe(false);
    expect(c.holds(8)).toBe(true);
    expect([c.accesses, c.misses]).toEqual([4, 3]);
  });
  it('other sets are untouched by a set filling up', () => {
    const c = tiny();
    c.access(1, false);
    for (const l of [0, 4, 8, 12]) c.access(l, false);
    expect(c.holds(1)).toBe(true);
  });
  it('a store marks the line dirty; evicting it is a write-back, evicting a clean line is not', () => {
    const c = tiny();
    c.access(0, true); // write-allocate: the store miss brings the line in, dirty
    expect(c.holds(0)).toBe(true);
    expect(c.isDirty(0)).toBe(true);
    c.access(4, false);
    c.access(8, false); // evicts 0 (LRU), dirty
    expect(c.writebacks).toBe(1);
    expect(c.victim).toBe(0);
    c.access(12, false); // evicts 4, clean
    expect(c.writebacks).toBe(1);
    expect(c.victim).toBe(-1);
  });
  it('a bad geometry is a clear error', () => {
    expect(() => new Cache('x', { size: 1000, ways: 3, line: 48 })).toThrow(/x: bad cache geometry/);
  });
});

describe('CacheHierarchy: L1 in front of L2 in front of DRAM', () => {
  const h = () =>
    new CacheHierarchy({ size: 512, ways: 2, line: 64 }, { size: 512, ways: 2, line: 64 }, { size: 2048, ways: 4, line: 64 });
  it('first touch comes from DRAM, then L1; an L1 victim is found again in L2', () => {
    const c = h();
    expect(c.access(c.l1d, 0x1000, false)).toBe(HIT_DRAM);
    expect(c.access(c.l1d, 0x1008, false)).toBe(HIT_L1); // same line
    // Two more lines of L1 set 0 (line 0x40 = 64 -> set 0): 0x1100, 0x1200 evict 0x1000 from L1.
    c.access(c.l1d, 0x1100, false);
    c.access(c.l1d, 0x1200, false);
    expect(c.access(c.l1d, 0x1000, false)).toBe(HIT_L2);
  });
  it('a dirty L1 victim is written into L2 (dirty there), not to DRAM', () => {
    const c = h();
    c.access(c.l1d, 0x1000, true);
    c.access(c.l1d, 0x1100, false);
    c.access(c.l1d, 0x1200, false);
    expect(c.l1d.writebacks).toBe(1);
    expect(c.l2.isDirty(0x1000 / 64)).toBe(true);
    expect(c.dramWrites).toBe(0);
  });
  it('instruction and data sides have their own L1s and share the L2', () => {
    const c = h();
    expect(c.access(c.l1i, 0x2000, false)).toBe(HIT_DRAM);
    expect(c.access(c.l1d, 0x2000, false)).toBe(HIT_L2);
  });
});

describe('BranchPredictor', () => {
  it('two-bit counters: a loop branch taken 9 times then not taken mispredicts once per loop after warm-up', () => {
    const bp = new BranchPredictor(10, 0, 4, 4); // bimodal (no history)
    const run = () => {
      const before = bp.mispredicted;
      for (let i = 0; i < 10; i++) bp.conditional(0x4000_0100, i < 9);
      return bp.mispredicted - before;
    };
    // First loop: the weakly not-taken counter mispredicts the first taken, then learns.
    expect(run()).toBe(2);
    // Then only the exit mispredicts: a one-bit predictor would also miss the first iteration.
    expect(run()).toBe(1);
    expect(run()).toBe(1);
    expect(bp.predicted).toBe(30);
  });
  it('gshare: a branch alternating T/N is learnt through the history (bimodal cannot)', () => {
    const g = new BranchPredictor(10, 4, 4, 4);
    const b = new BranchPredictor(10, 0, 4, 4);
    for (let i = 0; i < 200; i++) {
      g.conditional(0x4000_0200, (i & 1) === 0);
      b.conditional(0x4000_0200, (i & 1) === 0);
    }
    expect(g.mispredicted).toBeLessThan(10);
    expect(b.mispredicted).toBeGreaterThan(90);
  });
  it('the return stack predicts nested returns and loses the oldest beyond its depth', () => {
    const bp = new BranchPredictor(10, 0, 2, 4);
    bp.call(0x100);
    bp.call(0x200);
    expect(bp.ret(0x200)).toBe(false);
    expect(bp.ret(0x100)).toBe(false);
    bp.call(0x100);
    bp.call(0x200);
    bp.call(0x300); // overwrites 0x100
    expect(bp.ret(0x300)).toBe(false);
    expect(bp.ret(0x200)).toBe(false);
    expect(bp.ret(0x100)).toBe(true);
    expect(bp.mispredicted).toBe(1);
  });
  it('indirect branches are predicted to go where they went last time', () => {
    const bp = new BranchPredictor(10, 0, 2, 4);
    expect(bp.indirect(0x400, 0x1000)).toBe(true);
    expect(bp.indirect(0x400, 0x1000)).toBe(false);
    expect(bp.indirect(0x400, 0x2000)).toBe(true);
  });
});
