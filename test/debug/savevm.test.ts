// The REPL's savevm/loadvm (src/debug/snapshot-cmd.ts): a run continued after loadvm reports the
// same figures as the run that continued straight after savevm; bad files are one-line errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-savevm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GUEST = new URL('../../guests/build/loop-short.elf', import.meta.url).pathname;

async function script(lines: string[], extra: string[] = []): Promise<string> {
  const f = join(dir, 'script.txt');
  writeFileSync(f, lines.join('\n') + '\n');
  let out = '';
  await main(['repl', GUEST, '--script', f, ...extra], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) } });
  return out;
}
const after = (out: string, cmd: string, nth: number): string => out.split(`(a64hv) ${cmd}\n`)[nth + 1].split('(a64hv) ')[0];

describe('savevm / loadvm', () => {
  it('loadvm rewinds the machine: continuing gives the same figures as before', async () => {
    const snap = join(dir, 'm.snap');
    const out = await script(['step 5000', `savevm ${snap}`, 'continue', 'stats', `loadvm ${snap}`, 'regs', 'continue', 'stats']);
    expect(after(out, `savevm ${snap}`, 0)).toMatch(/saved the machine to .*m\.snap \(\d+ bytes, at 5000 instructions\)/);
    expect(after(out, `loadvm ${snap}`, 0)).toMatch(/restored the machine from .*m\.snap \(at 5000 instructions\)\n=> /);
    const first = after(out, 'stats', 0);
    expect(first).toMatch(/instructions/);
    expect(after(out, 'stats', 1)).toBe(first);
  });

  it('under --hyp: the hypervisor and its VMs are saved and restored; continuing gives the same figures and exits', async () => {
    const snap = join(dir, 'h.snap');
    const out = await script(['step 5000', `savevm ${snap}`, 'continue', 'stats', 'vm', `loadvm ${snap}`, 'continue', 'stats', 'vm'], ['--hyp']);
    expect(after(out, `savevm ${snap}`, 0)).toMatch(/saved the hypervisor and its 1 VM\(s\) to .*h\.snap \(\d+ bytes, at 5000 instructions\)/);
    expect(after(out, `loadvm ${snap}`, 0)).toMatch(/restored the hypervisor and its 1 VM\(s\) from .*h\.snap \(at 5000 instructions\)/);
    const first = after(out, 'stats', 0);
    expect(first).toMatch(/exits/);
    expect(after(out, 'stats', 1)).toBe(first);
    expect(after(out, 'vm', 1)).toBe(after(out, 'vm', 0));
    // A board snapshot does not go into a hypervisor, nor the other way round.
    const board = join(dir, 'b.snap');
    await script([`savevm ${board}`]);
    expect(await script([`loadvm ${board}`], ['--hyp'])).toMatch(/\nerror: snapshot: of a bare machine, not of a hypervisor/);
    expect(await script([`loadvm ${snap}`])).toMatch(/\nerror: snapshot: of a hypervisor/);
  });

  it('reports bad files and arguments in one line', async () => {
    const junk = join(dir, 'junk.snap');
    writeFileSync(junk, 'not a snapshot');
    const out = await script(['savevm', `loadvm ${junk}`, `loadvm ${join(dir, 'none.snap')}`, `savevm ${join(dir, 'no-such-dir', 'x.snap')}`]);
    expect(out).toMatch(/savevm: expected one FILE argument/);
    expect(out).toMatch(/not an a64hv snapshot \(bad magic\)/);
    expect(out).toMatch(/cannot read the snapshot \(ENOENT\)/);
    expect(out).toMatch(/cannot write the snapshot \(ENOENT\)/);
  });
});
