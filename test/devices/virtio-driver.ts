// A minimal virtio-mmio driver for tests (Virtual I/O Device (VIRTIO) 1.1, 3.1.1 driver
// initialization, 4.2.3 MMIO device initialization, 2.6.13 supplying buffers): it programs a
// transport through the bus as a guest's stores would, with the queue areas in guest RAM.
import type { Machine } from '../../src/machine.js';
import { VIRTIO_MMIO as R, STATUS } from '../../src/devices/virtio/mmio.js';

export interface Seg {
  addr: number;
  len: number;
  write?: boolean;
}

export class TestDriver {
  /** Next free descriptor (chains are given consecutive descriptors, wrapping). */
  private nextDesc = 0;
  private availIdx = 0;
  usedSeen = 0;
  /** Where the driver's own stores to a device-visible address land (an IOVA's PA behind an IOMMU). */
  toPa: (addr: number) => number = (a) => a;

  constructor(
    readonly m: Machine,
    readonly base: number,
    /** Guest PAs of the descriptor table, available ring and used ring. */
    readonly desc: number,
    readonly avail: number,
    readonly used: number,
    readonly size = 8,
  ) {}

  rd(off: number): number {
    return this.m.bus.read(this.base + off, 4);
  }
  wr(off: number, v: number): void {
    this.m.bus.write(this.base + off, 4, v >>> 0);
  }

  /** 3.1.1 steps 1-8; accepts the given feature words; returns the status read back after FEATURES_OK. */
  init(features: [number, number] = [0, 1], queue = 0): number {
    this.wr(R.Status, 0);
    // A fresh queue: the driver's indices restart with the device's, the rings are zeroed.
    this.nextDesc = this.availIdx = 0;
    const u8 = this.m.bus.u8;
    const rb = this.m.bus.ramBase;
    u8.fill(0, this.toPa(this.avail) - rb, this.toPa(this.avail) - rb + 6 + 2 * this.size);
    u8.fill(0, this.toPa(this.used) - rb, this.toPa(this.used) - rb + 6 + 8 * this.size);
    this.wr(R.Status, STATUS.ACKNOWLEDGE);
    this.wr(R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    this.wr(R.DriverFeaturesSel, 0);
    this.wr(R.DriverFeatures, features[0]);
    this.wr(R.DriverFeaturesSel, 1);
    this.wr(R.DriverFeatures, features[1]);
    this.wr(R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    const s = this.rd(R.Status);
    if (!(s & STATUS.FEATURES_OK)) return s;
    this.setupQueue(queue);
    this.wr(R.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
    return this.rd(R.Status);
  }

  setupQueue(q: number): void {
    this.wr(R.QueueSel, q);
    this.wr(R.QueueNum, this.size);
    this.wr(R.QueueDescLow, this.desc);
    this.wr(R.QueueDescHigh, 0);
    this.wr(R.QueueDriverLow, this.avail);
    this.wr(R.QueueDriverHigh, 0);
    this.wr(R.QueueDeviceLow, this.used);
    this.wr(R.QueueDeviceHigh, 0);
    this.wr(R.QueueReady, 1);
  }

  /** Write descriptor i. */
  setDesc(i: number, addr: number, len: number, flags: number, next: number): void {
    const dv = this.m.bus.dv;
    const o = this.toPa(this.desc + 16 * i) - this.m.bus.ramBase;
    dv.setUint32(o, addr >>> 0, true);
    dv.setUint32(o + 4, Math.floor(addr / 2 ** 32), true);
    dv.setUint32(o + 8, len >>> 0, true);
    dv.setUint16(o + 12, flags, true);
    dv.setUint16(o + 14, next, true);
  }

  /** Publish head index `head` in the available ring (2.6.13.2-3), then notify queue q. */
  publish(head: number, q = 0, notify = true): void {
    const dv = this.m.bus.dv;
    const a = this.toPa(this.avail) - this.m.bus.ramBase;
    dv.setUint16(a + 4 + 2 * (this.availIdx % this.size), head, true);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    dv.setUint16(a + 2, this.availIdx, true);
    if (notify) this.wr(R.QueueNotify, q);
  }

  /** Build a chain of consecutive descriptors from segments and publish it; returns its head. */
  submit(segs: Seg[], q = 0): number {
    const head = this.nextDesc;
    segs.forEach((s, k) => {
      const i = (head + k) % this.size;
      const last = k === segs.length - 1;
      this.setDesc(i, s.addr, s.len, (s.write ? 2 : 0) | (last ? 0 : 1), (i + 1) % this.size);
    });
    this.nextDesc = (head + segs.length) % this.size;
    this.publish(head, q);
    return head;
  }

  usedIdx(): number {
    return this.m.bus.dv.getUint16(this.toPa(this.used) - this.m.bus.ramBase + 2, true);
  }
  /** The used element k: {id, len}. */
  usedElem(k: number): { id: number; len: number } {
    const o = this.toPa(this.used) - this.m.bus.ramBase + 4 + 8 * (k % this.size);
    return { id: this.m.bus.dv.getUint32(o, true), len: this.m.bus.dv.getUint32(o + 4, true) };
  }
}
