// The test disk builder (linux-disk.ts): the romfs it writes follows the format Linux checks
// (magic, size, the superblock's zero word sum over the first 512 bytes) and the directory chain
// reaches each file's bytes, so a failure in the Linux disk boot is not the image's fault.
import { describe, it, expect } from 'vitest';
import { romfsImage, testDisk, pseudoRandomBytes, DISK_SIZE, RAW_OFFSET, PAYLOAD_SIZE, HELLO } from './linux-disk.js';

const be32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, false);
function sum(b: Uint8Array, at: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k += 4) s = (s + be32(b, at + k)) >>> 0;
  return s;
}
/** Byte equality without vitest's element-wise diff (slow for MBs). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
function cstr(b: Uint8Array, at: number): string {
  let e = at;
  while (b[e] !== 0) e++;
  return new TextDecoder().decode(b.subarray(at, e));
}

/** Walk the root directory as the romfs rules say; each entry's name, type, spec, size, data offset and header checksum. */
function listRoot(img: Uint8Array): { name: string; type: number; spec: number; size: number; data: number; hdrSum: number }[] {
  const root = 16 + ((cstr(img, 16).length + 16) & ~15);
  const first = be32(img, root + 4) & ~15; // the root directory's spec.info: its first entry
  const out = [];
  for (let at = first, n = 0; at !== 0 && n < 100; n++) {
    const next = be32(img, at);
    const name = cstr(img, at + 16);
    const nameLen = (name.length + 16) & ~15;
    out.push({ name, type: next & 7, spec: be32(img, at + 4), size: be32(img, at + 8), data: at + 16 + nameLen, hdrSum: sum(img, at, 16 + nameLen) });
    at = next & ~15;
  }
  return out;
}

describe('romfs test image', () => {
  it('superblock: "-rom1fs-", the full size, first 512 bytes summing to 0 (big-endian words), the volume name', () => {
    const img = romfsImage('vol', [{ name: 'a', data: new Uint8Array([1, 2, 3]) }]);
    expect(cstr(img, 0).slice(0, 8)).toBe('-rom1fs-');
    // 32 (superblock + "vol") + "." 32 + ".." 32 + "a" 32 + 3 data bytes padded to 16
    expect(be32(img, 8)).toBe(32 + 32 + 32 + 32 + 16);
    expect(img.length % 16).toBe(0);
    const full = new Uint8Array(512);
    full.set(img.subarray(0, Math.min(512, img.length)));
    expect(sum(full, 0, 512)).toBe(0);
    expect(cstr(img, 16)).toBe('vol');
  });

  it('root directory: ".", ".." (hard link to the root), then the files with their data; each header sums to 0', () => {
    const data = pseudoRandomBytes(1000, 7);
    const img = romfsImage('v', [
      { name: 'one', data },
      { name: 'a-longer-name.bin', data: new Uint8Array([9]) },
    ]);
    const root = 32;
    const e = listRoot(img);
    expect(e.map((x) => [x.name, x.type])).toEqual([
      ['.', 1],
      ['..', 0],
      ['one', 2],
      ['a-longer-name.bin', 2],
    ]);
    expect(e[0].spec).toBe(root);
    expect(e[1].spec).toBe(root);
    expect(e[2].size).toBe(1000);
    expect(img.subarray(e[2].data, e[2].data + 1000)).toEqual(data);
    expect(img[e[3].data]).toBe(9);
    for (const x of e) expect(x.hdrSum).toBe(0);
  });

  it('the test disk: romfs with hello.txt and payload.bin, raw bytes at RAW_OFFSET, whole sectors, the same bytes every time', () => {
    const d = testDisk();
    expect(d.image.length).toBe(DISK_SIZE);
    expect(DISK_SIZE % 512).toBe(0);
    const e = listRoot(d.image);
    const hello = e.find((x) => x.name === 'hello.txt')!;
    const payload = e.find((x) => x.name === 'payload.bin')!;
    expect(new TextDecoder().decode(d.image.subarray(hello.data, hello.data + hello.size))).toBe(HELLO);
    expect(payload.size).toBe(PAYLOAD_SIZE);
    expect(same(d.image.subarray(payload.data, payload.data + PAYLOAD_SIZE), d.payload)).toBe(true);
    expect(be32(d.image, 8)).toBeLessThanOrEqual(RAW_OFFSET);
    expect(same(d.image.subarray(RAW_OFFSET), d.raw)).toBe(true);
    expect(same(testDisk().image, d.image)).toBe(true);
    expect(same(d.payload, d.raw.subarray(0, PAYLOAD_SIZE))).toBe(false);
  });
});
