#!/usr/bin/env node
// Compiles src/**/*.ts to dist/**/*.js (one ES module per source file, same folders) with esbuild,
// so the CLI starts without transpiling TypeScript at every run. Plain JavaScript on purpose: it
// runs before anything is compiled (npm's `prepare`, and bin/a64hv when dist/ is stale).
//
// dist/ mirrors src/ file for file, so code that finds the repository from its own location
// (`import.meta.url` + '..' in src/cli.ts, '../..' in src/hyp/demo.ts) finds the same place from
// dist/. Type checking stays with `tsc --noEmit`; esbuild only strips types.
//
// Several engineers run bin/a64hv while others edit src/, so each output file is replaced
// atomically (write to a temporary name, then rename) and only when its content changed, and the
// stamp dist/.built gets the time the build *started*: an edit made during the build leaves the
// stamp older than the edited file, and the next start builds again.
//
// With --types (npm's `prepare`, `npm run build`), the library's declarations are emitted too
// (tsc -p tsconfig.types.json into dist/types: the package's typed entry, docs/api.md); bin/a64hv
// leaves them out, since only the CLI's start-up time matters there.
//
//   node scripts/build.mjs [--quiet] [--types] [--root DIR]      exit status 0, or 1 with the errors
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync, mkdirSync, readFileSync, writeFileSync, renameSync, rmSync, statSync, utimesSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every .ts file under dir (no .d.ts), sorted so the build is the same on every run. */
function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** Every file under dir except the stamp (for pruning outputs whose source is gone). */
function files(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.name !== '.built') out.push(p);
  }
  return out;
}

/** Replace path with data atomically, unless it already holds exactly data. Returns whether it wrote. */
function writeIfChanged(path, data) {
  try {
    if (Buffer.compare(readFileSync(path), data) === 0) return false;
  } catch {
    // missing: write it
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  return true;
}

/**
 * Build root/src into root/dist. Returns { ok, written, total, errors } and never throws for
 * compile errors (they come back as esbuild's formatted messages).
 */
export async function buildDist(root) {
  const started = new Date();
  const srcDir = join(root, 'src');
  const outDir = join(root, 'dist');
  const entryPoints = sources(srcDir);
  let result;
  try {
    result = await build({
      entryPoints,
      outdir: outDir,
      outbase: srcDir,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      // Maps for readable stack traces (bin/a64hv runs node --enable-source-maps); paths relative,
      // no copy of the sources.
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e.errors ?? []).map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}`);
    return { ok: false, written: 0, total: 0, errors: errors.length > 0 ? errors : [String(e.message ?? e)] };
  }
  let written = 0;
  const keep = new Set();
  for (const f of result.outputFiles) {
    keep.add(resolve(f.path));
    if (writeIfChanged(f.path, Buffer.from(f.contents))) written++;
  }
  // Outputs of deleted sources would otherwise stay importable from dist/ only.
  for (const f of files(outDir)) {
    if (!keep.has(resolve(f)) && !f.endsWith('.tmp')) rmSync(f, { force: true });
  }
  const stamp = join(outDir, '.built');
  writeFileSync(stamp, `built from ${entryPoints.length} files in ${relative(root, srcDir) || '.'}${sep}\n`);
  utimesSync(stamp, started, started);
  return { ok: true, written, total: result.outputFiles.length, errors: [] };
}

/**
 * Emit dist/types (the .d.ts of src/) with tsc. Returns { ok, errors }. Declarations are written
 * by tsc directly (not atomically): only `npm run build`/`prepare` run this, not bin/a64hv.
 */
export function buildTypes(root) {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return { ok: false, errors: ['typescript is not installed (npm install)'] };
  }
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.types.json')], { cwd: root, encoding: 'utf8' });
  if (r.status === 0) return { ok: true, errors: [] };
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return { ok: false, errors: out === '' ? [`tsc exited with status ${r.status}`] : out.split('\n') };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const r = args.indexOf('--root');
  const root = r >= 0 && args[r + 1] ? resolve(args[r + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
  if (!existsSync(join(root, 'src')) || !statSync(join(root, 'src')).isDirectory()) {
    process.stderr.write(`build: no src/ folder in ${root}\n`);
    process.exit(1);
  }
  let res;
  try {
    res = await buildDist(root);
  } catch (e) {
    // Not a compile error: dist/ not writable, disk full...
    res = { ok: false, errors: [e instanceof Error ? e.message : String(e)] };
  }
  if (!res.ok) {
    // --quiet is bin/a64hv's mode: one line, since it then runs the sources with tsx instead.
    if (quiet) process.stderr.write(`a64hv: could not compile src/ (${res.errors[0]}); running the sources with tsx\n`);
    else process.stderr.write(`build: esbuild failed:\n${res.errors.map((e) => `  ${e}`).join('\n')}\n`);
    process.exit(1);
  }
  if (!quiet) process.stdout.write(`build: dist/ up to date (${res.written} of ${res.total} files written)\n`);
  if (args.includes('--types')) {
    const t = buildTypes(root);
    if (!t.ok) {
      process.stderr.write(`build: declarations (tsc -p tsconfig.types.json) failed:\n${t.errors.map((e) => `  ${e}`).join('\n')}\n`);
      process.exit(1);
    }
    if (!quiet) process.stdout.write('build: dist/types/ (declarations) written\n');
  }
}
