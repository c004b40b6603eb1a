// Advanced SIMD (C4.1.90) and SIMD&FP loads and stores (C4.1.89, V = 1): the groups live in
// simd-*.ts files and are registered here.
//
//   simd-ldst.ts  LDR/STR/LDUR/STUR/LDP/STP/LDNP/STNP of B/H/S/D/Q (all addressing modes, literal),
//                 LD1-LD4/ST1-ST4 multiple and single structure, LD1R-LD4R
//   simd-int.ts   copy, modified immediate, integer three same / two-register misc / across lanes /
//                 three different / shift by immediate (vector and scalar), permute, EXT, TBL/TBX
//   simd-fp.ts    FP three same, pairwise, across lanes, two-register misc (incl. conversions,
//                 estimates, FCVTL/FCVTN/FCVTXN), fixed-point conversions (vector and scalar)
//   simd-elem.ts  vector/scalar x indexed element
//   fp16.ts       FEAT_FP16: the half-precision forms of the FP groups (registered last; compared
//                 with unicorn's MAX model in test/cpu/fp16-vectors.test.ts)
//
// Decoded only by `--cpu max` (src/cpu/profile.ts, README-isa.md), in their own files: dot product,
// FCMLA/FCADD, SQRDMLAH/SQRDMLSH, PMULL 1Q, AES/SHA/SHA3, FRINT32/64, FMLAL/FMLSL. Not implemented
// on any model: SM3/SM4, BF16, I8MM.
// Every other encoding of these groups agrees with unicorn: test/cpu/simd-vectors.test.ts.
import type { Encoding } from '../decode.js';
import { simdLdst } from './simd-ldst.js';
import { simdInt } from './simd-int.js';
import { simdFp } from './simd-fp.js';
import { simdElem } from './simd-elem.js';
import { fp16Simd } from './fp16.js';

// FEAT_FP16 lanes (fp16.ts) last: the groups above decline half-precision encodings.
export const simd: Encoding[] = [...simdLdst, ...simdInt, ...simdFp, ...simdElem, ...fp16Simd];
