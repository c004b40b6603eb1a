// Side-by-side speed benchmark (`npm run bench:speed`): whole processes, as a user runs them.
// For each workload it runs, alternating, `a64hv run` with each engine the CLI offers (found in
// `a64hv run --help`) and qemu-system-aarch64 -M virt -cpu cortex-a57, N times each, and reports
// per tool the median wall time and the median CPU time (user + sys of the child and its
// descendants, from bash's `times`; process.cpuUsage() would not see them), MIPS for a64hv (instructions from --stats-json
// over the median wall time of the whole process, and over its median CPU time), and the ratios
// to QEMU. Every run's console output is checked against QEMU's recorded output
// (guests/expected/) or, for Linux, the /init line, so a fast wrong answer shows as a failure
// (exit status 1).
//
//   npx tsx bench/speed.ts [--runs N] [--only a,b] [--a64hv PATH] [--qemu PATH] [--no-qemu]
//                          [--kernel IMAGE] [--json FILE]
// Workloads: startup (hello.elf), loop, sort-large, corelike, linux (if the kernel exists).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import { tableStyle } from './table-style.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GUESTS = join(ROOT, 'guests');
/**
 * Runs `cmd args` under coreutils' timeout (spawnSync's own timeout would kill bash and leave the
 * child running), then has bash's `times` write the CPU time of its waited-for children (user and
 * sys, to the millisecond) to a file; the exit status is the child's. bash and coreutils are
 * everywhere; GNU time often is not.
 */
const TIMED = 'out=$1; lim=$2; shift 2; timeout -s KILL "$lim" "$@"; s=$?; times > "$out"; exit $s';
/** The kernel command line of the Linux boot tests (test/loader/linux-boot.test.ts). */
export const LINUX_APPEND = 'console=ttyAMA0 panic=-1 cryptomgr.notests';

// ---- pure helpers (tested in test/bench/speed.test.ts) ----

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The engines `a64hv run --help` offers: the choices of an `--engine` option as commander prints
 * them (`(choices: "interp", "jit", default: "interp")`), or [] when there is no such option
 * (one engine, chosen without a flag). An --engine option whose choices are not listed is taken
 * to offer interp and jit.
 */
