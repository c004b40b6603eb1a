// Regions of interest (semihosting 0x100 reset / 0x101 dump) and the output files of `a64hv run`:
// stats.txt (gem5-style), CSV, config.json, --stats-json's config and regions.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTouch, tlbOf, TOUCH } from './lab-helpers.js';
import { main } from '../../src/cli.js';
import { runAsm } from '../helpers.js';
import { RegionStats, A64HV_STATS_DUMP } from '../../src/stats/roi.js';
import { flatStats, statsCsv, statsTxt, csvField } from '../../src/stats/formats.js';
import { Machine } from '../../src/machine.js';
import { Semihosting } from '../../src/hyp/semihosting.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('regions of interest', () => {
  it('the region holds only the measured passes: its counts scale with PASSES, the warm-up is outside', async () => {
    const a = await runTouch('256K 4K 1 0', { mmu: 's1:4k:pages' });
    const b = await runTouch('256K 4K 3 0', { mmu: 's1:4k:pages' });
    // 64 L1 misses per pass (64 pages through 32 round-robin entries), none from the warm-up.
    expect(tlbOf(a.roi).l1d.misses).toBe(64);
    expect(tlbOf(b.roi).l1d.misses).toBe(192);
    // Each pass adds the same instructions: 2 extra passes, 2 x the per-pass difference.
    const perPass = (b.roi.instructions - a.roi.instructions) / 2;
    expect(perPass).toBe(64 * 4 + 4); // LDR ADD CMP B.LO per slot; MOV ADD SUBS B.NE per pass
    // The run's "end" sample counts from the reset to the exit, so it includes the region.
    const end = b.lab.samples().at(-1)!;
    expect(end.label).toBe('end');
    expect(end.instructions).toBeGreaterThan(b.roi.instructions);
  });

  it('operations outside 0x100/0x101, or without a handler, fail with ENOSYS (-1)', async () => {
    const m = await runAsm(`mov w0, #0x102\n hlt #0xf000\n mov x5, x0\n mov w0, #0x100\n hlt #0xf000\n hlt #1`, {
      setup: (mm) => {
        const sh = new Semihosting({ write: () => {}, read: () => [], heapInfo: () => ({ heapBase: 0, heapLimit: 0, stackBase: 0, stackLimit: 0 }), cmdline: '' });
        const roi = new RegionStats(mm.cpu);
        sh.vendor = roi.handler;
        const fw = mm.cpu.firmware!;
        mm.cpu.firmware = { ...fw, el2Exception: fw.el2Exception, smc: fw.smc, hlt: (c, imm) => (imm === 0xf000 ? (sh.call(c), true) : fw.hlt(c, imm)) };
      },
    });
    expect(m.cpu.readX(5)).toBe(0xffff_ffff_ffff_ffffn);
    expect(m.cpu.readX(0)).toBe(0n);
  });

  it('dumps are bounded: past MAX_REGIONS they are counted, not kept', () => {
    const m = new Machine({ ramSize: 1024 * 1024 });
    const r = new RegionStats(m.cpu);
    for (let k = 0; k < RegionStats.MAX_REGIONS + 5; k++) r.dump(`roi ${k}`);
    expect(r.regions).toHaveLength(RegionStats.MAX_REGIONS);
    expect(r.dropped).toBe(5);
    expect(A64HV_STATS_DUMP).toBe(0x101);
  });
});

