// Hostile input to the CLI (issue 14): every case ends in a one-line error with the documented
// exit status (2 for usage/input, 1 for guest errors), or keeps working; never an internal error.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

const ROOT = join(__dirname, '..', '..');
const HELLO = join(ROOT, 'test', 'fixtures', 'uart-hello.S');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
function file(name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function oneLineError(r: { code: number; err: string }, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(re);
  expect(r.err.trim().split('\n')).toHaveLength(1);
}

describe('option values that are Object.prototype names', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`--timing ${name} is an unknown profile (run, --hyp, --break)`, async () => {
      oneLineError(await cli('run', HELLO, '--timing', name), /^a64hv: error: --timing .*: unknown profile/);
      oneLineError(await cli('run', '--hyp', HELLO, '--timing', name), /^a64hv: error: --timing .*: unknown profile/);
      oneLineError(await cli('run', HELLO, '--break', '_start', '--timing', name), /^a64hv: error: --timing .*: unknown profile/);
    });
    it(`--hyp-traps ${name} is an unknown trap`, async () => {
      oneLineError(await cli('run', '--hyp', HELLO, '--hyp-traps', name), /^a64hv: error: --hyp-traps: unknown trap/);
    });
  }
  it('a known profile still works', async () => {
    const r = await cli('run', HELLO, '--timing', 'functional', '-q');
    expect(r.code).toBe(0);
    expect(r.out).toBe('hi\n');
  });
});

