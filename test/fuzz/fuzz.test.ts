// A short run of the fuzzing suite (fuzz/fuzz.ts; `npm run fuzz` is the long run): a fixed seed
// and a fixed number of cases per area, so the same cases run every time on every host.
import { describe, it, expect } from 'vitest';
import { runFuzz, AREAS, Rng, caseSeed } from '../../fuzz/fuzz.js';

describe('fuzz (short run)', () => {
  it('the PRNG and case seeds are the same on every host (failures reproduce from the seed)', () => {
    const r = new Rng(1);
    expect([r.u32(), r.u32(), r.u32()]).toEqual([2693262067, 11749833, 2265367787].map((x) => x >>> 0));
    expect(caseSeed(7, 'hyp', 3)).toBe(caseSeed(7, 'hyp', 3));
    expect(caseSeed(7, 'hyp', 3)).not.toBe(caseSeed(7, 'hyp', 4));
  });

  it('every area: no host exception, no hang, no leaked byte', async () => {
    const lines: string[] = [];
    const r = await runFuzz({ seed: 14, cases: 6, seconds: 600, log: (l) => lines.push(l) });
    expect(r.failures, lines.join('\n')).toEqual([]);
    for (const a of AREAS) expect(r.cases[a]).toBe(6);
  });
});
