// The host files a snapshot does not copy: the files behind virtio-blk drives. A snapshot records
// each one's path, size and SHA-256 at the time it was taken; a restore refuses a drive whose file
// is not the same any more (another file, or the same file written since), because the guest's
// state (its page cache, the queues) describes the disk as it was. (Semihosting opens no host
// file: it is sandboxed to the console, so its open handles are all in the state walk.)
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Machine as Board } from '../machine.js';
import { VirtioBlk } from '../devices/virtio/blk.js';
import { ApiError } from './errors.js';

export interface DriveRecord {
  slot: number;
  path: string;
  size: number;
  sha256: string;
}

const CHUNK = 1 << 20;

/** SHA-256 of a file, read in 1 MiB chunks (no allocation of the file's size). */
function fileHash(path: string): { size: number; sha256: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new ApiError(`${path}: cannot read the drive's file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const h = createHash('sha256');
    const buf = new Uint8Array(CHUNK);
    let n: number;
    while ((n = readSync(fd, buf, 0, CHUNK, null)) > 0) h.update(buf.subarray(0, n));
    return { size: fstatSync(fd).size, sha256: h.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** The drives of `board` as a snapshot records them. */
export function driveRecords(board: Board): DriveRecord[] {
  const out: DriveRecord[] = [];
  for (const v of board.virtio) {
    if (!(v.backend instanceof VirtioBlk)) continue;
    const path = resolve(v.backend.path);
    out.push({ slot: v.slot, path, ...fileHash(path) });
  }
  return out;
}

/** Refuse a restore whose drives' files are not the ones the snapshot was taken with. */
export function checkDrives(saved: unknown, board: Board): void {
  const now = driveRecords(board);
  const was = Array.isArray(saved) ? (saved as DriveRecord[]) : [];
  if (was.length !== now.length) throw new ApiError(`snapshot: taken with ${was.length} virtio-blk drive(s), this machine has ${now.length}`);
  now.forEach((d, k) => {
    const w = was[k];
    if (w === null || typeof w !== 'object') throw new ApiError('snapshot: corrupt (drive record)');
    if (w.path !== d.path) throw new ApiError(`snapshot: drive ${d.slot} was ${String(w.path)}, here ${d.path} (the file is not in the snapshot: give the same one)`);
    if (w.size !== d.size || w.sha256 !== d.sha256) {
      throw new ApiError(`snapshot: drive ${d.slot} ${d.path} changed since the snapshot (size ${String(w.size)} -> ${d.size}, sha256 ${String(w.sha256).slice(0, 12)}... -> ${d.sha256.slice(0, 12)}...): the file is not in the snapshot`);
    }
  });
}
