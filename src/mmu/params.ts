// Walk parameters as pure functions of register (or descriptor) field values, shared by every
// requester of the walker: the PE (TCR_EL1/TTBRn_EL1, VTCR_EL2/VTTBR_EL2) and the SMMU (CD and STE
// fields, IHI 0070 5.2/5.4, which carry the same fields in other bit positions).
// Pseudocode: AArch64.GetS1TTWParams, AArch64.GetS2TTWParams, AArch64.S2InvalidSL,
// AArch64.S2InconsistentSL, AArch64.S1ComputePermissions (EL1&0, no PAN).
import { S1Params, S2Params, PA_BITS, POW2, alignDown, levelShift, outputBits } from './walk.js';
import { P_R1, P_W1, P_X1, P_R0, P_W0, P_X0 } from './tlb.js';

/** Granule shift from a TCR_EL1.TG0 / VTCR_EL2.TG0 / CD.TG0 / STE.S2TG value: 00 4K, 01 64K, 10 16K. */
export function granuleTg0(tg: number): number {
  return tg === 1 ? 16 : tg === 2 ? 14 : 12;
}
/** Granule shift from a TCR_EL1.TG1 / CD.TG1 value: 01 16K, 10 4K, 11 64K. */
export function granuleTg1(tg: number): number {
  return tg === 1 ? 14 : tg === 3 ? 16 : 12;
}

/** Bits [47:1] of a TTBR-format base (bit 0 is CnP) as a number. */
export function ttbrBase(lo: number, hi: number): number {
  return (hi & 0xffff) * 4294967296 + ((lo & ~1) >>> 0);
}

/**
 * Stage-1 parameters of one VA range (AArch64.GetS1TTWParams) from field values: `txsz` TnSZ, `g`
 * the granule shift, `epd` EPDn, `ips` the IPS encoding, `base` the table base (TTBRn.BADDR),
 * `asid`, `wxn`. TxSZ outside 16..39 is treated as the nearest limit (a permitted Armv8.0 choice).
 */
export function fillS1Params(
  p: S1Params,
  ttbr1: boolean,
  txsz: number,
  g: number,
  epd: boolean,
  ips: number,
  base: number,
  asid: number,
  wxn: boolean,
): void {
  if (txsz < 16) txsz = 16;
  if (txsz > 39) txsz = 39;
  const inputSize = 64 - txsz;
  p.ttbr1 = ttbr1;
  p.g = g;
  p.epd = epd;
  p.inputSize = inputSize;
  const stride = g - 3;
  const start = 4 - Math.ceil((inputSize - g) / stride);
  p.startLevel = start;
  p.startBits = inputSize - levelShift(g, start);
  p.oaBits = outputBits(ips);
  // The start table is aligned to its size, at least 64 bytes.
  p.base = alignDown(base, Math.max(p.startBits + 3, 6));
  p.baseTooBig = p.base >= POW2[p.oaBits];
  p.asid = asid;
  p.wxn = wxn;
}

/**
 * Stage-2 parameters (AArch64.GetS2TTWParams) from field values: `t0sz`, `sl0`, `g` the granule
 * shift, `ps` the PS encoding, `base` the table base (VTTBR_EL2.BADDR), `vmid`. Sets `valid` false
 * for the start levels AArch64.S2InvalidSL / S2InconsistentSL reject (Translation fault, level 0).
 * HCR_EL2-derived fields (ptw, cd, id, enabled) are the caller's.
 */
export function fillS2Params(p: S2Params, t0sz: number, sl0: number, g: number, ps: number, base: number, vmid: number): void {
  p.vmid = vmid;
  p.g = g;
  if (t0sz < 16) t0sz = 16; // below the minimum: treated as the minimum
  if (t0sz > 39) t0sz = 39;
  p.inputSize = 64 - t0sz;
  p.valid = s2StartValid(g, sl0, p.inputSize);
  const start = s2StartLevel(g, sl0);
  p.startLevel = start;
  const bits = p.inputSize - levelShift(g, start);
  p.startBits = bits;
  p.oaBits = outputBits(ps);
  // The start table (or the concatenated tables) is aligned to its size, at least 64 bytes.
  p.base = alignDown(base, Math.max(bits + 3, 6));
  p.baseTooBig = p.base >= POW2[p.oaBits];
}

/** The start level an SL0 value selects (Armv8.0, no FEAT_TTST/LPA2). */
export function s2StartLevel(g: number, sl0: number): number {
  return g === 12 ? 2 - sl0 : 3 - sl0;
}

