// Memory attributes (ARM ARM B2.7, D8.5 / D8.6): MAIR decoding, stage-2 MemAttr, the stage-1
// disabled defaults (AArch64.S1DisabledOutput) and the one place where stage-1 and stage-2
// attributes are combined (S2CombineS1MemAttrs, with the HCR_EL2.CD/ID/DC overrides).
//
// Representation: an attribute is a MAIR_ELx-format byte (Attr<n>): 0b0000dd00 is Device with
// dd = nGnRnE/nGnRE/nGRE/GRE; otherwise Normal with outer cacheability in [7:4] and inner in [3:0].
// Shareability is the descriptor SH encoding (0 NSH, 2 OSH, 3 ISH). Packed results carry the
// attribute in bits [7:0] and SH in bits [9:8] so no objects are allocated on the slow path.

export const SH_NSH = 0;
export const SH_OSH = 2;
export const SH_ISH = 3;

/** Device-nGnRnE, the strongest memory type. */
export const ATTR_DEVICE_NGNRNE = 0x00;
/** Normal Inner/Outer Non-cacheable. */
export const ATTR_NORMAL_NC = 0x44;
/** Normal Inner/Outer Write-Through, Read-Allocate, no Write-Allocate (SCTLR.I=1 fetch default). */
export const ATTR_NORMAL_WT_RA = 0xaa;
/** Normal Inner/Outer Write-Back, Read/Write-Allocate (HCR_EL2.DC default). */
export const ATTR_NORMAL_WB_RWA = 0xff;

export function isDevice(attr: number): boolean {
  return (attr & 0xf0) === 0;
}

/** Cacheability class of one MAIR nibble: 0 Non-cacheable, 1 Write-Through, 2 Write-Back. */
function cacheClass(n: number): number {
  if (n === 0b0100) return 0;
  switch (n >>> 2) {
    case 0b00: // Write-Through transient (RW != 00); 0b0000 is UNPREDICTABLE: treat as NC
      return (n & 3) === 0 ? 0 : 1;
    case 0b01: // Write-Back transient (RW != 00)
      return 2;
    case 0b10:
      return 1;
    default:
      return 2;
  }
}

/** MAIR_EL1 Attr<idx> (ARM ARM D19.2.x MAIR_EL1). `lo`/`hi` are the register words. */
export function mairAttr(mairLo: number, mairHi: number, idx: number): number {
  return idx < 4 ? (mairLo >>> (8 * idx)) & 0xff : (mairHi >>> (8 * (idx - 4))) & 0xff;
}

/**
 * Stage-2 MemAttr[3:0] (ARM ARM D8.5.5, without FEAT_S2FWB) as a MAIR-format byte.
 * [3:2]=00: Device, [1:0] the device type; else outer [3:2] / inner [1:0]: 01 NC, 10 WT, 11 WB
 * (inner 00 is reserved: treated as NC). Stage 2 carries no allocation hints.
 */
export function s2MemAttr(memAttr: number): number {
  const o = (memAttr >>> 2) & 3;
  const i = memAttr & 3;
  if (o === 0) return i << 2;
  const nib = (c: number): number => (c === 3 ? 0b1100 : c === 2 ? 0b1000 : 0b0100);
  return (nib(o) << 4) | nib(i);
}

/** Effective shareability: Device and Normal Inner+Outer Non-cacheable are always Outer Shareable. */
export function effectiveSh(attr: number, sh: number): number {
  if (isDevice(attr) || attr === ATTR_NORMAL_NC) return SH_OSH;
  return sh === 1 ? SH_NSH : sh; // SH=01 is reserved: treated as Non-shareable
}

function shRank(sh: number): number {
  return sh === SH_OSH ? 2 : sh === SH_ISH ? 1 : 0;
}

