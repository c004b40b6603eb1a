// `--mmu s1:4k|16k|64k[:pages|blocks]` (and `--mmu-offset`): stage-1 tables for an unmodified
// bare-metal guest, written before its entry, so it runs with translation on (ARM ARM D8,
// VMSAv8-64). RAM is Normal Write-Back (MAIR attribute 0 = 0xFF), everything below RAM (the
// board's devices) Device-nGnRnE (attribute 1 = 0x00) and execute-never. The tables go right after
// the loaded image and the image end moves past them, so SYS_HEAPINFO's heap does not cover them.
import { UserError, hex } from '../errors.js';
import { TableBuilder, s1Leaf, s2Leaf, tg0 } from '../mmu/builder.js';
import { SYS } from '../cpu/sysregs.js';
import type { Machine } from '../machine.js';

export interface MmuSpec {
  granule: 4096 | 16384 | 65536;
  /** pages: every leaf at level 3; blocks: the largest blocks the granule allows (1G/2M, 32M, 512M). */
  mapping: 'pages' | 'blocks';
  /** VA = PA + offset for RAM (devices stay identity-mapped). */
  offset: number;
  /** RAM leaves non-global (nG=1): tagged with the ASID in TTBR0_EL1 (ASID experiments). */
  ng?: boolean;
}

/** Input address size: 48 bits, so a 4K walk has 4 levels (0..3), 16K 4 (0 has 2 entries), 64K 3. */
export const MMU_VA_BITS = 48;
/** MAIR_EL1: Attr0 Normal Inner/Outer Write-Back Read/Write-Allocate, Attr1 Device-nGnRnE. */
export const MMU_MAIR = 0x0000_00ff;

const GRANULES: Record<string, 4096 | 16384 | 65536> = { '4k': 4096, '16k': 16384, '64k': 65536 };

export function parseMmuSpec(spec: string, offset?: string): MmuSpec {
  const p = spec.toLowerCase().split(':');
  const ng = p.length > 2 && p[p.length - 1] === 'ng';
  if (ng) p.pop();
  if (p[0] !== 's1' || p.length < 2 || p.length > 3 || GRANULES[p[1]] === undefined || (p[2] !== undefined && p[2] !== 'pages' && p[2] !== 'blocks')) {
    throw new UserError(`--mmu ${spec}: expected s1:4k|16k|64k[:pages|blocks][:ng]`);
  }
  let off = 0;
  if (offset !== undefined) {
    const t = offset.trim().replace(/_/g, '');
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UserError(`--mmu-offset ${offset}: expected a number like 0x100000000`);
    off = Number(BigInt(t));
  }
  const g = GRANULES[p[1]];
  // The offset keeps RAM inside the 48-bit TTBR0 range and aligned to the largest block used.
  if (!Number.isSafeInteger(off) || off % 2 ** 30 !== 0 || off + 2 ** 31 > 2 ** MMU_VA_BITS) {
    throw new UserError(`--mmu-offset ${offset}: must be a multiple of 1G below 2^${MMU_VA_BITS} - 2G`);
  }
  return { granule: g, mapping: (p[2] ?? 'pages') as 'pages' | 'blocks', offset: off, ...(ng ? { ng: true } : {}) };
}

export interface MmuSetup {
  spec: MmuSpec;
  tableBase: number;
  tableEnd: number;
  tcr: bigint;
  mair: number;
  ttbr0: number;
}

/** Bytes the tables may need: every leaf table for the RAM plus the levels above (generous). */
function poolSize(g: number, ramSize: number): number {
  const leafTables = Math.ceil(ramSize / (g / 8) / g) + 2;
  return (leafTables + 8) * g;
}

/**
 * Build the tables and turn stage 1 on: TTBR0_EL1, TCR_EL1 (T0SZ, TG0, IRGN0/ORGN0 WB, SH0 inner,
 * IPS 44 bits = ID_AA64MMFR0_EL1.PARange, EPD1: no TTBR1 walks), MAIR_EL1, SCTLR_EL1.M/C/I.
 * Call after the image is loaded and the PE booted; the entry PC moves by the offset.
 */
export function setupGuestMmu(m: Machine, spec: MmuSpec): MmuSetup {
  const g = spec.granule;
  const ramBase = m.bus.ramBase;
  const ramEnd = ramBase + m.bus.ramSize;
  const base = Math.ceil(m.imageEnd / g) * g;
  const end = base + poolSize(g, m.bus.ramSize);
  // The heap and stack of SYS_HEAPINFO live in the top 1 MiB and above the image.
  if (end > ramEnd - 0x10_0000) throw new UserError(`--mmu: no room for translation tables between the image end ${hex(m.imageEnd)} and the stack`);
  const b = new TableBuilder(m.bus, { granule: g, inputSize: MMU_VA_BITS, poolBase: base, poolEnd: end });
  const level = spec.mapping === 'pages' ? 3 : undefined;
  // RAM: Normal WB, inner shareable, EL1 read/write, executable (AP=00).
  b.map(ramBase + spec.offset, ramBase, m.bus.ramSize, s1Leaf({ attrIndx: 0, sh: 3, ng: spec.ng === true }), level);
  // Devices: Device-nGnRnE, never executable, global. Blocks suffice there even with :pages (not measured).
  b.map(0, 0, ramBase, s1Leaf({ attrIndx: 1, sh: 0, pxn: true, uxn: true }));
  m.noteLoaded(end);
  const t0sz = 64 - MMU_VA_BITS;
  // TCR_EL1 (D13.2.131): T0SZ[5:0], IRGN0[9:8]=1, ORGN0[11:10]=1, SH0[13:12]=3, TG0[15:14], EPD1[23], IPS[34:32]=4.
  const tcrLo = t0sz | (1 << 8) | (1 << 10) | (3 << 12) | (tg0(g) << 14) | (1 << 23);
  const tcrHi = 4;
  const cpu = m.cpu;
  cpu.setSys(SYS.MAIR_EL1, MMU_MAIR, 0);
  cpu.setSys(SYS.TCR_EL1, tcrLo, tcrHi);
  cpu.setSys(SYS.TTBR0_EL1, b.root % 2 ** 32 | 0, Math.floor(b.root / 2 ** 32));
  // SCTLR_EL1.M (bit 0), C (bit 2), I (bit 12).
  cpu.setSys(SYS.SCTLR_EL1, cpu.sysLo(SYS.SCTLR_EL1) | 1 | 4 | (1 << 12), cpu.sysHi(SYS.SCTLR_EL1));
  cpu.contextChanged();
  if (spec.offset !== 0) cpu.pc = cpu.pc + BigInt(spec.offset);
  return { spec, tableBase: base, tableEnd: end, tcr: (BigInt(tcrHi) << 32n) | BigInt(tcrLo >>> 0), mair: MMU_MAIR, ttbr0: b.root };
}

