// Advanced SIMD (C4.1.90) and SIMD/FP loads and stores.
import type { Encoding } from '../decode.js';

export const simd: Encoding[] = [];
