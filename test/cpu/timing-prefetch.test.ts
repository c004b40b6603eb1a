// The L1D stride prefetcher of the detailed profiles (src/cpu/timing/prefetch.ts): trained by
// data-cache misses at a fixed stride within a window of lines (the A53/A57/A72 TRMs' "Data
// prefetching"), it fetches the next lines along the stride, inside one 4 KiB page. A sequential
// stream then misses a few lines per page instead of every line; a pointer chase in random order
// (lat_mem_rd) is not helped at all, which is why latency is measured that way, while a chase in
// address order (tlb-touch mode 3) is, as on the A72 (sandsoftwaresound.net's Raspberry Pi 4 pointer
// chase found a sequential layout "did not produce the expected number of L1D or L2 cache misses").
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { loadImage, bootLoaded } from '../../src/loader/index.js';
import { TlbLab } from '../../src/stats/lab.js';
import { TOUCH } from '../stats/lab-helpers.js';
import { DETAILED } from '../../src/cpu/timing/profiles.js';
import { StridePrefetcher } from '../../src/cpu/timing/prefetch.js';
import { Cache, CacheHierarchy } from '../../src/cpu/timing/cache.js';

describe('StridePrefetcher', () => {
  const lines = (pf: StridePrefetcher): number[] => Array.from(pf.out.subarray(0, pf.count));
  it('a stride seen twice in a row is confirmed; then the next `distance` lines along it are requested', () => {
    const pf = new StridePrefetcher({ streams: 2, window: 4, distance: 4 }, 64);
    pf.train(128); // page 2 (64 lines per 4 KiB page), a new stream
    expect(lines(pf)).toEqual([]);
    pf.train(129); // stride 1, seen once
    expect(lines(pf)).toEqual([]);
    pf.train(130); // stride 1 again: confirmed
    expect(lines(pf)).toEqual([131, 132, 133, 134]);
    pf.train(132); // stride 2 breaks the confirmation
    expect(lines(pf)).toEqual([]);
  });
  it('descending strides work; requests stop at the page boundary', () => {
    const pf = new StridePrefetcher({ streams: 1, window: 4, distance: 4 }, 64);
    for (const l of [70, 68]) pf.train(l);
    pf.train(66);
    expect(lines(pf)).toEqual([64]); // 62 is in the previous page
  });
  it('a stride beyond the window or in another page starts a new stream (the least recently used)', () => {
    const pf = new StridePrefetcher({ streams: 1, window: 4, distance: 2 }, 64);
    pf.train(0);
    pf.train(1);
    pf.train(9); // 8 lines away: outside the window, replaces the stream
    pf.train(10);
    expect(lines(pf)).toEqual([]);
    pf.train(11);
    expect(lines(pf)).toEqual([12, 13]);
    pf.train(64 + 12); // next page: a new stream even though 65 lines is the same distance pattern
    expect(lines(pf)).toEqual([]);
  });
  it('a prefetched line is filled without counting as an access or a miss; its first use reports it and when it is ready', () => {
    const h = new CacheHierarchy({ size: 1024, ways: 2, line: 64 }, { size: 1024, ways: 2, line: 64 }, { size: 4096, ways: 4, line: 64 });
    expect(h.prefetch(h.l1d, 5, 100, 20, 200)).toBe(true); // from DRAM: ready at 300
    expect(h.prefetch(h.l1d, 5, 100, 20, 200)).toBe(false); // already there
    expect([h.l1d.accesses, h.l1d.misses, h.l1d.prefetchFills, h.l2.accesses]).toEqual([0, 0, 1, 1]);
    expect(h.l1d.access(5, false)).toBe(true);
    expect([h.l1d.pfHit, h.l1d.pfReadyAt]).toEqual([true, 300]);
    expect(h.l1d.access(5, false)).toBe(true);
    expect(h.l1d.pfHit).toBe(false); // only the first use
    expect(new Cache('x', { size: 128, ways: 2, line: 64 }).sets).toBe(1);
  });
});

