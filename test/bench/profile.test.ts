// bench/profile.ts: self time per function and per emulator part from a V8 .cpuprofile.
import { describe, it, expect } from 'vitest';
import { summarizeProfile, type CpuProfile } from '../../bench/profile.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

/** Four functions; samples of 1 ms (timeDeltas are microseconds). */
function profile(): CpuProfile {
  const nodes = [
    { id: 1, callFrame: frame('runBlocks', 'file:///x/dist/cpu/engine-interp.js', 7) },
    { id: 2, callFrame: frame('region_40001000', '') },
    { id: 3, callFrame: frame('region_40002000', '') },
    { id: 4, callFrame: frame('walk', 'file:///x/src/mmu/walk.ts', 41) },
    { id: 5, callFrame: frame('(garbage collector)', '') },
    { id: 6, callFrame: frame('Mmu.tlb.l1d.onEvict', 'file:///x/dist/mmu/translate.js', 60) },
  ];
  const samples = [1, 1, 1, 2, 3, 3, 4, 5, 6, 1];
  return { nodes, samples, timeDeltas: samples.map(() => 1000) };
}

describe('bench/profile.ts', () => {
  it('sums self time per function (regions as one row) and per group, largest first', () => {
    const s = summarizeProfile(profile());
    expect(s.total).toBe(10);
    expect(s.fns[0]).toEqual({ fn: 'runBlocks', where: 'cpu/engine-interp.js:8', ms: 4, group: 'interpreter: run loop and handlers' });
    expect(s.fns[1]).toMatchObject({ fn: 'region_* (all regions)', ms: 3, group: 'compiled regions (JIT)' });
    expect(s.fns.find((r) => r.fn === 'walk')).toMatchObject({ where: 'mmu/walk.ts:42', ms: 1, group: 'MMU walks and TLB model' });
    // The fast cache's drop on an L1 eviction is TLB maintenance, not a walk, though it lives in mmu/.
    expect(s.fns.find((r) => r.fn === 'Mmu.tlb.l1d.onEvict')?.group).toBe('TLB maintenance (TLBI, fast-cache drops)');
    expect(s.groups.map((g) => [g.name, g.ms])).toEqual([
      ['interpreter: run loop and handlers', 4],
      ['compiled regions (JIT)', 3],
      ['MMU walks and TLB model', 1],
      ['V8 GC', 1],
      ['TLB maintenance (TLBI, fast-cache drops)', 1],
    ]);
  });

  it('rejects what is not a profile with one clear message', () => {
    expect(() => summarizeProfile({} as CpuProfile)).toThrow('not a V8 CPU profile');
    expect(() => summarizeProfile({ nodes: [], samples: [1], timeDeltas: [] })).toThrow('not a V8 CPU profile');
  });
});
