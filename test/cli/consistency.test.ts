// One shape for the run's figures with and without --hyp, '-' as stdout for output files, repl taking
// run's timing/hyp/stats options, and warnings for options that would do nothing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

const ROOT = join(__dirname, '..', '..');
const HELLO = join(ROOT, 'guests', 'asm', 'hello.S');
const GREETING = 'Hello from a64hv! AArch64 guest running at EL1 with the MMU off.\n';
const COMMON = ['instructions', 'cycles', 'cpi', 'idleCycles', 'interrupts', 'timing', 'wallMs', 'idleWallMs', 'mips', 'exitReason', 'exitCode', 'tlb'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-consistency-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string | Uint8Array) => (out += typeof s === 'string' ? s : Buffer.from(s).toString('latin1')) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
/** The JSON object printed after the guest's greeting on stdout. */
const jsonAfter = (out: string, prefix: string): Record<string, unknown> => {
  expect(out.startsWith(prefix)).toBe(true);
  return JSON.parse(out.slice(prefix.length)) as Record<string, unknown>;
};

describe('--stats-json', () => {
  it('has the same keys with and without --hyp (cpi, timing, idleCycles, interrupts...), plus the hypervisor\'s; - is stdout', async () => {
    const plain = jsonAfter((await cli('run', HELLO, '-q', '--stats-json', '-')).out, GREETING);
    const hyp = jsonAfter((await cli('run', HELLO, '--hyp', '-q', '--stats-json', '-')).out, GREETING);
    for (const k of COMMON) {
      expect(plain).toHaveProperty(k);
      expect(hyp).toHaveProperty(k);
    }
    expect(Object.keys(hyp).sort()).toEqual([...COMMON, 'hyp'].sort());
    expect(hyp.timing).toBe('a57');
    expect(hyp.cpi).toBe(Math.round(((hyp.cycles as number) / (hyp.instructions as number)) * 1000) / 1000);
    expect(plain.exitReason).toBe('halt');
    expect(hyp.exitReason).toBe('vms-stopped');
  });
  it("'-' is stdout for --regs-out and --dump too", async () => {
    const r = await cli('run', HELLO, '-q', '--regs-out', '-');
    expect(jsonAfter(r.out, GREETING)).toHaveProperty('pc');
    const d = await cli('run', HELLO, '-q', '--dump', '0x40000000:4:-');
    // The first instruction of hello.S: adr x1, msg (0x100001a1 little-endian).
    expect(d.out).toBe(GREETING + '\xa1\x01\x00\x10');
    const t = await cli('run', join(ROOT, 'guests', 'tlb', 'tlb-touch.S'), '-q', '--mmu', 's1:4k', '--stats-txt', '-');
    expect(t.out).toMatch(/^sim_insts +\d+ +# Instructions retired$/m);
  });
});

describe('repl takes run\'s options that make sense there', () => {
  it('--timing functional and --stats-json -: the figures of what ran under the debugger', async () => {
    const script = join(dir, 'cont.txt');
    writeFileSync(script, 'continue\nquit\n');
    const r = await cli('repl', HELLO, '--script', script, '--timing', 'functional', '--stats-json', '-');
    expect(r.code).toBe(0);
    const json = r.out.slice(r.out.lastIndexOf('\n{') + 1);
    const s = JSON.parse(json) as Record<string, unknown>;
    for (const k of COMMON) expect(s).toHaveProperty(k);
    expect(s.timing).toBe('functional');
    expect(s.cpi).toBe(1); // functional: one cycle per instruction
    expect(s.instructions).toBeGreaterThan(300);
    const bad = await cli('repl', HELLO, '--script', script, '--timing', 'fast');
    expect([bad.code, bad.err]).toEqual([2, 'a64hv: error: --timing fast: unknown profile (known: a57, functional, cortex-a53, cortex-a57, cortex-a72)\n']);
  });
  it('--hyp-ram lazy with repl --hyp is accepted (it was an unknown option)', async () => {
    const script = join(dir, 'cont2.txt');
    writeFileSync(script, 'continue\nquit\n');
    const r = await cli('repl', HELLO, '--hyp', '--hyp-ram', 'lazy', '--script', script);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('Hello from a64hv!');
  });
});

describe('options that do nothing', () => {
  it('warn once each on stderr and the run goes on', async () => {
    const r = await cli('run', HELLO, '-q', '--hyp-ram', 'lazy', '--hyp-trace', '--smp-quantum', '7', '--no-semihosting', '--cmdline', 'x');
    expect(r.code).toBe(0);
    expect(r.out).toBe(GREETING);
    expect(r.err).toBe(
      'a64hv: warning: --hyp-ram does nothing without --hyp\n' +
        'a64hv: warning: --hyp-trace does nothing without --hyp\n' +
        'a64hv: warning: --smp-quantum does nothing with one PE (add --smp N)\n' +
        'a64hv: warning: --cmdline does nothing with --no-semihosting (SYS_GET_CMDLINE is a semihosting call)\n',
    );
    expect((await cli('run', HELLO, '-q', '--hyp', '--hyp-ram', 'lazy')).err).toBe('');
    expect((await cli('run', HELLO, '-q', '--gdb-no-wait')).err).toBe('a64hv: error: --gdb-no-wait does nothing without --gdb PORT\n');
  });
});
