// The IOTLB (IHI 0070 16.2 tagging, chapter 4 TLBI commands): entries tagged by VMID/ASID (not by
// StreamID), stale translations kept until the right TLBI, each TLBI removing exactly what it names,
// and the statistics (lookups, hits, misses, walks, descriptor reads by stage).
import { describe, expect, it } from 'vitest';
import { rig, cmds, SYNC, writeSte, writeWords, cdWords, s1Builder, s2Builder, CDS, RAM } from './helpers.js';
import { s1Leaf, s2Leaf } from '../../src/mmu/builder.js';
import * as C from '../../src/smmu/commands.js';

const PAGE = RAM + 0x80_0000;
const PAGE2 = RAM + 0x81_0000;

/** Stage-1 streams over one table: sid -> (asid, vmid, strw). */
function s1Rig(streams: { sid: number; asid: number; vmid?: number; strw?: number }[], leafNg = true) {
  const r = rig();
  const b = s1Builder(r);
  b.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1, ng: leafNg }), 3);
  b.map(0x2000, PAGE2, 0x1000, s1Leaf({ ap: 1, ng: leafNg }), 3);
  for (const s of streams) {
    const cd = CDS + s.sid * 64;
    writeWords(r.bus, cd, cdWords({ ttb0: b.root, asid: s.asid }));
    writeSte(r, s.sid, { config: 0b101, cdPtr: cd, strw: s.strw ?? 0, s2: { ttb: 0, vmid: s.vmid ?? 0 } });
  }
  const misses = () => r.smmu.stats().iotlb.misses;
  /** Translate; report whether it missed the IOTLB. */
  const miss = (sid: number, va: number) => {
    const m = misses();
    r.smmu.translate(sid, va, false);
    return misses() > m;
  };
  return { r, b, miss };
}

describe('tagging and statistics', () => {
  it('counts lookups, hits, misses, walks and descriptor reads (stage 1 and stage 2 apart)', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x2000, s2Leaf({}), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, vmid: 5 } });
    r.smmu.translate(1, 0x1000_0000, false);
    r.smmu.translate(1, 0x1000_0ff8, true);
    r.smmu.translate(1, 0x1000_1000, false);
    const st = r.smmu.stats();
    expect(st.iotlb).toMatchObject({ lookups: 3, hits: 1, misses: 2, fills: 2, valid: 2 });
    expect(st.walks).toMatchObject({ s1Walks: 0, s2Walks: 2, s1DescReads: 0, s2DescReads: 6 });
    expect(st.contexts).toEqual([{ vmid: 5, asid: 0, lookups: 3, misses: 2, walks: 2, s1DescReads: 0, s2DescReads: 6 }]);
  });

  it('nested walks count stage-1 and stage-2 reads separately and use the IPA cache', () => {
    const r = rig();
    const s2 = s2Builder(r);
    s2.map(RAM, RAM, 0x100_0000, s2Leaf({}), 2); // identity, 2M blocks
    const s1 = s1Builder(r);
    s1.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: s1.root }));
    writeSte(r, 1, { config: 0b111, cdPtr: CDS, s2: { ttb: s2.root, vmid: 2 } });
    r.smmu.translate(1, 0x1000, false);
    const st = r.smmu.stats();
    expect(st.walks.s1Walks).toBe(1);
    expect(st.walks.s1DescReads).toBe(3);
    // CD, three table pages and the output all lie in one 2M block at stage 2... except the data page,
    // so the IPA cache turns most stage-2 walks into hits.
    expect(st.ipaCache.hits + st.ipaCache.misses).toBe(5);
    expect(st.walks.s2Walks).toBe(st.ipaCache.misses);
    expect(st.walks.s2DescReads).toBe(2 * st.walks.s2Walks);
  });

  it('per-StreamID statistics: translations, IOTLB misses, aborts', () => {
    const { r, miss } = s1Rig([
      { sid: 1, asid: 7 },
      { sid: 2, asid: 7 },
    ]);
    miss(1, 0x1000);
    miss(1, 0x1008);
    miss(2, 0x1000); // shares sid 1's entry
    miss(2, 0x5000); // unmapped: a walk, then an abort
    expect(r.smmu.stats().streams).toEqual([
      { sid: 1, translations: 2, misses: 1, aborted: 0 },
      { sid: 2, translations: 2, misses: 1, aborted: 1 },
    ]);
  });

  it('streams with the same VMID/ASID share entries; another ASID or VMID does not', () => {
    const { miss } = s1Rig([
      { sid: 1, asid: 7, vmid: 1 },
      { sid: 2, asid: 7, vmid: 1 },
      { sid: 3, asid: 8, vmid: 1 },
      { sid: 4, asid: 7, vmid: 2 },
    ]);
    expect(miss(1, 0x1000)).toBe(true);
    expect(miss(2, 0x1000)).toBe(false);
    expect(miss(3, 0x1000)).toBe(true);
    expect(miss(4, 0x1000)).toBe(true);
  });

  it('a changed descriptor is not seen until a TLBI (stale translations are kept)', () => {
    const { r, b } = s1Rig([{ sid: 1, asid: 7 }]);
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
    b.map(0x1000, PAGE2, 0x1000, s1Leaf({ ap: 1, ng: true }), 3);
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE);
    cmds(r, [C.CMD_TLBI_NH_VA, 7 << 16, 0x1000, 0], SYNC);
    expect(r.smmu.translate(1, 0x1000, false)).toBe(PAGE2);
  });
});