/**
 * AArch64.S2InvalidSL and AArch64.S2InconsistentSL (Armv8.0): may a walk start at the level SL0
 * selects for this granule and input size? The start level resolves 1..stride+4 bits (up to 16
 * concatenated tables), and level 0 (4K) / level 1 (16K) need PAMax >= 44 / 42.
 */
export function s2StartValid(g: number, sl0: number, inputSize: number): boolean {
  if (sl0 === 3) return false;
  if (sl0 === 2 && !(g === 14 ? PA_BITS >= 42 : PA_BITS >= 44)) return false;
  const bits = inputSize - levelShift(g, s2StartLevel(g, sl0));
  return bits >= 1 && bits <= g - 3 + 4;
}

/** The PE's stage 2 from VTCR_EL2/VTTBR_EL2/HCR_EL2 register values. */
export function decodeVtcr(p: S2Params, hcrLo: number, hcrHi: number, vtcr: number, vttbrLo: number, vttbrHi: number): void {
  p.ptw = (hcrLo & 4) !== 0;
  p.cd = (hcrHi & 1) !== 0;
  p.id = (hcrHi & 2) !== 0;
  // VTCR_EL2.VS (bit 19): 16-bit VMID, else VMID[7:0] only.
  const vmid = (vttbrHi >>> 16) & ((vtcr & (1 << 19)) !== 0 ? 0xffff : 0xff);
  fillS2Params(p, vtcr & 63, (vtcr >>> 6) & 3, granuleTg0((vtcr >>> 14) & 3), (vtcr >>> 16) & 7, ttbrBase(vttbrLo, vttbrHi), vmid);
}

/** The PE's stage 1 for one VA range (upper: TTBR1) from TCR_EL1/TTBRn_EL1/SCTLR_EL1 values. */
export function decodeTcr(p: S1Params, upper: number, tcrLo: number, tcrHi: number, tLo: number, tHi: number, asidHi: number, sctlr: number): void {
  // TCR_EL1.A1 (bit 22) picks the TTBR holding the ASID (asidHi is its upper word); TCR_EL1.AS
  // (bit 36) selects 16- or 8-bit ASIDs.
  const asid = (asidHi >>> 16) & ((tcrHi & (1 << 4)) !== 0 ? 0xffff : 0xff);
  const wxn = (sctlr & (1 << 19)) !== 0;
  if (upper === 0) {
    fillS1Params(p, false, tcrLo & 63, granuleTg0((tcrLo >>> 14) & 3), (tcrLo & (1 << 7)) !== 0, tcrHi & 7, ttbrBase(tLo, tHi), asid, wxn);
  } else {
    fillS1Params(p, true, (tcrLo >>> 16) & 63, granuleTg1((tcrLo >>> 30) & 3), (tcrLo & (1 << 23)) !== 0, tcrHi & 7, ttbrBase(tLo, tHi), asid, wxn);
  }
}

/**
 * Is the (TBI-adjusted) VA (lo, hi) inside the range of `p`? Bits [63:inputSize] must all equal
 * VA[55] (`upper`), AArch64.S1Translate's range check.
 */
export function inS1Range(p: S1Params, upper: number, lo: number, hi: number): boolean {
  const inputSize = p.inputSize;
  const x = upper ? ~hi : hi;
  if (inputSize >= 32) return x >>> (inputSize - 32) === 0;
  return x === 0 && (upper ? ~lo : lo) >>> inputSize === 0;
}

/** Permissions of a stage-1 leaf (AArch64.S1ComputePermissions for EL1&0, no PAN). */
export function s1Perms(ap: number, uxn: number, pxn: number, wxn: boolean): number {
  const w1 = (ap & 2) === 0;
  const r0 = (ap & 1) !== 0;
  const w0 = r0 && w1;
  let p = P_R1;
  if (w1) p |= P_W1;
  if (r0) p |= P_R0;
  if (w0) p |= P_W0;
  if (uxn === 0 && !(wxn && w0)) p |= P_X0;
  // Memory writable at EL0 is never executable at EL1.
  if (pxn === 0 && !(wxn && w1) && !w0) p |= P_X1;
  return p;
}

/**
 * Permissions of a stage-1 leaf in a one-range regime without EL0 (EL2 with HCR_EL2.E2H=0; the
 * SMMU's STRW=EL2 streams): AP[2] read-only, AP[1] ignored, XN = descriptor bit 54, and WXN makes
 * writable memory non-executable (AArch64.S1ComputePermissions for EL2). Returned in the EL1 bits.
 */
export function s1PermsEl2(ap: number, xn: number, wxn: boolean): number {
  const w = (ap & 2) === 0;
  let p = P_R1;
  if (w) p |= P_W1;
  if (xn === 0 && !(wxn && w)) p |= P_X1;
  return p;
}
