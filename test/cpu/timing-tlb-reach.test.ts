// The TLB-reach curve (issue 13): guests/tlb/tlb-touch.S chasing pointers one per 4 KiB page
// (mode 2, stride 4K, random order) over footprints 32K..16M, and where its knees sit. The reach
// of a TLB is entries x page size (the L1 DTLB: 32 x 4K = 128K; the L2 TLB: 1024 x 4K = 4M, the
// defaults of src/mmu/tlb.ts): up to its reach every page stays in the TLB (no miss after the
// warm-up pass); at twice the reach the same cyclic page order evicts each page before its next
// use (LRU / round-robin), so every load misses. The knee is the first footprint whose miss rate
// passes 50%, and it must be twice the reach computed from the geometry, for the default geometry
// and for a smaller one given as `--tlb` (so the knees follow the model, not a constant).
import { describe, it, expect } from 'vitest';
import { Machine } from '../../src/machine.js';
import { loadImage, bootLoaded } from '../../src/loader/index.js';
import { TlbLab } from '../../src/stats/lab.js';
import { TOUCH } from '../stats/lab-helpers.js';
import { defaultTlbConfig, parseTlbSpec } from '../../src/stats/tlb-config.js';

const PAGE = 4096;
const PASSES = 2;
const FOOTPRINTS = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384].map((k) => k * 1024);

interface Point {
  footprint: number;
  loads: number;
  l1dMissRate: number;
  walkRate: number;
}

async function point(footprint: number, tlb: string | undefined): Promise<Point> {
  const m = new Machine({ ramSize: 64 * 1024 * 1024, cmdline: `${footprint} ${PAGE} ${PASSES} 2`, timing: 'functional' });
  const lab = await TlbLab.create(m, { mmu: 's1:4k:pages', ...(tlb === undefined ? {} : { tlb }) });
  bootLoaded(m, await loadImage(m, TOUCH, {}));
  lab.boot();
  // The region-of-interest operations end a run() call early: go on until the guest exits.
  let r = m.run(50_000_000);
  lab.roi.settle();
  while (r.reason === 'limit' && m.cpu.instret < 50_000_000) {
    r = m.run(50_000_000 - m.cpu.instret);
    lab.roi.settle();
  }
  if (r.reason !== 'exit' || r.exitCode !== 0) throw new Error(`tlb-touch ${footprint}: ${r.reason} ${r.message ?? ''}`);
  const roi = lab.roi.regions.find((s) => s.label === 'roi 1')! as unknown as {
    tlb: { l1d: { misses: number }; walks: { s1Walks: number } };
  };
  const loads = (PASSES * footprint) / PAGE;
  return { footprint, loads, l1dMissRate: roi.tlb.l1d.misses / loads, walkRate: roi.tlb.walks.s1Walks / loads };
}

/** The first footprint whose rate passes 50%. */
const knee = (pts: Point[], rate: (p: Point) => number): number | undefined => pts.find((p) => rate(p) > 0.5)?.footprint;

describe('TLB-reach knees (pointer chase, one load per 4 KiB page)', () => {
  it.each([
    ['the default geometry', undefined],
    ['--tlb l1d=16,l2=256:4', 'l1d=16,l2=256:4'],
  ])('%s: the L1 DTLB and L2 TLB knees sit at twice entries x 4 KiB', async (_name, tlb) => {
    const cfg = tlb === undefined ? defaultTlbConfig() : parseTlbSpec(tlb);
    const l1Reach = cfg.l1d.entries * PAGE;
    const l2Reach = cfg.l2.entries * PAGE;
    const pts: Point[] = [];
    for (const f of FOOTPRINTS) pts.push(await point(f, tlb));
    // Within each reach: no miss at all (the warm-up pass filled the TLB).
    for (const p of pts.filter((q) => q.footprint <= l1Reach)) expect(p.l1dMissRate).toBe(0);
    for (const p of pts.filter((q) => q.footprint <= l2Reach)) expect(p.walkRate).toBe(0);
    // Beyond: every load misses (the cyclic order defeats LRU and round-robin alike).
    for (const p of pts.filter((q) => q.footprint >= 2 * l1Reach)) expect(p.l1dMissRate).toBe(1);
    for (const p of pts.filter((q) => q.footprint >= 2 * l2Reach)) expect(p.walkRate).toBe(1);
    expect(knee(pts, (p) => p.l1dMissRate)).toBe(2 * l1Reach);
    expect(knee(pts, (p) => p.walkRate)).toBe(2 * l2Reach);
  }, 120_000);
});