export function enginesFromHelp(help: string): string[] {
  const at = help.search(/--engine\b/);
  if (at < 0) return [];
  // The option's description runs to the next option line.
  const rest = help.slice(at);
  const next = rest.slice(1).search(/\n\s+-{1,2}[a-z]/i);
  const desc = next < 0 ? rest : rest.slice(0, next + 1);
  const choices = /choices:\s*((?:"[^"]+",?\s*)+)/.exec(desc);
  if (choices === null) return ['interp', 'jit'];
  return [...choices[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/**
 * bash's `times` output: a line for the shell, then one for its children, each
 * `<user>m<s>s <sys>m<s>s` (e.g. `0m1.234s 0m0.056s`). Returns the children's seconds.
 */
export function parseTimes(text: string): { user: number; sys: number } | null {
  const lines = text.trim().split('\n');
  if (lines.length !== 2) return null;
  const m = /^(\d+)m(\d+(?:\.\d+)?)s (\d+)m(\d+(?:\.\d+)?)s$/.exec(lines[1].trim());
  if (m === null) return null;
  return { user: Number(m[1]) * 60 + Number(m[2]), sys: Number(m[3]) * 60 + Number(m[4]) };
}

export interface Sample {
  wall: number;
  cpu: number;
  instructions?: number;
  ok: boolean;
  why?: string;
}

export interface Row {
  workload: string;
  tool: string;
  samples: Sample[];
}

/** What one tool's row shows: medians over its samples, and ratios to the QEMU row. */
export function summarize(row: Row, qemu: Row | undefined) {
  const wall = median(row.samples.map((s) => s.wall));
  const cpu = median(row.samples.map((s) => s.cpu));
  const counts = row.samples.map((s) => s.instructions).filter((n): n is number => n !== undefined);
  const instructions = counts.length > 0 ? median(counts) : undefined;
  const qWall = qemu && qemu !== row ? median(qemu.samples.map((s) => s.wall)) : undefined;
  const qCpu = qemu && qemu !== row ? median(qemu.samples.map((s) => s.cpu)) : undefined;
  return {
    wall,
    cpu,
    instructions,
    // Determinism: one instruction count over every run, or the spread is worth a look.
    sameCount: counts.every((n) => n === counts[0]),
    mips: instructions !== undefined && wall > 0 ? instructions / wall / 1e6 : undefined,
    // Per CPU second: steadier than wall time on a shared machine (but GC threads count too).
    mipsCpu: instructions !== undefined && cpu > 0 ? instructions / cpu / 1e6 : undefined,
    wallVsQemu: qWall !== undefined && qWall > 0 ? wall / qWall : undefined,
    cpuVsQemu: qCpu !== undefined && qCpu > 0 ? cpu / qCpu : undefined,
    failures: row.samples.filter((s) => !s.ok),
  };
}

const fix = (x: number | undefined, d: number): string => (x === undefined ? '-' : x.toFixed(d));

/** The table, plain (no colour) unless `colour`. */
export function renderTable(rows: Row[], colour: boolean): string {
  const table = new Table({
    head: ['workload', 'tool', 'wall s', 'CPU s', 'instructions', 'MIPS', 'MIPS/CPU', 'wall ×QEMU', 'CPU ×QEMU', 'output'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    style: tableStyle(colour),
    // no rule between rows
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) {
    const qemu = rows.find((r) => r.workload === row.workload && r.tool === 'qemu');
    const s = summarize(row, qemu);
    table.push([
      row.workload,
      row.tool,
      fix(s.wall, 3),
      fix(s.cpu, 3),
      s.instructions === undefined ? '-' : s.instructions.toLocaleString('en-US') + (s.sameCount ? '' : ' (varies)'),
      fix(s.mips, 1),
      fix(s.mipsCpu, 1),
      fix(s.wallVsQemu, 1),
      fix(s.cpuVsQemu, 1),
      s.failures.length === 0 ? 'ok' : `FAILED ${s.failures.length}/${row.samples.length}: ${s.failures[0].why ?? ''}`.slice(0, 60),
    ]);
  }
  return table.toString();
}

// ---- running ----

interface Workload {
  name: string;
  /** Arguments after `a64hv run` and after `qemu-system-aarch64`. */
  a64hv: string[];
  qemu: string[];
  /** null when the run did what it should, else why not. */
  check(stdout: string, status: number | null): string | null;
}

/** A guest of guests/build, checked against what QEMU printed for it (guests/expected/). */
function guestWorkload(name: string, elf: string): Workload {
  const want = readFileSync(join(GUESTS, 'expected', `${elf}.txt`), 'latin1');
  const wantExit = Number(readFileSync(join(GUESTS, 'expected', `${elf}.exit`), 'utf8').trim());
  const file = join(GUESTS, 'build', `${elf}.elf`);
  return {
    name,
    a64hv: [file],
    // As `make -C guests expected` runs them: UART and semihosting console on one stream.
    qemu: ['-M', 'virt', '-cpu', 'cortex-a57', '-display', 'none', '-monitor', 'none', '-chardev', 'stdio,id=con,mux=on',
      '-serial', 'chardev:con', '-semihosting-config', 'enable=on,target=native,chardev=con', '-kernel', file],
    check: (out, status) =>
      out !== want ? `output differs from guests/expected/${elf}.txt` : status !== wantExit ? `exit ${status}, expected ${wantExit}` : null,
  };
}

async function linuxWorkload(kernel: string, dir: string): Promise<Workload> {
  const { buildInitramfs, INIT_MESSAGE } = await import('../test/loader/linux-initramfs.js');
  const initrd = join(dir, 'initramfs.cpio.gz');
  writeFileSync(initrd, await buildInitramfs());
  return {
    name: 'linux',
    a64hv: [kernel, '--ram', '128M', '--initrd', initrd, '--append', LINUX_APPEND],
    qemu: ['-M', 'virt', '-cpu', 'cortex-a57', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
      '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', LINUX_APPEND],
    check: (out, status) => (!out.includes(INIT_MESSAGE) ? 'no /init message' : status !== 0 ? `exit ${status}` : null),
  };
}

interface Tool {
  name: string;
  cmd: string;
  args(w: Workload, statsFile: string): string[];
  countsInstructions: boolean;
}

/** One whole-process run: wall time here, CPU time from bash's `times` (see TIMED). */
function measure(tool: Tool, w: Workload, dir: string, timeoutS: number): Sample {
  const timeFile = join(dir, 'time.txt');
  const statsFile = join(dir, 'stats.json');
  rmSync(timeFile, { force: true });
  rmSync(statsFile, { force: true });
  const t0 = performance.now();
  const p = spawnSync('bash', ['-c', TIMED, 'bench-speed', timeFile, String(timeoutS), tool.cmd, ...tool.args(w, statsFile)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'latin1',
    maxBuffer: 256 * 1024 * 1024,
    // a backstop: timeout(1) inside kills the child first
    timeout: (timeoutS + 30) * 1000,
    killSignal: 'SIGKILL',
  });
  const wall = (performance.now() - t0) / 1000;
  const t = existsSync(timeFile) ? parseTimes(readFileSync(timeFile, 'utf8')) : null;
  if (p.error !== undefined || t === null || (p.status === 137 && wall >= timeoutS)) {
    const why = p.status === 137 || p.error?.message.includes('ETIMEDOUT') ? `timed out after ${timeoutS} s` : (p.error?.message ?? 'no CPU times from bash');
    return { wall, cpu: NaN, ok: false, why };
  }
  let instructions: number | undefined;
  if (tool.countsInstructions && existsSync(statsFile)) {
    try {
      const n = (JSON.parse(readFileSync(statsFile, 'utf8')) as { instructions?: unknown }).instructions;
      if (typeof n === 'number') instructions = n;
    } catch {
      // not JSON: reported below as a missing count
    }
  }
  const why = w.check(p.stdout, p.status) ?? (tool.countsInstructions && instructions === undefined ? 'no instruction count (--stats-json)' : null);
  const firstErr = p.stderr.split('\n').find((l) => /error/i.test(l));
  return { wall, cpu: t.user + t.sys, instructions, ok: why === null, why: why === null ? undefined : `${why}${firstErr ? ` (${firstErr.trim()})` : ''}` };
}

function positiveInt(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 1000) throw new InvalidArgumentError('expected an integer from 1 to 1000');
  return Number(s);
}

async function main(): Promise<number> {
  const ALL = ['startup', 'loop', 'sort-large', 'corelike', 'linux'];
  const program = new Command('bench:speed')
    .description('a64hv (each engine) beside qemu-system-aarch64, whole processes, medians of N runs')
    .option('--runs <n>', 'runs per tool and workload', positiveInt, 5)
    .option('--only <list>', `comma-separated workloads (${ALL.join(', ')})`)
    .option('--a64hv <path>', 'the a64hv launcher to measure', join(ROOT, 'bin', 'a64hv'))
    .option('--qemu <path>', 'the QEMU binary', 'qemu-system-aarch64')
    .option('--no-qemu', 'leave QEMU out')
    .option('--kernel <image>', 'arm64 Linux Image for the linux workload', process.env.A64HV_KERNEL ?? join(ROOT, '.cache', 'linux', 'Image'))
    .option('--timeout <s>', 'seconds before a run counts as hung', positiveInt, 600)
    .option('--json <file>', 'also write every sample as JSON');
  program.exitOverride();
  try {
    program.parse(process.argv.slice(2), { from: 'user' });
  } catch (e) {
    return (e as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const o = program.opts<{ runs: number; only?: string; a64hv: string; qemu: string | false; kernel: string; timeout: number; json?: string }>();
  const fail = (msg: string): number => {
    process.stderr.write(`bench:speed: ${msg}\n`);
    return 2;
  };
  const only = o.only?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? ALL;
  const unknown = only.filter((s) => !ALL.includes(s));
  if (unknown.length > 0) return fail(`unknown workload ${unknown.join(', ')} (have ${ALL.join(', ')})`);
  if (!existsSync(o.a64hv)) return fail(`no a64hv launcher at ${o.a64hv}`);
  // Also builds dist/ if it is stale, so no timed run pays for a build.
  const help = spawnSync(o.a64hv, ['run', '--help'], { encoding: 'utf8', timeout: 120_000 });
  if (help.status !== 0) return fail(`${o.a64hv} run --help failed: ${(help.stderr ?? '').trim().split('\n')[0]}`);
  const engines = enginesFromHelp(help.stdout);
  const qemu = o.qemu === false ? null : o.qemu;
  if (qemu !== null && spawnSync(qemu, ['--version'], { encoding: 'utf8' }).status !== 0) {
    return fail(`${qemu} does not run (Debian: apt-get install qemu-system-arm), or use --no-qemu`);
  }

  const tools: Tool[] = (engines.length === 0 ? [undefined] : engines).map((engine) => ({
    name: engine === undefined ? 'a64hv' : `a64hv ${engine}`,
    cmd: o.a64hv,
    args: (w, stats) => ['run', ...w.a64hv, ...(engine === undefined ? [] : ['--engine', engine]), '-q', '--stats-json', stats],
    countsInstructions: true,
  }));
  if (qemu !== null) tools.push({ name: 'qemu', cmd: qemu, args: (w) => w.qemu, countsInstructions: false });

  const dir = mkdtempSync(join(tmpdir(), 'a64hv-speed-'));
  try {
    const workloads: Workload[] = [];
    for (const name of only) {
      if (name === 'startup') workloads.push(guestWorkload('startup', 'hello'));
      else if (name === 'linux') {
        if (existsSync(o.kernel)) workloads.push(await linuxWorkload(o.kernel, dir));
        else process.stderr.write(`bench:speed: linux skipped (no kernel at ${o.kernel}; run scripts/fetch-linux.sh)\n`);
      } else workloads.push(guestWorkload(name, name));
    }
    const rows: Row[] = [];
    for (const w of workloads) {
      const mine = tools.map((t) => ({ workload: w.name, tool: t.name, samples: [] as Sample[] }));
      rows.push(...mine);
      // Alternate the tools run by run, so a change in machine load touches all of them alike.
      for (let k = 0; k < o.runs; k++) {
        tools.forEach((t, i) => {
          const s = measure(t, w, dir, o.timeout);
          mine[i].samples.push(s);
          process.stderr.write(`${w.name} ${t.name} ${k + 1}/${o.runs}: ${s.wall.toFixed(3)} s wall, ${fix(s.cpu, 3)} s CPU${s.ok ? '' : ` FAILED: ${s.why}`}\n`);
        });
      }
    }
    process.stdout.write(`a64hv ${o.a64hv} (engines: ${engines.length === 0 ? 'one, no --engine flag' : engines.join(', ')}); medians of ${o.runs} runs; CPU = user + sys of the whole process\n`);
    process.stdout.write(renderTable(rows, process.stdout.isTTY === true) + '\n');
    if (o.json !== undefined) writeFileSync(o.json, JSON.stringify({ runs: o.runs, engines, rows }, null, 2) + '\n');
    return rows.every((r) => r.samples.every((s) => s.ok)) ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) process.exitCode = await main();
