// A split virtqueue, device side (Virtual I/O Device (VIRTIO) 1.1, 2.6 "Split Virtqueues"): the
// descriptor table (2.6.5), the driver area / available ring (2.6.6) and the device area / used
// ring (2.6.8), all in guest memory and reached only through the device's DmaPort.
//
// Guest input is untrusted: a chain longer than the queue size (a loop), a descriptor index out of
// range, an indirect descriptor (VIRTIO_F_INDIRECT_DESC is not offered), a readable descriptor
// after a writable one (2.6.4.2), or an available index more than the queue size ahead (2.6.6) is
// an error: the queue stops and the transport sets DEVICE_NEEDS_RESET (2.1.2). A DMA abort while
// reading the rings is the same error. Nothing here allocates per guest-supplied length.
import type { DmaPort } from '../dma-port.js';

/** 2.6.5: struct virtq_desc flags. */
export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** 2.6.6: virtq_avail.flags bit: the driver does not want used-buffer notifications. */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
/** Largest queue size a split virtqueue can have (2.6: 32768). */
export const VIRTQ_MAX_SIZE = 32768;

/**
 * One descriptor chain taken from the available ring: its device-readable part, then its
 * device-writable part, each consumed as a byte stream through the DmaPort.
 */
export class Chain {
  head = 0;
  readonly rAddr: number[] = [];
  readonly rLen: number[] = [];
  readonly wAddr: number[] = [];
  readonly wLen: number[] = [];
  readableTotal = 0;
  writableTotal = 0;
  private ri = 0;
  private rOff = 0;
  private wi = 0;
  private wOff = 0;
  /** Bytes written into the writable part so far (the used element's len, 2.6.8.1). */
  written = 0;

  constructor(private readonly port: DmaPort) {}

  clear(head: number): void {
    this.head = head;
    this.rAddr.length = this.rLen.length = this.wAddr.length = this.wLen.length = 0;
    this.readableTotal = this.writableTotal = 0;
    this.ri = this.rOff = this.wi = this.wOff = 0;
    this.written = 0;
  }

  get readableLeft(): number {
    let n = 0;
    for (let k = this.ri; k < this.rLen.length; k++) n += this.rLen[k];
    return n - this.rOff;
  }
  get writableLeft(): number {
    return this.writableTotal - this.written;
  }

  /** Read up to dst.length bytes of the readable part. Returns the count, or -1 on a DMA abort. */
  read(dst: Uint8Array): number {
    let got = 0;
    while (got < dst.length && this.ri < this.rLen.length) {
      const n = Math.min(dst.length - got, this.rLen[this.ri] - this.rOff);
      if (n > 0 && !this.port.read(this.rAddr[this.ri] + this.rOff, dst.subarray(got, got + n))) return -1;
      got += n;
      this.rOff += n;
      if (this.rOff === this.rLen[this.ri]) {
        this.ri++;
        this.rOff = 0;
      }
    }
    return got;
  }

  /** Skip n readable bytes (returns how many were skipped). */
  skip(n: number): number {
    let done = 0;
    while (done < n && this.ri < this.rLen.length) {
      const k = Math.min(n - done, this.rLen[this.ri] - this.rOff);
      done += k;
      this.rOff += k;
      if (this.rOff === this.rLen[this.ri]) {
        this.ri++;
        this.rOff = 0;
      }
    }
    return done;
  }

  /** Write up to src.length bytes into the writable part. Returns the count, or -1 on a DMA abort. */
  write(src: Uint8Array): number {
    let put = 0;
    while (put < src.length && this.wi < this.wLen.length) {
      const n = Math.min(src.length - put, this.wLen[this.wi] - this.wOff);
      if (n > 0 && !this.port.write(this.wAddr[this.wi] + this.wOff, src.subarray(put, put + n))) return -1;
      put += n;
      this.wOff += n;
      this.written += n;
      if (this.wOff === this.wLen[this.wi]) {
        this.wi++;
        this.wOff = 0;
      }
    }
    return put;
  }

  /** Write `src` at byte `pos` of the writable part (e.g. a status byte at the end), not moving the stream. */
  writeAt(pos: number, src: Uint8Array): boolean {
    let p = pos;
    let k = 0;
    while (k < this.wLen.length && p >= this.wLen[k]) p -= this.wLen[k++];
    let put = 0;
    while (put < src.length && k < this.wLen.length) {
      const n = Math.min(src.length - put, this.wLen[k] - p);
      if (!this.port.write(this.wAddr[k] + p, src.subarray(put, put + n))) return false;
      put += n;
      p = 0;
      k++;
    }
    return put === src.length;
  }
}

