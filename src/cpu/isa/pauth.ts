// FEAT_PAuth (Armv8.3 pointer authentication) with the architected algorithm QARMA5 (qarma.ts):
// PACIA/PACIB/PACDA/PACDB/AUTxx (register and Z forms), XPACI/XPACD, PACGA, the hint forms
// (PACIASP, PACIAZ, AUTIASP, PACIA1716, XPACLRI...), BRAA/BRAAZ/BLRAA/BLRAAZ (and B), RETAA/RETAB,
// ERETAA/ERETAB, LDRAA/LDRAB, and the key registers' MRS/MSR. Decoded only by the CPU models with
// FEAT_PAuth (profile.ts: the group comes before the base groups, whose HINT executes these hint
// encodings as NOPs on the other models, as the architecture requires).
//
// The pseudocode followed is the ARM ARM's AArch64.AddPACIA/... (enable bits and traps), AddPAC,
// Auth, Strip, CalculateBottomPACBit and EffectiveTBI, in the Armv8.3 form: no FEAT_EPAC,
// FEAT_PAuth2 or FEAT_FPAC, so a failed authentication does not fault by itself; it writes the
// error code keynumber:NOT(keynumber) into bits 54:53 (TBI) or 62:61 of the pointer, which makes it
// non-canonical, so using it faults (translation fault at the address).
//
// Only EL0 and EL1 run guest code (EL2 is the TypeScript hypervisor), so the translation regime
// is always EL1&0: TCR_EL1 and SCTLR_EL1 decide.
import type { Encoding, Insn } from '../decode.js';
import type { Cpu } from '../cpu.js';
import { bits, sext } from '../decode.js';
import { srcZR, dstZR, regSP, SP, ZR } from './common.js';
import { SYS, sysByKey, sysKey, el2Enabled } from '../sysregs.js';
import * as qarma from './qarma.js';
import { execMrs, execMsr } from './system.js';
import { eret, EC_UNKNOWN } from '../exceptions.js';
import { withSpCheck } from './ldst.js';
import { haveBti, setBtype } from './bti.js';
import { branchAddrNpc } from './branch-addr.js';

/** ESR EC 0x09: a PAuth instruction trapped by HCR_EL2.API (TrapPACUse). ISS is 0. */
export const EC_PAC_TRAP = 0x09;

// Keys (keynumber is 0 for the A keys, 1 for the B keys).
const KEY_IA = 0;
const KEY_IB = 1;
const KEY_DA = 2;
const KEY_DB = 3;
const KEY_GA = 4;
const KEY_LO = [SYS.APIAKeyLo_EL1, SYS.APIBKeyLo_EL1, SYS.APDAKeyLo_EL1, SYS.APDBKeyLo_EL1, SYS.APGAKeyLo_EL1];
const KEY_HI = [SYS.APIAKeyHi_EL1, SYS.APIBKeyHi_EL1, SYS.APDAKeyHi_EL1, SYS.APDBKeyHi_EL1, SYS.APGAKeyHi_EL1];
/** SCTLR_EL1.EnIA[31], EnIB[30], EnDA[27], EnDB[13]. */
const SCTLR_EN = [1 << 31, 1 << 30, 1 << 27, 1 << 13];
/** HCR_EL2.API is bit 41: bit 9 of the high word. */
const HCR_HI_API = 1 << 9;

/** Result of the helpers below (a 64-bit value as lo/hi). */
let rLo = 0;
let rHi = 0;

/** Mask of bits [a:b] of one 32-bit word (0 <= b, a <= 31; empty when a < b). */
function wordMask(a: number, b: number): number {
  if (a < b) return 0;
  const top = a === 31 ? -1 : (1 << (a + 1)) - 1;
  return top & ~((1 << b) - 1);
}
/** Bits [a:b] of a 64-bit value as [lo mask, hi mask]. */
const maskLo = (a: number, b: number): number => wordMask(Math.min(a, 31), b);
const maskHi = (a: number, b: number): number => (a < 32 ? 0 : wordMask(a - 32, Math.max(b, 32) - 32));

/**
 * EffectiveTBI(address, IsInstr, EL) for the EL1&0 regime: TCR_EL1.TBI1/TBI0 by address bit 55,
 * and for instruction addresses TBID1/TBID0 (bits 52/51) turn it off.
 */
