// bench/speed.ts: its pure parts (median, engine detection from real commander help, GNU time
// parsing, ratios, plain table), and one end-to-end run against a stand-in launcher that offers
// two engines, one of which prints the wrong answer.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command, Option } from 'commander';
import { median, enginesFromHelp, parseTimes, summarize, renderTable, type Row } from '../../bench/speed.js';

const ROOT = join(__dirname, '..', '..');

describe('bench:speed helpers', () => {
  it('median: middle value, mean of the middle two, order-independent', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow();
  });

  it('finds the engines in `run --help` as commander prints an --engine option with choices', () => {
    const run = new Command('run')
      .option('--max-insns <n>', 'stop after N instructions')
      .addOption(new Option('--engine <name>', 'execution engine').choices(['interp', 'jit']).default('interp'))
      .option('-q, --quiet', 'no table');
    expect(enginesFromHelp(run.helpInformation())).toEqual(['interp', 'jit']);
    // today's CLI: no --engine option, one engine
    expect(enginesFromHelp(new Command('run').option('-q, --quiet', 'no table').helpInformation())).toEqual([]);
    // an --engine option without listed choices: assume the two the issue names
    expect(enginesFromHelp('  --engine <name>   interp or jit\n  -q, --quiet  no table (choices: "a", "b")\n')).toEqual(['interp', 'jit']);
  });

  it("takes the children's line of bash's `times` (minutes and seconds), from real bash too", () => {
    expect(parseTimes('0m0.003s 0m0.001s\n1m2.500s 0m0.040s\n')).toEqual({ user: 62.5, sys: 0.04 });
    expect(parseTimes('')).toBeNull();
    expect(parseTimes('0m0.003s 0m0.001s\n')).toBeNull();
    expect(parseTimes('garbage\nmore garbage')).toBeNull();
    // a child that burns some CPU: its time shows on the second line, not the first
    const p = spawnSync('bash', ['-c', 'node -e "const t=Date.now(); while (Date.now() - t < 300);"; times'], { encoding: 'utf8' });
    const t = parseTimes(p.stdout);
    expect(t).not.toBeNull();
    expect(t!.user + t!.sys).toBeGreaterThan(0.1);
  });

  it('summarizes medians, MIPS and ratios to the QEMU row of the same workload', () => {
    const s = (wall: number, cpu: number, instructions?: number) => ({ wall, cpu, instructions, ok: true });
    const qemu: Row = { workload: 'w', tool: 'qemu', samples: [s(0.2, 0.1), s(0.1, 0.1), s(0.3, 0.1)] };
    const a: Row = { workload: 'w', tool: 'a64hv', samples: [s(2, 1.5, 4e6), s(4, 1, 4e6), s(1, 0.5, 4e6)] };
    const r = summarize(a, qemu);
    expect(r.wall).toBe(2);
    expect(r.cpu).toBe(1);
    expect(r.mips).toBe(2);
    expect(r.mipsCpu).toBe(4);
    expect(r.wallVsQemu).toBeCloseTo(10);
    expect(r.cpuVsQemu).toBeCloseTo(10);
    expect(r.sameCount).toBe(true);
    expect(summarize({ ...a, samples: [s(1, 1, 5), s(1, 1, 6)] }, qemu).sameCount).toBe(false);
    expect(summarize(qemu, qemu).wallVsQemu).toBeUndefined();
  });

  it('renders a plain table (no ANSI escapes) when not asked for colour', () => {
    const rows: Row[] = [{ workload: 'w', tool: 'qemu', samples: [{ wall: 0.1, cpu: 0.05, ok: true }] }];
    const plain = renderTable(rows, false);
    expect(plain).toContain('qemu');
    expect(plain).not.toMatch(/\x1b\[/);
  });
});

describe('bench:speed end to end (a stand-in launcher)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'a64hv-speed-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs each engine the help offers, checks each output against QEMU\'s, and fails the wrong one', () => {
    const hello = readFileSync(join(ROOT, 'guests', 'expected', 'hello.txt'), 'utf8');
    writeFileSync(join(dir, 'hello.txt'), hello);
    const fake = join(dir, 'a64hv');
    // `run --help` offers two engines; `run ... --engine E ... --stats-json F` writes a count to F
    // and prints hello's expected output, except the jit engine, which gets it wrong.
    writeFileSync(
      fake,
      `#!/bin/sh
if [ "$2" = "--help" ]; then printf '  --engine <name>  engine (choices: "interp", "jit", default: "interp")\\n  -q, --quiet  quiet\\n'; exit 0; fi
engine=interp; stats=
while [ $# -gt 0 ]; do case "$1" in --engine) engine=$2; shift;; --stats-json) stats=$2; shift;; esac; shift; done
echo '{"instructions": 397}' > "$stats"
if [ "$engine" = jit ]; then echo wrong; else cat "${join(dir, 'hello.txt')}"; fi
`,
    );
    chmodSync(fake, 0o755);
    const json = join(dir, 'out.json');
    const p = spawnSync('npx', ['tsx', join(ROOT, 'bench', 'speed.ts'), '--a64hv', fake, '--no-qemu', '--only', 'startup', '--runs', '3', '--json', json], {
      encoding: 'utf8',
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(p.stdout).toMatch(/engines: interp, jit/);
    expect(p.stdout).toMatch(/startup\s+│ a64hv interp .*│ ok/);
    expect(p.stdout).toMatch(/startup\s+│ a64hv jit .*FAILED 3\/3: output differs from guests\/expected\/hello\.txt/);
    expect(p.stdout).not.toMatch(/\x1b\[/);
    expect(p.status).toBe(1);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { rows: Row[] };
    expect(out.rows.map((r) => [r.tool, r.samples.length, r.samples[0].instructions])).toEqual([
      ['a64hv interp', 3, 397],
      ['a64hv jit', 3, 397],
    ]);
  });

  it('kills a run that outlives --timeout and reports it as a failure', () => {
    const slow = join(dir, 'slow');
    writeFileSync(slow, '#!/bin/sh\n[ "$2" = "--help" ] && exit 0\nexec sleep 60\n');
    chmodSync(slow, 0o755);
    const t0 = Date.now();
    const p = spawnSync('npx', ['tsx', join(ROOT, 'bench', 'speed.ts'), '--a64hv', slow, '--no-qemu', '--only', 'startup', '--runs', '1', '--timeout', '1'], {
      encoding: 'utf8',
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(p.stdout).toMatch(/startup\s+│ a64hv .*FAILED 1\/1: timed out after 1 s/);
    expect(p.status).toBe(1);
    expect(Date.now() - t0).toBeLessThan(50_000);
  });

  it('refuses a bad flag value or workload name with a one-line message and status 2', () => {
    for (const args of [['--only', 'nope'], ['--runs', '0'], ['--a64hv', join(dir, 'missing')]]) {
      const p = spawnSync('npx', ['tsx', join(ROOT, 'bench', 'speed.ts'), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
      expect(p.status, args.join(' ')).toBe(2);
      expect(p.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
