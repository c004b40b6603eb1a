// The debugger's `smmu` command: the SMMUv3's architectural state as software sees it (IHI 0070),
// whoever programmed it (Linux's arm-smmu-v3 driver on the board, or the hypervisor's driver in
// src/hyp/iommu.ts): the registers (CR0, STRTAB_BASE/_CFG, the queues' bases and indices), the
// Stream table walked in memory (linear or two-level), an STE or CD decoded field by field, and
// the event queue's records. Reads go to the register frame (reads have no side effects) and to
// RAM; nothing is written and the model's caches are not touched.
import type { Bus, Device } from '../devices/bus.js';
import { decodeEvent, formatEvent, STE_CONFIG } from '../hyp/iommu.js';
import { RG_S1, RG_S2, P_S2R, P_S2W, type Tlb, type TlbArray } from '../mmu/tlb.js';

export const PA_SMMU = 0x0905_0000;

/** One-line errors of the view. */
export class SmmuViewError extends Error {}

const hex = (v: number): string => '0x' + v.toString(16);
const CONFIG_NAMES: Record<number, string> = {
  [STE_CONFIG.ABORT]: 'abort',
  [STE_CONFIG.BYPASS]: 'bypass',
  [STE_CONFIG.S1]: 'stage 1 only',
  [STE_CONFIG.S2]: 'stage 2 only',
  [STE_CONFIG.NESTED]: 'nested (stage 1 + stage 2)',
};
const TG_S2 = ['4K', '64K', '16K', 'reserved'];
const TG1 = ['reserved', '16K', '4K', '64K'];
const PS_BITS = [32, 36, 40, 42, 44, 48, 52, 56];
/** Most STEs listed by the summary. */
const LIST_MAX = 64;

/** Bits [lo + width - 1 : lo] of dword `dword` of a structure given as little-endian words. */
function field(words: number[], dword: number, lo: number, width: number): number {
  const w0 = words[2 * dword] >>> 0;
  const w1 = words[2 * dword + 1] >>> 0;
  const mask = (v: number, n: number): number => (n >= 32 ? v >>> 0 : (v & ((1 << n) - 1)) >>> 0);
  if (lo >= 32) return mask(w1 >>> (lo - 32), width);
  if (lo + width <= 32) return mask(w0 >>> lo, width);
  // Straddles the two words: the low part from w0, the rest from w1 (exact: width < 32).
  const nLo = 32 - lo;
  return (w0 >>> lo) + mask(w1, width - nLo) * 2 ** nLo;
}
/** An address field [51:shift] of a dword, as a number. */
function addrField(words: number[], dword: number, shift: number): number {
  const lo = (words[2 * dword] >>> 0) - ((words[2 * dword] >>> 0) % 2 ** shift);
  return (words[2 * dword + 1] & 0xfffff) * 2 ** 32 + lo;
}

export class SmmuView {
  readonly dev: Device;
  constructor(
    private readonly bus: Bus,
    readonly base = PA_SMMU,
  ) {
    const r = bus.region(base);
    if (r === undefined || r.base !== base) throw new SmmuViewError('no SMMU on this machine (board: run --iommu smmuv3; hypervisor: a DMA stream assigned with "assignDma")');
    this.dev = r.dev;
  }

  private reg(off: number): number {
    return this.dev.read(off, 4) >>> 0;
  }
  private reg64(off: number): number {
    return (this.reg(off + 4) & 0xfffff) * 2 ** 32 + this.reg(off);
  }
  private words(pa: number, n: number): number[] | null {
    if (this.bus.ramOffset(pa) < 0 || this.bus.ramOffset(pa + 4 * n - 1) < 0) return null;
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(this.bus.read(pa + 4 * k, 4) | 0);
    return out;
  }

  /** STRTAB_BASE_CFG and STRTAB_BASE, decoded (6.3.24, 6.3.25). */
  private strtab(): { base: number; log2size: number; fmt: number; split: number } {
    const cfg = this.reg(0x88);
    return { base: this.reg64(0x80) - (this.reg64(0x80) % 64), log2size: cfg & 0x3f, fmt: (cfg >>> 16) & 3, split: (cfg >>> 6) & 0x1f };
  }

