// Shared set-up for the GICv2 model tests.
import { Gic, type GicOptions } from '../../../src/devices/gic/gic.js';
import type { Device } from '../../../src/devices/bus.js';
import * as R from '../../../src/devices/gic/regs.js';

export interface Rig {
  g: Gic;
  /** Every onLines call, as [cpu, lines]. */
  calls: [number, number][];
  logs: string[];
  rd(dev: Device, off: number, size?: number): number;
  wr(dev: Device, off: number, value: number, size?: number): void;
}

export function rig(opts: Partial<GicOptions> = {}): Rig {
  const calls: [number, number][] = [];
  const logs: string[] = [];
  const g = new Gic({ onLines: (c, l) => calls.push([c, l]), onLog: (m) => logs.push(m), ...opts });
  return {
    g,
    calls,
    logs,
    rd: (dev, off, size = 4) => dev.read(off, size),
    wr: (dev, off, value, size = 4) => dev.write(off, size, value >>> 0),
  };
}

/** Enable both groups in the Distributor and CPU interface, PMR fully open. */
export function openCpu(r: Rig): void {
  r.wr(r.g.distributor, R.GICD_CTLR, 3);
  r.wr(r.g.cpuInterface, R.GICC_CTLR, R.GICC_CTLR_ENABLEGRP0 | R.GICC_CTLR_ENABLEGRP1);
  r.wr(r.g.cpuInterface, R.GICC_PMR, 0xff);
}

/** Enable INTID `id` with priority `prio` (byte write to GICD_IPRIORITYR). */
export function enable(r: Rig, id: number, prio = 0x80): void {
  r.wr(r.g.distributor, R.GICD_IPRIORITYR + id, prio, 1);
  r.wr(r.g.distributor, R.GICD_ISENABLER + 4 * (id >> 5), 1 << (id & 31));
}

export function setPending(r: Rig, id: number): void {
  r.wr(r.g.distributor, R.GICD_ISPENDR + 4 * (id >> 5), 1 << (id & 31));
}
