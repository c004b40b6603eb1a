// Run guests/tlb/tlb-touch.S in-process with TLB lab options and return its regions.
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine.js';
import { loadImage, bootLoaded } from '../../src/loader/index.js';
import { TlbLab, type LabOptions } from '../../src/stats/lab.js';
import type { StatsSample } from '../../src/stats/roi.js';

export const TOUCH = fileURLToPath(new URL('../../guests/tlb/tlb-touch.S', import.meta.url));
export const ASID = fileURLToPath(new URL('../../guests/tlb/tlb-asid.S', import.meta.url));

export interface TouchResult {
  m: Machine;
  lab: TlbLab;
  roi: StatsSample;
  exitCode: number;
}

/** Run tlb-touch with --cmdline `cmdline` and the lab options; `roi` is its region 1. */
export async function runTouch(cmdline: string, o: LabOptions = {}, ramSize = 64 * 1024 * 1024, guest = TOUCH, region = 1): Promise<TouchResult> {
  const m = new Machine({ ramSize, cmdline });
  const lab = await TlbLab.create(m, o);
  const img = await loadImage(m, guest, {});
  bootLoaded(m, img);
  lab.boot();
  let r = m.run(50_000_000);
  lab.roi.settle();
  while (r.reason === 'limit' && m.cpu.instret < 50_000_000) {
    r = m.run(50_000_000 - m.cpu.instret);
    lab.roi.settle();
  }
  if (r.reason !== 'exit') throw new Error(`tlb-touch stopped: ${r.reason} ${r.message ?? ''}`);
  const roi = lab.roi.regions.find((s) => s.label === `roi ${region}`);
  if (roi === undefined) throw new Error('tlb-touch dumped no region');
  return { m, lab, roi, exitCode: r.exitCode };
}

type Lvl = { lookups: number; hits: number; misses: number };
export function tlbOf(s: StatsSample): {
  l1d: Lvl;
  l1i: Lvl;
  l2: Lvl;
  ipa: Lvl;
  walks: { s1Walks: number; s2Walks: number; s1DescReads: number; s2DescReads: number };
} {
  return s.tlb as never;
}
