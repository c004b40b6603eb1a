// The package as a library (package.json exports/types, scripts/build.mjs --types): built in a
// throw-away copy of the tree, then used from another project through `node_modules/a64hv` as
// `npm link` makes it (a link to the package folder): `import { Machine } from 'a64hv'` runs
// under plain node, and TypeScript finds the declarations. The shared checkout's dist/ is not
// touched. Functional only: no timing asserted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';

const ROOT = join(__dirname, '..', '..');
let tree: string;
let consumer: string;

/** Run node asynchronously (a synchronous spawn would starve vitest's worker RPC on a busy machine). */
function run(cwd: string, args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((res) => {
    execFile(process.execPath, args, { cwd, encoding: 'utf8', timeout: 590_000 }, (e, out, err) => {
      res({ status: e === null ? 0 : typeof e.code === 'number' ? e.code : null, out, err });
    });
  });
}

beforeAll(() => {
  tree = mkdtempSync(join(tmpdir(), 'a64hv-pkg-'));
  for (const d of ['src', 'scripts']) cpSync(join(ROOT, d), join(tree, d), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.types.json']) cpSync(join(ROOT, f), join(tree, f));
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  consumer = join(tree, 'consumer');
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  symlinkSync(tree, join(consumer, 'node_modules', 'a64hv'), 'dir');
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
});
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const USE = `
import { Machine } from 'a64hv';
const m = new Machine({ ramSize: 1 << 20 });
const p = await m.assemble('_start:\\n mov x0, #42\\n str x0, [x1]\\n', 0x40000000n);
m.start(p.entry);
m.setReg('x1', 0x40001000n);
const seen = [];
m.hookMemory((a) => seen.push(a));
const r = m.run({ maxInstructions: 2 });
console.log(JSON.stringify({ reason: r.reason, x0: String(m.reg('x0')), seen: seen.map((a) => a.kind + ' ' + a.address.toString(16) + ' ' + a.value) }));
`;

describe('the package', () => {
  it('package.json points its typed entry at what the build emits', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; import: string }>;
      types: string;
      files: string[];
      scripts: Record<string, string>;
    };
    expect(pkg.exports['.'].import).toBe('./dist/api/index.js'); // build.mjs mirrors src/ into dist/
    expect(pkg.exports['.'].types).toBe('./dist/types/api/index.d.ts'); // tsconfig.types.json: rootDir src, outDir dist/types
    expect(pkg.types).toBe(pkg.exports['.'].types);
    expect(pkg.files).toContain('dist/');
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs --types');
  });

  it('builds, then another project imports it by name under plain node (exports), and the process exits', async () => {
    const b = await run(tree, ['scripts/build.mjs']);
    expect(b.err).toBe('');
    expect(b.status).toBe(0);
    expect(existsSync(join(tree, 'dist', 'api', 'index.js'))).toBe(true);
    writeFileSync(join(consumer, 'use.mjs'), USE);
    const r = await run(consumer, ['use.mjs']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0); // no handle (the assembler's worker) keeps it alive
    expect(JSON.parse(r.out)).toEqual({ reason: 'limit', x0: '42', seen: ['write 40001000 42'] });
  });

  it('emits declarations (build --types) that a TypeScript project type-checks against', async () => {
    const b = await run(tree, ['scripts/build.mjs', '--types']);
    expect(b.err).toBe('');
    expect(b.status).toBe(0);
    expect(existsSync(join(tree, 'dist', 'types', 'api', 'index.d.ts'))).toBe(true);
    // TypeScript in the consumer (NodeNext resolution: the `exports` map and its `types`).
    writeFileSync(
      join(consumer, 'typed.ts'),
      `import { Machine, type MemAccess, type RunResult } from 'a64hv';\nconst m = new Machine({ ramSize: 1 << 20, timing: 'a57' });\nconst r: RunResult = m.run({ maxInstructions: 1 });\nconst a: MemAccess[] = [];\nm.hookMemory((x) => a.push(x));\nconst bad: number = m.reg('x0');\nvoid r;\nvoid bad;\n`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
        files: ['typed.ts'],
      }),
    );
    const t = await run(consumer, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    // Exactly one error, the deliberate one: reg() returns a bigint. Declarations resolved, types checked.
    expect(t.out.trim().split('\n')).toEqual([expect.stringMatching(/typed\.ts\(6,7\): error TS2322: Type 'bigint' is not assignable to type 'number'\./)]);
  }, 600_000);
});
