// --dtb FILE (the user's device tree, validated, /chosen filled in as qemu -dtb does) and
// --dump-dtb FILE (QEMU's -machine dumpdtb: write the guest's tree and exit), checked with dtc.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { assembleSource } from '../../src/loader/asm.js';
import { FdtBuilder, readFdt, fdtFind, propStrings, propCells } from '../../src/loader/fdt.js';

const HELLO = join(__dirname, '..', '..', 'guests', 'asm', 'hello.S');
let dir: string;
let probe: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-dtb-'));
  const src = readFileSync(join(__dirname, '..', 'fixtures', 'raw-boot-probe.S'), 'utf8');
  probe = join(dir, 'probe.bin');
  writeFileSync(probe, (await assembleSource(src, 'raw-boot-probe.S', 0x4008_0000n)).code);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; raw: Uint8Array[] }> {
  let out = '';
  let err = '';
  const raw: Uint8Array[] = [];
  const code = await main(argv, {
    stdout: { write: (s: string | Uint8Array) => (typeof s === 'string' ? (out += s) : raw.push(s)) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err, raw };
}
const hasDtc = ((): boolean => {
  try {
    execFileSync('dtc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A small user tree: a model string to recognise it, memory, and an existing /chosen with stdout-path. */
function userTree(): Uint8Array {
  const t = new FdtBuilder();
  t.root.prop('model', 'user-tree').prop('#address-cells', [2]).prop('#size-cells', [2]);
  t.root.node('memory@40000000').prop('device_type', 'memory').prop('reg', { u64: [0x4000_0000, 0x800_0000] });
  t.root.node('chosen').prop('stdout-path', '/pl011@9000000');
  t.reserve(0x4100_0000, 0x1000);
  return t.toBytes();
}

describe('--dump-dtb', () => {
  it('writes the tree a raw kernel gets (bootargs, initrd range) and exits 0 without running; dtc reads it', async () => {
    const initrd = join(dir, 'initrd');
    writeFileSync(initrd, new Uint8Array(11));
    const out = join(dir, 'board.dtb');
    const r = await cli('run', probe, '--dump-dtb', out, '--append', 'console=ttyAMA0 earlycon', '--initrd', initrd);
    expect(r.code).toBe(0);
    expect(r.out).toBe(''); // the guest did not run
    expect(r.err).toMatch(/^a64hv: device tree \(\d+ bytes\) written to .*board\.dtb\n$/);
    const t = readFdt(readFileSync(out));
    const chosen = fdtFind(t.root, '/chosen')!;
    expect(propStrings(chosen, 'bootargs')).toEqual(['console=ttyAMA0 earlycon']);
    expect(propCells(chosen, 'linux,initrd-start')).toEqual([0, 0x4400_0000]);
    expect(propCells(chosen, 'linux,initrd-end')).toEqual([0, 0x4400_000b]);
    if (hasDtc) {
      const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(dts).toMatch(/compatible = "linux,dummy-virt"/);
      expect(dts).toMatch(/bootargs = "console=ttyAMA0 earlycon";/);
      expect(dts).toMatch(/pl011@9000000/);
    }
  });
  it("'-' writes the blob to stdout; an ELF guest gets the board's tree", async () => {
    const r = await cli('run', join(__dirname, '..', 'fixtures', 'tiny.elf'), '--dump-dtb', '-', '--smp', '2');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const blob = r.raw[0];
    const t = readFdt(blob);
    expect(fdtFind(t.root, '/cpus/cpu@1')).toBeDefined();
  });
});

describe('--dtb', () => {
  it('the raw kernel boots with the user tree (x0 = its address, magic read back) and /chosen gets --append, other props kept', async () => {
    const f = join(dir, 'user.dtb');
    writeFileSync(f, userTree());
    const r = await cli('run', probe, '-q', '--dtb', f, '--append', 'quiet');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 6)).toEqual(['0000000044000000', '0000000000000000', '0000000000000000', '0000000000000000', '0000000040080000', '00000000edfe0dd0']);
    const d = await cli('run', probe, '--dtb', f, '--append', 'quiet', '--dump-dtb', '-');
    const t = readFdt(d.raw[0]);
    expect(propStrings(t.root, 'model')).toEqual(['user-tree']);
    expect(t.reservations).toEqual([{ address: 0x4100_0000, size: 0x1000 }]);
    const chosen = fdtFind(t.root, '/chosen')!;
    expect(propStrings(chosen, 'stdout-path')).toEqual(['/pl011@9000000']);
    expect(propStrings(chosen, 'bootargs')).toEqual(['quiet']);
  });
  it('bad trees and misuse are one-line errors (exit 2): garbage, truncated, a directory, too large, an ELF guest, --hyp', async () => {
    const one = (r: { code: number; err: string }, re: RegExp): void => {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.split('\n').length).toBe(2);
    };
    const garbage = join(dir, 'garbage.dtb');
    writeFileSync(garbage, 'this is not a device tree at all, just text.');
    one(await cli('run', probe, '--dtb', garbage), /--dtb .*garbage\.dtb: not a device tree: magic 0x74686973/);
    const trunc = join(dir, 'trunc.dtb');
    writeFileSync(trunc, userTree().subarray(0, 60));
    one(await cli('run', probe, '--dtb', trunc), /trunc\.dtb: device tree totalsize \d+ exceeds its 60 bytes/);
    const d = join(dir, 'adir');
    mkdirSync(d);
    one(await cli('run', probe, '--dtb', d), /adir: is a directory/);
    const big = join(dir, 'big.dtb');
    writeFileSync(big, new Uint8Array(2 * 1024 * 1024 + 1));
    one(await cli('run', probe, '--dtb', big), /big\.dtb: 2097153 bytes is larger than a device tree may be/);
    const good = join(dir, 'good.dtb');
    writeFileSync(good, userTree());
    one(await cli('run', join(__dirname, '..', 'fixtures', 'tiny.elf'), '--dtb', good), /tiny\.elf: --dtb applies to a Linux Image or a raw kernel/);
    one(await cli('run', join(__dirname, '..', 'fixtures', 'tiny.elf'), '--hyp', '--dtb', good), /tiny\.elf: --dtb applies to a Linux Image or a raw kernel/);
    one(await cli('run', HELLO, '--hyp', '--dtb', good), /hello\.S: --dtb applies to a Linux Image or a raw kernel \(not to assembly\)/);
    one(await cli('run', probe, '--bios', '--dtb', good), /--dtb does not go with --bios/);
    one(await cli('run', probe, '--bios', '--hyp', '--dtb', good), /--dtb does not go with --bios/);
    one(await cli('run', probe, '--hyp', '--dtb', garbage), /--dtb .*garbage\.dtb: not a device tree/);
    one(await cli('run', probe, '--hyp', '--dump-dtb', '-'), /--dump-dtb applies to a plain run/);
  });
});

// The probe, printing the word at [x0 + 4] instead of [x0]: the tree's totalsize (big-endian,
// read little-endian), which tells the user's tree from a generated one.
describe('--dtb with --hyp and with the debugger (--break, --gdb: the same boot)', () => {
  let probe2: string;
  let tree: string;
  let size: string;
  beforeAll(async () => {
    const src = readFileSync(join(__dirname, '..', 'fixtures', 'raw-boot-probe.S'), 'utf8').replace('ldr w0, [x19]', 'ldr w0, [x19, #4]');
    probe2 = join(dir, 'probe2.bin');
    writeFileSync(probe2, (await assembleSource(src, 'raw-boot-probe.S', 0x4008_0000n)).code);
    tree = join(dir, 'vm.dtb');
    writeFileSync(tree, userTree());
    // The tree the guest gets: the user's with /chosen bootargs "quiet" (as --dump-dtb writes it).
    const d = await cli('run', probe2, '--dtb', tree, '--append', 'quiet', '--dump-dtb', '-');
    const n = d.raw[0].length;
    size = (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)).toString(16).padStart(16, '0');
  });
  it("under --hyp the VM boots with the user's tree (its /chosen filled in), not its generated one", async () => {
    const r = await cli('run', probe2, '-q', '--hyp', '--dtb', tree, '--append', 'quiet');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('0000000044000000'); // x0: the tree's IPA, as on the board
    expect(lines[5]).toBe(size);
    const own = await cli('run', probe2, '-q', '--hyp', '--append', 'quiet');
    expect(own.out.split('\n')[5]).not.toBe(size);
  });
  it("run --break (and --gdb, which boots the same way) boots with the user's tree", async () => {
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    stdin.end('continue\nquit\n');
    let out = '';
    const code = await main(['run', probe2, '--dtb', tree, '--append', 'quiet', '--break', '0x40080000'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      stdin,
    });
    expect(code).toBe(0);
    const printed = out.split('\n').filter((l) => /^[0-9a-f]{16}$/.test(l));
    expect(printed[5]).toBe(size);
  });
});