// ---- an identity stage 2 under a bare-metal guest (`--s2` on a plain run) ----

export interface S2Spec {
  granule: 4096 | 16384 | 65536;
  /** pages: every leaf at level 3; blocks: the largest blocks (1G/2M with 4K, 32M with 16K, 512M with 64K). */
  mapping: 'pages' | 'blocks';
}

/** IPA size of the identity stage 2: 40 bits, as the hypervisor's VMs (src/hyp/vm.ts). */
export const S2_IPA_BITS = 40;
/** VMID of the identity stage 2 (not 0, so entries are visibly tagged). */
export const S2_VMID = 1;

export function parseS2Spec(spec: string): S2Spec {
  const p = spec.toLowerCase().split(':');
  if (p.length > 2 || GRANULES[p[0]] === undefined || (p[1] !== undefined && p[1] !== 'pages' && p[1] !== 'blocks')) {
    throw new UserError(`--s2 ${spec}: expected 4k|16k|64k[:pages|blocks]`);
  }
  return { granule: GRANULES[p[0]], mapping: (p[1] ?? 'blocks') as 'pages' | 'blocks' };
}

/**
 * --s2 under --hyp: the VMs' stage 2 is the hypervisor's (src/hyp/vm.ts), 4K granule only (the
 * pages it assigns to devices are 4K); `pages` maps eager RAM with level-3 pages instead of 2M
 * blocks. Lazy RAM is always mapped by 4K pages on first touch. Returns s2Pages.
 */
export function parseHypS2(spec: string | undefined, ramPolicy: string | undefined): boolean | undefined {
  if (spec === undefined) return undefined;
  const s = parseS2Spec(spec);
  if (s.granule !== 4096) throw new UserError(`--s2 ${spec}: with --hyp only the 4k granule (the hypervisor assigns 4K device pages)`);
  if (ramPolicy === 'lazy' && s.mapping === 'blocks') throw new UserError(`--s2 ${spec}: --hyp-ram lazy maps 4K pages on first touch (use 4k:pages)`);
  return s.mapping === 'pages';
}

export interface S2Setup {
  spec: S2Spec;
  tableBase: number;
  tableEnd: number;
  vtcr: number;
  vmid: number;
}

/**
 * Translate the guest's IPAs by an identity stage 2 (the EL2 firmware plays a hypervisor that maps
 * everything): RAM Normal Write-Back (MemAttr 0b1111), devices Device-nGnRnE (MemAttr 0b0000, XN),
 * VTCR_EL2 from the tables, VTTBR_EL2 with VMID 1, HCR_EL2.VM=1 (ARM ARM D8.4, D13.2.46).
 * Every stage-1 descriptor read is then translated by stage 2 too: nested walks.
 */
export function setupIdentityS2(m: Machine, spec: S2Spec): S2Setup {
  const g = spec.granule;
  const ramBase = m.bus.ramBase;
  const ramEnd = ramBase + m.bus.ramSize;
  const base = Math.ceil(m.imageEnd / g) * g;
  const end = base + poolSize(g, m.bus.ramSize) + 16 * g;
  if (end > ramEnd - 0x10_0000) throw new UserError(`--s2: no room for stage-2 tables between the image end ${hex(m.imageEnd)} and the stack`);
  // 4K: start at level 1 with two concatenated tables (VTCR_EL2.SL0=1, D8.2.7), 3 reads per walk as
  // KVM arranges a 40-bit IPA space; 16K (level 1) and 64K (level 2) need no concatenation.
  const b = new TableBuilder(m.bus, { granule: g, inputSize: S2_IPA_BITS, poolBase: base, poolEnd: end, startLevel: g === 4096 ? 1 : undefined });
  b.map(ramBase, ramBase, m.bus.ramSize, s2Leaf({ memAttr: 0xf }), spec.mapping === 'pages' ? 3 : undefined);
  b.map(0, 0, ramBase, s2Leaf({ memAttr: 0, sh: 0, xn: true }));
  m.noteLoaded(end);
  const cpu = m.cpu;
  const vtcr = b.vtcr();
  cpu.setSys(SYS.VTCR_EL2, vtcr, 0);
  const [lo, hi] = b.vttbr(S2_VMID);
  cpu.setSys(SYS.VTTBR_EL2, lo, hi);
  cpu.setSys(SYS.HCR_EL2, cpu.sysLo(SYS.HCR_EL2) | 1, cpu.sysHi(SYS.HCR_EL2));
  cpu.contextChanged();
  return { spec, tableBase: base, tableEnd: end, vtcr, vmid: S2_VMID };
}