  /** The STE's PA for a StreamID (linear, or through the L1STD of a two-level table), or an error. */
  steAddr(sid: number): number {
    const t = this.strtab();
    if (!Number.isInteger(sid) || sid < 0 || sid >= 2 ** t.log2size) throw new SmmuViewError(`StreamID ${sid} is outside the stream table (STRTAB_BASE_CFG.LOG2SIZE ${t.log2size}: 0..${2 ** t.log2size - 1})`);
    if (t.fmt === 0) return t.base + sid * 64;
    // Two-level (5.1): L1STD[sid >> SPLIT] = L2Ptr [51:6], Span [4:0].
    const l1 = this.words(t.base + Math.floor(sid / 2 ** t.split) * 8, 2);
    if (l1 === null) throw new SmmuViewError(`the L1 stream table descriptor of StreamID ${sid} is not in RAM`);
    const span = l1[0] & 0x1f;
    const idx = sid % 2 ** t.split;
    if (span === 0 || span > 12 || idx >= 2 ** (span - 1)) throw new SmmuViewError(`StreamID ${sid}: its L1STD has Span ${span} (no STE for it)`);
    return addrField(l1, 0, 6) + idx * 64;
  }

  /** Registers and the Stream table's valid STEs (all but V=1 abort ones, which are counted). */
  summary(): string {
    const cr0 = this.reg(0x20);
    const t = this.strtab();
    const on = (b: number, name: string): string => `${name}=${(cr0 >>> b) & 1}`;
    const q = (baseOff: number, prodOff: number, consOff: number): string => {
      const b = this.reg64(baseOff);
      const log2 = this.reg(baseOff) & 0x1f;
      const prod = this.reg(prodOff);
      const cons = this.reg(consOff);
      const ix = (v: number): string => `${v & (2 ** log2 - 1)}${(v >>> log2) & 1 ? ' (wrap)' : ''}`;
      return `base ${hex(b - (b % 32))}, ${2 ** log2} entries, PROD ${ix(prod)}, CONS ${ix(cons)}${(cons >>> 24) & 0x7f ? `, ERR ${(cons >>> 24) & 0x7f}` : ''}`;
    };
    const lines = [
      `SMMUv3 at ${hex(this.base)}: CR0 ${hex(cr0)} (${on(0, 'SMMUEN')} ${on(3, 'CMDQEN')} ${on(2, 'EVENTQEN')}), GBPA ${hex(this.reg(0x44))}${(this.reg(0x44) >>> 20) & 1 ? ' (ABORT)' : ''}, GERROR ${hex(this.reg(0x60))} GERRORN ${hex(this.reg(0x64))}`,
      `stream table: ${hex(t.base)}, ${t.fmt === 0 ? 'linear' : `2-level (SPLIT ${t.split})`}, LOG2SIZE ${t.log2size} (${2 ** t.log2size} StreamIDs)`,
      `command queue: ${q(0x90, 0x98, 0x9c)}`,
      `event queue:   ${q(0xa0, 0x100a8, 0x100ac)}`,
    ];
    if ((cr0 & 1) === 0) lines.push('SMMUEN=0: every transaction follows GBPA (no STE is used)');
    let aborts = 0;
    let invalid = 0;
    let listed = 0;
    const classify = (sid: number, a: number): void => {
      const w = this.words(a, 16);
      if (w === null || (w[0] & 1) === 0) invalid++;
      else if (((w[0] >>> 1) & 7) === STE_CONFIG.ABORT) aborts++;
      else if (listed++ < LIST_MAX) lines.push(`  ${this.steLine(sid, w)}`);
    };
    const total = Math.min(2 ** t.log2size, 1 << 16);
    if (t.fmt === 0) for (let sid = 0; sid < total; sid++) classify(sid, t.base + sid * 64);
    else {
      // Two-level (5.1): one L1STD per 2^SPLIT StreamIDs; Span 0 (or reserved) covers none.
      const per = 2 ** t.split;
      for (let i = 0; i * per < total; i++) {
        const l1 = this.words(t.base + i * 8, 2);
        const span = l1 === null ? 0 : l1[0] & 0x1f;
        const n = span === 0 || span > 12 ? 0 : Math.min(per, 2 ** (span - 1), total - i * per);
        invalid += Math.min(per, total - i * per) - n;
        for (let j = 0; j < n; j++) classify(i * per + j, addrField(l1!, 0, 6) + j * 64);
      }
    }
    if (listed > LIST_MAX) lines.push(`  ... ${listed - LIST_MAX} more`);
    lines.push(`${listed} STE(s) translating or bypassing, ${aborts} abort, ${invalid} invalid (V=0 or unreachable)`);
    return lines.join('\n');
  }

  private steLine(sid: number, w: number[]): string {
    const config = (w[0] >>> 1) & 7;
    const parts = [`StreamID ${sid}: ${CONFIG_NAMES[config] ?? `Config ${config} (reserved)`}`];
    if (config & 2) parts.push(`S2VMID ${field(w, 2, 0, 16)} S2TTB ${hex(addrField(w, 3, 4))}`);
    if ((config & 5) === 5) parts.push(`S1ContextPtr ${hex(addrField(w, 0, 6))}`);
    return parts.join(', ');
  }

