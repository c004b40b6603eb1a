// a64hv run --smp N / --smp-quantum: bad values are one-line errors; per-PE figures in the
// table and --stats-json.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-smp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

// PE 0 starts PE 1 (PSCI CPU_ON, context id 40), waits with WFE for its flag, checks
// AFFINITY_INFO says PE 1 is off again after its CPU_OFF, and exits with the flag.
const GUEST = `
  movz x0, #3
  movk x0, #0xc400, lsl #16
  mov x1, #1
  adr x2, second
  mov x3, #40
  hvc #0
  cbnz x0, bad
  adr x9, flag
wait:
  wfe
  ldr x10, [x9]
  cbz x10, wait
off_wait:
  movz x0, #4
  movk x0, #0xc400, lsl #16
  mov x1, #1
  mov x2, #0
  hvc #0
  cmp x0, #1              // AFFINITY_INFO: OFF
  b.ne off_wait
  mov x0, x10
  b out
second:
  add x0, x0, #2          // the context id
  adr x9, flag
  str x0, [x9]
  sev
  movz x0, #2
  movk x0, #0x8400, lsl #16
  hvc #0
bad:
  mov x0, #1
out:
  adr x1, blk
  str x0, [x1, #8]
  mov x0, #0x18
  hlt #0xf000
  .balign 8
blk: .quad 0x20026, 0
flag: .quad 0
`;

describe('a64hv run --smp', () => {
  it('rejects a bad PE count or quantum with one line', async () => {
    const g = join(dir, 'g.S');
    writeFileSync(g, GUEST);
    for (const v of ['0', '9', 'two', '1.5']) {
      const r = await cli('run', g, '--smp', v, '-q');
      expect(r.code).not.toBe(0);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/--smp/);
    }
    const h = await cli('run', g, '--smp', '2', '--hyp', '-q');
    expect(h.code).not.toBe(0);
    expect(h.err).toMatch(/--smp 2: not supported with/);
    // The debugger takes --smp (test/debug/smp-debug.test.ts); its own bad values are one line too.
    const d = await cli('run', g, '--smp', '2', '--smp-quantum', 'x', '--break', '0x40000000', '-q');
    expect(d.code).not.toBe(0);
    expect(d.err).toMatch(/--smp-quantum x: must be a positive integer/);
    const q = await cli('run', g, '--smp', '2', '--smp-quantum', '0', '-q');
    expect(q.code).not.toBe(0);
    expect(q.err).toMatch(/--smp-quantum/);
  });
  it('CPU_ON with a context id, SEV/WFE, CPU_OFF, AFFINITY_INFO; per-PE figures', async () => {
    const g = join(dir, 'g2.S');
    writeFileSync(g, GUEST);
    const stats = join(dir, 's.json');
    const r = await cli('run', g, '--smp', '2', '--smp-quantum', '10', '--stats-json', stats);
    expect(r.code).toBe(42);
    expect(r.err).toMatch(/PE 0 .*insns/);
    expect(r.err).toMatch(/PE 1 .*insns/);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s.pes).toHaveLength(2);
    expect(s.pes[1].instructions).toBeGreaterThan(0);
    expect(s.totals.instructions).toBe(s.pes[0].instructions + s.pes[1].instructions);
    expect(s.instructions).toBe(s.totals.instructions);
    // one PE: no per-PE fields, as before
    const one = join(dir, 'one.json');
    writeFileSync(join(dir, 'e.S'), 'mov x0, #0x18\nadr x1, blk\nhlt #0xf000\n.balign 8\nblk: .quad 0x20026, 3\n');
    await cli('run', join(dir, 'e.S'), '--stats-json', one, '-q');
    expect(JSON.parse(readFileSync(one, 'utf8')).pes).toBeUndefined();
  });
});
