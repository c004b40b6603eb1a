// Stream table entries and context descriptors (IHI 0070 5.2 "Stream Table Entry", 5.4 "Context
// Descriptor") decoded into walk parameters with src/mmu/params.ts, the same functions that decode
// the PE's TCR_EL1/VTCR_EL2. An ILLEGAL structure yields C_BAD_STE / C_BAD_CD (5.2, 5.4.1 "ILLEGAL"
// conditions) instead of a configuration; nothing here throws on guest data.
//
// STE (64 bytes, as 32-bit words): w0 V[0] Config[3:1] S1Fmt[5:4] S1ContextPtr[31:6];
// w1 S1ContextPtr[51:32] in [19:0], S1CDMax[31:27]; w2 STRW[31:30] (bits 95:94); w3 PRIVCFG[17:16]
// INSTCFG[19:18] (bits 113:112, 115:114); w4 S2VMID[15:0]; w5 S2T0SZ[5:0] S2SL0[7:6] S2IR0 S2OR0
// S2SH0 S2TG[15:14] S2PS[18:16] S2AA64[19] S2ENDI[20] S2AFFD[21] S2PTW[22] S2HD[23] S2HA[24]
// S2S[25] S2R[26]; w6-w7 S2TTB[51:4].
// CD (64 bytes): w0 T0SZ[5:0] TG0[7:6] IR0 OR0 SH0 EPD0[14] ENDI[15] T1SZ[21:16] TG1[23:22] IR1
// OR1 SH1 EPD1[30] V[31]; w1 IPS[2:0] AFFD[3] WXN[4] UWXN[5] TBI[7:6] PAN[8] AA64[9] HD[10] HA[11]
// S[12] R[13] A[14] ASET[15] ASID[31:16]; w2-w3 TTB0[51:4]; w4-w5 TTB1[51:4]; w6-w7 MAIR.
import { S1Params, S2Params, POW2, PA_BITS, outputBits } from '../mmu/walk.js';
import { fillS1Params, fillS2Params, granuleTg0, granuleTg1, s2StartValid } from '../mmu/params.js';
import { ATTR_NORMAL_WB_RWA, SH_ISH, SH_NSH, SH_OSH, effectiveSh, s2MemAttr } from '../mmu/attrs.js';
import { C_BAD_CD, C_BAD_STE } from './events.js';

/** STE.Config (5.2): abort, bypass, or translate with stage 1 (bit 0) / stage 2 (bit 1). */
export const CONFIG_ABORT = 0b000;
export const CONFIG_BYPASS = 0b100;
/** STE.STRW: NS-EL1 (with a VMID) or EL2 (IDR0.HYP=1, no stage 2, no ASIDs: E2H not supported). */
export const STRW_EL1 = 0b00;
export const STRW_EL2 = 0b10;
/** Tag of EL2-world entries in the IOTLB/walk cache ASID field (outside the 16-bit ASID space). */
export const ASID_EL2 = 0x10000;

/**
 * Attributes of an untranslated (stage-1-bypassed) transaction, attr | SH << 8 (attrs.ts format):
 * incoming transactions are taken to be Normal Write-Back, Inner Shareable (a coherent master,
 * IDR0.COHACC=1); MTCFG=1 replaces the type with MemAttr (stage-2 MemAttr encoding), SHCFG 0b00/10/11
 * forces Non-/Outer/Inner Shareable (0b01: incoming). The STE and GBPA carry these fields alike
 * (STE bits 99:96, 100, 109:108; GBPA bits 3:0, 4, 13:12).
 */
export function incomingAttrs(memAttr: number, mtcfg: number, shcfg: number): number {
  const attr = mtcfg ? s2MemAttr(memAttr & 15) : ATTR_NORMAL_WB_RWA;
  const sh = shcfg === 0 ? SH_NSH : shcfg === 2 ? SH_OSH : SH_ISH;
  return attr | (effectiveSh(attr, sh) << 8);
}