  /** `smmu ste SID`: every field of the STE (IHI 0070 5.2). */
  ste(sid: number): string {
    const a = this.steAddr(sid);
    const w = this.words(a, 16);
    if (w === null) throw new SmmuViewError(`the STE of StreamID ${sid} (${hex(a)}) is not in RAM`);
    const f = (d: number, lo: number, width: number): number => field(w, d, lo, width);
    const config = f(0, 1, 3);
    const lines = [
      `STE of StreamID ${sid} at PA ${hex(a)}:`,
      `  dwords: ${[0, 1, 2, 3, 4, 5, 6, 7].map((d) => hex((w[2 * d + 1] >>> 0) * 2 ** 32 + (w[2 * d] >>> 0))).join(' ')}`,
      `  V ${f(0, 0, 1)}, Config ${config.toString(2).padStart(3, '0')} (${CONFIG_NAMES[config] ?? 'reserved'})`,
      `  S1Fmt ${f(0, 4, 2)}, S1ContextPtr ${hex(addrField(w, 0, 6))}, S1CDMax ${f(0, 59, 5)}, S1DSS ${f(1, 0, 2)}, S1CIR ${f(1, 2, 2)} S1COR ${f(1, 4, 2)} S1CSH ${f(1, 6, 2)}`,
      `  EATS ${f(1, 28, 2)}, STRW ${f(1, 30, 2)}, SHCFG ${f(1, 44, 2)}, NSCFG ${f(1, 46, 2)}, PRIVCFG ${f(1, 48, 2)}, INSTCFG ${f(1, 50, 2)}`,
      `  S2VMID ${f(2, 0, 16)}, S2T0SZ ${f(2, 32, 6)} (${64 - f(2, 32, 6)}-bit IPA), S2SL0 ${f(2, 38, 2)}, S2IR0 ${f(2, 40, 2)} S2OR0 ${f(2, 42, 2)} S2SH0 ${f(2, 44, 2)}, S2TG ${TG_S2[f(2, 46, 2)]}, S2PS ${PS_BITS[f(2, 48, 3)]} bits`,
      `  S2AA64 ${f(2, 51, 1)}, S2ENDI ${f(2, 52, 1)}, S2AFFD ${f(2, 53, 1)}, S2PTW ${f(2, 54, 1)}, S2S ${f(2, 57, 1)}, S2R ${f(2, 58, 1)}, S2TTB ${hex(addrField(w, 3, 4))}`,
    ];
    return lines.join('\n');
  }

  /** `smmu cd SID [SSID]`: the context descriptor the STE points at (5.4), for stage-1 configs. */
  cd(sid: number, ssid = 0, ipaToPa?: (ipa: number) => number): string {
    const a = this.steAddr(sid);
    const s = this.words(a, 16);
    if (s === null) throw new SmmuViewError(`the STE of StreamID ${sid} is not in RAM`);
    const config = (s[0] >>> 1) & 7;
    if ((s[0] & 1) === 0 || (config & 5) !== 5) throw new SmmuViewError(`StreamID ${sid} has no context descriptor (STE ${CONFIG_NAMES[config] ?? 'reserved'}${(s[0] & 1) === 0 ? ', V=0' : ''})`);
    const fmt = field(s, 0, 4, 2);
    const cdMax = field(s, 0, 59, 5);
    if (ssid >= 2 ** cdMax && !(ssid === 0 && cdMax === 0)) throw new SmmuViewError(`SubstreamID ${ssid} is beyond S1CDMax ${cdMax}`);
    if (fmt !== 0) throw new SmmuViewError(`S1Fmt ${fmt} (two-level CD tables) is not decoded by this view`);
    let ptr = addrField(s, 0, 6) + ssid * 64;
    let via = '';
    if (config === STE_CONFIG.NESTED) {
      // Nested: S1ContextPtr is an IPA, translated by the STE's stage 2 (5.2).
      if (ipaToPa === undefined) throw new SmmuViewError('nested STE: S1ContextPtr is an IPA and no stage-2 walk is available');
      const pa = ipaToPa(ptr);
      if (pa < 0) throw new SmmuViewError(`nested STE: S1ContextPtr IPA ${hex(ptr)} does not translate through stage 2`);
      via = ` (IPA ${hex(ptr)})`;
      ptr = pa;
    }
    const w = this.words(ptr, 16);
    if (w === null) throw new SmmuViewError(`the CD at ${hex(ptr)} is not in RAM`);
    const f = (d: number, lo: number, width: number): number => field(w, d, lo, width);
    return [
      `CD of StreamID ${sid} SubstreamID ${ssid} at PA ${hex(ptr)}${via}:`,
      `  dwords: ${[0, 1, 2, 3].map((d) => hex((w[2 * d + 1] >>> 0) * 2 ** 32 + (w[2 * d] >>> 0))).join(' ')}`,
      `  V ${f(0, 31, 1)}, AA64 ${f(0, 41, 1)}, ASID ${f(0, 48, 16)}, IPS ${PS_BITS[f(0, 32, 3)]} bits, AFFD ${f(0, 35, 1)}, WXN ${f(0, 36, 1)}, TBI0 ${f(0, 38, 1)} TBI1 ${f(0, 39, 1)}, PAN ${f(0, 40, 1)}, R ${f(0, 45, 1)} A ${f(0, 46, 1)} S ${f(0, 44, 1)}`,
      `  TTB0 ${hex(addrField(w, 1, 4))}: T0SZ ${f(0, 0, 6)} (${64 - f(0, 0, 6)}-bit VA), TG0 ${TG_S2[f(0, 6, 2)]}, IR0 ${f(0, 8, 2)} OR0 ${f(0, 10, 2)} SH0 ${f(0, 12, 2)}, EPD0 ${f(0, 14, 1)}`,
      `  TTB1 ${hex(addrField(w, 2, 4))}: T1SZ ${f(0, 16, 6)}, TG1 ${TG1[f(0, 22, 2)]}, IR1 ${f(0, 24, 2)} OR1 ${f(0, 26, 2)} SH1 ${f(0, 28, 2)}, EPD1 ${f(0, 30, 1)}`,
      `  MAIR ${hex((w[7] >>> 0) * 2 ** 32 + (w[6] >>> 0))}`,
    ].join('\n');
  }