function effectiveTbi(cpu: Cpu, hi: number, isInstr: boolean): boolean {
  const tcrHi = cpu.sysHi(SYS.TCR_EL1);
  const upper = (hi >>> 23) & 1;
  const tbi = (tcrHi >>> (5 + upper)) & 1; // TBI0[37], TBI1[38]
  const tbid = (tcrHi >>> (19 + upper)) & 1; // TBID0[51], TBID1[52]
  return tbi === 1 && !(isInstr && tbid === 1);
}

/**
 * CalculateBottomPACBit(top_bit) = 64 - TnSZ of the range bit 55 (or 63) selects. An out-of-range
 * TnSZ is constrained (Constraint_FORCE) to [16, 39] (no FEAT_LVA/FEAT_TTST).
 */
function bottomPacBit(cpu: Cpu, upper: number): number {
  const tcr = cpu.sysLo(SYS.TCR_EL1);
  let tsz = upper ? (tcr >>> 16) & 63 : tcr & 63;
  if (tsz > 39) tsz = 39;
  if (tsz < 16) tsz = 16;
  return 64 - tsz;
}

/** AddPAC(ptr, modifier, K, data): the pointer with its PAC, in rLo/rHi. */
function addPac(cpu: Cpu, pLo: number, pHi: number, mLo: number, mHi: number, key: number, data: boolean): void {
  const tbi = effectiveTbi(cpu, pHi, !data);
  const top = tbi ? 55 : 63;
  // The range bit: bit 55 when tagged pointers are in use in either range (TBIDn for instructions).
  const tcrHi = cpu.sysHi(SYS.TCR_EL1);
  const tbi0 = (tcrHi >>> 5) & 1, tbi1 = (tcrHi >>> 6) & 1;
  const tbid0 = (tcrHi >>> 19) & 1, tbid1 = (tcrHi >>> 20) & 1;
  const use55 = data ? tbi0 | tbi1 : (tbi1 & (tbid1 ^ 1)) | (tbi0 & (tbid0 ^ 1));
  const sel = use55 ? (pHi >>> 23) & 1 : pHi >>> 31;
  const bottom = bottomPacBit(cpu, sel);
  // ext_ptr: the PAC field [top:bottom] replaced by copies of selbit.
  const fLo = maskLo(top, bottom), fHi = maskHi(top, bottom);
  const eLo = sel ? pLo | fLo : pLo & ~fLo;
  const eHi = sel ? pHi | fHi : pHi & ~fHi;
  qarma.computePac(eLo, eHi, mLo, mHi, cpu.sysLo(KEY_HI[key]), cpu.sysHi(KEY_HI[key]), cpu.sysLo(KEY_LO[key]), cpu.sysHi(KEY_LO[key]));
  const pl = qarma.pacLo;
  let ph = qarma.pacHi;
  // Bad extension bits (neither all 0 nor all 1 in ptr<top:bottom>): PAC<top-1> is inverted.
  const xLo = pLo & fLo, xHi = pHi & fHi;
  if (!((xLo === 0 && xHi === 0) || (xLo === fLo && xHi === fHi))) ph ^= 1 << (top - 1 - 32);
  // result = (tbi ? ptr<63:56> : PAC<63:56>) : selbit : PAC<54:bottom> : ptr<bottom-1:0>.
  const keepLo = maskLo(bottom - 1, 0), keepHi = maskHi(bottom - 1, 0);
  const pacLoM = maskLo(54, bottom), pacHiM = maskHi(54, bottom) | (tbi ? 0 : 0xff000000);
  const ptrTop = tbi ? 0xff000000 : 0;
  rLo = (pLo & keepLo) | (pl & pacLoM);
  rHi = (pHi & (keepHi | ptrTop)) | (ph & pacHiM) | (sel << 23);
}

