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
import { crypto } from './crypto.js';
import { sha } from './sha.js';
import { simdV81 } from './simd-v81.js';
import { flagm } from './flagm.js';
import { fpV8x } from './fp-v8x.js';
import { pauth } from './pauth.js';
import { pan } from './pan.js';
import { bti } from './bti.js';
import { sm } from './sm.js';
import { rcpc2 } from './rcpc2.js';

export const a64: Encoding[][] = [dpImm, dpReg, branch, system, atomics, ldst, fp, simd];

// Armv8.1-8.5 extensions, decoded only by the CPU models that have them (src/cpu/profile.ts),
// after the base groups, which decline these encodings (they are UNDEFINED in Armv8.0).
export const a64v8x: Encoding[][] = [crypto, sha, simdV81, flagm, fpV8x, pan, sm, rcpc2];

// [pauth] Extensions that claim encodings the base groups also match (hints executed as NOPs, the
// key registers, BR/BLR with FEAT_BTI's BTYPE): decoded before the base groups by the models that have them.
export const a64v8xFirst: Encoding[][] = [pauth, bti];
/** Every group of `--cpu max`, in decode order. */
export const a64max: Encoding[][] = [...a64v8xFirst, ...a64, ...a64v8x];