  /**
   * `smmu events`: the event queue's records in memory, the newest `max` before EVENTQ_PROD,
   * each marked pending (not yet consumed: at or after EVENTQ_CONS) or consumed.
   */
  events(max = 16): string {
    const baseReg = this.reg64(0xa0);
    const log2 = this.reg(0xa0) & 0x1f;
    const base = baseReg - (baseReg % 32);
    const n = 2 ** log2;
    const prod = this.reg(0x100a8);
    const cons = this.reg(0x100ac);
    const mask = (n << 1) - 1;
    const p = prod & mask;
    const c = cons & mask;
    const pending = (p - c + 2 * n) % (2 * n);
    const out: string[] = [];
    for (let k = 1; k <= Math.min(n, max); k++) {
      const slot = (p - k + 2 * n) % (2 * n);
      const w = this.words(base + (slot & (n - 1)) * 32, 8);
      if (w === null || (w[0] & 0xff) === 0) break;
      const e = decodeEvent(w);
      out.unshift(`  [${slot & (n - 1)}] ${formatEvent(e)}${k <= pending ? ' (pending)' : ''}`);
    }
    const head = `event queue at ${hex(base)}: ${n} entries, PROD ${p & (n - 1)}, CONS ${c & (n - 1)}, ${pending} pending${(prod >>> 31) !== (cons >>> 31) ? ', OVERFLOWED' : ''}`;
    return [head, ...(out.length > 0 ? out : ['  (no records)'])].join('\n');
  }
}

/**
 * `smmu iotlb`: the SMMU's translation caches (src/smmu/iotlb.ts: the IOTLB, the IPA cache of
 * stage-2 translations, the stage-1 walk cache), one valid entry per line, optionally one VMID's.
 */
export function iotlbLines(tlb: Tlb, vmid?: number): string {
  const out: string[] = [];
  const rows: [string, TlbArray][] = [
    ['IOTLB', tlb.l2],
    ['IPA cache', tlb.ipa],
    ['walk cache', tlb.walk],
  ];
  for (const [name, a] of rows) {
    for (let e = 0; e < a.n; e++) {
      if (!a.valid[e] || (vmid !== undefined && a.vmid[e] !== vmid)) continue;
      const input = (a.inHi[e] >>> 0) * 2 ** 32 + (a.inLo[e] >>> 0);
      const tag = `VMID ${a.vmid[e]} ${a.global[e] ? 'global' : `ASID ${a.asid[e]}`}`;
      const r = a.regime[e];
      const stages = a === tlb.l2 ? ` (${r & RG_S1 ? 'S1' : ''}${(r & RG_S1) && (r & RG_S2) ? '+' : ''}${r & RG_S2 ? 'S2' : ''})` : '';
      const p = a.perms[e];
      const perms = a !== tlb.walk ? `, S2AP ${p & P_S2R ? 'r' : '-'}${p & P_S2W ? 'w' : '-'}` : '';
      out.push(`${name.padEnd(10)} ${hex(input)} +${hex(2 ** a.shift[e])} -> ${hex(a.pa[e])}  ${tag}${stages}${perms}`);
    }
  }
  out.push(`${out.length} entries${vmid !== undefined ? ` for VMID ${vmid}` : ''}`);
  return out.join('\n');
}
