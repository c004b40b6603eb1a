// virtio-rng (Virtual I/O Device (VIRTIO) 1.1, 5.4 "Entropy Device"): one request queue whose
// device-writable buffers the device fills with random bytes. The bytes come from a seeded PRNG
// (xoshiro128**, 32-bit state words), not from the host, so runs are deterministic: the same seed
// and the same requests give the same bytes. Not suitable for real cryptography, by design.
import type { Virtqueue } from './virtqueue.js';
import type { VirtioBackend } from './mmio.js';

export const VIRTIO_ID_ENTROPY = 4;
/** At most this many bytes per buffer (5.4.6: the device may write fewer than the buffer holds). */
export const RNG_MAX_PER_REQUEST = 64 * 1024;
export const RNG_DEFAULT_SEED = 0x61363468; // "a64h"

export class VirtioRng implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_ENTROPY;
  readonly featureBits: number[] = [];
  readonly queueMax = [64];
  readonly config = new Uint8Array(0);
  bytes = 0;
  private readonly s = new Uint32Array(4);
  private readonly buf = new Uint8Array(4096);

  constructor(private readonly seed = RNG_DEFAULT_SEED) {
    this.reseed();
  }

  /** State from the seed by splitmix32 steps (never all zero). */
  private reseed(): void {
    let x = this.seed >>> 0;
    for (let k = 0; k < 4; k++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[k] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** xoshiro128** next 32-bit output. */
  next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** The stream restarts from the seed on device reset, so a rebooted guest sees the same bytes. */
  reset(): void {
    this.reseed();
  }

  notify(vq: Virtqueue): void {
    for (let c = vq.pop(); c !== null; c = vq.pop()) {
      let left = Math.min(c.writableTotal, RNG_MAX_PER_REQUEST);
      while (left > 0) {
        const n = Math.min(left, this.buf.length);
        for (let k = 0; k < n; k += 4) {
          const v = this.next();
          this.buf[k] = v;
          this.buf[k + 1] = v >>> 8;
          this.buf[k + 2] = v >>> 16;
          this.buf[k + 3] = v >>> 24;
        }
        if (c.write(this.buf.subarray(0, n)) !== n) break; // DMA abort: return what was written
        this.bytes += n;
        left -= n;
      }
      if (!vq.push(c)) return;
    }
  }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
