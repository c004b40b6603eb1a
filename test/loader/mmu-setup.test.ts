// --mmu / --s2: stage-1 (and identity stage-2) tables for an unmodified guest, checked by the
// exact TLB counts of guests/tlb/tlb-touch.S in its region of interest (after one warm-up pass).
// Every expected count is derived in the comment beside it; cycles are pinned (deterministic).
import { describe, it, expect } from 'vitest';
import { runTouch, tlbOf, ASID } from '../stats/lab-helpers.js';
import { parseMmuSpec, parseS2Spec, setupGuestMmu, MMU_MAIR } from '../../src/loader/mmu-setup.js';
import { Machine } from '../../src/machine.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { translateQuiet, ACC_READ } from '../../src/mmu/translate.js';
import { isUserError } from '../../src/errors.js';

describe('--mmu s1 (identity stage 1 before the entry)', () => {
  it('programs TCR/MAIR/TTBR0/SCTLR as ARM ARM D13.2 lays them out, and maps RAM and devices', () => {
    const m = new Machine({ ramSize: 4 * 1024 * 1024 });
    m.boot(0x4000_0000n);
    const s = setupGuestMmu(m, parseMmuSpec('s1:64k:pages'));
    const tcr = (BigInt(m.cpu.sysHi(SYS.TCR_EL1) >>> 0) << 32n) | BigInt(m.cpu.sysLo(SYS.TCR_EL1) >>> 0);
    expect(tcr & 0x3fn).toBe(16n); // T0SZ: 48-bit VAs
    expect((tcr >> 14n) & 3n).toBe(1n); // TG0 = 0b01: 64K
    expect((tcr >> 23n) & 1n).toBe(1n); // EPD1: no TTBR1 walks
    expect((tcr >> 32n) & 7n).toBe(4n); // IPS = 44 bits, the PARange
    expect(m.cpu.sysLo(SYS.MAIR_EL1)).toBe(MMU_MAIR);
    expect(m.cpu.sysLo(SYS.SCTLR_EL1) & 0x1005).toBe(0x1005); // M, C, I
    expect(m.cpu.sysLo(SYS.TTBR0_EL1)).toBe(s.ttbr0);
    // The tables sit after the image and the heap starts after them.
    expect(m.imageEnd).toBe(s.tableEnd);
    // RAM identity, devices identity; nothing beyond RAM.
    expect(translateQuiet(m.cpu, 0x4012_3458, 0, ACC_READ)).toBe(0x4012_3458);
    expect(translateQuiet(m.cpu, 0x0900_0018, 0, ACC_READ)).toBe(0x0900_0018);
    expect(translateQuiet(m.cpu, 0x4040_0000, 0, ACC_READ)).toBeLessThan(0);
  });

  it('--mmu-offset maps RAM at PA + offset and moves the entry', () => {
    const m = new Machine({ ramSize: 4 * 1024 * 1024 });
    m.boot(0x4000_0100n);
    setupGuestMmu(m, parseMmuSpec('s1:4k:blocks', '0x100000000'));
    expect(m.cpu.pc).toBe(0x1_4000_0100n);
    expect(translateQuiet(m.cpu, 0x4000_1000, 1, ACC_READ)).toBe(0x4000_1000);
    expect(translateQuiet(m.cpu, 0x4000_1000, 0, ACC_READ)).toBeLessThan(0);
  });

  it('sequential 256K with 4K pages thrashes the 32-entry round-robin L1 DTLB but fits the L2', async () => {
    const r = await runTouch('256K 4K 2 0', { mmu: 's1:4k:pages' });
    const t = tlbOf(r.roi);
    // 64 pages in order through 32 round-robin entries: every load misses L1 (2 passes x 64).
    expect(t.l1d.misses).toBe(128);
    // The warm-up pass left all 64 in the 1024-entry L2: every L1 miss hits there, no walk.
    expect(t.l2.hits).toBe(128);
    expect(t.walks.s1Walks).toBe(0);
    expect(r.roi.instructions).toBe(529);
    // 128 L2 hits x 3 cycles (cost.l2Hit) on top of the 529-cycle instruction stream.
    expect(r.roi.cycles).toBe(913);
  });

  it('the same with 64K pages: 4 pages, no L1 miss at all', async () => {
    const r = await runTouch('256K 4K 2 0', { mmu: 's1:64k:pages' });
    expect(tlbOf(r.roi).l1d.misses).toBe(0);
    expect(r.roi.cycles).toBe(529);
  });

  it('random 16M with 4K pages: every load walks; the walk cache leaves one read per walk', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:4k:pages' });
    const t = tlbOf(r.roi);
    // 4096 pages > L1 and > L2 (1024): 2 x 4096 loads, each an L1 miss, an L2 miss and a walk.
    expect(t.l1d.misses).toBe(8192);
    expect(t.l2.misses).toBe(8192);
    expect(t.walks.s1Walks).toBe(8192);
    // 16M spans 8 level-3 tables: the walk cache holds their level-2 entries, 1 read (level 3).
    expect(t.walks.s1DescReads).toBe(8192);
    // 114706 cycles with no TLB miss (the 2M-block run below; MADD costs more than 1 cycle),
    // plus 20 per descriptor read (cost.descRead): 8192 x 20.
    expect(r.roi.cycles).toBe(114706 + 20 * 8192);
  });

  it('without the walk cache (--tlb walk=0) a 48-bit 4K walk reads 4 descriptors', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:4k:pages', tlb: 'walk=0' });
    expect(tlbOf(r.roi).walks.s1DescReads).toBe(4 * 8192);
    expect(r.roi.cycles).toBe(278546 + 3 * 20 * 8192);
  });

  it('an L2 of 4096 entries (--tlb l2=4096:4) holds the 4096 pages: no walks', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:4k:pages', tlb: 'l2=4096:4' });
    const t = tlbOf(r.roi);
    expect(t.l1d.misses).toBe(8192);
    expect(t.l2.hits).toBe(8192);
    expect(t.walks.s1Walks).toBe(0);
    expect(r.roi.cycles).toBe(114706 + 3 * 8192); // 3 per L2 hit (cost.l2Hit)
  });

  it('2M blocks (s1:4k:blocks): 8 entries cover 16M, no miss', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:4k:blocks' });
    expect(tlbOf(r.roi).l1d.misses).toBe(0);
    expect(r.roi.instructions).toBe(49170);
    expect(r.roi.cycles).toBe(114706);
  });

  it('16K pages: 1024 pages fit the 1024-entry 4-way L2 exactly (random order: 8000 L1 misses)', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:16k:pages' });
    const t = tlbOf(r.roi);
    expect(t.l1d.misses).toBe(8000);
    expect(t.l2.hits).toBe(8000);
    expect(t.walks.s1Walks).toBe(0);
  });
});

