// --tlb and --tlb-config: geometry strings and JSON into a full TlbConfig, and the wrong thing.
import { describe, it, expect } from 'vitest';
import { parseTlbSpec, tlbConfigFromJson, defaultTlbConfig, formatTlbConfig } from '../../src/stats/tlb-config.js';
import { Tlb } from '../../src/mmu/tlb.js';
import { isUserError } from '../../src/errors.js';

const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('--tlb', () => {
  it('the defaults are the Cortex-A57 TRM figures with every field explicit', () => {
    expect(formatTlbConfig(defaultTlbConfig())).toBe('l1i=48:48:rr,l1d=32:32:rr,l2=1024:4:lru,ipa=64:4:lru,walk=64:4:lru,l2hit=3,descread=20');
  });
  it('the issue example parses; L1 without ways is fully associative; others keep their default ways', () => {
    const c = parseTlbSpec('l1i=48,l1d=32:full,l2=1024:4,walk=64:4,ipa=64:4');
    expect(c).toEqual(defaultTlbConfig());
    const d = parseTlbSpec('l1d=64,l2=2048:rr,ipa=16:2,l2hit=5,descread=30');
    expect(d.l1d).toEqual({ entries: 64, ways: 64, replacement: 'rr' });
    expect(d.l2).toEqual({ entries: 2048, ways: 4, replacement: 'rr' });
    expect(d.ipa).toEqual({ entries: 16, ways: 2, replacement: 'lru' });
    expect(d.cost).toEqual({ l2Hit: 5, descRead: 30 });
  });
  it('walk=0 and l1d=0 are allowed (walk cache off; data translations never fast-cached)', () => {
    expect(parseTlbSpec('walk=0,l1d=0').walk.entries).toBe(0);
  });
  it('replacement rr in the L2 changes what is evicted (LRU keeps the re-used entry)', () => {
    // 1 set of 2 ways: fill A, B; touch A; fill C. LRU evicts B, round-robin evicts A.
    const run = (r: 'lru' | 'rr'): boolean => {
      const t = new Tlb({ ...defaultTlbConfig(), l2: { entries: 2, ways: 2, replacement: r } });
      const put = (va: number): void => {
        const e = t.l2.allocate(va, 0, 12);
        t.l2.commit(e, va, 0, 12);
      };
      put(0x1000);
      put(0x2000);
      t.l2.lookup(0x1000, 0, 0, 0, 0);
      put(0x3000);
      return t.l2.find(0x1000, 0, 0, 0, 0) >= 0;
    };
    expect(run('lru')).toBe(true);
    expect(run('rr')).toBe(false);
  });
  it.each([
    ['', /empty/],
    ['l1d', /NAME=VALUE/],
    ['l3=64', /unknown name 'l3'/],
    ['l1d=x', /whole number/],
    ['l1d=-4', /whole number/],
    ['l2=1000:3', /ways must divide/],
    ['l2=96:4', /power of two/],
    ['l1d=32:lru', /always round-robin/],
    ['l1i=0', /entries must be 1\.\./],
    ['l2=99999999', /entries must be/],
    ['l2=64:4:5:6', /ENTRIES/],
    ['descread=99999999', /at most/],
  ])('%j is refused', (spec, re) => {
    expect(err(() => parseTlbSpec(spec))).toMatch(re);
  });
});

describe('--tlb-config FILE.json', () => {
  it('objects, strings, "full", costs; a recorded config.json (its "tlb" key) reads back', () => {
    const c = tlbConfigFromJson('{"l1d": {"entries": 64, "ways": "full"}, "l2": "2048:8:rr", "cost": {"descRead": 40}}', 'f.json');
    expect(c.l1d).toEqual({ entries: 64, ways: 64, replacement: 'rr' });
    expect(c.l2).toEqual({ entries: 2048, ways: 8, replacement: 'rr' });
    expect(c.cost).toEqual({ l2Hit: 3, descRead: 40 });
    const again = tlbConfigFromJson(JSON.stringify({ guest: 'x', tlb: c }), 'config.json');
    expect(again).toEqual(c);
  });
  it.each([
    ['nope', /invalid JSON/],
    ['[]', /JSON object/],
    ['{"l9": 1}', /unknown key 'l9'/],
    ['{"l2": 5}', /object .* or a string/],
    ['{"l2": {"entries": "x"}}', /entries must be a number/],
    ['{"l2": {"entries": 64, "ways": "all"}}', /ways must be a number/],
    ['{"l2": {"entries": 64, "sets": 4}}', /unknown key 'sets'/],
    ['{"l2": {"entries": 64, "ways": 4, "replacement": "fifo"}}', /lru or rr/],
    ['{"cost": {"l2Hit": -1}}', /whole number/],
    ['{"cost": {"walk": 1}}', /unknown key 'walk'/],
  ])('%s is refused', (text, re) => {
    expect(err(() => tlbConfigFromJson(text, 'f.json'))).toMatch(re);
  });
});