/** Strip(A, data): the PAC field [tbi ? 55 : 63 : bottom] replaced by copies of bit 55, in rLo/rHi. */
function strip(cpu: Cpu, pLo: number, pHi: number, data: boolean): void {
  const tbi = effectiveTbi(cpu, pHi, !data);
  const b55 = (pHi >>> 23) & 1;
  const bottom = bottomPacBit(cpu, b55);
  const fLo = maskLo(tbi ? 55 : 63, bottom), fHi = maskHi(tbi ? 55 : 63, bottom);
  rLo = b55 ? pLo | fLo : pLo & ~fLo;
  rHi = b55 ? pHi | fHi : pHi & ~fHi;
}

/**
 * Auth(ptr, modifier, K, data, keynumber): the original pointer if the PAC matches, else the
 * original pointer with error_code = keynumber:NOT(keynumber) in bits 54:53 (TBI) or 62:61.
 */
function auth(cpu: Cpu, pLo: number, pHi: number, mLo: number, mHi: number, key: number, data: boolean): void {
  const tbi = effectiveTbi(cpu, pHi, !data);
  const bottom = bottomPacBit(cpu, (pHi >>> 23) & 1);
  strip(cpu, pLo, pHi, data);
  const oLo = rLo, oHi = rHi;
  qarma.computePac(oLo, oHi, mLo, mHi, cpu.sysLo(KEY_HI[key]), cpu.sysHi(KEY_HI[key]), cpu.sysLo(KEY_LO[key]), cpu.sysHi(KEY_LO[key]));
  const cLo = maskLo(54, bottom), cHi = maskHi(54, bottom) | (tbi ? 0 : 0xff000000);
  if (((qarma.pacLo ^ pLo) & cLo) === 0 && ((qarma.pacHi ^ pHi) & cHi) === 0) return; // rLo/rHi = original
  const keynumber = key & 1;
  const code = (keynumber << 1) | (keynumber ^ 1);
  if (tbi) rHi = (oHi & ~(3 << 21)) | (code << 21);
  else rHi = (oHi & ~(3 << 29)) | (code << 29);
}

/**
 * The enable and trap checks of AArch64.AddPACxx/AuthXx (key < 4) and AddPACGA (key 4): a disabled
 * key (SCTLR_EL1.EnXX = 0) leaves the value unchanged (returns 0), a trap by HCR_EL2.API = 0 (EL2
 * enabled; no FEAT_VHE, so TGE/E2H do not exempt EL0) raises EC 0x09 to EL2 (returns -1);
 * otherwise 1.
 */
function pacAllowed(cpu: Cpu, key: number): number {
  if (key < 4 && (cpu.sysLo(SYS.SCTLR_EL1) & SCTLR_EN[key]) === 0) return 0;
  if (cpu.el < 2 && el2Enabled(cpu) && (cpu.sysHi(SYS.HCR_EL2) & HCR_HI_API) === 0) {
    cpu.raise(EC_PAC_TRAP, 0, 0, 2);
    return -1;
  }
  return 1;
}

/** AddPACxx on (pLo, pHi) with the modifier at word index m: result in rLo/rHi; false if trapped. */
function pacOp(cpu: Cpu, pLo: number, pHi: number, m: number, key: number): boolean {
  const ok = pacAllowed(cpu, key);
  if (ok < 0) return false;
  if (ok === 0) {
    rLo = pLo;
    rHi = pHi;
  } else addPac(cpu, pLo, pHi, cpu.r[m], cpu.r[m + 1], key, key >= KEY_DA);
  return true;
}
/** AuthXx on (pLo, pHi) with the modifier at word index m: result in rLo/rHi; false if trapped. */
function autOp(cpu: Cpu, pLo: number, pHi: number, m: number, key: number): boolean {
  const ok = pacAllowed(cpu, key);
  if (ok < 0) return false;
  if (ok === 0) {
    rLo = pLo;
    rHi = pHi;
  } else auth(cpu, pLo, pHi, cpu.r[m], cpu.r[m + 1], key, key >= KEY_DA);
  return true;
}

// ---------------------------------------------------------------- data processing