/** tlb-touch over `footprint` with `stride` (mode 0 sequential, 2 random chase, 3 chase in address order), 2 passes; the ROI's cycles per load. */
async function touch(footprint: number, stride: number, mode: number, profile: string, prefetch: boolean): Promise<{ perLoad: number; refills: number; prefetches: number }> {
  const p = DETAILED[profile];
  const saved = p.prefetch;
  if (!prefetch) p.prefetch = null;
  try {
    const m = new Machine({ ramSize: 64 * 1024 * 1024, cmdline: `${footprint} ${stride} 2 ${mode}`, timing: profile });
    const lab = await TlbLab.create(m, { mmu: 's1:4k:blocks' });
    bootLoaded(m, await loadImage(m, TOUCH, {}));
    lab.boot();
    let r = m.run(50_000_000);
    lab.roi.settle();
    while (r.reason === 'limit' && m.cpu.instret < 50_000_000) {
      r = m.run(50_000_000 - m.cpu.instret);
      lab.roi.settle();
    }
    if (r.reason !== 'exit' || r.exitCode !== 0) throw new Error(`tlb-touch: ${r.reason} ${r.message ?? ''}`);
    const roi = lab.roi.regions.find((s) => s.label === 'roi 1')!;
    const c = m.cpu.timed!.counts();
    return { perLoad: roi.cycles / ((2 * footprint) / stride), refills: c.l1dRefills, prefetches: c.l1dPrefetches };
  } finally {
    p.prefetch = saved;
  }
}

describe('the prefetcher on whole guests', () => {
  it.each(['cortex-a53', 'cortex-a57', 'cortex-a72'])('%s: a sequential stream over 256 KiB misses a few lines per page instead of every line', async (profile) => {
    const off = await touch(256 * 1024, 64, 0, profile, false);
    const on = await touch(256 * 1024, 64, 0, profile, true);
    // 4096 lines, 3 passes (warm-up included), all beyond L1: every load misses without it.
    expect(off.refills).toBeGreaterThanOrEqual(3 * 4096);
    expect(off.prefetches).toBe(0);
    // With it: per 4 KiB page (64 lines) the first lines train the stream, the rest are prefetched.
    expect(on.refills).toBeLessThan(3 * 64 * 4);
    expect(on.prefetches).toBeGreaterThan(3 * 4096 - 3 * 64 * 4);
    // (Its loads are independent: the model overlaps their misses without bound, see
    // docs/cycle-model.md, so the cycles of this loop do not show the gain; mode 3 does.)
  }, 60_000);
  it.each(['cortex-a53', 'cortex-a57', 'cortex-a72'])('%s: a pointer chase in address order (tlb-touch mode 3) runs at about L1 speed with it, at L2 latency without', async (profile) => {
    const p = DETAILED[profile];
    const off = await touch(256 * 1024, 64, 3, profile, false);
    const on = await touch(256 * 1024, 64, 3, profile, true);
    expect(Math.abs(off.perLoad - p.l2Latency) / p.l2Latency).toBeLessThan(0.1);
    // Each dependent load's line was fetched `distance` lines earlier; the first lines of each
    // page still train the stream at L2 latency.
    expect(on.perLoad).toBeLessThan(off.perLoad / 2);
    // The list is built by 4096 stores first (stores do not train the prefetcher: they miss each line).
    expect(on.refills - 4096).toBeLessThan(3 * 64 * 4);
  }, 60_000);
  it('a pointer chase in random order (lat_mem_rd, mode 2) is not helped: same cycles with and without it', async () => {
    const off = await touch(256 * 1024, 64, 2, 'cortex-a57', false);
    const on = await touch(256 * 1024, 64, 2, 'cortex-a57', true);
    expect(on.perLoad).toBe(off.perLoad);
  }, 60_000);
});
