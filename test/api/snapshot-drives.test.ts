// A snapshot of a machine with virtio-blk drives does not copy their host files: it records each
// file's path, size and SHA-256 and refuses a restore where the file differs (src/api/host-files.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/api/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a64hv-snapdrive-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const disk = (name: string, fill: number): string => {
  const p = join(dir, name);
  writeFileSync(p, new Uint8Array(64 * 1024).fill(fill));
  return p;
};
const machine = (path: string): Machine => new Machine({ ramSize: 1 << 20, board: { drives: [{ path }] } });

describe('snapshots and virtio-blk drives', () => {
  it('restores with the same file; refuses a changed file, another file, or a missing drive (one-line errors)', () => {
    const a = disk('a.img', 0x11);
    const m = machine(a);
    const snap = m.saveSnapshot();
    const same = machine(a);
    same.restoreSnapshot(snap);
    same.close();
    m.close();

    // The same contents under another name: the path differs.
    const copy = join(dir, 'copy.img');
    copyFileSync(a, copy);
    const other = machine(copy);
    expect(() => other.restoreSnapshot(snap)).toThrow(/^snapshot: drive 0 was .*a\.img, here .*copy\.img \(the file is not in the snapshot: give the same one\)$/);
    other.close();

    // The file written since the snapshot: size and hash no longer match.
    writeFileSync(a, new Uint8Array(64 * 1024).fill(0x22));
    const changed = machine(a);
    expect(() => changed.restoreSnapshot(snap)).toThrow(/^snapshot: drive 0 .*a\.img changed since the snapshot \(size 65536 -> 65536, sha256 [0-9a-f]{12}\.\.\. -> [0-9a-f]{12}\.\.\.\): the file is not in the snapshot$/);
    changed.close();

    expect(() => new Machine({ ramSize: 1 << 20 }).restoreSnapshot(snap)).toThrow(/snapshot: taken on another machine configuration|taken with 1 virtio-blk drive\(s\), this machine has 0/);
  });
});
