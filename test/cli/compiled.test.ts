// The compiled CLI (scripts/build.mjs -> dist/) and the launcher that builds it on demand, in a
// throw-away copy of the tree (src/, guests/, bin/, scripts/, package.json, node_modules as a
// link), so the shared checkout's dist/ is never touched. Functional only: no timing asserted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = join(__dirname, '..', '..');
let tree: string;

function run(cmd: string, args: string[]): { status: number | null; out: string; err: string } {
  const p = spawnSync(cmd, args, { cwd: tree, encoding: 'utf8', timeout: 120_000 });
  return { status: p.status, out: p.stdout, err: p.stderr };
}

beforeAll(() => {
  tree = mkdtempSync(join(tmpdir(), 'a64hv-dist-'));
  for (const d of ['src', 'guests', 'bin', 'scripts']) cpSync(join(ROOT, d), join(tree, d), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(tree, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
});
afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe('compiled CLI', () => {
  it('bin/a64hv builds dist/ when it is missing, then runs hello.elf from it as QEMU does', () => {
    expect(existsSync(join(tree, 'dist'))).toBe(false);
    const r = run(join(tree, 'bin', 'a64hv'), ['run', 'guests/build/hello.elf', '-q']);
    expect(r.err).toBe('');
    expect(r.out).toBe(readFileSync(join(ROOT, 'guests', 'expected', 'hello.txt'), 'utf8'));
    expect(String(r.status)).toBe(readFileSync(join(ROOT, 'guests', 'expected', 'hello.exit'), 'utf8').trim());
    // one module per source, in the same folders (src/cli.ts and src/hyp/demo.ts find guests/ by '..')
    expect(existsSync(join(tree, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(join(tree, 'dist', 'hyp', 'demo.js'))).toBe(true);
    expect(existsSync(join(tree, 'dist', '.built'))).toBe(true);
  });

  it('node dist/cli.js runs on its own: a C guest, the guest exit status, and demo (keystone, guests/ found from dist/)', () => {
    const sort = run('node', [join(tree, 'dist', 'cli.js'), 'run', 'guests/build/sort.elf', '-q']);
    expect(sort.out).toBe(readFileSync(join(ROOT, 'guests', 'expected', 'sort.txt'), 'utf8'));
    expect(sort.status).toBe(0);
    const el0 = run('node', [join(tree, 'dist', 'cli.js'), 'run', 'guests/build/el0-svc.elf', '-q']);
    expect(el0.status).toBe(42);
    const demo = run('node', [join(tree, 'dist', 'cli.js'), 'demo']);
    expect(demo.status).toBe(0);
    expect(demo.out).toMatch(/^Hello from a64hv!/);
    expect(demo.out).toMatch(/matches-qsort=yes/);
    expect(demo.err).toMatch(/mmio-read pl011 UARTDR/);
  });

  it('a user error from the compiled CLI is the one-line message and status 2', () => {
    const r = run(join(tree, 'bin', 'a64hv'), ['run', 'no-such-file.elf']);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^a64hv: error: .*no-such-file\.elf/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('the launcher rebuilds when a source is newer than the stamp, and removes outputs of deleted sources', () => {
    const extra = join(tree, 'src', 'extra-module.ts');
    writeFileSync(extra, 'export const answer: number = 42;\n');
    const later = new Date(statSync(join(tree, 'dist', '.built')).mtimeMs + 5000);
    utimesSync(extra, later, later);
    run(join(tree, 'bin', 'a64hv'), ['run', 'guests/build/hello.elf', '-q']);
    expect(readFileSync(join(tree, 'dist', 'extra-module.js'), 'utf8')).toMatch(/answer = 42/);
    rmSync(extra);
    const r = run('node', [join(tree, 'scripts', 'build.mjs')]);
    expect(r.status).toBe(0);
    expect(existsSync(join(tree, 'dist', 'extra-module.js'))).toBe(false);
    // nothing changed since: a second build writes no file
    expect(run('node', [join(tree, 'scripts', 'build.mjs')]).out).toMatch(/\(0 of \d+ files written\)/);
  });

  it('when src/ does not compile, the launcher says so in one line and runs the sources with tsx', () => {
    const broken = join(tree, 'src', 'broken-module.ts');
    writeFileSync(broken, 'export const = ;\n');
    try {
      const r = run(join(tree, 'bin', 'a64hv'), ['run', 'guests/build/hello.elf', '-q']);
      expect(r.err).toMatch(/^a64hv: could not compile src\/ \(.*broken-module\.ts:1:\d+: .*\); running the sources with tsx\n$/);
      expect(r.out).toBe(readFileSync(join(ROOT, 'guests', 'expected', 'hello.txt'), 'utf8'));
      expect(r.status).toBe(0);
      const b = run('node', [join(tree, 'scripts', 'build.mjs')]);
      expect(b.status).toBe(1);
      expect(b.err).toMatch(/^build: esbuild failed:\n {2}.*broken-module\.ts:1:/);
    } finally {
      rmSync(broken);
    }
  });
});
