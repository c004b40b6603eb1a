// `a64hv sweep`: run the TLB workload over a grid, in parallel, with a progress line, and write
// results.csv, results.json, chart.svg and its Vega-Lite specification chart.vl.json into the output folder.
import { readInputText } from '../loader/input-file.js';
import { writeFile, mkdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UserError } from '../errors.js';
import type { CliIo } from '../cli.js';
import { DEFAULT_GRID, QUICK_GRID, expandGrid, gridFromJson, type Grid } from './grid.js';
import { runSweep, type SweepResult } from './runner.js';
import { chartSpec, chartSvg, resultsCsv, resultsJson } from './output.js';

export interface SweepOptions {
  grid?: string;
  out?: string;
  jobs?: string;
  quick?: boolean;
  /** Tests: how to start the CLI in a child. */
  entry?: string[];
}

/** A progress bar on a terminal (redrawn in place), one line per finished run otherwise. */
function progress(io: CliIo, tty: boolean): (done: number, total: number, r: SweepResult) => void {
  return (done, total, r) => {
    const what = `${r.family} ${r.footprint / 1024}K ${r.mmu} s2=${r.s2}${r.vmidTagging === null ? '' : r.vmidTagging ? ' tagged' : ' untagged'}${r.ok ? '' : ' FAILED: ' + r.error}`;
    if (tty) {
      const w = 30;
      const f = Math.round((done / total) * w);
      io.stderr.write(`\r[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total} ${what}`.padEnd(110).slice(0, 110) + (done === total ? '\n' : ''));
    } else io.stderr.write(`[${done}/${total}] ${what}\n`);
  };
}

export async function sweepCommand(o: SweepOptions, io: CliIo): Promise<number> {
  let grid: Grid = o.quick ? QUICK_GRID : DEFAULT_GRID;
  if (o.grid !== undefined) {
    let text: string;
    try {
      // A regular file of bounded size (an endless /dev/zero must not grow memory: issue 14).
      text = await readInputText(o.grid);
    } catch (e) {
      throw new UserError(`--grid ${(e as Error).message}`);
    }
    grid = gridFromJson(text, o.grid);
  }
  let jobs: number | undefined;
  if (o.jobs !== undefined) {
    if (!/^\d{1,2}$/.test(o.jobs) || Number(o.jobs) < 1) throw new UserError(`--jobs ${o.jobs}: expected 1..99`);
    jobs = Number(o.jobs);
  }
  const out = o.out ?? 'sweep-out';
  try {
    await mkdir(out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' || !statSync(out).isDirectory()) throw new UserError(`--out ${out}: cannot create (${code ?? (e as Error).message})`);
  }
  const runs = expandGrid(grid);
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  io.stderr.write(`a64hv sweep: ${runs.length} runs, ${jobs ?? 'one per core'} at a time, into ${out}/\n`);
  const t0 = performance.now();
  const rows = await runSweep(runs, { jobs, entry: o.entry, onDone: progress(io, tty) });
  const wallS = Math.round(performance.now() - t0) / 1000;
  await writeFile(join(out, 'results.csv'), resultsCsv(rows));
  // Wall time goes to the terminal only: the files are the same on every run.
  await writeFile(join(out, 'results.json'), resultsJson(grid, rows, { guest: 'guests/tlb/tlb-touch.S', runs: rows.length }));
  const title = 'a64hv TLB sweep: guests/tlb/tlb-touch.S, random loads, 4K stride';
  await writeFile(join(out, 'chart.svg'), await chartSvg(rows, title));
  await writeFile(join(out, 'chart.vl.json'), JSON.stringify(chartSpec(rows, title), null, 2) + '\n');
  const bad = rows.filter((r) => !r.ok);
  io.stderr.write(`a64hv sweep: ${rows.length - bad.length}/${rows.length} runs in ${wallS} s; wrote ${out}/results.csv, results.json, chart.svg, chart.vl.json\n`);
  for (const b of bad) io.stderr.write(`a64hv sweep: run ${b.id} failed: ${b.error}\n`);
  return bad.length > 0 ? 1 : 0;
}