describe('--s2 (identity stage 2 under the guest: nested walks)', () => {
  it('4K pages at both stages: each walk adds a 3-level stage-2 walk for the final IPA', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:4k:pages', s2: '4k:pages' });
    const t = tlbOf(r.roi);
    expect(t.walks.s1Walks).toBe(8192);
    // The level-3 table's IPA hits the 64-entry IPA cache (8 tables); the data page's does not.
    expect(t.ipa.lookups).toBe(16384);
    expect(t.ipa.misses).toBe(8192);
    expect(t.walks.s2Walks).toBe(8192);
    // 40-bit IPA, 4K, start level 1 (two concatenated tables): 3 reads per stage-2 walk.
    expect(t.walks.s2DescReads).toBe(3 * 8192);
    // On top of stage 1: 8192 stage-2 walks x 3 reads x 20 cycles.
    expect(r.roi.cycles).toBe(114706 + 20 * 8192 + 20 * 3 * 8192);
  });

  it('stage-2 blocks (the default): the IPA cache covers 16M in 8 entries, no stage-2 walk', async () => {
    const r = await runTouch('16M 4K 2 1', { mmu: 's1:4k:pages', s2: '4k' });
    expect(tlbOf(r.roi).walks.s2Walks).toBe(0);
    // IPA-cache hits cost nothing extra: the same cycles as stage 1 alone.
    expect(r.roi.cycles).toBe(114706 + 20 * 8192);
  });

  it('stage-2 64K pages under stage-1 4K pages: a TLB entry is the smaller (4K) page', async () => {
    const r = await runTouch('16M 4K 1 2', { mmu: 's1:4k:pages', s2: '64k:pages' });
    const t = tlbOf(r.roi);
    expect(t.l1d.misses).toBe(4096);
    expect(t.walks.s1Walks).toBe(4096);
    // 64K at stage 2 with a 40-bit IPA: levels 2 and 3, 2 reads per walk.
    expect(t.walks.s2DescReads).toBe(2 * t.walks.s2Walks);
    expect(t.walks.s2Walks).toBe(3104);
  });
});