/** Combine two Normal nibbles: the less cacheable wins; stage-1 allocation hints are kept. */
function combineNibble(s1: number, s2: number): number {
  const c1 = cacheClass(s1);
  const c2 = cacheClass(s2);
  if (c1 <= c2) return s1;
  if (c2 === 0) return 0b0100;
  // Stage 2 Write-Through over stage 1 Write-Back: WT with stage 1's R/W allocation hints.
  return 0b1000 | (s1 & 3);
}

/**
 * S2CombineS1MemAttrs (ARM ARM D8.5.5, "Combining the stage 1 and stage 2 attributes"):
 * Device beats Normal, the stronger Device type wins (nGnRnE strongest); for Normal, Non-cacheable
 * beats Write-Through beats Write-Back, inner and outer separately; the more shareable wins.
 * `s2Forced` applies HCR_EL2.CD (data and walks) / HCR_EL2.ID (fetches): stage 2 Normal memory is
 * treated as Non-cacheable. Returns attr | sh << 8.
 */
export function combineS1S2(s1Attr: number, s1Sh: number, s2Attr: number, s2Sh: number, s2Forced: boolean): number {
  if (s2Forced && !isDevice(s2Attr)) s2Attr = ATTR_NORMAL_NC;
  let attr: number;
  if (isDevice(s1Attr) || isDevice(s2Attr)) {
    // Device type dd: a lower value is stronger (nGnRnE = 00).
    const d1 = isDevice(s1Attr) ? (s1Attr >>> 2) & 3 : 3;
    const d2 = isDevice(s2Attr) ? (s2Attr >>> 2) & 3 : 3;
    attr = Math.min(d1, d2) << 2;
  } else {
    attr = (combineNibble(s1Attr >>> 4, s2Attr >>> 4) << 4) | combineNibble(s1Attr & 15, s2Attr & 15);
  }
  const a = effectiveSh(s1Attr, s1Sh);
  const b = effectiveSh(s2Attr, s2Sh);
  const sh = effectiveSh(attr, shRank(a) >= shRank(b) ? a : b);
  return attr | (sh << 8);
}

/**
 * Stage-1 output attributes when stage 1 is disabled (AArch64.S1DisabledOutput, ARM ARM D8.2.10):
 * with HCR_EL2.DC=1 Normal Write-Back RWA Non-shareable; else data accesses Device-nGnRnE and
 * instruction fetches Normal Outer Shareable, Write-Through if SCTLR_EL1.I else Non-cacheable.
 * Returns attr | sh << 8.
 */
export function s1DisabledAttrs(fetch: boolean, dc: boolean, sctlrI: boolean): number {
  if (dc) return ATTR_NORMAL_WB_RWA | (SH_NSH << 8);
  if (!fetch) return ATTR_DEVICE_NGNRNE | (SH_OSH << 8);
  return (sctlrI ? ATTR_NORMAL_WT_RA : ATTR_NORMAL_NC) | (SH_OSH << 8);
}

/**
 * Stage-1 enabled attributes from the descriptor's AttrIndx/SH, with SCTLR_EL1.C=0 (data) or
 * SCTLR_EL1.I=0 (fetch) making Normal memory Non-cacheable (ARM ARM D8.2.x, "behavior of caches
 * at reset / SCTLR_ELx.{C,I}"). Returns attr | sh << 8.
 */
export function s1Attrs(mairAttrByte: number, sh: number, cacheEnabled: boolean): number {
  let attr = mairAttrByte;
  if (!isDevice(attr) && !cacheEnabled) attr = ATTR_NORMAL_NC;
  return attr | (effectiveSh(attr, sh) << 8);
}

/** A readable name for an attribute byte (debugger, AT tests). */
export function describeAttr(attr: number): string {
  if (isDevice(attr)) return ['Device-nGnRnE', 'Device-nGnRE', 'Device-nGRE', 'Device-GRE'][(attr >>> 2) & 3];
  const n = (x: number): string => ['NC', 'WT', 'WB'][cacheClass(x)];
  return `Normal O:${n(attr >>> 4)} I:${n(attr & 15)}`;
}
