// virtio-blk (Virtual I/O Device (VIRTIO) 1.1, 5.2 "Block Device") backed by a host file
// descriptor: reads and writes go to the file at their offsets (fs.readSync/writeSync in chunks),
// so a large image is never loaded into memory, and the file changes only when the guest writes.
// A read-only drive offers VIRTIO_BLK_F_RO and completes writes with VIRTIO_BLK_S_IOERR.
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { Chain, Virtqueue } from './virtqueue.js';
import type { VirtioBackend } from './mmio.js';

export const VIRTIO_ID_BLOCK = 2;
/** 5.2.3 feature bits. */
export const VIRTIO_BLK_F_SEG_MAX = 2;
export const VIRTIO_BLK_F_RO = 5;
export const VIRTIO_BLK_F_BLK_SIZE = 6;
export const VIRTIO_BLK_F_FLUSH = 9;
/** 5.2.6 request types and status values. */
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

export const SECTOR = 512;
export const BLK_QUEUE_SIZE = 256;
/** Bytes moved per host read/write call (bounds the buffer, not the request). */
const CHUNK = 64 * 1024;

export interface BlkStats {
  reads: number;
  writes: number;
  flushes: number;
  bytesRead: number;
  bytesWritten: number;
  errors: number;
}

export class VirtioBlk implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly featureBits: number[];
  readonly queueMax = [BLK_QUEUE_SIZE];
  readonly config = new Uint8Array(24);
  readonly stats: BlkStats = { reads: 0, writes: 0, flushes: 0, bytesRead: 0, bytesWritten: 0, errors: 0 };
  /** Capacity in 512-byte sectors (a partial last sector of the file is not visible). */
  readonly capacity: number;
  private fd: number;
  private readonly buf = new Uint8Array(CHUNK);
  private readonly hdr = new Uint8Array(16);
  private readonly hdrDv = new DataView(this.hdr.buffer);
  private readonly one = new Uint8Array(1);

  /** Open `path` (read-write unless `readonly`); a missing or unreadable file is a UserError. */
  constructor(
    readonly path: string,
    readonly readonly = false,
  ) {
    try {
      this.fd = openSync(path, readonly ? 'r' : 'r+');
      const st = fstatSync(this.fd);
      // A regular file: its size is the capacity (a host block device's fstat size is 0).
      if (!st.isFile()) {
        closeSync(this.fd);
        throw new UserError(`--drive ${path}: not a regular file`);
      }
      this.capacity = Math.floor(st.size / SECTOR);
    } catch (e) {
      if (e instanceof UserError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied (add ,readonly?)', EROFS: 'read-only file system (add ,readonly?)' };
      throw new UserError(`--drive ${path}: ${why[code ?? ''] ?? (e as Error).message}`);
    }
    this.featureBits = [VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH];
    if (readonly) this.featureBits.push(VIRTIO_BLK_F_RO);
    // 5.2.4 struct virtio_blk_config: capacity (le64) at 0, size_max at 8, seg_max at 12,
    // geometry at 16, blk_size at 20.
    const dv = new DataView(this.config.buffer);
    dv.setUint32(0, this.capacity % 2 ** 32, true);
    dv.setUint32(4, Math.floor(this.capacity / 2 ** 32), true);
    // A request's segments plus its header and status descriptors fit in the queue.
    dv.setUint32(12, BLK_QUEUE_SIZE - 2, true);
    dv.setUint32(20, SECTOR, true);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  reset(): void {}

  notify(vq: Virtqueue): void {
    for (let c = vq.pop(); c !== null; c = vq.pop()) {
      this.request(c);
      if (!vq.push(c)) return;
    }
  }

  /** One request (5.2.6): header {type le32, reserved le32, sector le64}, data, status byte. */
  private request(c: Chain): void {
    // The status byte is the last byte of the device-writable part (5.2.6).
    if (c.writableTotal < 1 || c.read(this.hdr) !== 16) {
      this.stats.errors++;
      return; // no room for a status, or no header: return the chain with nothing written
    }
    const type = this.hdrDv.getUint32(0, true);
    const sectorHi = this.hdrDv.getUint32(12, true);
    const sector = sectorHi >= 0x20_0000 ? Infinity : sectorHi * 2 ** 32 + this.hdrDv.getUint32(8, true);
    let status: number;
    switch (type) {
      case VIRTIO_BLK_T_IN:
        status = this.readSectors(c, sector);
        break;
      case VIRTIO_BLK_T_OUT:
        status = this.writeSectors(c, sector);
        break;
      case VIRTIO_BLK_T_FLUSH:
        this.stats.flushes++;
        status = this.flush();
        break;
      case VIRTIO_BLK_T_GET_ID: {
        // 5.2.6: up to 20 bytes of device ID string, not NUL-terminated if 20 long.
        const id = new TextEncoder().encode('a64hv-blk'.padEnd(20, '\0'));
        status = c.write(id.subarray(0, Math.min(20, c.writableTotal - 1))) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
        break;
      }
      default:
        status = VIRTIO_BLK_S_UNSUPP;
    }
    if (status !== VIRTIO_BLK_S_OK) this.stats.errors++;
    this.one[0] = status;
    // The status byte is written last, at the end of the writable part. The used element's len
    // counts bytes written contiguously from the start of the writable part (2.6.8.1: the device
    // wrote at least len bytes beginning at the first device-writable buffer), so the status byte
    // counts only after all the data: a failed IN reports the data written before the failure (0
    // when none; QEMU reports the whole writable length instead).
    const pos = c.writableTotal - 1;
    if (c.writeAt(pos, this.one) && pos === c.written) c.written += 1;
  }

  /** Bytes of the range [sector, +len) inside the disk, or -1 if it reaches beyond the capacity. */
  private inRange(sector: number, len: number): boolean {
    return sector <= this.capacity && len <= (this.capacity - sector) * SECTOR;
  }

  private readSectors(c: Chain, sector: number): number {
    this.stats.reads++;
    const len = c.writableTotal - 1; // all but the status byte
    if (len % SECTOR !== 0 || !this.inRange(sector, len)) return VIRTIO_BLK_S_IOERR;
    let pos = sector * SECTOR;
    for (let left = len; left > 0; ) {
      const n = Math.min(left, CHUNK);
      if (this.hostIo(() => readSync(this.fd, this.buf, 0, n, pos)) !== n) return VIRTIO_BLK_S_IOERR;
      if (c.write(this.buf.subarray(0, n)) !== n) return VIRTIO_BLK_S_IOERR;
      this.stats.bytesRead += n;
      pos += n;
      left -= n;
    }
    return VIRTIO_BLK_S_OK;
  }

  private writeSectors(c: Chain, sector: number): number {
    this.stats.writes++;
    if (this.readonly) return VIRTIO_BLK_S_IOERR; // 5.2.6.2: VIRTIO_BLK_F_RO
    const len = c.readableLeft;
    if (len % SECTOR !== 0 || !this.inRange(sector, len)) return VIRTIO_BLK_S_IOERR;
    let pos = sector * SECTOR;
    for (let left = len; left > 0; ) {
      const n = Math.min(left, CHUNK);
      if (c.read(this.buf.subarray(0, n)) !== n) return VIRTIO_BLK_S_IOERR;
      if (this.hostIo(() => writeSync(this.fd, this.buf, 0, n, pos)) !== n) return VIRTIO_BLK_S_IOERR;
      this.stats.bytesWritten += n;
      pos += n;
      left -= n;
    }
    return VIRTIO_BLK_S_OK;
  }

  /** A host read/write: its byte count, or -1 when the host refuses (EIO, ENOSPC...): the guest sees IOERR. */
  private hostIo(op: () => number): number {
    try {
      return op();
    } catch (e) {
      this.onHostError(`virtio-blk ${this.path}: ${(e as Error).message}`);
      return -1;
    }
  }
  /** Told of host I/O errors (a log line). */
  onHostError: (msg: string) => void = () => {};

  private flush(): number {
    if (this.readonly) return VIRTIO_BLK_S_OK; // nothing was written
    try {
      fdatasyncSync(this.fd);
      return VIRTIO_BLK_S_OK;
    } catch {
      return VIRTIO_BLK_S_IOERR;
    }
  }
}

/** Parse a --drive value: FILE[,readonly] (also ro, readonly=on). */
export function parseDrive(spec: string): { path: string; readonly: boolean } {
  const parts = spec.split(',');
  const path = parts[0];
  if (path === '') throw new UserError(`--drive ${spec}: expected FILE[,readonly]`);
  let ro = false;
  for (const opt of parts.slice(1)) {
    if (opt === 'readonly' || opt === 'ro' || opt === 'readonly=on') ro = true;
    else if (opt === 'readonly=off') ro = false;
    else throw new UserError(`--drive ${spec}: unknown option '${opt}' (known: readonly)`);
  }
  return { path, readonly: ro };
}
