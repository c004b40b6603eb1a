// Shared setup for the SMMU tests: a small RAM, an SMMU with its queues and a linear stream
// table programmed as a driver would, and builders for STEs, CDs and commands.
import { Bus } from '../../src/devices/bus.js';
import { Smmu, type SmmuIrqLine, type SmmuOptions } from '../../src/smmu/smmu.js';
import * as R from '../../src/smmu/regs.js';
import { decodeEvent } from '../../src/smmu/events.js';
import { TableBuilder } from '../../src/mmu/builder.js';

export const RAM = 0x4000_0000;
export const STRTAB = RAM + 0x10_0000;
export const CMDQ = RAM + 0x20_0000;
export const EVTQ = RAM + 0x21_0000;
export const CDS = RAM + 0x30_0000;
export const POOL = RAM + 0x40_0000;

export interface Rig {
  bus: Bus;
  smmu: Smmu;
  irqs: SmmuIrqLine[];
  cycles: { n: number };
  writes: [number, number][];
  unimpl: string[];
}

export function w64(s: Smmu, off: number, v: number): void {
  s.write(off, 4, v % 2 ** 32 >>> 0);
  s.write(off + 4, 4, Math.floor(v / 2 ** 32) >>> 0);
}
export function r64(s: Smmu, off: number): number {
  return s.read(off + 4, 4) * 2 ** 32 + s.read(off, 4);
}

/** An SMMU with queues (CMDQ 2^cmdLog2, EVTQ 2^evtLog2), a linear stream table, enabled. */
export function rig(o: { cmdLog2?: number; evtLog2?: number; enable?: boolean; opts?: SmmuOptions; sidLog2?: number } = {}): Rig {
  const bus = new Bus(RAM, 16 * 1024 * 1024);
  const irqs: SmmuIrqLine[] = [];
  const cycles = { n: 0 };
  const writes: [number, number][] = [];
  const unimpl: string[] = [];
  const smmu = new Smmu(bus, {
    onIrq: (line, level) => {
      if (level) irqs.push(line);
    },
    charge: (c) => (cycles.n += c),
    onMemWrite: (pa, len) => writes.push([pa, len]),
    onUnimplemented: (m) => unimpl.push(m),
    ...o.opts,
  });
  w64(smmu, R.STRTAB_BASE, STRTAB);
  smmu.write(R.STRTAB_BASE_CFG, 4, o.sidLog2 ?? 8);
  w64(smmu, R.CMDQ_BASE, CMDQ | (o.cmdLog2 ?? 4));
  w64(smmu, R.EVENTQ_BASE, EVTQ | (o.evtLog2 ?? 4));
  smmu.write(R.CR2, 4, 2); // RECINVSID
  smmu.write(R.IRQ_CTRL, 4, R.IRQ_GERROR | R.IRQ_EVENTQ);
  if (o.enable ?? true) smmu.write(R.CR0, 4, R.CR0_SMMUEN | R.CR0_CMDQEN | R.CR0_EVENTQEN);
  return { bus, smmu, irqs, cycles, writes, unimpl };
}

export function wr64(bus: Bus, pa: number, v: number): void {
  bus.write(pa, 4, v % 2 ** 32 >>> 0);
  bus.write(pa + 4, 4, Math.floor(v / 2 ** 32) >>> 0);
}

export interface S2Fields {
  t0sz?: number;
  sl0?: number;
  tg?: number;
  ps?: number;
  ttb: number;
  vmid?: number;
  aa64?: boolean;
  endi?: boolean;
  affd?: boolean;
  ptw?: boolean;
  s?: boolean;
  r?: boolean;
}

/** STE words (16) from fields; defaults: V=1, S2AA64=1, S2R=1. */
export function steWords(o: { v?: boolean; config: number; cdPtr?: number; cdMax?: number; strw?: number; privcfg?: number; instcfg?: number; s2?: S2Fields }): number[] {
  const w = new Array<number>(16).fill(0);
  const cd = o.cdPtr ?? 0;
  w[0] = ((o.v ?? true) ? 1 : 0) | (o.config << 1) | (cd % 2 ** 32 & ~63);
  w[1] = (Math.floor(cd / 2 ** 32) & 0xfffff) | ((o.cdMax ?? 0) << 27);
  w[2] = (o.strw ?? 0) << 30;
  w[3] = ((o.privcfg ?? 0) << 16) | ((o.instcfg ?? 0) << 18);
  if (o.s2) {
    const s = o.s2;
    w[4] = s.vmid ?? 0;
    w[5] =
      (s.t0sz ?? 24) |
      ((s.sl0 ?? 1) << 6) |
      ((s.tg ?? 0) << 14) |
      ((s.ps ?? 4) << 16) |
      ((s.aa64 ?? true) ? 1 << 19 : 0) |
      (s.endi ? 1 << 20 : 0) |
      (s.affd ? 1 << 21 : 0) |
      (s.ptw ? 1 << 22 : 0) |
      (s.s ? 1 << 25 : 0) |
      ((s.r ?? true) ? 1 << 26 : 0);
    w[6] = s.ttb % 2 ** 32 & ~15;
    w[7] = Math.floor(s.ttb / 2 ** 32);
  }
  return w;
}

