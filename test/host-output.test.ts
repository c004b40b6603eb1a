// stdout failures (issue 14): `a64hv run chatty.S | head` was an uncaught EPIPE with a stack
// trace, `>/dev/full` lost the output with exit 0. Now: one line, exit 141 / 74, figures kept.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { GuardedOutput, OutputError, EXIT_BROKEN_PIPE, EXIT_OUTPUT_ERROR } from '../src/host-output.js';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'a64hv');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-out-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class FakeStream extends EventEmitter {
  written: string[] = [];
  write(s: string): boolean {
    this.written.push(s);
    return true;
  }
}

describe('GuardedOutput', () => {
  it('the first error stops further writes, calls onFail once, and gives the exit status', () => {
    const f = new FakeStream();
    const fails: OutputError[] = [];
    const g = new GuardedOutput(f as unknown as NodeJS.WritableStream, (e) => fails.push(e));
    expect(g.outcome()).toBeNull();
    g.write('a');
    f.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    f.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    g.write('b');
    expect(f.written).toEqual(['a']);
    expect(fails).toHaveLength(1);
    expect(g.outcome()).toEqual({ code: EXIT_BROKEN_PIPE, message: 'a64hv: stdout was closed (EPIPE); the run was stopped\n' });
  });

  it('ENOSPC (a full disk) is an error line with exit 74; a throwing write counts too', () => {
    const f = new FakeStream();
    f.write = () => {
      throw Object.assign(new Error('nospace'), { code: 'ENOSPC' });
    };
    const g = new GuardedOutput(f as unknown as NodeJS.WritableStream, () => {});
    expect(g.write('x')).toBe(false);
    expect(g.outcome()).toEqual({ code: EXIT_OUTPUT_ERROR, message: 'a64hv: error: cannot write stdout (ENOSPC); the run was stopped\n' });
  });
});

// 20,000 lines of "yyyy...\n" (80 bytes): more than a pipe holds, then SYSTEM_OFF.
const CHATTY = `_start:
    movz x2, #0x0900, lsl #16
    movz x3, #20000
line:
    mov x4, #79
char:
    mov w0, #'y'
    str w0, [x2]
    subs x4, x4, #1
    b.ne char
    mov w0, #10
    str w0, [x2]
    subs x3, x3, #1
    b.ne line
    movz x0, #0x0008
    movk x0, #0x8400, lsl #16
    hvc #0
`;

describe.skipIf(!existsSync('/dev/full'))('the launcher with a broken or full stdout', () => {
  it('| head -c 100: one line on stderr, exit 141, figures and --stats-json kept', () => {
    const g = join(dir, 'chatty.S');
    writeFileSync(g, CHATTY);
    const stats = join(dir, 's.json');
    const p = spawnSync('bash', ['-c', `"${BIN}" run "${g}" --stats-json "${stats}" | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`], { encoding: 'utf8', timeout: 240_000 });
    expect(p.status).toBe(EXIT_BROKEN_PIPE);
    expect(p.stderr).toMatch(/^a64hv: stdout was closed \(EPIPE\); the run was stopped$/m);
    expect(p.stderr).not.toMatch(/\n\s+at /);
    // The figures: the run stopped at the next slice (or ended first: the guest is short).
    expect(p.stderr).toMatch(/│ instructions\s+│ [\d,]+/);
    const j = JSON.parse(readFileSync(stats, 'utf8'));
    expect(j.instructions).toBeGreaterThan(0);
    expect(['output-error', 'halt']).toContain(j.exitReason);
  });

  it('>/dev/full: one error line, exit 74 (was: output lost, exit 0)', () => {
    const p = spawnSync('bash', ['-c', `"${BIN}" run "${join(ROOT, 'test', 'fixtures', 'uart-hello.S')}" -q >/dev/full`], { encoding: 'utf8', timeout: 240_000 });
    expect(p.status).toBe(EXIT_OUTPUT_ERROR);
    expect(p.stderr).toBe('a64hv: error: cannot write stdout (ENOSPC); the run was stopped\n');
  });
});
