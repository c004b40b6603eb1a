// Guest input can be anything: random register writes to the virtio-mmio transport and random
// bytes in its rings and descriptors, with notifies, never throw out of the device model, never
// hang, and leave RAM outside what the device was told to use intact. Deterministic (seeded).
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, VIRT } from '../../src/machine.js';
import { VIRTIO_MMIO as R } from '../../src/devices/virtio/mmio.js';
import { TestDriver } from './virtio-driver.js';

const RAM = VIRT.RAM;
/** A small deterministic PRNG for the test (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('virtio under random guest input', () => {
  it('random rings, descriptors and register writes: no exception, bounded work, a guard region untouched', () => {
    dir = mkdtempSync(join(tmpdir(), 'a64hv-fuzz-'));
    const disk = join(dir, 'd.img');
    writeFileSync(disk, new Uint8Array(64 * 512));
    // The window the random descriptors point into: [RAM, RAM + 256 KiB); the guard: the rest of RAM.
    const m = new Machine({ ramSize: 1 << 20, drives: [{ path: disk }], virtioRng: true, virtioConsole: true });
    const guard = m.bus.u8.subarray(0x4_0000);
    guard.fill(0xa5);
    const r = rng(12345);
    const int = (n: number): number => Math.floor(r() * n);
    let requests = 0;
    for (let round = 0; round < 300; round++) {
      const slot = int(3);
      const d = new TestDriver(m, VIRT.VIRTIO_MMIO + 0x200 * slot, RAM + 0x1000, RAM + 0x2000, RAM + 0x3000, 2 ** int(5));
      // Mostly a proper negotiation (so the queues run), sometimes random feature words.
      if (r() < 0.7) d.init(r() < 0.8 ? [0, 3] : [int(2 ** 32), int(4)], slot === 2 ? int(2) : 0);
      // Random descriptor table and rings, addresses inside the window, lengths up to 64 KiB
      // (some huge), flags and next indices anything.
      for (let i = 0; i < 32; i++) {
        const big = r() < 0.05;
        // Mostly plausible (no INDIRECT, next inside the queue), sometimes anything.
        const wild = r() < 0.1;
        d.setDesc(i, RAM + int(0x4_0000 - 0x1_0000), big ? int(2 ** 32) : int(0x1_0000), wild ? int(8) : int(4), wild ? int(64) : int(d.size));
      }
      for (let k = 0; k < 1 + int(4); k++) d.publish(r() < 0.9 ? int(d.size) : int(40), slot === 2 ? int(2) : 0, r() < 0.8);
      if (r() < 0.3) m.bus.dv.setUint16(0x2002, int(65536), true); // avail.idx anywhere
      if (r() < 0.2) m.bus.write(VIRT.VIRTIO_MMIO + 0x200 * slot + 4 * int(0x40), 4, int(2 ** 32)); // any register
      if (r() < 0.1) m.bus.write(VIRT.VIRTIO_MMIO + 0x200 * slot + R.QueueNotify, 4, int(4));
      // Header-looking bytes for the block device: a random type and sector.
      m.bus.dv.setUint32(int(0x3_0000), int(10), true);
      requests++;
    }
    expect(requests).toBe(300);
    // Nothing outside the window was written by any device (descriptor addresses stay inside it).
    expect(guard.every((b) => b === 0xa5)).toBe(true);
    const used = m.virtio.reduce((n, v) => n + v.mmio.stats.usedBuffers, 0);
    const errors = m.virtio.reduce((n, v) => n + v.mmio.stats.errors, 0);
    // The devices did real work and refused bad chains (both paths were exercised).
    expect(used).toBeGreaterThan(20);
    expect(errors).toBeGreaterThan(20);
    m.close();
  });
});