export function writeWords(bus: Bus, pa: number, w: number[]): void {
  for (let k = 0; k < w.length; k++) bus.write(pa + 4 * k, 4, w[k] >>> 0);
}

export function writeSte(r: Rig, sid: number, o: Parameters<typeof steWords>[0]): void {
  writeWords(r.bus, STRTAB + sid * 64, steWords(o));
}

export interface CdFields {
  v?: boolean;
  t0sz?: number;
  tg0?: number;
  epd0?: boolean;
  t1sz?: number;
  tg1?: number;
  epd1?: boolean;
  endi?: boolean;
  ips?: number;
  affd?: boolean;
  wxn?: boolean;
  tbi?: number;
  aa64?: boolean;
  s?: boolean;
  r?: boolean;
  asid?: number;
  ttb0?: number;
  ttb1?: number;
  mair?: number;
}

export function cdWords(o: CdFields): number[] {
  const w = new Array<number>(16).fill(0);
  w[0] =
    (o.t0sz ?? 25) |
    ((o.tg0 ?? 0) << 6) |
    (o.epd0 ? 1 << 14 : 0) |
    (o.endi ? 1 << 15 : 0) |
    ((o.t1sz ?? 25) << 16) |
    ((o.tg1 ?? 2) << 22) |
    ((o.epd1 ?? true) ? 1 << 30 : 0) |
    ((o.v ?? true) ? 1 << 31 : 0);
  w[1] =
    (o.ips ?? 4) |
    (o.affd ? 1 << 3 : 0) |
    (o.wxn ? 1 << 4 : 0) |
    ((o.tbi ?? 0) << 6) |
    ((o.aa64 ?? true) ? 1 << 9 : 0) |
    (o.s ? 1 << 12 : 0) |
    ((o.r ?? true) ? 1 << 13 : 0) |
    ((o.asid ?? 0) << 16);
  const t0 = o.ttb0 ?? 0;
  const t1 = o.ttb1 ?? 0;
  w[2] = t0 % 2 ** 32 & ~15;
  w[3] = Math.floor(t0 / 2 ** 32);
  w[4] = t1 % 2 ** 32 & ~15;
  w[5] = Math.floor(t1 / 2 ** 32);
  w[6] = (o.mair ?? 0xff) | 0;
  return w;
}

/** Append commands (each 4 words) to the command queue and move CMDQ_PROD once. */
export function cmds(r: Rig, ...list: number[][]): void {
  let prod = r.smmu.read(R.CMDQ_PROD, 4);
  const log2 = r.smmu.cmdq.log2;
  for (const c of list) {
    const idx = prod & ((1 << log2) - 1);
    writeWords(r.bus, r.smmu.cmdq.base + idx * 16, [c[0] ?? 0, c[1] ?? 0, c[2] ?? 0, c[3] ?? 0]);
    prod = ((prod & ((2 << log2) - 1)) + 1) & ((2 << log2) - 1);
  }
  r.smmu.write(R.CMDQ_PROD, 4, prod);
}

export const SYNC = [0x46, 0, 0, 0];

/** Read and consume every event record (CONS moved to PROD). */
export function drainEvents(r: Rig): ReturnType<typeof decodeEvent>[] {
  const s = r.smmu;
  const out: ReturnType<typeof decodeEvent>[] = [];
  const q = s.eventq;
  let cons = s.read(R.EVENTQ_CONS, 4);
  const prod = s.read(R.EVENTQ_PROD, 4);
  const m = q.ptrMask;
  let guard = 0;
  while ((cons & m) !== (prod & m) && guard++ < 1024) {
    const a = q.entryAddr(cons);
    const w: number[] = [];
    for (let k = 0; k < 8; k++) w.push(r.bus.read(a + 4 * k, 4) | 0);
    out.push(decodeEvent(w));
    cons = (cons & (1 << 31)) | (((cons & m) + 1) & m);
  }
  s.write(R.EVENTQ_CONS, 4, cons);
  return out;
}

/** A stage-2 table builder (4K, 40-bit IPA, start level 1) in the pool, identity-free. */
export function s2Builder(r: Rig, poolOff = 0): TableBuilder {
  return new TableBuilder(r.bus, { inputSize: 40, poolBase: POOL + poolOff, poolEnd: POOL + poolOff + 0x10_0000, startLevel: 1 });
}
/** A stage-1 table builder (4K, 39-bit VA: T0SZ 25, start level 1). */
export function s1Builder(r: Rig, poolOff = 0x10_0000): TableBuilder {
  return new TableBuilder(r.bus, { inputSize: 39, poolBase: POOL + poolOff, poolEnd: POOL + poolOff + 0x10_0000 });
}