export class Virtqueue {
  /** QueueNum (2.6: the number of descriptors; a power of 2 here). */
  size = 0;
  ready = false;
  /** QueueDesc, QueueDriver, QueueDevice (4.2.2): guest addresses of the three areas. */
  descAddr = 0;
  driverAddr = 0;
  deviceAddr = 0;
  /** The device's copy of the next available-ring index it will consume (2.6.6). */
  lastAvail = 0;
  /** The next used-ring index (2.6.8). */
  usedIdx = 0;
  /** Set when the queue met an error; it does nothing more until the device is reset. */
  broken = false;
  private readonly chain: Chain;

  /**
   * `onError(msg)`: the transport marks the device DEVICE_NEEDS_RESET. `onUsed()`: a buffer was
   * returned and the driver did not suppress interrupts.
   */
  constructor(
    readonly index: number,
    readonly maxSize: number,
    private readonly port: DmaPort,
    private readonly onError: (msg: string) => void,
    private readonly onUsed: () => void,
  ) {
    this.chain = new Chain(port);
  }

  reset(): void {
    this.size = 0;
    this.ready = false;
    this.descAddr = this.driverAddr = this.deviceAddr = 0;
    this.lastAvail = this.usedIdx = 0;
    this.broken = false;
  }

  private fail(msg: string): null {
    this.broken = true;
    this.onError(`virtqueue ${this.index}: ${msg}`);
    return null;
  }

  /** Buffers the driver has made available and the device has not consumed (2.6.6), or -1 on error. */
  pending(): number {
    if (!this.ready || this.broken) return 0;
    const idx = this.port.readU16(this.driverAddr + 2);
    if (idx < 0) {
      this.fail(`cannot read avail.idx at 0x${(this.driverAddr + 2).toString(16)} (DMA abort)`);
      return -1;
    }
    const n = (idx - this.lastAvail) & 0xffff;
    if (n > this.size) {
      this.fail(`avail.idx ${idx} is ${n} entries ahead of the device's ${this.lastAvail} (queue size ${this.size})`);
      return -1;
    }
    return n;
  }

  /**
   * Take the next available chain (2.6.5, 2.6.6), or null when there is none or on an error
   * (then `broken` is set). The returned Chain is reused by the next pop.
   */
  pop(): Chain | null {
    if (this.pending() <= 0) return null;
    const port = this.port;
    const head = port.readU16(this.driverAddr + 4 + 2 * (this.lastAvail % this.size));
    if (head < 0) return this.fail('cannot read the available ring (DMA abort)');
    const c = this.chain;
    c.clear(head);
    let i = head;
    // A chain has at most `size` descriptors: more means a loop (2.6.5.3.1: the driver MUST NOT
    // create a loop; we must not hang on one).
    for (let count = 0; ; count++) {
      if (count >= this.size) return this.fail(`descriptor chain from ${head} is longer than the queue (a loop)`);
      if (i >= this.size) return this.fail(`descriptor index ${i} is outside the queue (size ${this.size})`);
      const d = this.descAddr + 16 * i;
      const addr = port.readU64(d);
      const len = port.readU32(d + 8);
      const flags = port.readU16(d + 12);
      const next = port.readU16(d + 14);
      if (addr < 0 || len < 0 || flags < 0 || next < 0) return this.fail(`cannot read descriptor ${i} (DMA abort)`);
      if (flags & VIRTQ_DESC_F_INDIRECT) return this.fail(`descriptor ${i} is indirect (VIRTIO_F_INDIRECT_DESC was not offered)`);
      if (flags & VIRTQ_DESC_F_WRITE) {
        c.wAddr.push(addr);
        c.wLen.push(len);
        c.writableTotal += len;
      } else {
        if (c.wLen.length > 0) return this.fail(`descriptor ${i} is device-readable after a device-writable one`);
        c.rAddr.push(addr);
        c.rLen.push(len);
        c.readableTotal += len;
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      i = next;
    }
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    return c;
  }

  /** Return a chain to the driver (2.6.8): used.ring[idx % size] = {id, len}, then used.idx++. */
  push(c: Chain): boolean {
    const port = this.port;
    const e = this.deviceAddr + 4 + 8 * (this.usedIdx % this.size);
    if (!port.writeU32(e, c.head) || !port.writeU32(e + 4, c.written)) {
      this.fail('cannot write the used ring (DMA abort)');
      return false;
    }
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    // The element is written before the index that publishes it (2.6.8.2).
    if (!port.writeU16(this.deviceAddr + 2, this.usedIdx)) {
      this.fail('cannot write used.idx (DMA abort)');
      return false;
    }
    const flags = port.readU16(this.driverAddr);
    if (flags < 0 || (flags & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0) this.onUsed();
    return true;
  }
}
