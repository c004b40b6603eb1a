// Operand conventions shared by every encoding group.
// Insn.rd/rn/rm/ra hold WORD INDICES into cpu.r (2 * slot): lo = r[x], hi = r[x + 1].
// Register number 31 is resolved at decode time to ZR (reads 0), DISCARD (writes) or SP.
import { ZR, SP, DISCARD } from '../state.js';

/** Source operand where 31 means XZR/WZR. */
export const srcZR = (n: number): number => 2 * n; // slot 31 is ZR and always reads 0
/** Destination operand where 31 means XZR/WZR (the write is discarded). */
export const dstZR = (n: number): number => 2 * (n === 31 ? DISCARD : n);
/** Operand where 31 means SP (source or destination). */
export const regSP = (n: number): number => 2 * (n === 31 ? SP : n);

export { ZR, SP, DISCARD };

/** Condition check (ARM ARM J1, ConditionHolds) on the CPU's N, Z, C, V. */
export function conditionHolds(cond: number, n: number, z: number, c: number, v: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0: r = z === 1; break; // EQ/NE
    case 1: r = c === 1; break; // CS/CC
    case 2: r = n === 1; break; // MI/PL
    case 3: r = v === 1; break; // VS/VC
    case 4: r = c === 1 && z === 0; break; // HI/LS
    case 5: r = n === v; break; // GE/LT
    case 6: r = n === v && z === 0; break; // GT/LE
    default: return true; // AL, and NV which behaves as AL in A64
  }
  return (cond & 1) !== 0 ? !r : r;
}
