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


describe('options that were silently ignored', () => {
  it('--break/--gdb refuse the plain-run options they do not honour', async () => {
    for (const extra of [['--max-insns', '10'], ['--stats-json', join(dir, 's.json')], ['--regs-out', join(dir, 'r.json')], ['--dump', '0x40000000:16:' + join(dir, 'd.bin')], ['--timing', 'functional'], ['--trace']]) {
      for (const dbg of [['--break', '_start'], ['--gdb', '0']]) {
        const r = await cli('run', HELLO, ...dbg, ...extra);
        expect(r.code, `${dbg[0]} ${extra[0]}`).toBe(2);
        expect(r.err).toMatch(new RegExp(`^a64hv: error: ${extra[0]} does not apply with ${dbg[0]} \\(the debugger drives the run`));
        expect(r.err.trim().split('\n')).toHaveLength(1);
      }
    }
  });

  it('--initrd/--append with an ELF guest are errors (plain and --hyp)', async () => {
    const elf = join(ROOT, 'guests', 'build', 'sort.elf');
    const initrd = file('initrd.img', new Uint8Array(16));
    oneLineError(await cli('run', elf, '--initrd', initrd), /sort\.elf: --initrd and --append apply to a Linux Image or a raw kernel \(this is an ELF\)/);
    oneLineError(await cli('run', elf, '--append', 'console=ttyAMA0'), /this is an ELF/);
    oneLineError(await cli('run', '--hyp', elf, '--append', 'console=ttyAMA0'), /this is an ELF/);
  });

  it('assignRtc on another device or on RAM is refused; a free page is accepted', async () => {
    for (const [ipa, what] of [
      ['0x09000000', 'the UART'],
      ['0x08000000', 'the vGIC distributor'],
      ['0x08010000', 'the GIC CPU interface'],
      ['0x0a000000', 'the virtio-mmio window'],
      ['0x40001000', 'RAM'],
    ]) {
      const cfg = file(`rtc-${ipa}.json`, JSON.stringify({ assignRtc: { vm: 0, ipa } }));
      oneLineError(await cli('run', '--hyp', HELLO, '--hyp-config', cfg), new RegExp(`assignRtc\\.ipa ${ipa.replace(/^0x0?/, '0x')} is inside ${what}`));
    }
    const ok = file('rtc-ok.json', JSON.stringify({ assignRtc: { vm: 0, ipa: '0x09010000' } }));
    const r = await cli('run', '--hyp', HELLO, '--hyp-config', ok, '-q');
    expect(r.code).toBe(0);
    expect(r.out).toBe('hi\n');
  });
});

describe('the TLB lab and sweep read their JSON files bounded', () => {
  it('--tlb-config and sweep --grid refuse an endless device and a directory with one line', async () => {
    oneLineError(await cli('run', HELLO, '--tlb-config', '/dev/zero'), /^a64hv: error: --tlb-config \/dev\/zero: not a regular file/);
    oneLineError(await cli('run', HELLO, '--tlb-config', dir), /^a64hv: error: --tlb-config .*: is a directory/);
    oneLineError(await cli('sweep', '--grid', '/dev/zero', '--out', join(dir, 'sw')), /^a64hv: error: --grid \/dev\/zero: not a regular file/);
  });
});