describe('ASID tagging vs ASID reuse (guests/tlb/tlb-asid.S, --mmu s1:4k:pages:ng)', () => {
  // 64K = 16 pages; 8 passes alternate between two processes after a warm-up pass under ASID 1.
  it('tagged (ASIDs 1 and 2, no TLBI): only ASID 2\'s first pass misses; 16 + 16 entries fit the L1 DTLB', async () => {
    const r = await runTouch('64K 8 0', { mmu: 's1:4k:pages:ng' }, 64 * 1024 * 1024, ASID, 2);
    const t = tlbOf(r.roi);
    expect(t.l1d.misses).toBe(16);
    expect(t.l1i.misses).toBe(1); // the code page, once for ASID 2
    expect(t.walks.s1Walks).toBe(17);
  });
  it('reuse (one ASID, TLBI ASIDE1 at each switch, D8.10): every pass misses every page again', async () => {
    const r = await runTouch('64K 8 1', { mmu: 's1:4k:pages:ng' }, 64 * 1024 * 1024, ASID, 2);
    const t = tlbOf(r.roi);
    expect(t.l1d.misses).toBe(8 * 16);
    expect(t.l1i.misses).toBe(8);
    expect(t.walks.s1Walks).toBe(8 * 17);
    expect(r.roi.cycles).toBe(3996);
  });
  it('with global mappings (no :ng) TLBI ASIDE1 leaves them: the same guest misses nothing', async () => {
    // ARM ARM D8.10: TLBI ASIDE1 removes non-global entries of that ASID only.
    const r = await runTouch('64K 8 1', { mmu: 's1:4k:pages' }, 64 * 1024 * 1024, ASID, 2);
    expect(tlbOf(r.roi).l1d.misses).toBe(0);
  });
});

describe('bad --mmu / --s2 specs are one-line user errors', () => {
  const bad = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  it.each(['s1', 's1:8k', 's2:4k', 's1:4k:huge', 's1:4k:pages:x', ''])('--mmu %j', (s) => {
    expect(bad(() => parseMmuSpec(s))).toMatch(/--mmu/);
  });
  it.each(['0x1000', '-1', 'zz', '0x1000000000000'])('--mmu-offset %j', (o) => {
    expect(bad(() => parseMmuSpec('s1:4k', o))).toMatch(/--mmu-offset/);
  });
  it.each(['8k', '4k:x', '4k:pages:1', 's1:4k'])('--s2 %j', (s) => {
    expect(bad(() => parseS2Spec(s))).toMatch(/--s2/);
  });
  it('defaults: s1 pages, s2 blocks', () => {
    expect(parseMmuSpec('S1:16K')).toEqual({ granule: 16384, mapping: 'pages', offset: 0 });
    expect(parseMmuSpec('s1:4k:blocks:ng')).toEqual({ granule: 4096, mapping: 'blocks', offset: 0, ng: true });
    expect(parseS2Spec('64k')).toEqual({ granule: 65536, mapping: 'blocks' });
  });
});
