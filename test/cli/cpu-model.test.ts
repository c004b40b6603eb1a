// `--cpu` on the command line (run and repl): the model decides what decodes; a bad name is a
// one-line usage error.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-cpu-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

// AESE (as .word: keystone ignores .inst), then semihosting SYS_EXIT_EXTENDED with the status 42 (as the CLI tests' EXIT42).
const GUEST = 'mov x2, #0x300000\nmsr cpacr_el1, x2\nisb\nmovi v0.16b, #0\nmovi v1.16b, #0\n.word 0x4e284820\n' +
  'mov x0, #0x18\nadr x1, blk\nhlt #0xf000\n.balign 8\nblk: .quad 0x20026, 42\n';

describe('--cpu', () => {
  it('run --cpu max executes AESE; the default (a57) stops at it as UNDEFINED', async () => {
    const f = join(dir, 'aese.S');
    writeFileSync(f, GUEST);
    const max = await cli('run', f, '--cpu', 'max', '-q');
    expect(max.code).toBe(42);
    const a57 = await cli('run', f, '-q');
    expect(a57.code).not.toBe(42);
    expect(a57.err).toMatch(/EC 0x0,/);
    const named = await cli('run', f, '--cpu', 'a57', '-q');
    expect(named.code).toBe(a57.code);
  });

  it('an unknown model is a usage error (exit 2) naming the known ones; --help documents the option', async () => {
    const f = join(dir, 'x.S');
    writeFileSync(f, GUEST);
    const bad = await cli('run', f, '--cpu', 'cortex-x4');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('a64hv: error: --cpu cortex-x4: unknown CPU model (known: a57, max)\n');
    const repl = await cli('repl', f, '--cpu', 'm1', '--script', '-');
    expect(repl.code).toBe(2);
    expect(repl.err).toContain('--cpu m1: unknown CPU model');
    expect((await cli('run', '--help')).out).toContain('--cpu <model>');
    expect((await cli('repl', '--help')).out).toContain('--cpu <model>');
  });
});

// PAuth under the hypervisor: write APIAKeyLo_EL1, enable EnIA, PACIA then AUTIA x5 with x1, and
// exit 42 if the pointer came back and the PAC had changed it (HCR_EL2.API/APK must not trap).
const PAUTH_GUEST = 'mov x0, #0x1234\n.word 0xd5182100\nmrs x1, sctlr_el1\norr x1, x1, #0x80000000\nmsr sctlr_el1, x1\nisb\n' +
  'mov x5, #0x4000\nmov x6, x5\n.word 0xdac10025\nmov x7, x5\n.word 0xdac11025\ncmp x5, x6\nb.ne fail\ncmp x7, x6\nb.eq fail\n' +
  'mov x0, #0x18\nadr x1, blk\nhlt #0xf000\nfail: mov x0, #0x18\nadr x1, blk1\nhlt #0xf000\n.balign 8\nblk: .quad 0x20026, 42\nblk1: .quad 0x20026, 1\n';

describe('--cpu with --hyp', () => {
  it('run --hyp --cpu max: the VM runs on the model (AESE executes, a57 takes it as UNDEFINED)', async () => {
    const f = join(dir, 'h.S');
    writeFileSync(f, GUEST);
    expect((await cli('run', f, '--hyp', '--cpu', 'max', '-q')).code).toBe(42);
    expect((await cli('run', f, '--hyp', '-q')).code).not.toBe(42);
  });

  it('run --hyp --cpu max: PAuth keys and instructions work in a VM (HCR_EL2.APK/API set by the hypervisor)', async () => {
    const f = join(dir, 'pauth.S');
    writeFileSync(f, PAUTH_GUEST);
    const r = await cli('run', f, '--hyp', '--cpu', 'max', '-q');
    expect(r.err).toBe('');
    expect(r.code).toBe(42);
  });

  it('repl --hyp --cpu max: the VM under the debugger runs on the model too (AESE steps; under a57 it is UNDEFINED)', async () => {
    const f = join(dir, 'h.S');
    writeFileSync(f, GUEST);
    const script = join(dir, 'cont.txt');
    writeFileSync(script, 'continue\n');
    const max = await cli('repl', f, '--hyp', '--cpu', 'max', '--script', script);
    expect(max.err).toBe('');
    expect(max.out).toContain('the guest exited with code 42');
    const a57 = await cli('repl', f, '--hyp', '--script', script);
    expect(a57.out).not.toContain('exited with code 42');
    expect(a57.out).toContain('EC 0x0'); // AESE UNDEFINED on a57
  });
});