// PACIA/PACIB/PACDA/PACDB Xd, Xn|SP and the Z forms (modifier 0) and the hint forms
// (PACIA1716: X17 with X16; PACIASP: X30 with SP; PACIAZ: X30 with 0): i.ra = the pointer's
// source word index, i.rd = its destination, i.rn = the modifier, i.op = the key.
function execPac(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (!pacOp(cpu, r[i.ra], r[i.ra + 1], i.rn, i.op)) return;
  r[i.rd] = rLo;
  r[i.rd + 1] = rHi;
}
// AUTIA/AUTIB/AUTDA/AUTDB and their Z and hint forms, fields as execPac.
function execAut(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (!autOp(cpu, r[i.ra], r[i.ra + 1], i.rn, i.op)) return;
  r[i.rd] = rLo;
  r[i.rd + 1] = rHi;
}
// XPACI/XPACD Xd, XPACLRI (X30): Strip, instruction (i.op = 0) or data (1) address. No enable
// bit and no trap (the Strip pseudocode has neither).
function execXpac(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  strip(cpu, r[i.ra], r[i.ra + 1], i.op === 1);
  r[i.rd] = rLo;
  r[i.rd + 1] = rHi;
}
// PACGA Xd, Xn, Xm|SP: ComputePAC(X[n], X[m], APGAKey)<63:32> : Zeros(32). No enable bit.
function execPacga(cpu: Cpu, i: Insn): void {
  if (pacAllowed(cpu, KEY_GA) < 0) return;
  const r = cpu.r;
  const k = KEY_GA;
  qarma.computePac(r[i.rn], r[i.rn + 1], r[i.rm], r[i.rm + 1], cpu.sysLo(KEY_HI[k]), cpu.sysHi(KEY_HI[k]), cpu.sysLo(KEY_LO[k]), cpu.sysHi(KEY_LO[k]));
  r[i.rd] = 0;
  r[i.rd + 1] = qarma.pacHi;
}

// ---------------------------------------------------------------- branches

// BRAA/BRAB Xn, Xm|SP; BRAAZ/BRABZ Xn (modifier 0); RETAA/RETAB (X30 with SP): i.ra = target,
// i.rn = modifier, i.op = key (KEY_IA/KEY_IB). The authenticated value is the target (a failed
// check makes it non-canonical: the fetch there faults).
function execBraa(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (!autOp(cpu, r[i.ra], r[i.ra + 1], i.rn, i.op)) return;
  cpu.npcLo = rLo;
  cpu.npcHi = rHi;
  branchAddrNpc(cpu); // AArch64.BranchAddr
  if (haveBti(cpu)) setBtype(cpu, 0, i.ra >>> 1); // FEAT_BTI: BTypeNext as BR
}
// RETAA/RETAB: as BRAA but BTypeNext = 00.
function execRetaa(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (!autOp(cpu, r[i.ra], r[i.ra + 1], i.rn, i.op)) return;
  cpu.npcLo = rLo;
  cpu.npcHi = rHi;
  branchAddrNpc(cpu); // AArch64.BranchAddr
}
// BLRAA/BLRAB Xn, Xm|SP and the Z forms: X30 = PC + 4 after the target and modifier are read.
function execBlraa(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (!autOp(cpu, r[i.ra], r[i.ra + 1], i.rn, i.op)) return;
  r[60] = cpu.npcLo;
  r[61] = cpu.npcHi;
  cpu.npcLo = rLo;
  cpu.npcHi = rHi;
  branchAddrNpc(cpu); // AArch64.BranchAddr
  if (haveBti(cpu)) setBtype(cpu, 1, 0); // FEAT_BTI: BTypeNext = 10
}
// ERETAA/ERETAB: UNDEFINED at EL0; ELR_EL1 authenticated with SP as modifier (AuthIA/AuthIB),
// then AArch64.ExceptionReturn with that address.
function execEretaa(cpu: Cpu, i: Insn): void {
  if (cpu.el === 0) return cpu.raise(EC_UNKNOWN, 0, 0);
  if (!autOp(cpu, cpu.sysLo(SYS.ELR_EL1), cpu.sysHi(SYS.ELR_EL1), 2 * SP, i.op)) return;
  const lo = rLo, hi = rHi;
  eret(cpu);
  cpu.npcLo = lo;
  cpu.npcHi = hi;
  branchAddrNpc(cpu); // AArch64.BranchAddr at the EL returned to
}

// ---------------------------------------------------------------- LDRAA/LDRAB

