// Input files decide allocation sizes (issue 14): /dev/zero as a guest, --load, --initrd or
// --hyp-config grew memory without bound; a 1 MiB gzip Image inflated to 3.2 GB before "RAM too
// small". Each is now a one-line error (exit 2) before any large allocation.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/cli.js';
import { readInputFile, readInputTextSync, readInputText } from '../../src/loader/input-file.js';
import { parseImage } from '../../src/loader/linux.js';

const ROOT = join(__dirname, '..', '..');
const HELLO = join(ROOT, 'test', 'fixtures', 'uart-hello.S');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}
function expectOneLine(r: { code: number; err: string }, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(re);
  expect(r.err.trim().split('\n')).toHaveLength(1);
}

/** A 64-byte arm64 Image header (booting.rst): magic "ARM\x64" at 0x38, then `body` zero bytes. */
function image(body: number): Uint8Array {
  const d = new Uint8Array(64 + body);
  const v = new DataView(d.buffer);
  v.setUint32(0x08, 0x80000, true); // text_offset
  v.setUint32(0x38, 0x644d5241, true);
  return d;
}

describe.skipIf(!existsSync('/dev/zero'))('endless files are refused (regular files only)', () => {
  it('/dev/zero as the guest, --load, --initrd, --regs-in, --hyp-config and a REPL script', async () => {
    const notRegular = /not a regular file/;
    expectOneLine(await cli('run', '/dev/zero'), notRegular);
    expectOneLine(await cli('run', HELLO, '--load', '/dev/zero@0x40100000'), notRegular);
    expectOneLine(await cli('run', '--hyp', '/dev/zero'), notRegular);
    expectOneLine(await cli('run', HELLO, '--regs-in', '/dev/zero'), notRegular);
    expectOneLine(await cli('run', '--hyp', HELLO, '--hyp-config', '/dev/zero'), notRegular);
    expectOneLine(await cli('repl', HELLO, '--script', '/dev/zero'), notRegular);
    expectOneLine(await cli('repl', '--hyp', HELLO, '--hyp-config', '/dev/zero'), notRegular);
    const img = join(dir, 'Image');
    writeFileSync(img, image(4096));
    expectOneLine(await cli('run', img, '--initrd', '/dev/zero'), notRegular);
  });

  it('the readers themselves', async () => {
    await expect(readInputFile('/dev/zero')).rejects.toThrow(/^\/dev\/zero: not a regular file/);
    expect(() => readInputTextSync('/dev/zero')).toThrow(/not a regular file/);
    await expect(readInputFile(dir)).rejects.toThrow(/is a directory/);
    await expect(readInputFile(join(dir, 'nope'))).rejects.toThrow(/no such file/);
  });
});

describe('sizes are capped', () => {
  it('a file larger than the cap is refused by its size, before reading it', async () => {
    const f = join(dir, 'big.bin');
    writeFileSync(f, new Uint8Array(200_000));
    await expect(readInputFile(f, 100_000, 'RAM')).rejects.toThrow(/200000 bytes is larger than RAM \(100000 bytes\)/);
    expect((await readInputFile(f, 200_000)).length).toBe(200_000);
    await expect(readInputText(f, 1000)).rejects.toThrow(/larger than a text input/);
    // --load larger than RAM: refused by size.
    expectOneLine(await cli('run', HELLO, '--ram', '64K', '--load', `${f}@0x40000000`), /larger than RAM \(65536 bytes\)/);
  });

  it('a gzip Image inflating past RAM stops at the RAM size', async () => {
    const bomb = gzipSync(image(8 << 20)); // ~8 KiB compressed, 8 MiB inflated
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(() => parseImage(bomb, 'Image.gz', 1 << 20)).toThrow(/^Image\.gz: the decompressed Image is larger than RAM \(1048576 bytes\)$/);
    const f = join(dir, 'Image.gz');
    writeFileSync(f, bomb);
    expectOneLine(await cli('run', f, '--ram', '1M'), /decompressed Image is larger than RAM/);
    // Within the cap the header parses as before.
    expect(parseImage(gzipSync(image(4096)), 'ok.gz', 1 << 20).textOffset).toBe(0x80000);
  });
});
