// The examples in examples/ run here as a user runs them (they import 'a64hv'; vitest maps the
// name to the sources), and their results are checked, so the docs never show a broken example.
import { describe, it, expect } from 'vitest';
import { main as unicornStyle } from '../../examples/unicorn-style.js';
import { main as tlbStudy } from '../../examples/tlb-study.js';
import { main as snapshot } from '../../examples/snapshot.js';

describe('examples', () => {
  it('unicorn-style: the sum, each access in order with the values written, the loop hook count', async () => {
    const r = await unicornStyle();
    expect(r.sum).toBe(1111n);
    expect(r.instructions).toBe(2 + 4 * 5);
    expect(r.loopSteps).toBe(4 * 5);
    expect(r.accesses.map((a) => `${a.kind} ${a.address.toString(16)} ${a.value ?? ''}`)).toEqual([
      'read 40008000 ',
      'write 40009000 1',
      'read 40008008 ',
      'write 40009008 11',
      'read 40008010 ',
      'write 40009010 111',
      'read 40008018 ',
      'write 40009018 1111',
    ]);
  });

  it('tlb-study: a sweep over more pages than L1 DTLB entries misses on every access; a larger L1 only misses cold', async () => {
    const rows = await tlbStudy([16, 64], 48);
    expect(rows[0]).toMatchObject({ l1dEntries: 16, l1dMisses: 8 * 48 });
    expect(rows[1]).toMatchObject({ l1dEntries: 64, l1dMisses: 48, l2Hits: 0 });
    expect(rows[0].l2Hits).toBe(8 * 48 - 48); // the L2 TLB (1024 entries) holds them all after the first sweep
    expect(rows[0].cycles).toBeGreaterThan(rows[1].cycles);
  });

  it('snapshot: the run restored from a file matches the straight run', async () => {
    const r = await snapshot();
    expect(r.restored).toEqual(r.straight);
    expect((r.straight as { output: string }).output).toContain('hello irq.');
  });
});