describe('output files', () => {
  it('--stats-dir writes config.json, stats.txt, stats.csv, stats.json with the region and the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64hv-lab-'));
    const r = await cli(['run', TOUCH, '-q', '--cmdline', '256K 4K 2 0', '--mmu', 's1:4k:pages', '--tlb', 'l2=2048:4', '--stats-dir', dir]);
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.tlb.l2).toEqual({ entries: 2048, ways: 4, replacement: 'lru' });
    expect(config.tlb.l1d).toEqual({ entries: 32, ways: 32, replacement: 'rr' });
    expect(config.mmu.granule).toBe(4096);
    expect(config.mmu.mapping).toBe('pages');
    expect(config.s2).toBe('off');
    expect(config.cmdline).toBe('256K 4K 2 0');
    const txt = readFileSync(join(dir, 'stats.txt'), 'utf8');
    expect(txt).toMatch(/Begin Simulation Statistics \(roi 1\)/);
    expect(txt).toMatch(/Begin Simulation Statistics \(end\)/);
    expect(txt).toMatch(/^tlb\.l1d\.misses +128 +# L1 DTLB: misses$/m);
    // L1 lookups are exact: one per load of the region (tlb-touch: 2 passes x 64 pages).
    expect(txt).toMatch(/^tlb\.l1d\.lookups +128 +# L1 DTLB: lookups \(one per data-accessing instruction/m);
    expect(txt).toMatch(/^tlb\.l1d\.hitRate +0 +#/m);
    expect(txt).not.toMatch(/\x1b\[/);
    const csv = readFileSync(join(dir, 'stats.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    const head = csv[0].split(',');
    const row = csv[1].split(',');
    expect(row[head.indexOf('region')]).toBe('roi 1');
    expect(row[head.indexOf('tlb.l1d.misses')]).toBe('128');
    expect(row[head.indexOf('sim_cycles')]).toBe('913');
    const json = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    expect(json.regions[0].tlb.l1d.misses).toBe(128);
  });

  it('--stats-json carries the configuration and the regions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64hv-lab-'));
    const f = join(dir, 's.json');
    const r = await cli(['run', TOUCH, '-q', '--cmdline', '256K 4K 2 0', '--mmu', 's1:64k', '--s2', '4k:pages', '--stats-json', f]);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(f, 'utf8'));
    expect(j.config.s2.granule).toBe(4096);
    expect(j.config.s2.vmid).toBe(1);
    expect(j.regions[0].label).toBe('roi 1');
  });

  it('bad lab options are one-line usage errors (exit 2) before anything runs', async () => {
    for (const [args, re] of [
      [['--tlb', 'l2=3:2'], /--tlb l2=3:2: l2 ways must divide/],
      [['--tlb-config', '/nonexistent.json'], /no such file/],
      [['--mmu', 's1:5k'], /--mmu s1:5k: expected/],
      [['--mmu-offset', '0x40000000'], /--mmu-offset needs --mmu/],
      [['--s2', '2k'], /--s2 2k: expected/],
      [['--stats-dir', '/proc/nope/x'], /cannot create/],
      [['--stats-dir', `${TOUCH}/x`], /cannot create \(ENOTDIR\)/],
      [['--stats-dir', TOUCH], /cannot create \(EEXIST\)/],
    ] as [string[], RegExp][]) {
      const r = await cli(['run', TOUCH, '-q', ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('formats: CSV fields are quoted per RFC 4180; one line per statistic in stats.txt', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    const s = { label: 'x', instructions: 10, cycles: 25, tlb: JSON.parse(JSON.stringify(emptyTlb())) };
    const n = flatStats(s).length;
    expect(statsTxt([s]).trim().split('\n')).toHaveLength(n + 2);
    expect(statsCsv([s], { footprint: 4096 }).split('\n')[0].startsWith('footprint,region,sim_insts,sim_cycles,cpi')).toBe(true);
    expect(flatStats(s).find((x) => x.name === 'cpi')!.value).toBe(2.5);
  });
});

function emptyTlb(): unknown {
  const l = { lookups: 0, hits: 0, misses: 0, evictions: 0, fills: 0, entries: 1, valid: 0 };
  return { l1i: l, l1d: l, l2: l, ipa: l, walkCache: l, walks: { s1Walks: 0, s2Walks: 0, s1DescReads: 0, s2DescReads: 0, s1Faults: 0, s2Faults: 0 } };
}

describe('stats reset from the REPL and GDB monitor (the same command)', () => {
  it('zeroes the TLB counters and counts instructions and cycles from the reset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64hv-repl-'));
    const f = join(dir, 's.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(f, ['step 40', 'stats reset', 'stats', 'step 7', 'stats', 'stats dump'].join('\n') + '\n');
    let out = '';
    const code = await main(['repl', TOUCH, '--script', f], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } });
    // A script that hit a command error exits 1 ('stats dump' below is one, on purpose).
    expect(code).toBe(1);
    const parts = out.split('(a64hv) ');
    const of = (cmd: string, n = 0): string => parts.filter((p) => p.split('\n')[0] === cmd)[n];
    expect(of('stats reset')).toMatch(/statistics reset/);
    expect(of('stats', 0)).toMatch(/instructions 0 \(since stats reset\)\ncycles {7}0 \(since stats reset\)/);
    expect(of('stats', 0)).toMatch(/L1 DTLB +lookups 0 hits 0 misses 0/);
    expect(of('stats', 1)).toMatch(/instructions 7 \(since stats reset\)/);
    expect(of('stats dump')).toMatch(/unknown argument 'dump'/);
  });
});

