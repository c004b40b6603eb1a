// Scalar floating point (C4.1.90).
import type { Encoding } from '../decode.js';

export const fp: Encoding[] = [];
