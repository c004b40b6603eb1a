// Runs a sweep's runs in parallel child processes (`a64hv run ... --stats-json`), as many at once
// as the host has cores (or --jobs), and turns each one's statistics into a result row. Children
// rather than worker threads: each run is a whole emulator with its own memory, a crash or a hang
// stays in its process (killed after a timeout), and the same CLI is measured as users run it.
// Results are ordered by run id, so the output files do not depend on which child finished first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SweepRun } from './grid.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOUCH_GUEST = join(ROOT, 'guests', 'tlb', 'tlb-touch.S');

export interface SweepResult {
  id: number;
  family: string;
  footprint: number;
  mmu: string;
  s2: string;
  tlb: string;
  vmidTagging: boolean | null;
  accesses: number;
  ok: boolean;
  error?: string;
  instructions: number;
  cycles: number;
  l1dMisses: number;
  /** 1 - L1 DTLB misses / data loads: exact (misses are exact, the loads are counted by design). */
  l1dHitRate: number;
  l2Hits: number;
  l2Misses: number;
  s1Walks: number;
  s2Walks: number;
  descReads: number;
  cyclesPerAccess: number;
  walksPerKiloAccess: number;
}

/** How to start the CLI in a child: node arguments before `run`. */
export function defaultEntry(): string[] {
  const self = process.argv[1] ?? '';
  if (/[\\/]cli\.(js|ts)$/.test(self)) return [...process.execArgv, self];
  // Not started as the CLI (tests, library use): run src/cli.ts through tsx.
  const loader = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return ['--import', loader, join(ROOT, 'src', 'cli.ts')];
}

type Tlb = {
  l1d: { misses: number };
  l2: { hits: number; misses: number };
  walks: { s1Walks: number; s2Walks: number; s1DescReads: number; s2DescReads: number };
};

/** A result row from a run's --stats-json (its region 1 for the translation family, else the whole run). */
export function resultOf(run: SweepRun, j: Record<string, unknown>): SweepResult {
  const regions = (j.regions ?? []) as { label: string; instructions: number; cycles: number; tlb: Tlb }[];
  const roi = run.family === 'translation' ? regions.find((r) => r.label === 'roi 1') : undefined;
  if (run.family === 'translation' && roi === undefined) throw new Error('the guest dumped no region of interest');
  const tlb = (roi ? roi.tlb : j.tlb) as Tlb;
  const instructions = roi ? roi.instructions : (j.instructions as number);
  const cycles = roi ? roi.cycles : (j.cycles as number);
  const w = tlb.walks;
  const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  return {
    id: run.id,
    family: run.family,
    footprint: run.footprint,
    mmu: run.mmu,
    s2: run.s2,
    tlb: run.tlb,
    vmidTagging: run.vmidTagging,
    accesses: run.accesses,
    ok: true,
    instructions,
    cycles: Math.round(cycles),
    l1dMisses: tlb.l1d.misses,
    l1dHitRate: r4(Math.max(0, 1 - tlb.l1d.misses / run.accesses)),
    l2Hits: tlb.l2.hits,
    l2Misses: tlb.l2.misses,
    s1Walks: w.s1Walks,
    s2Walks: w.s2Walks,
    descReads: w.s1DescReads + w.s2DescReads,
    cyclesPerAccess: r4(cycles / run.accesses),
    walksPerKiloAccess: r4(((w.s1Walks + w.s2Walks) * 1000) / run.accesses),
  };
}

function failed(run: SweepRun, error: string): SweepResult {
  return { ...resultOf(run, { regions: [{ label: 'roi 1', instructions: 0, cycles: 0, tlb: { l1d: { misses: 0 }, l2: { hits: 0, misses: 0 }, walks: { s1Walks: 0, s2Walks: 0, s1DescReads: 0, s2DescReads: 0 } } }], tlb: { l1d: { misses: 0 }, l2: { hits: 0, misses: 0 }, walks: { s1Walks: 0, s2Walks: 0, s1DescReads: 0, s2DescReads: 0 } }, instructions: 0, cycles: 0 }), ok: false, error, l1dHitRate: 0, cyclesPerAccess: 0 };
}

export interface RunnerOptions {
  jobs?: number;
  entry?: string[];
  guest?: string;
  /** Per-run wall-clock limit (a hung child is killed; its row says so). */
  timeoutMs?: number;
  onDone?: (done: number, total: number, r: SweepResult) => void;
}

/** Run one grid point in a child process. */
function runOne(run: SweepRun, o: Required<Omit<RunnerOptions, 'onDone' | 'jobs'>>, tmp: string): Promise<SweepResult> {
  const statsFile = join(tmp, `run-${run.id}.json`);
  const guests = run.family === 'vm' ? [o.guest, o.guest, '--hyp'] : [o.guest];
  const argv = [...o.entry, 'run', ...guests, '-q', ...run.args, '--stats-json', statsFile];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) return resolve(failed(run, `killed (${signal}) after ${o.timeoutMs} ms`));
      if (code !== 0) return resolve(failed(run, `exit ${code}: ${err.trim().split('\n').pop() ?? ''}`));
      try {
        resolve(resultOf(run, JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, unknown>));
      } catch (e) {
        resolve(failed(run, (e as Error).message));
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(failed(run, e.message));
    });
  });
}

/** Run every grid point, `jobs` at a time; results in run order. */
export async function runSweep(runs: SweepRun[], o: RunnerOptions = {}): Promise<SweepResult[]> {
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), 64));
  const opts = { entry: o.entry ?? defaultEntry(), guest: o.guest ?? TOUCH_GUEST, timeoutMs: o.timeoutMs ?? 300_000 };
  const tmp = mkdtempSync(join(tmpdir(), 'a64hv-sweep-'));
  const results: SweepResult[] = new Array(runs.length);
  let next = 0;
  let done = 0;
  // Largest footprints first: the longest runs do not end up alone at the end.
  const order = [...runs].sort((a, b) => b.footprint - a.footprint || a.id - b.id);
  const worker = async (): Promise<void> => {
    while (next < order.length) {
      const run = order[next++];
      const r = await runOne(run, opts, tmp);
      results[run.id] = r;
      done++;
      o.onDone?.(done, runs.length, r);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, runs.length) }, worker));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}
