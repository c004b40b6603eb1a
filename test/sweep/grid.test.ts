// The sweep's grid (expansion, grid files and the wrong thing), its output formats, and one small
// real sweep through child processes.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GRID, QUICK_GRID, expandGrid, gridFromJson, ramFor } from '../../src/sweep/grid.js';
import { resultsCsv, chartSvg, sizeLabel } from '../../src/sweep/output.js';
import { resultOf, type SweepResult } from '../../src/sweep/runner.js';
import { sweepCommand } from '../../src/sweep/command.js';
import { isUserError } from '../../src/errors.js';

describe('grid', () => {
  it('the shipped grid: 8 footprints x 2 page sizes x stage 2 on/off, and 3 x 2 VM runs', () => {
    const runs = expandGrid(DEFAULT_GRID);
    expect(runs.filter((r) => r.family === 'translation')).toHaveLength(32);
    expect(runs.filter((r) => r.family === 'vm')).toHaveLength(6);
    expect(runs.map((r) => r.id)).toEqual(runs.map((_, k) => k));
    const r = runs.find((x) => x.footprint === 16 * 1024 * 1024 && x.mmu === 's1:64k:pages' && x.s2 === '4k:pages')!;
    expect(r.args).toEqual(['--cmdline', `${16 * 1024 * 1024} 4096 2 1`, '--ram', String(32 * 1024 * 1024), '--mmu', 's1:64k:pages', '--s2', '4k:pages']);
    expect(r.accesses).toBe(2 * 4096);
    const v = runs.find((x) => x.family === 'vm' && x.vmidTagging === false)!;
    expect(v.args).toContain('--no-hyp-vmid-tagging');
    // Two VMs, each a warm-up pass and 8 measured passes.
    expect(v.accesses).toBe(2 * 9 * (v.footprint / 4096));
  });
  it('RAM is a power of two holding the buffer, its tables and 8 MiB more', () => {
    expect(ramFor(16 * 1024)).toBe(16 * 1024 * 1024);
    expect(ramFor(256 * 1024 * 1024)).toBe(512 * 1024 * 1024);
  });
  it('a grid file overrides what it names', () => {
    const g = gridFromJson('{"footprints": ["64K", 1048576], "mmu": ["s1:16k:blocks"], "s2": ["off"], "tlb": ["l1d=64"], "vm": null}', 'g.json');
    expect(g.footprints).toEqual([65536, 1048576]);
    expect(expandGrid(g).map((r) => r.args.join(' '))).toEqual([
      '--cmdline 65536 4096 2 1 --ram 16777216 --mmu s1:16k:blocks --tlb l1d=64',
      '--cmdline 1048576 4096 2 1 --ram 16777216 --mmu s1:16k:blocks --tlb l1d=64',
    ]);
  });
  it.each([
    ['x', /invalid JSON/],
    ['{"sizes": []}', /unknown key 'sizes'/],
    ['{"footprints": [3000]}', /power of two/],
    ['{"footprints": ["1G"]}', /power of two from 4K to 512M/],
    ['{"footprints": []}', /list of 1\.\.64/],
    ['{"mmu": ["s1:3k"]}', /--mmu s1:3k/],
    ['{"s2": ["9k"]}', /--s2 9k/],
    ['{"tlb": ["l2=96:4"]}', /--tlb l2=96:4/],
    ['{"mode": 7}', /mode must be/],
    ['{"stride": 12}', /stride/],
    ['{"footprints": [4096], "stride": 8192}', /smaller than the stride/],
    ['{"vm": {"slice": 1}}', /vm.slice/],
    ['{"vm": {"tagging": [1]}}', /vm.tagging/],
  ])('%s is refused', (text, re) => {
    try {
      gridFromJson(text, 'g.json');
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      expect((e as Error).message).toMatch(re);
      return;
    }
    throw new Error('accepted');
  });
});

describe('results', () => {
  const run = expandGrid(QUICK_GRID)[0];
  const stats = {
    regions: [
      { label: 'roi 1', instructions: 100, cycles: 400, tlb: { l1d: { misses: 1 }, l2: { hits: 1, misses: 0 }, walks: { s1Walks: 0, s2Walks: 0, s1DescReads: 0, s2DescReads: 0 } } },
    ],
  };
  it('hit rate = 1 - L1 misses / loads, cycles per load from the region', () => {
    const r = resultOf(run, stats);
    expect(run.accesses).toBe(4);
    expect(r.l1dHitRate).toBe(0.75);
    expect(r.cyclesPerAccess).toBe(100);
    expect(() => resultOf(run, { regions: [] })).toThrow(/no region/);
  });
  it('CSV has one row per run, the chart one line per series', async () => {
    const rows: SweepResult[] = [resultOf(run, stats), { ...resultOf(run, stats), id: 1, footprint: 65536, l1dHitRate: 0.5 }];
    const csv = resultsCsv(rows).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0].startsWith('id,family,footprint,mmu,s2,tlb,vmidTagging,accesses,ok')).toBe(true);
    const svg = await chartSvg(rows, 'A & B');
    expect(svg).toContain('A &amp; B');
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2); // hit rate and cycles, one series each (test/sweep/chart.test.ts parses it)
    expect(sizeLabel(16384)).toBe('16K');
    expect(sizeLabel(3 * 1024 * 1024)).toBe('3M');
  });
});

describe('a real sweep (two runs, child processes)', () => {
  it('writes results.csv, results.json and chart.svg with the exact counts of each run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64hv-sweep-test-'));
    const grid = join(dir, 'grid.json');
    const out = join(dir, 'out');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(grid, JSON.stringify({ footprints: ['256K'], mmu: ['s1:4k:pages', 's1:64k:pages'], s2: ['off'], passes: 2, mode: 0, vm: null }));
    let err = '';
    const code = await sweepCommand({ grid, out, jobs: '2' }, { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
    expect(err).toMatch(/2\/2 runs/);
    expect(code).toBe(0);
    const rows = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const h = rows[0];
    const col = (r: string[], c: string): string => r[h.indexOf(c)];
    // Sequential 256K, 2 passes: 4K pages miss the 32-entry L1 every time; 64K pages never.
    expect(col(rows[1], 'l1dMisses')).toBe('128');
    expect(col(rows[1], 'l1dHitRate')).toBe('0');
    expect(col(rows[2], 'l1dMisses')).toBe('0');
    expect(col(rows[2], 'l1dHitRate')).toBe('1');
    expect(col(rows[1], 'cycles')).toBe('913');
    expect(readFileSync(join(out, 'chart.svg'), 'utf8')).toMatch(/^<\?xml/);
    expect(JSON.parse(readFileSync(join(out, 'chart.vl.json'), 'utf8')).$schema).toMatch(/vega-lite/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).results).toHaveLength(2);
  }, 120_000);
});
