// Generic operand decode for the dependency scoreboard: from an instruction word, its class
// (profiles.ts Cls), the registers it reads and writes, and what kind of branch it is. It follows
// the top-level encoding index of the ARM ARM (C4.1: op0 = bits[28:25]) and the register fields of
// each encoding class (Rd [4:0], Rn [9:5], Rm [20:16], Ra/Rt2 [14:10]); it does not need to be
// exact per instruction, only to find the true data dependencies of the common encodings.
// Register numbers: X0-X30 = 0-30 (31, SP/XZR, is not tracked), V0-V31 = 32-63, NZCV = 64.
import { Cls } from './profiles.js';

export const REG_NZCV = 64;
export const NREGS = 65;

export const BR_NONE = 0;
export const BR_DIRECT = 1; // B
export const BR_CALL = 2; // BL
export const BR_COND = 3; // B.cond, CBZ/CBNZ, TBZ/TBNZ
export const BR_INDIRECT = 4; // BR
export const BR_CALL_INDIRECT = 5; // BLR
export const BR_RET = 6; // RET
export const BR_ERET = 7; // ERET (a context synchronisation, never predicted)

export interface OpInfo {
  cls: Cls;
  src: number[];
  dst: number[];
  br: number;
  /** Load/store pair or multiple-register access (two results). */
}

function x(r: number, out: number[]): void {
  if (r !== 31) out.push(r);
}
function v(r: number, out: number[]): void {
  out.push(32 + r);
}

