// Advanced SIMD (C4.1.90) and SIMD&FP loads and stores (C4.1.89, V = 1): the groups live in
// simd-*.ts files and are registered here.
import type { Encoding } from '../decode.js';
import { simdLdst } from './simd-ldst.js';
import { simdInt } from './simd-int.js';
import { simdFp } from './simd-fp.js';
import { simdElem } from './simd-elem.js';

export const simd: Encoding[] = [...simdLdst, ...simdInt, ...simdFp, ...simdElem];
