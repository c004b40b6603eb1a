// The cycle model's calibration and cost (docs/cycle-model.md), in one process, deterministic
// counts (only the MIPS column depends on the host):
//   1. cost: MIPS of corelike.elf (first N instructions, identity --mmu s1:4k) with functional,
//      a57 and each detailed profile;
//   2. CPI of corelike.elf per profile, and the CoreMark/MHz it implies by scaling the a57
//      profile's published-figure ratio (a proxy: corelike is our CoreMark-like program, not
//      EEMBC CoreMark, which is not available on this machine);
//   3. memory latency: a pointer chase (guests/tlb/tlb-touch.S mode 2, one 64-byte line per node,
//      random order) over footprints 8 KiB..16 MiB with 2 MiB blocks (cache plateaus), and for
//      cortex-a57 also with 4 KiB pages (the TLB-reach knees: 32 x 4 KiB L1 DTLB, 1024 x 4 KiB L2);
//   4. sensitivity (not in the default set): corelike's CPI on cortex-a72 and cortex-a57 with one
//      mechanism at a time moved to the most generous value a source suggests (width, ROB,
//      load-to-use, prefetcher, mispredict penalty, predictor history): which mechanism could
//      account for the gap to the published CoreMark/MHz (docs/cycle-model.md). An experiment on
//      copies of the profiles, never a change to them.
//
//   npx tsx bench/cycles.ts [--insns N] [--json FILE] [--only cost,cpi,latency,sensitivity]
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Machine } from '../src/machine.js';
import { loadImage, bootLoaded } from '../src/loader/index.js';
import { parseMmuSpec, setupGuestMmu } from '../src/loader/mmu-setup.js';
import { TlbLab } from '../src/stats/lab.js';
import { DETAILED } from '../src/cpu/timing/profiles.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORELIKE = join(ROOT, 'guests/build/corelike.elf');
const TOUCH = join(ROOT, 'guests/tlb/tlb-touch.S');
const DETAILED_NAMES = Object.keys(DETAILED);
/** The a57 profile's CoreMark/MHz on EEMBC CoreMark (issue 13) against the published 3.9. */
const A57_SIMPLE_COREMARK = 3.05;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

/** One mechanism moved at a time (docs/cycle-model.md "Which modelled mechanism is wrong"). */
const SENSITIVITY: [string, (p: (typeof DETAILED)[string]) => void][] = [
  ['as modelled', () => {}],
  ['dispatch width 5', (p) => void (p.width = 5)],
  ['ROB 192', (p) => void (p.rob = 192)],
  ['load-to-use 3', (p) => void (p.latency[7] = 3)], // Cls.LOAD
  ['no prefetcher', (p) => void (p.prefetch = null)],
  ['mispredict penalty 11', (p) => void (p.mispredictPenalty = 11)],
  ['gshare 2^16, 16 history bits', (p) => void Object.assign(p, { predictorBits: 16, historyBits: 16 })],
  ['gshare 2^20, 20 history bits', (p) => void Object.assign(p, { predictorBits: 20, historyBits: 20 })],
  ['mispredict penalty 0', (p) => void (p.mispredictPenalty = 0)],
];

async function corelike(timing: string, insns: number): Promise<{ insns: number; cycles: number; ms: number; counts: unknown }> {
  const m = new Machine({ timing });
  const img = await loadImage(m, CORELIKE, {});
  bootLoaded(m, img);
  setupGuestMmu(m, parseMmuSpec('s1:4k'));
  const t0 = performance.now();
  m.run(insns);
  const ms = performance.now() - t0;
  return { insns: m.cpu.instret, cycles: m.cpu.cycles, ms, counts: m.cpu.timed?.counts() ?? null };
}

async function chase(footprint: number, timing: string, mmu: string): Promise<number> {
  const passes = Math.max(1, Math.min(8, Math.floor((1 << 20) / footprint)));
  const m = new Machine({ ramSize: 64 * 1024 * 1024, cmdline: `${footprint} 64 ${passes} 2`, timing });
  const lab = await TlbLab.create(m, { mmu });
  bootLoaded(m, await loadImage(m, TOUCH, {}));
  lab.boot();
  let r = m.run(400_000_000);
  lab.roi.settle();
  while (r.reason === 'limit' && m.cpu.instret < 400_000_000) {
    r = m.run(400_000_000 - m.cpu.instret);
    lab.roi.settle();
  }
  if (r.reason !== 'exit' || r.exitCode !== 0) throw new Error(`tlb-touch ${footprint}: ${r.reason} ${r.message ?? ''}`);
  const roi = lab.roi.regions.find((s) => s.label === 'roi 1')!;
  return roi.cycles / ((passes * footprint) / 64);
}