// LDRAA/LDRAB Xt, [Xn|SP, #simm]{!}: address = AuthDA/AuthDB(X[n], 0) + offset; Xt = Mem[address, 8];
// with writeback X[n] = address (after the load, which must not fault). i.op = key, i.imm =
// offset, i.imm2 = writeback.
function execLdraa(cpu: Cpu, i: Insn): void {
  const r = cpu.r;
  if (!autOp(cpu, r[i.rn], r[i.rn + 1], 2 * ZR, i.op)) return;
  const s = (rLo >>> 0) + i.imm;
  const lo = s | 0;
  const hi = (rHi + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0;
  const v = cpu.ld64(lo, hi);
  if (cpu.status !== 0) return;
  const vhi = cpu.tmpHi;
  if (i.imm2) {
    r[i.rn] = lo;
    r[i.rn + 1] = hi;
  }
  r[i.rd] = v;
  r[i.rd + 1] = vhi;
}

// ---------------------------------------------------------------- the table

/** Hint numbers (CRm:op2) of the PAuth hints -> [exec, pointer/dest reg, modifier word index, key]. */
const X16 = 2 * 16, X17 = 2 * 17, X30 = 2 * 30, ZRW = 2 * ZR, SPW = 2 * SP;
const HINTS = new Map<number, [typeof execPac, number, number, number]>([
  [7, [execXpac, X30, 0, 0]], // XPACLRI
  [8, [execPac, X17, X16, KEY_IA]], // PACIA1716
  [10, [execPac, X17, X16, KEY_IB]], // PACIB1716
  [12, [execAut, X17, X16, KEY_IA]], // AUTIA1716
  [14, [execAut, X17, X16, KEY_IB]], // AUTIB1716
  [24, [execPac, X30, ZRW, KEY_IA]], // PACIAZ
  [25, [execPac, X30, SPW, KEY_IA]], // PACIASP
  [26, [execPac, X30, ZRW, KEY_IB]], // PACIBZ
  [27, [execPac, X30, SPW, KEY_IB]], // PACIBSP
  [28, [execAut, X30, ZRW, KEY_IA]], // AUTIAZ
  [29, [execAut, X30, SPW, KEY_IA]], // AUTIASP
  [30, [execAut, X30, ZRW, KEY_IB]], // AUTIBZ
  [31, [execAut, X30, SPW, KEY_IB]], // AUTIBSP
]);

/** A branch form: Z (bit 24) selects a register modifier (Rm|SP) or zero (Rm must be 11111). */
function braDecode(exec: typeof execBraa) {
  return (raw: number, i: Insn): boolean => {
    const z = bits(raw, 24, 24);
    const rm = bits(raw, 4, 0);
    if (z === 0 && rm !== 31) return false;
    i.ra = srcZR(bits(raw, 9, 5));
    i.rn = z ? regSP(rm) : 2 * ZR;
    i.op = bits(raw, 10, 10) ? KEY_IB : KEY_IA;
    i.exec = exec;
    return true;
  };
}

export const pauth: Encoding[] = [
  {
    // HINT #7, #8..#14 (even), #24..#31: the PAuth hints; every other hint is left to system.ts.
    name: 'PAuth hints (PACIASP, AUTIASP, PACIA1716, XPACLRI...)',
    pattern: '11010101000000110010 mmmm ooo 11111',
    decode(raw, i) {
      const h = HINTS.get(bits(raw, 11, 5));
      if (h === undefined) return false;
      [i.exec, i.ra, i.rn, i.op] = h;
      i.rd = i.ra;
      if (i.exec === execXpac) i.op = 0; // XPACLRI strips an instruction address
    },
  },
  {
    // Data-processing (1 source), sf=1 S=0 opcode2=00001: opcode 0000xx PAC, 0001xx AUT
    // (Rn|SP modifier), 0010xx PACxZx, 0011xx AUTxZx (Rn = 11111), 01000x XPACI/XPACD (Rn = 11111).
    name: 'PACIA/PACIB/PACDA/PACDB/AUTIA/AUTIB/AUTDA/AUTDB/XPACI/XPACD',
    pattern: '1 1 0 11010110 00001 oooooo nnnnn ddddd',
    decode(raw, i) {
      const opc = bits(raw, 15, 10);
      const n = bits(raw, 9, 5);
      const d = bits(raw, 4, 0);
      i.ra = srcZR(d);
      i.rd = dstZR(d);
      if (opc >= 0x10) {
        if (opc > 0x11 || n !== 31) return false;
        i.op = opc & 1;
        i.exec = execXpac;
        return true;
      }
      const z = (opc >>> 3) & 1;
      if (z && n !== 31) return false;
      i.rn = z ? 2 * ZR : regSP(n);
      i.op = opc & 3; // IA, IB, DA, DB
      i.exec = opc & 4 ? execAut : execPac;
      return true;
    },
  },
  {
    name: 'PACGA',
    pattern: '1 0 0 11010110 mmmmm 001100 nnnnn ddddd',
    decode(raw, i) {
      i.rd = dstZR(bits(raw, 4, 0));
      i.rn = srcZR(bits(raw, 9, 5));
      i.rm = regSP(bits(raw, 20, 16));
      i.exec = execPacga;
    },
  },
  {
    // BRAA/BRAB (Z=1), BRAAZ/BRABZ (Z=0): opc=0000, op3=00001M.
    name: 'BRAA/BRAAZ/BRAB/BRABZ',
    pattern: '1101011 z 000 11111 00001 m nnnnn ddddd',
    endsBlock: true,
    decode: braDecode(execBraa),
  },
  {
    name: 'BLRAA/BLRAAZ/BLRAB/BLRABZ',
    pattern: '1101011 z 001 11111 00001 m nnnnn ddddd',
    endsBlock: true,
    decode: braDecode(execBlraa),
  },
  {
    // RETAA/RETAB: X30 authenticated with SP.
    name: 'RETAA/RETAB',
    pattern: '1101011 0 010 11111 00001 m 11111 11111',
    endsBlock: true,
    decode(raw, i) {
      i.ra = X30;
      i.rn = SPW;
      i.op = bits(raw, 10, 10) ? KEY_IB : KEY_IA;
      i.exec = execRetaa;
    },
  },
  {
    name: 'ERETAA/ERETAB',
    pattern: '1101011 0 100 11111 00001 m 11111 11111',
    endsBlock: true,
    decode(raw, i) {
      i.op = bits(raw, 10, 10) ? KEY_IB : KEY_IA;
      i.exec = execEretaa;
    },
  },
  {
    // LDRAA/LDRAB: size=11 V=0 op 00 M S 1 imm9 W 1; offset = SignExtend(S:imm9:'000').
    name: 'LDRAA/LDRAB',
    pattern: '11 111 0 00 m s 1 iiiiiiiii w 1 nnnnn ttttt',
    decode(raw, i) {
      const n = bits(raw, 9, 5);
      i.rn = regSP(n);
      i.rd = dstZR(bits(raw, 4, 0));
      i.op = bits(raw, 23, 23) ? KEY_DB : KEY_DA;
      i.imm = sext((bits(raw, 22, 22) << 9) | bits(raw, 20, 12), 10) * 8;
      i.imm2 = bits(raw, 11, 11);
      i.exec = n === 31 ? withSpCheck(execLdraa) : execLdraa;
    },
  },
  {
    // MSR/MRS of the key registers (op0=3 op1=000 CRn=0010 CRm=00xx): system.ts's generic
    // handlers, reached only through this group (sysregs.ts marks them feature 'pauth').
    name: 'MSR/MRS (PAuth keys)',
    pattern: '1101010100 l 1 1 000 0010 00mm ooo ttttt',
    endsBlock: true,
    decode(raw, i) {
      const d = sysByKey.get(sysKey(3, 0, 2, bits(raw, 9, 8), bits(raw, 7, 5)));
      if (d === undefined || d.feature !== 'pauth') return false;
      i.imm = d.slot;
      i.imm2 = 0; // no HCR_EL2 low-word trap; HCR_EL2.APK is the register's el2Trap
      if (bits(raw, 21, 21)) {
        i.rd = dstZR(bits(raw, 4, 0));
        i.exec = execMrs;
      } else {
        i.rn = srcZR(bits(raw, 4, 0));
        i.exec = execMsr;
      }
      return true;
    },
  },
];
