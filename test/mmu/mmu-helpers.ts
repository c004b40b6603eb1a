// Helpers for MMU tests: a fresh machine, stage-1/stage-2 register setup, and a translate() probe
// that reports either the PA or the pending abort (and clears it for the next probe).
import { Machine } from '../../src/machine.js';
import type { Cpu } from '../../src/cpu/cpu.js';
import { SYS } from '../../src/cpu/sysregs.js';
import { translate, ACC_READ, type Translation } from '../../src/mmu/translate.js';
import { TableBuilder, tg0, tg1 } from '../../src/mmu/builder.js';

export const RAM = 0x4000_0000;
/** Attr0 Normal WB RWA, Attr1 Device-nGnRnE, Attr2 Normal NC, Attr3 Device-nGnRE, Attr4 Normal WT. */
export const MAIR_LO = 0x0444_00ff;
export const MAIR_HI = 0xbb;

export function machine(): { m: Machine; cpu: Cpu } {
  const m = new Machine({ ramSize: 64 * 1024 * 1024 });
  return { m, cpu: m.cpu };
}

export interface S1Setup {
  granule?: number;
  granule1?: number;
  t0sz?: number;
  t1sz?: number;
  ips?: number;
  ttbr0?: number;
  ttbr1?: number;
  asid?: number;
  /** Extra TCR_EL1 bits [lo, hi]. */
  tcrLo?: number;
  tcrHi?: number;
  sctlr?: number;
}

/** Program TCR/TTBR/MAIR/SCTLR for the EL1&0 stage 1 (M=1, C=1, I=1 unless sctlr given). */
export function setS1(cpu: Cpu, o: S1Setup): void {
  const tcrLo =
    (o.t0sz ?? 16) | (tg0(o.granule ?? 4096) << 14) | ((o.t1sz ?? 16) << 16) | (tg1(o.granule1 ?? o.granule ?? 4096) << 30) | (o.tcrLo ?? 0);
  const tcrHi = (o.ips ?? 5) | (o.tcrHi ?? 0) | (1 << 4); // AS=1: 16-bit ASIDs
  cpu.setSys(SYS.TCR_EL1, tcrLo | 0, tcrHi);
  cpu.setSys(SYS.MAIR_EL1, MAIR_LO, MAIR_HI);
  const asid = (o.asid ?? 0) << 16;
  cpu.setSys(SYS.TTBR0_EL1, (o.ttbr0 ?? 0) % 2 ** 32 | 0, Math.floor((o.ttbr0 ?? 0) / 2 ** 32) | asid);
  cpu.setSys(SYS.TTBR1_EL1, (o.ttbr1 ?? 0) % 2 ** 32 | 0, Math.floor((o.ttbr1 ?? 0) / 2 ** 32));
  cpu.setSys(SYS.SCTLR_EL1, o.sctlr ?? (0x30d00800 | 1 | (1 << 2) | (1 << 12)), 0);
  cpu.contextChanged();
}

export function setAsid(cpu: Cpu, asid: number): void {
  cpu.setSys(SYS.TTBR0_EL1, cpu.sysLo(SYS.TTBR0_EL1), (cpu.sysHi(SYS.TTBR0_EL1) & 0xffff) | (asid << 16));
  cpu.contextChanged();
}

export interface S2Setup {
  vmid?: number;
  /** Extra HCR_EL2 bits [lo, hi] besides VM. */
  hcrLo?: number;
  hcrHi?: number;
  ps?: number;
  vm?: boolean;
}

/** Program VTCR/VTTBR/HCR for stage 2 from a builder's geometry. */
export function setS2(cpu: Cpu, b: TableBuilder, o: S2Setup = {}): void {
  const vtcr = b.txsz | (b.sl0 << 6) | (tg0(2 ** b.g) << 14) | ((o.ps ?? 4) << 16) | (1 << 19); // VS=1
  cpu.setSys(SYS.VTCR_EL2, vtcr, 0);
  cpu.setSys(SYS.VTTBR_EL2, b.root % 2 ** 32 | 0, Math.floor(b.root / 2 ** 32) | ((o.vmid ?? 1) << 16));
  cpu.setSys(SYS.HCR_EL2, ((o.vm ?? true) ? 1 : 0) | (o.hcrLo ?? 0), o.hcrHi ?? 0);
  cpu.contextChanged();
}

export interface Probe {
  pa: number;
  memType: number;
  /** Pending exception (when pa < 0). */
  ec: number;
  iss: number;
  fsc: number;
  target: number;
  far: bigint;
  ipa: number;
  s2: number;
}

const out: Translation = { pa: 0, memType: 0, cacheable: true };

/** translate() at the current (or given) EL; reports and clears any abort it raised. */
export function probe(cpu: Cpu, va: bigint, acc = ACC_READ, el?: number): Probe {
  const saved = cpu.el;
  if (el !== undefined) cpu.el = el;
  const lo = Number(va & 0xffffffffn) | 0;
  const hi = Number((va >> 32n) & 0xffffffffn) | 0;
  translate(cpu, lo, hi, acc, out);
  cpu.el = saved;
  const r: Probe = {
    pa: out.pa,
    memType: out.memType,
    ec: -1,
    iss: 0,
    fsc: -1,
    target: 0,
    far: 0n,
    ipa: 0,
    s2: 0,
  };
  if (out.pa < 0) {
    r.ec = cpu.excEC;
    r.iss = cpu.excISS;
    r.fsc = cpu.excISS & 0x3f;
    r.target = cpu.excTargetEl;
    r.far = (BigInt(cpu.excFarHi >>> 0) << 32n) | BigInt(cpu.excFarLo >>> 0);
    r.ipa = (cpu.excIpaHi >>> 0) * 2 ** 32 + (cpu.excIpaLo >>> 0);
    r.s2 = cpu.excS2;
    cpu.status = 0;
  }
  return r;
}

/** Write a 64-bit descriptor (for tests that edit tables behind the MMU's back). */
export function poke64(cpu: Cpu, pa: number, lo: number, hi: number): void {
  cpu.bus.write(pa, 4, lo >>> 0);
  cpu.bus.write(pa + 4, 4, hi >>> 0);
}