const kib = (n: number): string => (n >= 1 << 20 ? `${n >> 20}M` : `${n >> 10}K`);

async function main(): Promise<void> {
  const insns = Number(arg('--insns', '20000000'));
  const only = arg('--only', 'cost,cpi,latency').split(',');
  const out: Record<string, unknown> = {};
  if (only.includes('cost') || only.includes('cpi')) {
    const rows: Record<string, unknown>[] = [];
    let a57Cpi = 0;
    console.log(`corelike.elf, first ${insns} instructions, --mmu s1:4k\n`);
    console.log('| profile | CPI | MIPS | CoreMark/MHz proxy | published CoreMark/MHz |');
    console.log('|---|---|---|---|---|');
    for (const t of ['functional', 'a57', ...DETAILED_NAMES]) {
      const r = await corelike(t, insns);
      const cpi = r.cycles / r.insns;
      if (t === 'a57') a57Cpi = cpi;
      const proxy = a57Cpi > 0 && t !== 'functional' ? (A57_SIMPLE_COREMARK * a57Cpi) / cpi : NaN;
      const pub = DETAILED[t]?.published.coremarkPerMhz;
      const mips = r.insns / r.ms / 1000;
      rows.push({ profile: t, cpi, mips, coremarkProxy: proxy, published: pub ?? null, counts: r.counts });
      console.log(`| ${t} | ${cpi.toFixed(3)} | ${mips.toFixed(2)} | ${Number.isNaN(proxy) ? '-' : proxy.toFixed(2)} | ${pub ?? '-'} |`);
    }
    out.corelike = rows;
    console.log('');
  }
  if (only.includes('sensitivity')) {
    const n = Number(arg('--insns', '5000000'));
    const rows: Record<string, unknown>[] = [];
    console.log(`corelike.elf, first ${n} instructions: CPI with one mechanism moved\n`);
    console.log('| profile | variant | CPI | mispredicted |');
    console.log('|---|---|---|---|');
    for (const name of ['cortex-a72', 'cortex-a57']) {
      const saved = structuredClone(DETAILED[name]);
      try {
        for (const [label, change] of SENSITIVITY) {
          Object.assign(DETAILED[name], structuredClone(saved));
          change(DETAILED[name]);
          const r = await corelike(name, n);
          const c = r.counts as { branchesMispredicted: number; branchesPredicted: number };
          const mis = c.branchesMispredicted / c.branchesPredicted;
          rows.push({ profile: name, variant: label, cpi: r.cycles / r.insns, mispredicted: mis });
          console.log(`| ${name} | ${label} | ${(r.cycles / r.insns).toFixed(3)} | ${(100 * mis).toFixed(1)}% |`);
        }
      } finally {
        Object.assign(DETAILED[name], saved);
      }
    }
    out.sensitivity = rows;
    console.log('');
  }
  if (only.includes('latency')) {
    const sizes: number[] = [];
    for (let s = 8 << 10; s <= 16 << 20; s *= 2) sizes.push(s);
    const series: [string, string][] = [...DETAILED_NAMES.map((n): [string, string] => [n, 's1:4k:blocks']), ['cortex-a57', 's1:4k:pages']];
    const table: Record<string, Record<string, number>> = {};
    console.log('pointer chase, cycles per load\n');
    console.log(`| footprint | ${series.map(([n, m]) => `${n} ${m.endsWith('pages') ? '4K pages' : '2M blocks'}`).join(' | ')} |`);
    console.log(`|---|${series.map(() => '---').join('|')}|`);
    for (const s of sizes) {
      const row: number[] = [];
      for (const [n, mmu] of series) {
        const c = await chase(s, n, mmu);
        row.push(c);
        (table[`${n} ${mmu}`] ??= {})[kib(s)] = Math.round(c * 100) / 100;
      }
      console.log(`| ${kib(s)} | ${row.map((c) => c.toFixed(1)).join(' | ')} |`);
    }
    out.latency = table;
  }
  const json = arg('--json', '');
  if (json !== '') writeFileSync(json, JSON.stringify(out, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(`bench/cycles: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
