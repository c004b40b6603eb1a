// Summarise a V8 CPU profile (`node --cpu-prof`, a .cpuprofile file) of an a64hv run: self time
// per function and per group of the emulator (interpreter dispatch, compiled regions, memory
// fast/slow path, MMU walks, TLB maintenance, exceptions, devices/timer/GIC, decode and block
// cache, JIT compile, GC, start-up). docs/profile.md shows the command and reads the result.
//
//   npx tsx bench/profile.ts PROFILE.cpuprofile [--top N] [--json]
//
// The profile samples the main thread only: V8's concurrent optimising compiler runs on helper
// threads, so its cost shows in the process's CPU time (bench:speed) and not here.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';

/** The parts of a .cpuprofile this reads (Chrome DevTools protocol, Profiler.Profile). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Groups in the order they are tested: the first whose rule matches a frame wins. */
export const GROUPS: readonly { name: string; test: (fn: string, file: string) => boolean }[] = [
  { name: 'compiled regions (JIT)', test: (fn, file) => file === '' && /^region_/.test(fn) },
  { name: 'JIT compile (source, new Function)', test: (_fn, file) => /\/cpu\/(jit\/|emit)/.test(file) },
  { name: 'V8 GC', test: (fn) => fn === '(garbage collector)' },
  { name: 'V8 other (program, idle)', test: (fn, file) => file === '' && /^\(/.test(fn) },
  { name: 'exceptions (entry, return, syndromes)', test: (_fn, file) => /\/cpu\/(exceptions|syndrome)/.test(file) },
  { name: 'TLB maintenance (TLBI, fast-cache drops)', test: (fn, file) => /\/mmu\/maintenance/.test(file) || /onEvict|onL1Evict|dropFast|invalidate|contextChanged/i.test(fn) },
  { name: 'MMU walks and TLB model', test: (_fn, file) => /\/mmu\//.test(file) },
  { name: 'memory slow path (fastmem)', test: (_fn, file) => /\/cpu\/fastmem/.test(file) },
  { name: 'decode and block cache', test: (_fn, file) => /\/cpu\/(blocks|decode)/.test(file) },
  { name: 'devices, timer, GIC', test: (_fn, file) => /\/devices\/|\/cpu\/timer/.test(file) },
  { name: 'system registers', test: (_fn, file) => /\/cpu\/(sysregs|pstate)/.test(file) },
  { name: 'interpreter: run loop and handlers', test: (_fn, file) => /\/cpu\/(engine-interp|cpu|isa\/|alu|fpu)/.test(file) },
  { name: 'start-up, loader, Node internals', test: (_fn, file) => /\/loader\/|^node:|\/node_modules\//.test(file) },
];

export interface FnRow {
  fn: string;
  where: string;
  ms: number;
  group: string;
}

/** A frame's file, shortened to the part after src/ or dist/ (V8 reports file:// URLs). */
function shortFile(url: string): string {
  const m = /\/(?:src|dist)\/(.*)$/.exec(url);
  return m !== null ? m[1] : url;
}

/** Self time per function (ms, largest first) and per group; `total` is the sampled time. */
export function summarizeProfile(p: CpuProfile): { total: number; fns: FnRow[]; groups: { name: string; ms: number }[] } {
  if (!Array.isArray(p?.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas) || p.samples.length !== p.timeDeltas.length) {
    throw new Error('not a V8 CPU profile (nodes, samples and timeDeltas of equal length expected)');
  }
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, FnRow>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const d = p.timeDeltas[i] / 1000;
    if (n === undefined || !(d >= 0)) continue; // a sample of a node the profile does not list
    total += d;
    const cf = n.callFrame;
    const fn = cf.functionName || '(anonymous)';
    const url = cf.url ?? '';
    // One row for all regions: each has its own name, and hundreds of rows say less than one.
    const where = url === '' && /^region_/.test(fn) ? '' : `${shortFile(url)}:${cf.lineNumber + 1}`;
    const key = where === '' && /^region_/.test(fn) ? 'region_*' : `${fn} ${where}`;
    let row = self.get(key);
    if (row === undefined) {
      const g = GROUPS.find((x) => x.test(fn, url));
      row = { fn: key === 'region_*' ? 'region_* (all regions)' : fn, where, ms: 0, group: g?.name ?? 'other' };
      self.set(key, row);
    }
    row.ms += d;
  }
  const fns = [...self.values()].sort((a, b) => b.ms - a.ms);
  const g = new Map<string, number>();
  for (const r of fns) g.set(r.group, (g.get(r.group) ?? 0) + r.ms);
  const groups = [...g].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { total, fns, groups };
}

function main(): void {
  const program = new Command('profile')
    .argument('<profile>', 'a .cpuprofile written by node --cpu-prof')
    .option('--top <n>', 'functions to list', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
      return n;
    }, 30)
    .option('--json', 'print JSON instead of tables')
    .parse();
  const o = program.opts<{ top: number; json?: boolean }>();
  let s: ReturnType<typeof summarizeProfile>;
  try {
    s = summarizeProfile(JSON.parse(readFileSync(program.args[0], 'utf8')) as CpuProfile);
  } catch (e) {
    process.stderr.write(`profile: ${program.args[0]}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ total: s.total, groups: s.groups, fns: s.fns.slice(0, o.top) }, null, 1)}\n`);
    return;
  }
  const pct = (ms: number) => `${((100 * ms) / s.total).toFixed(1).padStart(5)}%`;
  process.stdout.write(`sampled main-thread time: ${(s.total / 1000).toFixed(2)} s\n\nby group (self time):\n`);
  for (const g of s.groups) process.stdout.write(`${g.ms.toFixed(0).padStart(8)} ms ${pct(g.ms)}  ${g.name}\n`);
  process.stdout.write(`\ntop ${o.top} functions (self time):\n`);
  for (const r of s.fns.slice(0, o.top)) process.stdout.write(`${r.ms.toFixed(0).padStart(8)} ms ${pct(r.ms)}  ${r.fn} ${r.where}  [${r.group}]\n`);
}

if (process.argv[1] !== undefined && /profile\.[tj]s$/.test(process.argv[1])) main();
