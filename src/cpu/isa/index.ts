// The A64 instruction set as implemented: one Encoding[] per group of the ARM ARM's index (C4.1).
// Order matters only where patterns overlap: the first match whose decode accepts wins.
import type { Encoding } from '../decode.js';
import { dpImm } from './dp-imm.js';
import { dpReg } from './dp-reg.js';
import { branch } from './branch.js';
import { system } from './system.js';
import { ldst } from './ldst.js';
import { atomics } from './atomics.js';
import { fp } from './fp.js';
import { simd } from './simd.js';

export const a64: Encoding[][] = [dpImm, dpReg, branch, system, atomics, ldst, fp, simd];