/** One decoded context descriptor (SSIDSIZE=0: exactly one per stream). */
export class ContextDesc {
  readonly tt0 = new S1Params();
  readonly tt1 = new S1Params();
  /** CD.TBI[1:0]: top byte ignored for the TTB0 / TTB1 range. */
  tbi = 0;
  mairLo = 0;
  mairHi = 0;
  asid = 0;
  /** CD.R: record faults of terminated transactions in the event queue. */
  record = true;
  /** EL2 regime: one VA range (TTB0), no ASID, EL2 permissions. */
  el2 = false;
}

/** One decoded stream table entry, and the CD it points at once fetched. */
export class StreamConfig {
  sid = 0;
  config = CONFIG_ABORT;
  s1 = false;
  s2 = false;
  strw = STRW_EL1;
  /** S1ContextPtr: a PA, or an IPA translated by stage 2 when both stages are on. */
  cdPtr = 0;
  /** STE.PRIVCFG / INSTCFG: 0b0x use the incoming attribute, 0b10 force un-/data, 0b11 force priv/instruction. */
  privcfg = 0;
  instcfg = 0;
  /** Attributes of the incoming transaction after STE.MTCFG/MemAttr/SHCFG (used when stage 1 is bypassed). */
  inAttrs = 0;
  readonly s2p = new S2Params();
  /** STE.S2R: record stage-2 faults. */
  s2record = true;
  /** The VMID that tags this stream's IOTLB entries (STE.S2VMID for NS-EL1, 0 for EL2). */
  vmid = 0;
  cd: ContextDesc | null = null;
}

/** Bits [51:4] of two words (a TTB or S2TTB field whose low word holds bits [31:4]). */
function addr52(lo: number, hi: number): number {
  return (hi & 0xfffff) * 4294967296 + ((lo & ~15) >>> 0);
}

/**
 * Decode a 16-word STE into `out`. Returns 0, or C_BAD_STE for an ILLEGAL entry (V=0, a reserved
 * Config, S1CDMax > SSIDSIZE=0, a reserved or Secure STRW, EL2 with stage 2, S2AA64=0 (TTF is
 * AArch64 only), S2ENDI=1 (TTENDIAN little-endian only), a reserved S2TG, S2T0SZ outside 16..39,
 * an S2SL0 that AArch64.S2InvalidSL/S2InconsistentSL reject, S2S=1 (no stall model), S2TTB above
 * the stage-2 output size, S1ContextPtr above the OAS).
 */
export function decodeSte(w: Int32Array, sid: number, out: StreamConfig): number {
  out.sid = sid;
  out.cd = null;
  if ((w[0] & 1) === 0) return C_BAD_STE;
  const config = (w[0] >>> 1) & 7;
  if (config !== CONFIG_ABORT && (config & 4) === 0) return C_BAD_STE; // 0b001..0b011 reserved
  out.config = config;
  out.s1 = config === 0b101 || config === 0b111;
  out.s2 = config === 0b110 || config === 0b111;
  out.privcfg = (w[3] >>> 16) & 3;
  out.instcfg = (w[3] >>> 18) & 3;
  out.inAttrs = incomingAttrs(w[3] & 15, (w[3] >>> 4) & 1, (w[3] >>> 12) & 3);
  out.strw = STRW_EL1;
  out.vmid = w[4] & 0xffff; // IDR0.VMID16=1: S2VMID[15:0]; also tags stage-1-only NS-EL1 streams
  if (config === CONFIG_ABORT || config === CONFIG_BYPASS) return 0;
  if (out.s1) {
    if (((w[1] >>> 27) & 31) !== 0) return C_BAD_STE; // S1CDMax > IDR1.SSIDSIZE
    out.cdPtr = (w[1] & 0xfffff) * 4294967296 + ((w[0] & ~63) >>> 0);
    if (out.cdPtr >= POW2[PA_BITS]) return C_BAD_STE;
    const strw = (w[2] >>> 30) & 3;
    if (strw === 0b01 || strw === 0b11) return C_BAD_STE; // reserved / EL3 (no Secure state)
    if (strw === STRW_EL2 && out.s2) return C_BAD_STE; // the EL2 regime has no stage 2
    out.strw = strw;
    if (strw === STRW_EL2) out.vmid = 0;
  }
  const p = out.s2p;
  p.enabled = out.s2;
  p.vmid = out.vmid;
  if (out.s2) {
    const w5 = w[5];
    const t0sz = w5 & 63;
    const sl0 = (w5 >>> 6) & 3;
    const tg = (w5 >>> 14) & 3;
    if (((w5 >>> 19) & 1) === 0) return C_BAD_STE; // S2AA64
    if (((w5 >>> 20) & 1) !== 0) return C_BAD_STE; // S2ENDI
    if (((w5 >>> 25) & 1) !== 0) return C_BAD_STE; // S2S: stalls not supported
    if (tg === 3) return C_BAD_STE;
    if (t0sz < 16 || t0sz > 39) return C_BAD_STE;
    const g = granuleTg0(tg);
    if (!s2StartValid(g, sl0, 64 - t0sz)) return C_BAD_STE;
    const ps = (w5 >>> 16) & 7;
    const ttb = addr52(w[6], w[7]);
    if (ttb >= POW2[outputBits(ps)]) return C_BAD_STE;
    fillS2Params(p, t0sz, sl0, g, ps, ttb, out.vmid);
    p.affd = ((w5 >>> 21) & 1) !== 0;
    p.ptw = ((w5 >>> 22) & 1) !== 0; // S2PTW: stage-1 walks to stage-2 Device memory fault
    p.cd = p.id = false;
    out.s2record = ((w5 >>> 26) & 1) !== 0;
  }
  return 0;
}