describe('guests/tlb/a64hv-roi.h (C functions and assembly macros, built with gcc)', () => {
  const stats = async (elf: string): Promise<Record<string, string>[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'a64hv-roih-'));
    const f = join(dir, 's.csv');
    const r = await cli(['run', fileURLToPath(new URL(`../../guests/tlb/build/${elf}`, import.meta.url)), '-q', '--mmu', 's1:4k:pages', '--stats-csv', f]);
    expect(r.code).toBe(0);
    const [head, ...rows] = readFileSync(f, 'utf8').trim().split('\n').map((l) => l.split(','));
    return rows.map((row) => Object.fromEntries(head.map((h, k) => [h, row[k]])));
  };
  it('roi-demo.c: two regions, each 64 L1 DTLB misses that all hit the L2', async () => {
    const rows = await stats('roi-demo.elf');
    expect(rows.map((r) => r.region)).toEqual(['roi 1', 'roi 2', 'end']);
    for (const r of rows.slice(0, 2)) {
      expect(r['tlb.l1d.misses']).toBe('64');
      expect(r['tlb.l2.hits']).toBe('64');
      expect(r['walks.s1Walks']).toBe('0');
      // 3 cycles per L2 hit (cost.l2Hit) on top of the instructions' own.
      expect(Number(r.sim_cycles) - Number(r.sim_insts)).toBe(3 * 64);
    }
  });
  it('roi-asm.S: region 3 holds 16 cold pages: 16 walks of one read each (the walk cache)', async () => {
    const [r] = await stats('roi-asm.elf');
    expect(r.region).toBe('roi 3');
    expect(r['tlb.l1d.misses']).toBe('16');
    expect(r['walks.s1Walks']).toBe('16');
    expect(r['walks.s1DescReads']).toBe('16');
    expect(r.sim_insts).toBe('68'); // MOV x3, 16 x (LDR ADD SUBS B.NE), the DUMP's MOV MOV HLT
    expect(r.sim_cycles).toBe(String(68 + 16 * 20));
  });
});

describe('lab options outside a plain run', () => {
  it('are refused with --hyp, --break and --gdb rather than ignored', async () => {
    for (const extra of [['--hyp'], ['--break', '_start'], ['--gdb', '0']]) {
      const r = await cli(['run', TOUCH, '--mmu', 's1:4k', ...extra]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--mmu applies to a plain run/);
    }
    const r = await cli(['run', TOUCH, '--hyp', '--stats-dir', '/tmp/x']);
    expect(r.err).toMatch(/--stats-dir applies to a plain run/);
  });
});

describe('--s2 under --hyp: the VMs\' stage-2 mapping size', () => {
  const s2 = async (extra: string[]): Promise<{ l1d: number; s2Walks: number; s2Reads: number }> => {
    const dir = mkdtempSync(join(tmpdir(), 'a64hv-hyps2-'));
    const f = join(dir, 's.json');
    const r = await cli(['run', TOUCH, '--hyp', '-q', '--cmdline', '16M 4K 2 1', '--stats-json', f, ...extra]);
    expect(r.code).toBe(0);
    const t = JSON.parse(readFileSync(f, 'utf8')).tlb;
    return { l1d: t.l1d.misses, s2Walks: t.walks.s2Walks, s2Reads: t.walks.s2DescReads };
  };
  it('4k:pages maps eager RAM with 4K pages: every one of the 3 x 4096 random pages walks stage 2', async () => {
    // Stage 1 is off in the VM: a TLB entry is the stage-2 mapping. 2M blocks: a handful of misses.
    // The VM's 40-bit stage 2 starts at level 1 (two concatenated tables): 2 reads per block walk.
    expect(await s2([])).toEqual({ l1d: 9, s2Walks: 9, s2Reads: 18 });
    expect(await s2(['--s2', '4k:blocks'])).toEqual({ l1d: 9, s2Walks: 9, s2Reads: 18 });
    // 4K pages: warm-up + 2 passes over 4096 pages (beyond the 1024-entry L2), plus the image's and
    // the stack's pages; levels 1, 2 and 3: 3 reads per walk.
    expect(await s2(['--s2', '4k:pages'])).toEqual({ l1d: 3 * 4096 + 2, s2Walks: 3 * 4096 + 2, s2Reads: 3 * (3 * 4096 + 2) });
  });
  it('16K/64K and lazy blocks are refused with a reason', async () => {
    expect((await cli(['run', TOUCH, '--hyp', '--s2', '64k'])).err).toMatch(/only the 4k granule/);
    expect((await cli(['run', TOUCH, '--hyp', '--s2', '4k', '--hyp-ram', 'lazy'])).err).toMatch(/lazy maps 4K pages/);
  });
});