describe('TLBI commands remove exactly what they name', () => {
  const streams = [
    { sid: 1, asid: 7, vmid: 1 },
    { sid: 2, asid: 8, vmid: 1 },
    { sid: 3, asid: 7, vmid: 2 },
  ];
  function warm(miss: (s: number, va: number) => boolean) {
    for (const s of [1, 2, 3]) for (const va of [0x1000, 0x2000]) miss(s, va);
  }
  const probe = (miss: (s: number, va: number) => boolean) => [1, 2, 3].flatMap((s) => [miss(s, 0x1000), miss(s, 0x2000)]);

  it('TLBI_NH_ASID: non-global entries of (VMID, ASID)', () => {
    const { r, miss } = s1Rig(streams);
    warm(miss);
    cmds(r, [C.CMD_TLBI_NH_ASID, 1 | (7 << 16)], SYNC);
    expect(probe(miss)).toEqual([true, true, false, false, false, false]);
  });

  it('TLBI_NH_ASID leaves global (nG=0) entries; TLBI_NH_ALL removes them for its VMID only', () => {
    const { r, miss } = s1Rig(streams, false);
    warm(miss);
    cmds(r, [C.CMD_TLBI_NH_ASID, 1 | (7 << 16)], SYNC);
    expect(probe(miss)).toEqual([false, false, false, false, false, false]);
    cmds(r, [C.CMD_TLBI_NH_ALL, 1], SYNC);
    expect(probe(miss)).toEqual([true, true, false, false, false, false]);
  });

  it('TLBI_NH_VA: one VA of (VMID, ASID); TLBI_NH_VAA: one VA of every ASID of the VMID', () => {
    const { r, miss } = s1Rig(streams);
    warm(miss);
    cmds(r, [C.CMD_TLBI_NH_VA, 1 | (7 << 16), 0x2000, 0], SYNC);
    expect(probe(miss)).toEqual([false, true, false, false, false, false]);
    cmds(r, [C.CMD_TLBI_NH_VAA, 1, 0x1000, 0], SYNC);
    expect(probe(miss)).toEqual([true, false, true, false, false, false]);
  });

  it('Leaf=1 keeps the walk cache (the re-walk reads one descriptor), Leaf=0 drops it (three)', () => {
    for (const leaf of [1, 0]) {
      const { r, miss } = s1Rig([{ sid: 1, asid: 7 }]);
      miss(1, 0x1000);
      const before = r.smmu.stats().walks.s1DescReads;
      cmds(r, [C.CMD_TLBI_NH_VA, 7 << 16, 0x1000 | leaf, 0], SYNC);
      expect(miss(1, 0x1000)).toBe(true);
      expect(r.smmu.stats().walks.s1DescReads - before).toBe(leaf ? 1 : 3);
    }
  });

  it('TLBI_EL2_ALL / EL2_VA remove EL2-world entries only; TLBI_NSNH_ALL leaves them', () => {
    const { r, miss } = s1Rig([
      { sid: 1, asid: 7, vmid: 1 },
      { sid: 5, asid: 0, strw: 2 },
    ]);
    for (const s of [1, 5]) miss(s, 0x1000);
    cmds(r, [C.CMD_TLBI_NSNH_ALL], SYNC);
    expect([miss(1, 0x1000), miss(5, 0x1000)]).toEqual([true, false]);
    miss(5, 0x2000);
    cmds(r, [C.CMD_TLBI_EL2_VA, 0, 0x2000, 0], SYNC);
    expect([miss(1, 0x1000), miss(5, 0x1000), miss(5, 0x2000)]).toEqual([false, false, true]);
    cmds(r, [C.CMD_TLBI_EL2_ALL], SYNC);
    expect([miss(1, 0x1000), miss(5, 0x1000)]).toEqual([false, true]);
  });

  it('TLBI_S2_IPA removes stage-2 entries of one IPA and VMID; TLBI_S12_VMALL a whole VMID', () => {
    const r = rig();
    const b = s2Builder(r);
    b.map(0x1000_0000, PAGE, 0x2000, s2Leaf({}), 3);
    writeSte(r, 1, { config: 0b110, s2: { ttb: b.root, vmid: 1 } });
    writeSte(r, 2, { config: 0b110, s2: { ttb: b.root, vmid: 2 } });
    const misses = () => r.smmu.stats().iotlb.misses;
    const miss = (sid: number, ipa: number) => {
      const m = misses();
      r.smmu.translate(sid, ipa, false);
      return misses() > m;
    };
    const all = () => [miss(1, 0x1000_0000), miss(1, 0x1000_1000), miss(2, 0x1000_0000)];
    all();
    cmds(r, [C.CMD_TLBI_S2_IPA, 1, 0x1000_1000, 0], SYNC);
    expect(all()).toEqual([false, true, false]);
    cmds(r, [C.CMD_TLBI_S12_VMALL, 2], SYNC);
    expect(all()).toEqual([false, false, true]);
    // Stage-1 invalidations do not touch stage-2-only entries.
    cmds(r, [C.CMD_TLBI_NH_ALL, 1], SYNC);
    expect(all()).toEqual([false, false, false]);
  });

  it('TLBI_S2_IPA leaves combined stage 1+2 entries (software follows it with NH_ALL/S12_VMALL, as on a PE)', () => {
    const r = rig();
    const s2 = s2Builder(r);
    s2.map(RAM, RAM, 0x100_0000, s2Leaf({}), 2);
    const s1 = s1Builder(r);
    s1.map(PAGE, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3); // VA = IPA: an input-address match would hit it
    writeWords(r.bus, CDS, cdWords({ ttb0: s1.root }));
    writeSte(r, 1, { config: 0b111, cdPtr: CDS, s2: { ttb: s2.root, vmid: 3 } });
    r.smmu.translate(1, PAGE, false);
    const misses = () => r.smmu.stats().iotlb.misses;
    const m = misses();
    cmds(r, [C.CMD_TLBI_S2_IPA, 3, PAGE, 0], SYNC);
    r.smmu.translate(1, PAGE, false);
    expect(misses()).toBe(m);
    cmds(r, [C.CMD_TLBI_S12_VMALL, 3], SYNC);
    r.smmu.translate(1, PAGE, false);
    expect(misses()).toBe(m + 1);
  });

  it('TLBI_S2_IPA drops the IPA cache entry used by nested walks; NH_ALL alone does not', () => {
    const r = rig();
    const s2 = s2Builder(r);
    s2.map(RAM, RAM, 0x100_0000, s2Leaf({}), 2);
    const s1 = s1Builder(r);
    s1.map(0x1000, PAGE, 0x1000, s1Leaf({ ap: 1 }), 3);
    writeWords(r.bus, CDS, cdWords({ ttb0: s1.root }));
    writeSte(r, 1, { config: 0b111, cdPtr: CDS, s2: { ttb: s2.root, vmid: 3 } });
    r.smmu.translate(1, 0x1000, false);
    const walks = () => r.smmu.stats().walks.s2Walks;
    let w = walks();
    cmds(r, [C.CMD_TLBI_NH_ALL, 3], SYNC);
    r.smmu.translate(1, 0x1000, false);
    expect(walks() - w).toBe(0); // stage-1 re-walk, all stage-2 lookups hit the IPA cache
    w = walks();
    cmds(r, [C.CMD_TLBI_S2_IPA, 3, s1.root, 0], [C.CMD_TLBI_NH_ALL, 3], SYNC);
    r.smmu.translate(1, 0x1000, false);
    expect(walks() - w).toBe(1); // the block holding the tables is walked again
  });
});