/**
 * Decode a 16-word CD into `out` for a stream whose STRW is `strw`. Returns 0, or C_BAD_CD for an
 * ILLEGAL CD (V=0, AA64=0, ENDI=1, S=1, and for each range in use (EPDn=0) a reserved TGn or TnSZ
 * outside 16..39).
 */
export function decodeCd(w: Int32Array, strw: number, out: ContextDesc): number {
  const w0 = w[0];
  const w1 = w[1];
  if (((w0 >>> 31) & 1) === 0) return C_BAD_CD; // V
  if (((w1 >>> 9) & 1) === 0) return C_BAD_CD; // AA64: AArch32 tables not supported (IDR0.TTF)
  if (((w0 >>> 15) & 1) !== 0) return C_BAD_CD; // ENDI: little-endian only (IDR0.TTENDIAN)
  if (((w1 >>> 12) & 1) !== 0) return C_BAD_CD; // S: stalls not supported (IDR0.STALL_MODEL)
  const el2 = strw === STRW_EL2;
  out.el2 = el2;
  const t0sz = w0 & 63;
  const tg0 = (w0 >>> 6) & 3;
  const epd0 = ((w0 >>> 14) & 1) !== 0;
  const t1sz = (w0 >>> 16) & 63;
  const tg1 = (w0 >>> 22) & 3;
  // Without E2H the EL2 regime has one range (TTB0): TTB1/T1SZ/TG1/EPD1 are IGNORED.
  const epd1 = el2 || ((w0 >>> 30) & 1) !== 0;
  if (!epd0 && (tg0 === 3 || t0sz < 16 || t0sz > 39)) return C_BAD_CD;
  if (!epd1 && (tg1 === 0 || t1sz < 16 || t1sz > 39)) return C_BAD_CD;
  const ips = w1 & 7;
  out.asid = el2 ? ASID_EL2 : (w1 >>> 16) & 0xffff; // IDR0.ASID16=1
  const wxn = ((w1 >>> 4) & 1) !== 0;
  fillS1Params(out.tt0, false, epd0 ? 39 : t0sz, granuleTg0(epd0 ? 0 : tg0), epd0, ips, addr52(w[2], w[3]), out.asid, wxn);
  fillS1Params(out.tt1, true, epd1 ? 39 : t1sz, granuleTg1(epd1 ? 2 : tg1), epd1, ips, addr52(w[4], w[5]), out.asid, wxn);
  const affd = ((w1 >>> 3) & 1) !== 0;
  out.tt0.affd = out.tt1.affd = affd;
  out.tbi = (w1 >>> 6) & 3;
  if (el2) out.tbi &= 1;
  out.record = ((w1 >>> 13) & 1) !== 0;
  out.mairLo = w[6];
  out.mairHi = w[7];
  return 0;
}