export function classify(raw: number): OpInfo {
  const w = raw >>> 0;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const rm = (w >>> 16) & 31;
  const ra = (w >>> 10) & 31;
  const src: number[] = [];
  const dst: number[] = [];
  const op0 = (w >>> 25) & 15;
  let cls: Cls = Cls.ALU;
  let br = BR_NONE;
  if ((op0 & 0b1110) === 0b1000) {
    // Data processing, immediate (C4.1.2).
    const op = (w >>> 23) & 7;
    if (op <= 1) x(rd, dst); // ADR, ADRP
    else if (op === 2 || op === 3) {
      // ADD/SUB (immediate): Rd/Rn may be SP (untracked); S sets NZCV.
      x(rn, src);
      x(rd, dst);
      if ((w >>> 29) & 1) dst.push(REG_NZCV);
    } else if (op === 4) {
      x(rn, src);
      x(rd, dst);
      if (((w >>> 29) & 3) === 3) dst.push(REG_NZCV); // ANDS
    } else if (op === 5) {
      if (((w >>> 29) & 3) === 3) x(rd, src); // MOVK keeps the other bits
      x(rd, dst);
    } else {
      x(rn, src);
      if (op === 6 && ((w >>> 29) & 3) === 1) x(rd, src); // BFM inserts into Rd
      if (op === 7) x(rm, src); // EXTR
      x(rd, dst);
    }
  } else if ((op0 & 0b1110) === 0b1010) {
    // Branches, exception generating and system instructions (C4.1.3).
    if ((w & 0xff000010) >>> 0 === 0x54000000) {
      cls = Cls.BRANCH;
      br = BR_COND;
      src.push(REG_NZCV);
    } else if ((w & 0x7c000000) >>> 0 === 0x14000000) {
      cls = Cls.BRANCH;
      if (w >>> 31) {
        br = BR_CALL;
        dst.push(30);
      } else br = BR_DIRECT;
    } else if ((w & 0x7c000000) >>> 0 === 0x34000000) {
      cls = Cls.BRANCH; // CBZ/CBNZ (bit 25 = 0), TBZ/TBNZ (bit 25 = 1)
      br = BR_COND;
      x(rd, src);
    } else if ((w & 0xfe000000) >>> 0 === 0xd6000000) {
      cls = Cls.BRANCH_REG;
      const opc = (w >>> 21) & 15;
      if (opc === 4) br = BR_ERET;
      else {
        x(rn, src);
        if (opc === 1) {
          br = BR_CALL_INDIRECT;
          dst.push(30);
        } else br = opc === 2 ? BR_RET : BR_INDIRECT;
      }
    } else {
      cls = Cls.SYS;
      if ((w & 0xffd00000) >>> 0 === 0xd5100000) x(rd, src); // MSR (register), SYS: read Xt
      if ((w & 0xfff00000) >>> 0 === 0xd5300000) x(rd, dst); // MRS: write Xt
      if ((w & 0xfff8f01f) >>> 0 === 0xd500401f) dst.push(REG_NZCV); // MSR (immediate) to PSTATE fields
    }
  } else if ((op0 & 0b0101) === 0b0100) {
    // Loads and stores (C4.1.4).
    const vec = (w >>> 26) & 1;
    const put = vec ? v : x;
    const f = (w >>> 27) & 7;
    if (f === 3 && ((w >>> 24) & 1) === 0) {
      cls = Cls.LOAD; // LDR (literal)
      if (((w >>> 30) & 3) !== 3) put(rd, dst); // opc 11 is PRFM (literal)
    } else if (f === 5) {
      // Load/store pair: L = bit 22; writeback for pre/post-index (bits[24:23] = 01 or 11).
      x(rn, src);
      if ((w >>> 22) & 1) {
        cls = Cls.LOAD;
        put(rd, dst);
        put(ra, dst);
      } else {
        cls = Cls.STORE;
        put(rd, src);
        put(ra, src);
      }
      if ((w >>> 23) & 1) x(rn, dst);
    } else if (f === 7) {
      x(rn, src);
      const opc = (w >>> 22) & 3;
      const load = vec ? (opc & 1) !== 0 : opc !== 0;
      if (((w >>> 24) & 1) === 0 && ((w >>> 21) & 1) === 1) {
        const o2 = (w >>> 10) & 3;
        if (o2 === 2) x(rm, src); // register offset
        else if (o2 === 0 && !vec) {
          // LSE atomic memory operations (LDADD, SWP...): read Rs, write Rt.
          cls = Cls.LOAD;
          x(rm, src);
          x(rd, dst);
          return { cls, src, dst, br };
        }
      } else if (((w >>> 24) & 1) === 0 && ((w >>> 10) & 1) === 1) x(rn, dst); // pre/post-index writeback
      if (load) {
        cls = Cls.LOAD;
        if (!(vec === 0 && (w >>> 30) === 3 && opc === 2)) put(rd, dst); // not PRFM
      } else {
        cls = Cls.STORE;
        put(rd, src);
      }
    } else if (f === 1 && vec === 0) {
      // Load/store exclusive, load-acquire/store-release, compare and swap.
      x(rn, src);
      if ((w >>> 22) & 1) {
        cls = Cls.LOAD;
        x(rd, dst);
        if (((w >>> 21) & 1) === 1) x(ra, dst); // LDXP/LDAXP
      } else {
        cls = Cls.STORE;
        x(rd, src);
        if (((w >>> 21) & 1) === 1 && ((w >>> 23) & 1) === 1) {
          // CAS/CASP: compare register Rs is read and written; it is a load as well.
          cls = Cls.LOAD;
          x(rm, src);
          x(rm, dst);
        } else if (((w >>> 23) & 1) === 0) x(rm, dst); // STXR writes the status register Ws
      }
    } else {
      // Advanced SIMD load/store structures (vec = 1, f = 1), memory tags, others.
      x(rn, src);
      if ((w >>> 22) & 1) {
        cls = Cls.LOAD;
        put(rd, dst);
      } else {
        cls = Cls.STORE;
        put(rd, src);
      }
      if ((w >>> 23) & 1) x(rn, dst);
    }
  } else if ((op0 & 0b0111) === 0b0101) {
    // Data processing, register (C4.1.5).
    const top = (w >>> 24) & 31;
    if (top === 0b11011) {
      // 3-source: MADD/MSUB/SMADDL/UMADDL (read Ra), SMULH/UMULH (no Ra).
      const op31 = (w >>> 21) & 7;
      x(rn, src);
      x(rm, src);
      if (op31 === 2 || op31 === 6) cls = Cls.MULH;
      else {
        x(ra, src);
        cls = w >>> 31 ? Cls.MUL_X : Cls.MUL_W;
      }
      x(rd, dst);
    } else if (top === 0b11010) {
      const op2 = (w >>> 21) & 7;
      if (op2 === 0) {
        // ADC/SBC(S)
        x(rn, src);
        x(rm, src);
        src.push(REG_NZCV);
        x(rd, dst);
        if ((w >>> 29) & 1) dst.push(REG_NZCV);
      } else if (op2 === 2) {
        // CCMP/CCMN (register or immediate)
        x(rn, src);
        if (((w >>> 11) & 1) === 0) x(rm, src);
        src.push(REG_NZCV);
        dst.push(REG_NZCV);
      } else if (op2 === 4) {
        // CSEL/CSINC/CSINV/CSNEG
        x(rn, src);
        x(rm, src);
        src.push(REG_NZCV);
        x(rd, dst);
      } else if (op2 === 6) {
        x(rn, src);
        if (((w >>> 30) & 1) === 0) {
          x(rm, src);
          const opcode = (w >>> 10) & 63;
          if (opcode === 2 || opcode === 3) cls = w >>> 31 ? Cls.DIV_X : Cls.DIV_W;
        }
        x(rd, dst);
      } else {
        x(rn, src);
        x(rd, dst);
      }
    } else {
      // Logical / add-subtract (shifted or extended register).
      x(rn, src);
      x(rm, src);
      x(rd, dst);
      const isAdd = (top & 1) === 1;
      const sets = isAdd ? ((w >>> 29) & 1) === 1 : ((w >>> 29) & 3) === 3;
      if (sets) dst.push(REG_NZCV);
      const shifted = isAdd && ((w >>> 21) & 1) === 1 ? true : ((w >>> 10) & 63) !== 0;
      cls = shifted ? Cls.ALU_SHIFT : Cls.ALU;
    }
  } else {
    // Scalar floating point and Advanced SIMD (C4.1.6).
    const top = (w >>> 24) & 31;
    if ((top & 0b11110) === 0b11110 && ((w >>> 30) & 1) === 0 && ((w >>> 28) & 1) === 1) {
      if (top === 0b11111) {
        cls = Cls.FP_FMA;
        v(rn, src);
        v(rm, src);
        v(ra, src);
        v(rd, dst);
      } else if (((w >>> 21) & 1) === 1 && ((w >>> 10) & 63) === 0) {
        // Conversion between FP and integer (FMOV general, FCVTZS, SCVTF...): opcode bits[18:16].
        cls = Cls.FP_ALU;
        const opcode = (w >>> 16) & 7;
        if (opcode === 2 || opcode === 3 || opcode === 7) {
          x(rn, src);
          v(rd, dst);
        } else {
          v(rn, src);
          x(rd, dst);
        }
      } else if (((w >>> 21) & 1) === 1 && ((w >>> 10) & 15) === 8) {
        cls = Cls.FP_ALU; // FCMP/FCMPE
        v(rn, src);
        v(rm, src);
        dst.push(REG_NZCV);
      } else if (((w >>> 21) & 1) === 1 && ((w >>> 10) & 3) === 2) {
        // FP data-processing (2 source): opcode bits[15:12].
        const opcode = (w >>> 12) & 15;
        const dbl = ((w >>> 22) & 3) === 1;
        cls = opcode === 0 || opcode === 8 ? Cls.FP_MUL : opcode === 1 ? (dbl ? Cls.FP_DIV_D : Cls.FP_DIV_S) : Cls.FP_ALU;
        v(rn, src);
        v(rm, src);
        v(rd, dst);
      } else if (((w >>> 21) & 1) === 1 && ((w >>> 10) & 3) === 3) {
        cls = Cls.FP_ALU; // FCSEL
        v(rn, src);
        v(rm, src);
        src.push(REG_NZCV);
        v(rd, dst);
      } else if (((w >>> 21) & 1) === 1 && ((w >>> 10) & 3) === 1) {
        cls = Cls.FP_ALU; // FCCMP
        v(rn, src);
        v(rm, src);
        src.push(REG_NZCV);
        dst.push(REG_NZCV);
      } else {
        // FP data-processing (1 source), FMOV (immediate).
        const dbl = ((w >>> 22) & 3) === 1;
        cls = ((w >>> 15) & 63) === 3 ? (dbl ? Cls.FP_DIV_D : Cls.FP_DIV_S) : Cls.FP_ALU; // FSQRT
        if (((w >>> 10) & 7) !== 4) v(rn, src);
        v(rd, dst);
      }
    } else {
      cls = Cls.SIMD;
      v(rn, src);
      v(rm, src);
      v(rd, src); // many vector ops accumulate or insert into Vd
      v(rd, dst);
    }
  }
  return { cls, src, dst, br };
}
